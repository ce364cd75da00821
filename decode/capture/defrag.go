package capture

import (
	"container/list"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Bounds of IP fragment reassembly.
const (
	maxDatagram        = 65535    // largest reassembled payload
	maxFragsPerDgram   = 1024     // fragments of one datagram
	maxPendingDgrams   = 4096     // datagrams waiting for fragments
	maxFragBytesBuffer = 64 << 20 // bytes of all waiting fragments
)

// fragKey identifies a fragmented datagram: RFC 791 (IPv4: source,
// destination, protocol, identification) and RFC 8200 section 4.5 (IPv6:
// source, destination, identification).
type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8 // IPv4 only
	v6       bool
}

type fragment struct {
	off   int
	data  []byte // captured bytes (a copy)
	wire  int    // length according to the IP header
	frame int
}

// fragDgram collects the fragments of one datagram.
type fragDgram struct {
	key    fragKey
	frags  []fragment
	total  int // payload length, -1 until the last fragment is seen
	bytes  int
	first  time.Time // capture clock when the first fragment arrived
	offset int64     // file offset of the first fragment's record
	proto  uint8     // IPv6: next header after the Fragment header of offset 0
	elem   *list.Element
}

// defragmenter reassembles IPv4 and IPv6 fragments, bounded in memory and
// waiting time.
type defragmenter struct {
	m       map[fragKey]*fragDgram
	order   list.List // *fragDgram, oldest first
	bytes   int
	timeout time.Duration
	warn    func(Warning)
	buf     []byte
	frames  []int
}

func newDefragmenter(timeout time.Duration, warn func(Warning)) *defragmenter {
	return &defragmenter{m: map[fragKey]*fragDgram{}, timeout: timeout, warn: warn}
}

// add takes one fragment. When it completes its datagram, add returns true
// and p holds the reassembled datagram: p.payload (valid until the next
// call), p.proto, and the frames of all fragments in frames.
func (d *defragmenter) add(p *ipPacket, frame int, offset int64, now time.Time) (frames []int, ok bool) {
	k := fragKey{src: p.src, dst: p.dst, id: p.id, v6: p.v6}
	if !p.v6 {
		k.proto = p.proto
	}
	wire := max(p.wireLen, len(p.payload))
	if p.fragOff+wire > maxDatagram {
		d.warn(Warning{Frame: frame, Offset: offset, Msg: fmt.Sprintf(
			"%s fragment at offset %d with %d bytes goes past %d bytes: ignored", d.family(k), p.fragOff, wire, maxDatagram)})
		return nil, false
	}
	g := d.m[k]
	if g == nil {
		g = &fragDgram{key: k, total: -1, first: now, offset: offset}
		g.elem = d.order.PushBack(g)
		d.m[k] = g
	}
	if len(g.frags) >= maxFragsPerDgram {
		d.drop(g, fmt.Sprintf("more than %d fragments", maxFragsPerDgram))
		return nil, false
	}
	g.frags = append(g.frags, fragment{off: p.fragOff, data: slices.Clone(p.payload), wire: wire, frame: frame})
	g.bytes += len(p.payload)
	d.bytes += len(p.payload)
	if !p.more {
		g.total = p.fragOff + wire
	}
	if p.fragOff == 0 {
		g.proto = p.proto
	}
	if !d.complete(g) {
		d.bound()
		return nil, false
	}
	d.remove(g)
	d.assemble(g, p)
	return d.frames, true
}

// complete reports whether the fragments of g cover [0, total).
func (d *defragmenter) complete(g *fragDgram) bool {
	if g.total < 0 {
		return false
	}
	slices.SortStableFunc(g.frags, func(a, b fragment) int { return a.off - b.off })
	end := 0
	for _, f := range g.frags {
		if f.off > end {
			return false
		}
		end = max(end, f.off+f.wire)
	}
	return end >= g.total
}

// assemble writes the datagram of g into p. Where fragments overlap, the one
// with the lower offset wins (they are sorted). Bytes cut by a snapshot
// length end the payload at the first one missing.
func (d *defragmenter) assemble(g *fragDgram, p *ipPacket) {
	if cap(d.buf) < g.total {
		d.buf = make([]byte, g.total)
	}
	buf := d.buf[:g.total]
	have := 0 // captured bytes contiguous from 0
	for _, f := range g.frags {
		if f.off > have {
			break
		}
		if end := min(g.total, f.off+len(f.data)); end > have {
			copy(buf[have:end], f.data[have-f.off:])
			have = end
		}
	}
	d.frames = d.frames[:0]
	for _, f := range g.frags {
		d.frames = append(d.frames, f.frame)
	}
	slices.Sort(d.frames)
	d.frames = slices.Compact(d.frames)
	p.payload, p.wireLen, p.frag, p.more, p.fragOff = buf[:have], g.total, false, false, 0
	p.proto = g.proto
}

// expire drops the datagrams whose first fragment is older than the
// timeout.
func (d *defragmenter) expire(now time.Time) {
	cutoff := now.Add(-d.timeout)
	for e := d.order.Front(); e != nil; e = d.order.Front() {
		g := e.Value.(*fragDgram)
		if !g.first.Before(cutoff) {
			return
		}
		d.drop(g, fmt.Sprintf("still incomplete after %s", d.timeout))
	}
}

// flush drops every waiting datagram at end of capture.
func (d *defragmenter) flush() {
	for e := d.order.Front(); e != nil; e = d.order.Front() {
		d.drop(e.Value.(*fragDgram), "incomplete at end of capture")
	}
}

// bound drops the oldest datagrams while too much is waiting.
func (d *defragmenter) bound() {
	for d.order.Len() > maxPendingDgrams || d.bytes > maxFragBytesBuffer {
		d.drop(d.order.Front().Value.(*fragDgram), "dropped to bound memory")
	}
}

func (d *defragmenter) remove(g *fragDgram) {
	d.order.Remove(g.elem)
	delete(d.m, g.key)
	d.bytes -= g.bytes
}

// drop forgets g with a warning naming its frames.
func (d *defragmenter) drop(g *fragDgram, why string) {
	d.remove(g)
	frames := make([]int, 0, len(g.frags))
	for _, f := range g.frags {
		frames = append(frames, f.frame)
	}
	slices.Sort(frames)
	frames = slices.Compact(frames)
	if len(frames) == 0 {
		return
	}
	d.warn(Warning{Frame: frames[0], Offset: g.offset, Msg: fmt.Sprintf(
		"%s datagram id 0x%x from %s to %s: fragments missing (%s; frames %s), not delivered",
		d.family(g.key), g.key.id, g.key.src, g.key.dst, why, frameList(frames))})
}

func (d *defragmenter) family(k fragKey) string {
	if k.v6 {
		return "IPv6"
	}
	return "IPv4"
}

// frameList formats frame numbers, eliding the middle of long lists.
func frameList(frames []int) string {
	var b strings.Builder
	for i, f := range frames {
		if i == 5 && len(frames) > 6 {
			fmt.Fprintf(&b, ", ... %d", frames[len(frames)-1])
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, f)
	}
	return b.String()
}
