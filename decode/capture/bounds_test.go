package capture

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

// Each test here floods one bound of the reassembler past its value,
// checks after every handler call that the state it bounds stays within
// it, and checks that data after the flood is still delivered.

// probe is a Handler that records the streams (as recorder does) and runs
// check after every call.
type probe struct {
	*recorder
	check func()
}

func (p *probe) UDP(d *Datagram) { p.recorder.UDP(d); p.check() }
func (p *probe) TCP(s *Segment)  { p.recorder.TCP(s); p.check() }
func (p *probe) Stream(c *Chunk) { p.recorder.Stream(c); p.check() }

// readProbed reads a pcap of Ethernet frames like Read, with tune applied
// to the decoder first and check run after every handler call.
func readProbed(t *testing.T, frames [][]byte, opt Options, tune func(*decoder), check func(*decoder)) (*recorder, Info) {
	t.Helper()
	p := &probe{recorder: newRecorder(t)}
	in := newInput(bytes.NewReader(ct.PCAP(ct.LinkEthernet, ct.Frames(frames...)...)))
	src, err := newPcapSource(in)
	if err != nil {
		t.Fatal(err)
	}
	d := newDecoder(p, opt.withDefaults())
	d.info.Format = FormatPcap
	if tune != nil {
		tune(d)
	}
	p.check = func() { check(d) }
	if err := d.run(src, in); err != nil {
		t.Fatal(err)
	}
	return p.recorder, d.info
}

// flood returns a SYN from src to dst with sequence number seq-1, then n
// out-of-order segments of size bytes, the first one starting hole bytes
// after seq: none can be delivered until the hole is filled or given up
// on.
func flood(src, dst string, seq uint32, hole, n, size int) [][]byte {
	payload := bytes.Repeat([]byte{'x'}, size)
	out := [][]byte{ct.Ethernet(ct.TCP(src, dst, seq-1, 0, ct.SYN, nil))}
	for i := range n {
		out = append(out, ct.Ethernet(ct.TCP(src, dst, seq+uint32(hole+i*size), 0, ct.PSH, payload)))
	}
	return out
}

// after is the in-order exchange checked once the flood is over: a new
// connection whose client sends "after the flood".
func after(port int) [][]byte {
	cli := fmt.Sprintf("10.9.9.9:%d", port)
	return [][]byte{
		ct.Ethernet(ct.TCP(cli, srv, 100, 0, ct.SYN, nil)),
		ct.Ethernet(ct.TCP(cli, srv, 101, 0, ct.PSH, []byte("after the flood"))),
	}
}

func checkAfter(t *testing.T, rec *recorder, port int) {
	t.Helper()
	if got := string(rec.stream(fmt.Sprintf("10.9.9.9:%d", port), srv).data); got != "after the flood" {
		t.Errorf("after the flood: got %q", got)
	}
}

// TestBoundBufferedPerConn floods one direction with 6 MiB of out-of-order
// data: DefaultMaxBufferedPerConn (4 MiB) is never exceeded, the oldest
// bytes are delivered with a gap.
func TestBoundBufferedPerConn(t *testing.T) {
	const size = 1400
	n := (DefaultMaxBufferedPerConn*3/2)/size + 1
	frames := append(flood(cli, srv, 1000, 10, n, size), after(40001)...)
	peak := 0
	rec, _ := readProbed(t, frames, Options{}, nil, func(d *decoder) {
		for _, c := range d.tcp.conns {
			for i := range c.dirs {
				peak = max(peak, c.dirs[i].buffered)
			}
		}
	})
	if peak > DefaultMaxBufferedPerConn {
		t.Errorf("%d bytes buffered for one direction, bound %d", peak, DefaultMaxBufferedPerConn)
	}
	if peak < DefaultMaxBufferedPerConn-size {
		t.Errorf("peak %d: the flood did not reach the bound", peak)
	}
	s := rec.stream(cli, srv)
	if s.gaps == 0 || len(s.data) != n*size {
		t.Errorf("flooded stream: %d bytes, %d gaps; want %d bytes after a gap", len(s.data), s.gaps, n*size)
	}
	checkAfter(t, rec, 40001)
}

// TestBoundBufferedTotal floods 12 connections with 400 KiB of
// out-of-order data each against a total bound of 1 MiB (the default,
// DefaultMaxBufferedTotal = 256 MiB, is the same code with a larger
// number): the total never exceeds it.
func TestBoundBufferedTotal(t *testing.T) {
	const size, per, total = 1400, 300, 1 << 20
	var frames [][]byte
	for i := range 12 {
		frames = append(frames, flood(fmt.Sprintf("10.0.1.%d:5000", i+1), srv, 1000, 10, per, size)...)
	}
	frames = append(frames, after(40002)...)
	peak := 0
	rec, _ := readProbed(t, frames, Options{MaxBufferedTotal: total}, nil, func(d *decoder) {
		peak = max(peak, d.tcp.total)
	})
	if peak > total || peak < total-size {
		t.Errorf("peak of %d bytes buffered in all, bound %d", peak, total)
	}
	checkAfter(t, rec, 40002)
}

// TestBoundQueuedSegs floods one direction with 6000 one-byte
// out-of-order segments: no more than maxQueuedSegs wait.
func TestBoundQueuedSegs(t *testing.T) {
	frames := append(flood(cli, srv, 1000, 10, 6000, 1), after(40003)...)
	peak := 0
	rec, _ := readProbed(t, frames, Options{}, nil, func(d *decoder) {
		for _, c := range d.tcp.conns {
			for i := range c.dirs {
				peak = max(peak, len(c.dirs[i].queue))
			}
		}
	})
	if peak != maxQueuedSegs {
		t.Errorf("peak of %d segments queued, bound %d", peak, maxQueuedSegs)
	}
	if got := len(rec.stream(cli, srv).data); got != 6000 {
		t.Errorf("flooded stream: %d bytes delivered, want 6000", got)
	}
	checkAfter(t, rec, 40003)
}

// TestBoundConns opens 300 connections against a bound of 100 (maxConns,
// 262144, is the same code with a larger number): no more are followed at
// once, the least recently seen are ended, a warning names the first frame
// where it happened, and the count comes at the end.
func TestBoundConns(t *testing.T) {
	var frames [][]byte
	for i := range 300 {
		c := fmt.Sprintf("10.0.%d.%d:5000", i/200, i%200+1)
		frames = append(frames,
			ct.Ethernet(ct.TCP(c, srv, 1000, 0, ct.SYN, nil)),
			ct.Ethernet(ct.TCP(c, srv, 1001, 0, ct.PSH, []byte("hello"))))
	}
	frames = append(frames, after(40004)...)
	peak := 0
	rec, info := readProbed(t, frames, Options{}, func(d *decoder) { d.tcp.maxConns = 100 }, func(d *decoder) {
		peak = max(peak, len(d.tcp.conns))
	})
	if peak != 100 {
		t.Errorf("peak of %d connections, bound 100", peak)
	}
	checkAfter(t, rec, 40004)
	if got := string(rec.stream("10.0.0.1:5000", srv).data); got != "hello" {
		t.Errorf("first connection, ended early: %q", got)
	}
	var msgs []string
	for _, w := range info.Warnings {
		msgs = append(msgs, w.String())
	}
	want := []string{
		"frame 201: more than 100 TCP connections open at once: from here on the least recently seen are ended early to make room",
		"201 TCP connections were ended early to keep at most 100 open at once",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}
