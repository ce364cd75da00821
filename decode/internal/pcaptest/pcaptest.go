// Package pcaptest reads a capture file into what the tests of kerbtrace's
// protocol decoders need from it: every UDP datagram and the reassembled
// bytes of each TCP direction, with the frames they came from.
//
// It is a thin Handler over decode/capture (so the decoder tests see the
// same frames, reassembly and frame numbers as kerbtrace itself), for tests
// only: everything is kept in memory. Streams are cut at every gap in the
// TCP sequence and at every end of a direction, so each Stream holds
// contiguous bytes; Stream.AfterGap says the bytes before it were lost, and
// Stream.SYN that the direction's SYN was captured (its first byte is the
// first byte sent). It does not decode any protocol above TCP and UDP.
package pcaptest

import (
	"bytes"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/capture"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// Capture is the transport-level content of one capture file.
type Capture struct {
	// Info is what capture.Read reported (format, packets, warnings).
	Info capture.Info
	// Datagrams are the UDP datagrams in capture order.
	Datagrams []Datagram
	// Streams are the contiguous runs of TCP payload, in the order their
	// first byte was delivered.
	Streams []*Stream
}

// Datagram is one UDP datagram (after IP reassembly).
type Datagram struct {
	Frame     int   // the frame that completed it
	Frames    []int // every frame that carried a part of it
	Src, Dst  netip.AddrPort
	Payload   []byte
	Truncated bool // cut by the snapshot length
}

// Stream is a contiguous run of the payload of one TCP direction.
type Stream struct {
	Src, Dst netip.AddrPort
	Data     []byte
	// Spans tell which frame brought which bytes of Data (Off relative to
	// Data), ascending by offset.
	Spans []capture.Span
	// SYN is true when the SYN of this direction was captured before its
	// data, so Data starts at the first byte sent (unless AfterGap).
	SYN bool
	// AfterGap is true when bytes right before Data were never captured.
	AfterGap bool
}

// Frames returns the frames that carried Data[off:off+n], ascending, and
// the frame of its last byte (Wireshark's tcp.reassembled_in for a PDU
// ending there).
func (s *Stream) Frames(off, n int) (all []int, last int) {
	for _, sp := range s.Spans {
		if sp.Off+sp.Len <= off || sp.Off >= off+n {
			continue
		}
		all = append(all, sp.Frame)
		last = max(last, sp.Frame)
	}
	sort.Ints(all)
	out := all[:0]
	for i, f := range all {
		if i == 0 || f != all[i-1] {
			out = append(out, f)
		}
	}
	return out, last
}

// Read reads a capture file. An error means not a single packet could be
// read; damage later in the file is in Info.Warnings.
func Read(path string) (*Capture, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ReadBytes(b)
}

// ReadBytes is Read on a capture file held in memory.
func ReadBytes(b []byte) (*Capture, error) {
	c := &collector{open: map[dirKey]*Stream{}, syn: map[dirKey]bool{}, gap: map[dirKey]bool{}}
	info, err := capture.Read(bytes.NewReader(b), c, capture.Options{})
	if err != nil && info.Packets == 0 {
		return nil, err
	}
	c.out.Info = info
	return &c.out, nil
}

// SharedDir returns the shared public captures directory
// (../shared/captures beside the module root), skipping the test when it
// is absent.
func SharedDir(t testing.TB) string {
	t.Helper()
	return testutil.SharedCaptures(t)
}

// Files lists the files under dir named *.pcap or *.pcapng, sorted.
// Network Monitor files (*.cap) are left out, whatever decode/capture
// reads: the decoder tests count on the same set of files.
func Files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".pcapng")) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// Shared calls fn with every file that Files lists under SharedDir and
// decode/capture can read, named by its slash-separated path relative to
// SharedDir, in name order. It skips the test when the directory is absent.
func Shared(t testing.TB, fn func(name string, c *Capture)) {
	t.Helper()
	dir := SharedDir(t)
	for _, path := range Files(t, dir) {
		c, err := Read(path)
		if err != nil {
			continue
		}
		name, _ := filepath.Rel(dir, path)
		fn(filepath.ToSlash(name), c)
	}
}

// dirKey is one direction of a TCP connection.
type dirKey struct{ src, dst netip.AddrPort }

// collector is the capture.Handler behind Read.
type collector struct {
	out  Capture
	open map[dirKey]*Stream // the run each direction is extending
	syn  map[dirKey]bool    // the direction's SYN was seen since it last ended
	gap  map[dirKey]bool    // a gap was reported with no data after it yet
}

func (c *collector) UDP(g *capture.Datagram) {
	c.out.Datagrams = append(c.out.Datagrams, Datagram{
		Frame: g.Frame.Number, Frames: append([]int(nil), g.Frames...),
		Src: g.Src, Dst: g.Dst, Payload: bytes.Clone(g.Payload), Truncated: g.Truncated,
	})
}

func (c *collector) TCP(s *capture.Segment) {
	if s.SYN {
		c.syn[dirKey{s.Src, s.Dst}] = true
	}
}

func (c *collector) Stream(ch *capture.Chunk) {
	k := dirKey{ch.Src, ch.Dst}
	s := c.open[k]
	if ch.Gap > 0 {
		s = nil
		c.gap[k] = true
	}
	if s == nil && len(ch.Data) > 0 {
		s = &Stream{Src: ch.Src, Dst: ch.Dst, SYN: c.syn[k], AfterGap: c.gap[k]}
		c.out.Streams = append(c.out.Streams, s)
		delete(c.gap, k)
	}
	if s != nil {
		base := len(s.Data)
		s.Data = append(s.Data, ch.Data...)
		for _, sp := range ch.Spans {
			sp.Off += base
			s.Spans = append(s.Spans, sp)
		}
	}
	c.open[k] = s
	if ch.End {
		delete(c.open, k)
		delete(c.syn, k)
		delete(c.gap, k)
	}
}
