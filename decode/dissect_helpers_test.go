package decode_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// labPath returns the path of a lab capture in testdata/captures.
func labPath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(testutil.RepoRoot(t), "testdata", "captures", name)
}

// dissectFiles runs one Dissector over the given capture files, fails the
// test when one cannot be read, and checks the invariants of the result.
func dissectFiles(t testing.TB, files map[string][]byte, order ...string) *decode.Result {
	t.Helper()
	d := decode.NewDissector()
	for _, name := range order {
		if err := d.Add(name, bytes.NewReader(files[name])); err != nil {
			t.Fatalf("Add(%s): %v", name, err)
		}
	}
	r := d.Result()
	if err := checkResult(r); err != nil {
		t.Fatal(err)
	}
	return r
}

// dissect runs a Dissector over one capture file held in memory.
func dissect(t testing.TB, name string, file []byte) *decode.Result {
	t.Helper()
	return dissectFiles(t, map[string][]byte{name: file}, name)
}

// readLab returns the bytes of a lab capture.
func readLab(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(labPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dissectLab runs a Dissector over a lab capture.
func dissectLab(t testing.TB, name string) *decode.Result {
	t.Helper()
	return dissect(t, name, readLab(t, name))
}

// kindPointer names the accessor of the Body each message kind must carry.
var kindPointer = map[decode.Kind]string{
	decode.KindDNSQuery: "DNS", decode.KindDNSResponse: "DNS",
	decode.KindHTTPRequest: "HTTP", decode.KindHTTPResponse: "HTTP",
	decode.KindASReq: "Krb", decode.KindASRep: "Krb", decode.KindTGSReq: "Krb", decode.KindTGSRep: "Krb",
	decode.KindAPReq: "Krb", decode.KindAPRep: "Krb", decode.KindKRBError: "Krb",
	decode.KindSPNEGOInit: "SPNEGO", decode.KindSPNEGOResp: "SPNEGO",
	decode.KindNTLMNegotiate: "NTLM", decode.KindNTLMChallenge: "NTLM", decode.KindNTLMAuthenticate: "NTLM",
}

// checkResult checks what every Result must satisfy, whatever the input:
// messages sorted by (Capture, Frame); every Parent -1 or the index of an
// earlier message of the same capture and frame; Frame among Frames,
// which ascend; a protocol message in Body, of the type Kind names; no panic
// turned into a capture warning; conns sorted and of a known capture.
func checkResult(r *decode.Result) error {
	for _, c := range r.Captures {
		for _, w := range c.Warnings {
			if strings.Contains(w.Msg, "internal error") {
				return fmt.Errorf("%s: %v", c.File, w)
			}
		}
	}
	for i := range r.Len() {
		if err := checkMessage(r, i); err != nil {
			return fmt.Errorf("message %d (%s at frame %d): %w", i, r.Message(i).Kind, r.Message(i).Frame, err)
		}
	}
	for i, c := range r.Conns {
		if c.Capture < 0 || c.Capture >= len(r.Captures) {
			return fmt.Errorf("conn %d: capture %d of %d", i, c.Capture, len(r.Captures))
		}
		if i > 0 {
			p := r.Conns[i-1]
			if p.Capture > c.Capture || p.Capture == c.Capture && p.FirstFrame > c.FirstFrame {
				return fmt.Errorf("conn %d: not sorted after conn %d", i, i-1)
			}
		}
	}
	return nil
}

func checkMessage(r *decode.Result, i int) error {
	m := new(r.Message(i))
	if m.Capture < 0 || m.Capture >= len(r.Captures) {
		return fmt.Errorf("capture %d of %d", m.Capture, len(r.Captures))
	}
	if i > 0 {
		p := new(r.Message(i - 1))
		if p.Capture > m.Capture || p.Capture == m.Capture && p.Frame > m.Frame {
			return fmt.Errorf("not sorted after (%d, %d)", p.Capture, p.Frame)
		}
	}
	if m.Parent != -1 {
		if m.Parent < 0 || m.Parent >= i {
			return fmt.Errorf("parent %d not an earlier message", m.Parent)
		}
		if p := new(r.Message(m.Parent)); p.Capture != m.Capture || p.Frame != m.Frame {
			return fmt.Errorf("parent %d at (%d, %d)", m.Parent, p.Capture, p.Frame)
		}
	}
	if m.Frame < 1 || m.Frame > r.Captures[m.Capture].Packets {
		return fmt.Errorf("frame out of 1..%d", r.Captures[m.Capture].Packets)
	}
	found := false
	for j, f := range m.Frames {
		if j > 0 && f <= m.Frames[j-1] {
			return fmt.Errorf("frames %v not ascending", m.Frames)
		}
		found = found || f == m.Frame
	}
	if !found {
		return fmt.Errorf("frame not in frames %v", m.Frames)
	}
	body := bodyName(m)
	if body == "" {
		return fmt.Errorf("no protocol message (Body %T)", m.Body)
	}
	if want, ok := kindPointer[m.Kind]; ok && body != want {
		return fmt.Errorf("kind carries %s, want %s", body, want)
	}
	return nil
}

// bodyName names the accessor that returns the Body of m ("DNS", "Krb",
// ...), or "" when none does.
func bodyName(m *decode.Message) string {
	switch {
	case m.DNS() != nil:
		return "DNS"
	case m.HTTP() != nil:
		return "HTTP"
	case m.Krb() != nil:
		return "Krb"
	case m.SPNEGO() != nil:
		return "SPNEGO"
	case m.NTLM() != nil:
		return "NTLM"
	case m.SMB2() != nil:
		return "SMB2"
	case m.LDAP() != nil:
		return "LDAP"
	}
	return ""
}

// describe renders a message the way the tables of these tests spell it:
// "frame kind [frames]", the method or status of an HTTP head, the error
// code of a KRB-ERROR, and "<parent" when carried.
func describe(m *decode.Message) string {
	s := fmt.Sprintf("%d %s %v", m.Frame, m.Kind, m.Frames)
	switch {
	case m.HTTP() != nil && m.HTTP().Request:
		s += " " + m.HTTP().Method + " " + m.HTTP().URI
	case m.HTTP() != nil:
		s += fmt.Sprintf(" %d", m.HTTP().Status)
	case m.Kind == decode.KindKRBError:
		s += fmt.Sprintf(" %d", m.Krb().ErrorCode)
	}
	if m.Truncated {
		s += " truncated"
	}
	if m.Parent >= 0 {
		s += fmt.Sprintf(" <%d", m.Parent)
	}
	return s
}

func describeAll(r *decode.Result) []string {
	out := make([]string, r.Len())
	for i := range r.Len() {
		out[i] = describe(new(r.Message(i)))
	}
	return out
}

// labBytes holds real protocol bytes taken from the lab's success.pcap, to
// build synthetic captures from: payloads are keyed by the frame that
// carried them (UDP payloads whole, TCP payloads as reassembled).
type labBytes struct {
	byFrame map[int][]byte
}

var (
	labOnce sync.Once
	labData labBytes
	labErr  error
)

// successBytes returns the payload of frame n of testdata/captures/success.pcap.
func successBytes(t testing.TB, n int) []byte {
	t.Helper()
	path := labPath(t, "success.pcap")
	labOnce.Do(func() {
		var c *pcaptest.Capture
		if c, labErr = pcaptest.Read(path); labErr != nil {
			return
		}
		labData.byFrame = map[int][]byte{}
		for _, g := range c.Datagrams {
			labData.byFrame[g.Frame] = g.Payload
		}
		for _, s := range c.Streams {
			for _, sp := range s.Spans {
				labData.byFrame[sp.Frame] = append(labData.byFrame[sp.Frame], s.Data[sp.Off:sp.Off+sp.Len]...)
			}
		}
	})
	if labErr != nil {
		t.Fatal(labErr)
	}
	b, ok := labData.byFrame[n]
	if !ok {
		t.Fatalf("success.pcap: no payload in frame %d", n)
	}
	return b
}

// Frames of success.pcap whose payloads the synthetic tests reuse.
const (
	frameDNSQuery    = 3  // SRV _kerberos._udp.KERBTRACE.TEST
	frameDNSResponse = 4  // its answer
	frameASReq       = 19 // AS-REQ with PA-ENC-TIMESTAMP
	frameASRep       = 20
	frameTGSReq      = 46 // sname HTTP/www.kerbtrace.test
	frameTGSRep      = 47
	frameGET         = 32 // GET / without credentials
	frame401         = 34 // 401 with a 421-byte body
	frameGETNeg      = 50 // GET / with Authorization: Negotiate (AP-REQ)
	frame200         = 51 // 200 with the AP-REP and a 30-byte body
)

// record prefixes a Kerberos message with its TCP record mark (RFC 4120
// 7.2.2).
func record(msg []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(msg))), msg...)
}

// dnsTCP prefixes a DNS message with its 2-byte TCP length (RFC 1035 4.2.2).
func dnsTCP(msg []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...)
}

// cat concatenates byte slices into a new one.
func cat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

// synthConn builds the Ethernet frames of one TCP connection, keeping the
// sequence numbers of both sides.
type synthConn struct {
	cli, srv string
	next     [2]uint32 // next sequence number: [0] client, [1] server
}

func newSynthConn(cli, srv string) *synthConn {
	return &synthConn{cli: cli, srv: srv, next: [2]uint32{1000, 50000}}
}

func (c *synthConn) ends(fromClient bool) (src, dst string, me, peer int) {
	if fromClient {
		return c.cli, c.srv, 0, 1
	}
	return c.srv, c.cli, 1, 0
}

// handshake returns SYN, SYN-ACK and ACK.
func (c *synthConn) handshake() [][]byte {
	syn := c.segment(true, ct.SYN, nil)
	c.next[0]++
	synack := c.segment(false, ct.SYN|ct.ACK, nil)
	c.next[1]++
	return [][]byte{syn, synack, c.segment(true, ct.ACK, nil)}
}

// send returns a segment carrying p, acknowledging everything of the peer.
func (c *synthConn) send(fromClient bool, p []byte) []byte {
	f := c.segment(fromClient, ct.ACK|ct.PSH, p)
	_, _, me, _ := c.ends(fromClient)
	c.next[me] += uint32(len(p))
	return f
}

// sendSplit returns one segment per part of p, cut at the given offsets.
func (c *synthConn) sendSplit(fromClient bool, p []byte, cuts ...int) [][]byte {
	var out [][]byte
	prev := 0
	for _, at := range append(cuts, len(p)) {
		out = append(out, c.send(fromClient, p[prev:at]))
		prev = at
	}
	return out
}

// lose advances a side's sequence number by n bytes that no frame carries.
func (c *synthConn) lose(fromClient bool, n int) {
	_, _, me, _ := c.ends(fromClient)
	c.next[me] += uint32(n)
}

// fin returns a FIN from one side.
func (c *synthConn) fin(fromClient bool) []byte {
	f := c.segment(fromClient, ct.FIN|ct.ACK, nil)
	_, _, me, _ := c.ends(fromClient)
	c.next[me]++
	return f
}

func (c *synthConn) segment(fromClient bool, flags ct.Flags, p []byte) []byte {
	src, dst, me, peer := c.ends(fromClient)
	ack := c.next[peer]
	if flags&ct.ACK == 0 {
		ack = 0
	}
	return ct.Ethernet(ct.TCP(src, dst, c.next[me], ack, flags, p))
}

// pcapOf makes a pcap file of Ethernet frames, 10 ms apart.
func pcapOf(frames ...[]byte) []byte {
	return ct.PCAP(ct.LinkEthernet, ct.Frames(frames...)...)
}

// flat joins frames and lists of frames in order.
func flat(parts ...any) [][]byte {
	var out [][]byte
	for _, p := range parts {
		switch v := p.(type) {
		case []byte:
			out = append(out, v)
		case [][]byte:
			out = append(out, v...)
		default:
			panic(fmt.Sprintf("flat: %T", p))
		}
	}
	return out
}
