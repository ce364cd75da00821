package framelist_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/capture"
	"github.com/kerbtrace/kerbtrace/decode/framelist"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestLabCapture checks the lines of the lab's success capture against
// what tshark 4.0 shows for the same frames (tcp.flags.str, tcp.len,
// tcp.seq_raw, tcp.ack_raw, udp.length).
func TestLabCapture(t *testing.T) {
	f, err := os.Open(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "success.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := framelist.New(0)
	if _, err := capture.Read(f, l, capture.Options{}); err != nil {
		t.Fatal(err)
	}
	byFrame := map[int]framelist.Line{}
	for _, ln := range l.Lines {
		if _, dup := byFrame[ln.Frame]; dup {
			t.Errorf("frame %d listed twice", ln.Frame)
		}
		byFrame[ln.Frame] = ln
	}
	if _, ok := byFrame[1]; ok {
		t.Error("frame 1 (ARP) listed")
	}
	cases := []struct {
		frame          int
		src, dst, want string
	}{
		{3, "192.0.2.101:59494", "192.0.2.10:53", "UDP SrcPort: 59494, DstPort: 53, Length: 55"},
		{10, "192.0.2.10:88", "192.0.2.101:59734", "UDP SrcPort: 88, DstPort: 59734, Length: 253"},
		{29, "192.0.2.101:39728", "192.0.2.20:80", "TCP Flags: ......S., SrcPort: 39728, DstPort: 80, PayloadLen: 0, Seq: 1940666207, Ack: 0"},
		{30, "", "", "TCP Flags: ...A..S., SrcPort: 80, DstPort: 39728, PayloadLen: 0, Seq: 2874158402, Ack: 1940666208"},
		{32, "", "", "TCP Flags: ...A...., SrcPort: 39728, DstPort: 80, PayloadLen: 82, Seq: 1940666208, Ack: 2874158403"},
	}
	for _, c := range cases {
		ln, ok := byFrame[c.frame]
		if !ok {
			t.Errorf("frame %d not listed", c.frame)
			continue
		}
		if got := ln.Protocol + " " + ln.Summary; got != c.want {
			t.Errorf("frame %d: %q, want %q", c.frame, got, c.want)
		}
		if c.src != "" && (ln.Src.String() != c.src || ln.Dst.String() != c.dst) {
			t.Errorf("frame %d: %s -> %s, want %s -> %s", c.frame, ln.Src, ln.Dst, c.src, c.dst)
		}
		if ln.Time.IsZero() {
			t.Errorf("frame %d: no time", c.frame)
		}
	}
}

func TestBound(t *testing.T) {
	l := framelist.New(1)
	for i := range 3 {
		l.TCP(&capture.Segment{Frame: capture.Frame{Number: i + 1}, SYN: true, FIN: true, RST: true})
	}
	if len(l.Lines) != 1 || l.Dropped != 2 {
		t.Fatalf("lines %d dropped %d, want 1 and 2", len(l.Lines), l.Dropped)
	}
	if !strings.HasPrefix(l.Lines[0].Summary, "Flags: .....RSF,") {
		t.Errorf("summary %q", l.Lines[0].Summary)
	}
}

// FuzzParse runs the list over arbitrary capture bytes: nothing may panic.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(f), "testdata", "captures", "success.pcap")); err == nil {
		f.Add(b[:min(len(b), 4096)])
	}
	f.Add([]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		l := framelist.New(100)
		capture.Read(strings.NewReader(string(b)), l, capture.Options{})
	})
}
