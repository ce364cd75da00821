package capture

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// capturesDir returns the shared captures folder (../shared/captures from
// the directory holding go.mod), skipping the test when it is absent.
func capturesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found")
		}
		dir = parent
	}
	caps := filepath.Join(dir, "..", "shared", "captures")
	if _, err := os.Stat(caps); err != nil {
		t.Skipf("shared captures absent: %v", err)
	}
	return caps
}

// readCapture reads a shared capture (skipping when absent) into a recorder.
func readCapture(t testing.TB, name string) (*recorder, Info) {
	t.Helper()
	path := filepath.Join(capturesDir(t), name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("capture %s absent: %v", name, err)
	}
	rec := newRecorder(t)
	info, err := Read(bytes.NewReader(b), rec, Options{})
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return rec, info
}

// recorder is a Handler that keeps copies of everything and checks the
// invariants of each call.
type recorder struct {
	t        testing.TB
	udp      []Datagram
	segs     []Segment
	chunks   []Chunk
	streams  map[[2]netip.AddrPort][]*stream
	lastSeen int // frame number of the last event, to check capture order
}

// stream is one TCP direction put back together from chunks.
type stream struct {
	data   []byte
	frames []int // frame of each byte of data
	gaps   int   // chunks with Gap > 0
	gapAt  []int // offsets in data where a chunk with Gap > 0 began
	ended  bool
}

func newRecorder(t testing.TB) *recorder {
	return &recorder{t: t, streams: map[[2]netip.AddrPort][]*stream{}}
}

func (r *recorder) order(f int, what string) {
	if f < r.lastSeen {
		r.t.Errorf("%s of frame %d after an event of frame %d", what, f, r.lastSeen)
	}
	r.lastSeen = f
}

func (r *recorder) UDP(d *Datagram) {
	r.order(d.Frame.Number, "datagram")
	if !slices.IsSorted(d.Frames) || len(d.Frames) == 0 || d.Frames[len(d.Frames)-1] != d.Frame.Number {
		r.t.Errorf("datagram frame %d: frames %v not ascending up to it", d.Frame.Number, d.Frames)
	}
	c := *d
	c.Frames = slices.Clone(d.Frames)
	c.Payload = slices.Clone(d.Payload)
	r.udp = append(r.udp, c)
}

func (r *recorder) TCP(s *Segment) {
	r.order(s.Frame.Number, "segment")
	r.segs = append(r.segs, *s)
}

func (r *recorder) Stream(c *Chunk) {
	// A chunk may complete with a frame older than the last event (a
	// flush); its frame is never newer than the last segment seen.
	if c.Frame.Number > r.lastSeen {
		r.t.Errorf("chunk of frame %d before the segment of that frame", c.Frame.Number)
	}
	checkSpans(r.t, c)
	k := [2]netip.AddrPort{c.Src, c.Dst}
	list := r.streams[k]
	if len(list) == 0 || list[len(list)-1].ended {
		// A first chunk, or the same endpoints again after the end: a new
		// connection (or the same one after an idle timeout).
		list = append(list, &stream{})
		r.streams[k] = list
	}
	s := list[len(list)-1]
	s.data = append(s.data, c.Data...)
	for _, sp := range c.Spans {
		for range sp.Len {
			s.frames = append(s.frames, sp.Frame)
		}
	}
	if c.Gap > 0 {
		s.gaps++
		s.gapAt = append(s.gapAt, len(s.data)-len(c.Data))
	}
	s.ended = c.End
	cc := *c
	cc.Data = slices.Clone(c.Data)
	cc.Spans = slices.Clone(c.Spans)
	r.chunks = append(r.chunks, cc)
}

// checkSpans verifies that the spans of c are ascending, cover its data
// exactly, and that c.Frame is the highest frame among them.
func checkSpans(t testing.TB, c *Chunk) {
	t.Helper()
	off, maxFrame := 0, 0
	for _, s := range c.Spans {
		if s.Off != off || s.Len <= 0 {
			t.Errorf("chunk frame %d: span %+v at offset %d", c.Frame.Number, s, off)
		}
		off += s.Len
		maxFrame = max(maxFrame, s.Frame)
	}
	if off != len(c.Data) {
		t.Errorf("chunk frame %d: spans cover %d bytes of %d", c.Frame.Number, off, len(c.Data))
	}
	if len(c.Spans) > 0 && c.Frame.Number != maxFrame {
		t.Errorf("chunk frame %d, highest span frame %d", c.Frame.Number, maxFrame)
	}
}

// stream returns the first reassembled stream of direction src -> dst.
func (r *recorder) stream(src, dst string) *stream {
	list := r.streams[[2]netip.AddrPort{netip.MustParseAddrPort(src), netip.MustParseAddrPort(dst)}]
	if len(list) == 0 {
		return &stream{}
	}
	return list[0]
}

// framesOf returns the distinct frames that brought data[off:off+n].
func (s *stream) framesOf(off, n int) []int {
	if off < 0 || off+n > len(s.frames) {
		return nil
	}
	var out []int
	for _, f := range s.frames[off : off+n] {
		if len(out) == 0 || out[len(out)-1] != f {
			out = append(out, f)
		}
	}
	return out
}

// segmentsAt returns the segments of frame n.
func (r *recorder) segmentAt(n int) (Segment, bool) {
	for _, s := range r.segs {
		if s.Frame.Number == n {
			return s, true
		}
	}
	return Segment{}, false
}

func (r *recorder) datagramAt(n int) (Datagram, bool) {
	for _, d := range r.udp {
		if d.Frame.Number == n {
			return d, true
		}
	}
	return Datagram{}, false
}

// chunkSummary describes a chunk as "frame 10: 227 bytes after a gap of
// 1342", "frame 18: end", "frame 5: 10 bytes, end".
func chunkSummary(c Chunk) string {
	s := fmt.Sprintf("frame %d: ", c.Frame.Number)
	switch {
	case len(c.Data) > 0 && c.End:
		s += fmt.Sprintf("%d bytes, end", len(c.Data))
	case len(c.Data) > 0:
		s += fmt.Sprintf("%d bytes", len(c.Data))
	default:
		s += "end"
	}
	if c.Gap > 0 {
		s += fmt.Sprintf(" after a gap of %d", c.Gap)
	}
	return s
}

// pdu is a protocol message found in a stream.
type pdu struct {
	off, n int
	frames []int
}

// pdus splits the stream with framing, starting again after each gap.
func (s *stream) pdus(framing func([]byte) int) []pdu {
	var out []pdu
	restart := func(off int) int {
		for _, g := range s.gapAt {
			if g > off {
				return g
			}
		}
		return len(s.data)
	}
	for off := 0; off < len(s.data); {
		n := framing(s.data[off:])
		next := restart(off)
		if n <= 0 || off+n > next {
			off = next
			continue
		}
		out = append(out, pdu{off, n, s.framesOf(off, n)})
		off += n
	}
	return out
}
