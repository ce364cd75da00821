package flow_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// The tests below build captures from the lab's real ones (libpcap,
// little-endian, microseconds, Ethernet): they drop, shift, cut or patch
// single frames of a real capture, so that every message is still real
// bytes made by real software, and one field is what the test needs.

// pkt is one record of a pcap file.
type pkt struct {
	ts   time.Time
	data []byte // captured bytes
	orig int    // original length
}

// labPackets reads testdata/captures/<name>.pcap.
func labPackets(t testing.TB, name string) []pkt {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", name+".pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 {
		t.Fatalf("%s: not a little-endian microsecond pcap", name)
	}
	var out []pkt
	for off := 24; off+16 <= len(b); {
		sec, usec := binary.LittleEndian.Uint32(b[off:]), binary.LittleEndian.Uint32(b[off+4:])
		incl, orig := int(binary.LittleEndian.Uint32(b[off+8:])), int(binary.LittleEndian.Uint32(b[off+12:]))
		off += 16
		if off+incl > len(b) {
			t.Fatalf("%s: record cut short", name)
		}
		out = append(out, pkt{ts: time.Unix(int64(sec), int64(usec)*1000).UTC(), data: append([]byte(nil), b[off:off+incl]...), orig: orig})
		off += incl
	}
	return out
}

// pcapBytes writes records as a pcap file (Ethernet, snaplen 262144).
func pcapBytes(pkts []pkt) []byte {
	var b bytes.Buffer
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h, 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 262144)
	binary.LittleEndian.PutUint32(h[20:], 1)
	b.Write(h)
	for _, p := range pkts {
		r := make([]byte, 16)
		binary.LittleEndian.PutUint32(r, uint32(p.ts.Unix()))
		binary.LittleEndian.PutUint32(r[4:], uint32(p.ts.Nanosecond()/1000))
		binary.LittleEndian.PutUint32(r[8:], uint32(len(p.data)))
		binary.LittleEndian.PutUint32(r[12:], uint32(p.orig))
		b.Write(r)
		b.Write(p.data)
	}
	return b.Bytes()
}

// named is one capture file in memory.
type named struct {
	name string
	pkts []pkt
}

// analyzeBuilt decodes the captures, in order, and analyses them together.
func analyzeBuilt(t *testing.T, files ...named) (*decode.Result, *flow.Result) {
	t.Helper()
	d := decode.NewDissector()
	for _, f := range files {
		if err := d.Add(f.name, bytes.NewReader(pcapBytes(f.pkts))); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
	}
	dec := d.Result()
	return dec, flow.Analyze(dec)
}

// ipv4 describes the IPv4 packet in an Ethernet frame; ok is false for
// anything else (ARP, IPv6).
type ipv4 struct {
	src, dst   netip.Addr
	proto      byte
	sport      uint16
	dport      uint16
	payloadOff int // offset of the UDP or TCP payload in the frame
	tcpFlags   byte
}

func parseIPv4(data []byte) (ipv4, bool) {
	if len(data) < 34 || binary.BigEndian.Uint16(data[12:]) != 0x0800 {
		return ipv4{}, false
	}
	ihl := int(data[14]&0x0f) * 4
	p := ipv4{proto: data[23]}
	p.src, _ = netip.AddrFromSlice(data[26:30])
	p.dst, _ = netip.AddrFromSlice(data[30:34])
	l4 := 14 + ihl
	if len(data) < l4+8 {
		return p, true
	}
	p.sport, p.dport = binary.BigEndian.Uint16(data[l4:]), binary.BigEndian.Uint16(data[l4+2:])
	switch p.proto {
	case 17:
		p.payloadOff = l4 + 8
	case 6:
		if len(data) >= l4+14 {
			p.payloadOff = l4 + int(data[l4+12]>>4)*4
			p.tcpFlags = data[l4+13]
		}
	}
	return p, true
}

// touches reports whether frame data is to or from addr (ARP: never).
func touches(data []byte, addr string) bool {
	p, ok := parseIPv4(data)
	a := netip.MustParseAddr(addr)
	return ok && (p.src == a || p.dst == a)
}

// keep returns the packets whose 1-based frame number f satisfies keep(f, p).
func keep(pkts []pkt, keep func(f int, p pkt) bool) []pkt {
	var out []pkt
	for i, p := range pkts {
		if keep(i+1, p) {
			out = append(out, p)
		}
	}
	return out
}

// without drops the listed frames.
func without(pkts []pkt, frames ...int) []pkt {
	drop := map[int]bool{}
	for _, f := range frames {
		drop[f] = true
	}
	return keep(pkts, func(f int, _ pkt) bool { return !drop[f] })
}

// shifted moves every packet from frame from on by d.
func shifted(pkts []pkt, from int, d time.Duration) []pkt {
	out := append([]pkt(nil), pkts...)
	for i := from - 1; i < len(out); i++ {
		out[i].ts = out[i].ts.Add(d)
	}
	return out
}

// patched returns a copy of pkts in which edit changed frame f's bytes.
func patched(t *testing.T, pkts []pkt, f int, edit func(data []byte) []byte) []pkt {
	t.Helper()
	out := append([]pkt(nil), pkts...)
	d := edit(append([]byte(nil), out[f-1].data...))
	out[f-1].data, out[f-1].orig = d, out[f-1].orig+len(d)-len(out[f-1].data)
	return out
}

// replaceOnce replaces the only occurrence of old in data with new (same length).
func replaceOnce(t *testing.T, data []byte, old, new []byte) []byte {
	t.Helper()
	if len(old) != len(new) || bytes.Count(data, old) != 1 {
		t.Fatalf("pattern %x occurs %d times (want 1), or lengths differ", old, bytes.Count(data, old))
	}
	return bytes.Replace(data, old, new, 1)
}

// krbErrorCode rewrites the error-code of a KRB-ERROR on UDP/TCP 88 in
// frame data: [6] INTEGER, "a6 03 02 01 NN".
func krbErrorCode(t *testing.T, code byte) func([]byte) []byte {
	return func(d []byte) []byte {
		i := bytes.Index(d, []byte{0xa6, 0x03, 0x02, 0x01})
		if i < 0 || bytes.Count(d, []byte{0xa6, 0x03, 0x02, 0x01}) != 1 {
			t.Fatalf("no single error-code in the frame")
		}
		d[i+4] = code
		return d
	}
}

// negotiateErrorCode rewrites the error-code of the KRB-ERROR carried in the
// base64 WWW-Authenticate: Negotiate token of an HTTP response.
func negotiateErrorCode(t *testing.T, code byte) func([]byte) []byte {
	return func(d []byte) []byte {
		key := []byte("WWW-Authenticate: Negotiate ")
		i := bytes.Index(d, key)
		if i < 0 {
			t.Fatal("no Negotiate token in the frame")
		}
		start := i + len(key)
		end := start + bytes.Index(d[start:], []byte("\r\n"))
		tok, err := base64.StdEncoding.DecodeString(string(d[start:end]))
		if err != nil {
			t.Fatal(err)
		}
		tok = krbErrorCode(t, code)(tok)
		enc := base64.StdEncoding.EncodeToString(tok)
		copy(d[start:end], enc)
		return d
	}
}

// findingIDs lists the ids of r's findings.
func findingIDs(r *flow.Result) string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.ID+"("+f.Severity.String()+")")
	}
	return strings.Join(s, " ")
}
