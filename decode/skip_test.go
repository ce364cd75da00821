package decode

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/capture"
	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/internal/damage"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// countingHandler hands everything to its Dissector, counting the Stream
// calls. It is no capture.Skipper: the reassembler delivers every byte.
type countingHandler struct {
	d       *Dissector
	streams int
}

func (c *countingHandler) UDP(g *capture.Datagram) { c.d.UDP(g) }
func (c *countingHandler) TCP(s *capture.Segment)  { c.d.TCP(s) }
func (c *countingHandler) IgnoreLast() bool        { return c.d.IgnoreLast() }
func (c *countingHandler) Stream(ch *capture.Chunk) {
	c.streams++
	c.d.Stream(ch)
}

// skippingHandler is a countingHandler that passes SkipLast on.
type skippingHandler struct{ countingHandler }

func (s *skippingHandler) SkipLast() int { return s.d.SkipLast() }

// dissectSkipping dissects data with the reassembler told what to skip or
// not, and returns the result and the number of Stream calls.
func dissectSkipping(t *testing.T, data []byte, skip bool) (*Result, []error, int) {
	t.Helper()
	d := NewDissector()
	c := &skippingHandler{countingHandler{d: d}}
	var h capture.Handler = &c.countingHandler
	if skip {
		h = c
	}
	var errs []error
	if err := d.add("synth.pcap", bytes.NewReader(data), h); err != nil {
		errs = append(errs, err)
	}
	return d.Result(), errs, c.streams
}

// TestSkipLast checks that handing the rest of skipped SMB2 records to the
// reassembler (capture.Skipper) gives the same result as skipping them as
// they come, on bulk SMB2 reads among authentication flows, and on damaged
// copies of the SMB2 lab captures; and that it saves Stream calls.
func TestSkipLast(t *testing.T) {
	data := synth(t, 40, 24<<20)
	noSkip, errs1, calls1 := dissectSkipping(t, data, false)
	skip, errs2, calls2 := dissectSkipping(t, data, true)
	if !reflect.DeepEqual(errs1, errs2) || !SameResult(noSkip, skip) {
		t.Fatalf("results differ with the skip handed over: errors %v / %v, %d / %d messages, %d / %d conns",
			errs1, errs2, noSkip.Len(), skip.Len(), len(noSkip.Conns), len(skip.Conns))
	}
	if skip.Len() == 0 || calls2 >= calls1/2 {
		t.Errorf("%d messages; %d Stream calls with the skip handed over, %d without: want fewer than half", skip.Len(), calls2, calls1)
	}
	t.Logf("%d Stream calls with the skip handed over, %d without", calls2, calls1)

	// A large READ response, skipped across many segments, then a
	// SESSION_SETUP response on the same direction: the skip must end
	// exactly where the READ does. 30,068 + 77 bytes in 1,400-byte
	// segments: the SESSION_SETUP response ends in frame 22.
	for _, skip := range []bool{false, true} {
		r, _, _ := dissectSkipping(t, smb2AfterRead(30000, nil), skip)
		var got []string
		for _, m := range r.All() {
			got = append(got, fmt.Sprintf("%s@%d", m.Kind, m.Frame))
		}
		if want := []string{"smb2_session_setup_response@22"}; !reflect.DeepEqual(got, want) {
			t.Errorf("skip %v: after a skipped READ: messages %v, want %v", skip, got, want)
		}
	}
	// The same with segments out of order inside the READ, with one lost
	// inside it (a gap ends the skip), and with each segment in turn cut
	// short by a snapshot length (a gap right after the bytes that may
	// start a record to skip): the same result either way.
	edits := map[string]func([]ct.Packet) []ct.Packet{
		"reordered": func(p []ct.Packet) []ct.Packet { p[5], p[6] = p[6], p[5]; return p },
		"lost":      func(p []ct.Packet) []ct.Packet { return append(p[:9:9], p[10:]...) },
	}
	for i := range 44 {
		edits[fmt.Sprintf("cut %d", i)] = func(p []ct.Packet) []ct.Packet {
			if i < len(p) && len(p[i].Data) > 1000 {
				p[i].OrigLen = len(p[i].Data)
				p[i].Data = p[i].Data[:len(p[i].Data)-700]
			}
			return p
		}
	}
	for name, edit := range edits {
		data := smb2AfterRead(30000, edit)
		a, ea, _ := dissectSkipping(t, data, false)
		b, eb, _ := dissectSkipping(t, data, true)
		if !reflect.DeepEqual(ea, eb) || !SameResult(a, b) {
			t.Errorf("%s: results differ with the skip handed over: %d / %d messages, conns %+v / %+v",
				name, a.Len(), b.Len(), a.Conns, b.Conns)
		}
	}

	for _, name := range []string{"smb-success.pcap", "smb-rejected.pcap"} {
		cases, err := damage.Cases(readLabFile(t, name), 20261206)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			a, ea, _ := dissectSkipping(t, c.Data, false)
			b, eb, _ := dissectSkipping(t, c.Data, true)
			if !reflect.DeepEqual(ea, eb) || !SameResult(a, b) {
				t.Errorf("%s/%s: results differ with the skip handed over", name, c.Name)
			}
		}
	}
}

// readLabFile reads a capture of testdata/captures.
func readLabFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// smb2Record is an SMB2 message over Direct TCP: the 4-byte header, a
// 64-byte SMB2 response header with command cmd and status, and body.
func smb2Record(cmd uint16, status uint32, body []byte) []byte {
	h := make([]byte, 64)
	copy(h, "\xfeSMB")
	binary.LittleEndian.PutUint16(h[4:], 64)
	binary.LittleEndian.PutUint32(h[8:], status)
	binary.LittleEndian.PutUint16(h[12:], cmd)
	binary.LittleEndian.PutUint32(h[16:], 1) // SMB2_FLAGS_SERVER_TO_REDIR
	n := len(h) + len(body)
	rec := []byte{0, byte(n >> 16), byte(n >> 8), byte(n)}
	return append(append(rec, h...), body...)
}

// smb2AfterRead is a capture of a server's side of an SMB2 connection: a
// READ response with n bytes of data, then a SESSION_SETUP response
// (STATUS_LOGON_FAILURE), and when edit is not nil another READ response
// between them, in 1,400-byte segments; the packets are then edited by edit.
func smb2AfterRead(n int, edit func([]ct.Packet) []ct.Packet) []byte {
	stream := smb2Record(0x08, 0, make([]byte, n))
	if edit != nil {
		stream = append(stream, smb2Record(0x08, 0, make([]byte, n))...)
	}
	stream = append(stream, smb2Record(0x01, 0xc000006d, make([]byte, 9))...)
	var frames [][]byte
	for off := 0; off < len(stream); off += 1400 {
		seg := stream[off:min(off+1400, len(stream))]
		frames = append(frames, ct.Ethernet(ct.TCP("192.0.2.20:445", "10.0.0.1:50000", 1000+uint32(off), 1, ct.ACK|ct.PSH, seg)))
	}
	pkts := ct.Frames(frames...)
	if edit != nil {
		pkts = edit(pkts)
	}
	return ct.PCAP(ct.LinkEthernet, pkts...)
}

// TestSkipLastCaptures: the same result with and without the skip handed
// over on every lab capture and, when present, every shared one.
func TestSkipLastCaptures(t *testing.T) {
	files := testutil.CaptureFiles(t, filepath.Join(testutil.RepoRoot(t), "testdata", "captures"))
	if shared := filepath.Join(testutil.RepoRoot(t), "..", "shared", "captures"); dirExists(shared) {
		files = append(files, testutil.CaptureFiles(t, shared)...)
	}
	for _, f := range files {
		a, ea, _ := dissectSkipping(t, f.Data, false)
		c, ec, _ := dissectSkipping(t, f.Data, true)
		if !reflect.DeepEqual(ea, ec) || !SameResult(a, c) {
			t.Errorf("%s: results differ with the skip handed over", f.Name)
		}
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// FuzzSkipLast compares dissecting with and without the skip handed over
// to the reassembler on arbitrary captures, seeded with SMB2 ones.
func FuzzSkipLast(f *testing.F) {
	root := testutil.RepoRoot(f)
	for _, name := range []string{"smb-success.pcap", "smb-rejected.pcap"} {
		b, err := os.ReadFile(filepath.Join(root, "testdata", "captures", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(smb2AfterRead(3000, nil))
	f.Add(smb2AfterRead(3000, func(p []ct.Packet) []ct.Packet { p[0], p[1] = p[1], p[0]; return p }))
	f.Add(smb2AfterRead(3000, func(p []ct.Packet) []ct.Packet {
		p[2].OrigLen, p[2].Data = len(p[2].Data), p[2].Data[:len(p[2].Data)-700]
		return p
	}))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ea, _ := dissectSkipping(t, b, false)
		c, ec, _ := dissectSkipping(t, b, true)
		if !reflect.DeepEqual(ea, ec) || !SameResult(a, c) {
			t.Errorf("results differ with the skip handed over: errors %v / %v, %d / %d messages", ea, ec, a.Len(), c.Len())
		}
	})
}
