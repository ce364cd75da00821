package capture

import (
	"container/list"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/recent"
)

// maxConns bounds the TCP connections followed at once (some 600 bytes
// each, 150 MiB in all): past it, the least recently seen is ended to make
// room, as if idle, and a Warning names the frame where it first happened
// (a count of all such connections comes at the end). Reading goes on.
const maxConns = 1 << 18

// maxQueuedSegs bounds the out-of-order segments queued per direction, so
// that a flood of tiny segments cannot make insertion quadratic.
const maxQueuedSegs = 4096

// tcpKey names a connection by its two endpoints, the lower one first.
type tcpKey struct{ a, b netip.AddrPort }

// keyOf returns the connection key of a segment and the index (0 or 1) of
// its direction: 0 when it goes from key.a to key.b.
func keyOf(src, dst netip.AddrPort) (tcpKey, int) {
	if src.Compare(dst) <= 0 {
		return tcpKey{src, dst}, 0
	}
	return tcpKey{dst, src}, 1
}

// tcpSeg is queued out-of-order payload.
type tcpSeg struct {
	seq   uint32
	data  []byte // captured bytes (a copy)
	wire  int    // payload length on the wire, >= len(data)
	frame Frame
	seen  time.Time // capture clock when queued
}

// tcpDir is one direction of a connection.
type tcpDir struct {
	conn     *tcpConn
	src, dst netip.AddrPort
	started  bool   // next is known
	haveISN  bool   // the SYN was seen
	isn      uint32 // initial sequence number
	next     uint32 // sequence number of the next byte to deliver
	gap      int    // bytes known missing before next, not yet reported
	skip     int    // bytes from next on the handler has no use for (see Skipper)
	queue    []tcpSeg
	buffered int
	finSeen  bool
	finSeq   uint32 // sequence number of the FIN
	ended    bool
	acked    uint32 // highest acknowledgment number the peer sent
	ackSeen  bool
	last     Frame // last frame seen in this direction
	pending  *list.Element
}

// tcpConn is a TCP connection.
type tcpConn struct {
	key      tcpKey
	dirs     [2]tcpDir
	lastSeen time.Time
	elem     *list.Element // in reassembler.conns
	ignored  bool          // the handler wants no Stream calls (see Ignorer)
}

// reassembler puts the payload of each TCP direction back in sequence
// order and hands it to Handler.Stream with the frames it came from.
type reassembler struct {
	opt     Options
	h       Handler
	ig      Ignorer // h as an Ignorer, or nil
	sk      Skipper // h as a Skipper, or nil
	conns   map[tcpKey]*tcpConn
	lru     list.List // *tcpConn, least recently seen first
	pending list.List // *tcpDir with queued data, in the order they began waiting
	total   int       // bytes queued in all directions
	// maxConns is the bound on len(conns): the constant maxConns, lower in
	// tests.
	maxConns int
	evicted  int                    // connections ended early to stay under maxConns
	recent   recent.Cache[*tcpConn] // the connections lookup found last
	warn     func(Warning)          // records a warning of the capture
	// reused for every chunk
	out    []byte
	pieces []piece
	chunk  Chunk
}

// piece is a run of in-order bytes from one frame, before it becomes a Span.
type piece struct {
	data  []byte
	frame Frame
}

func newReassembler(h Handler, opt Options) *reassembler {
	ig, _ := h.(Ignorer)
	sk, _ := h.(Skipper)
	return &reassembler{opt: opt, h: h, ig: ig, sk: sk, conns: map[tcpKey]*tcpConn{},
		maxConns: maxConns, warn: func(Warning) {}}
}

// segment takes one TCP segment whose header s was already given to the
// handler. payload is its captured payload; wire is its length on the
// wire, more than len(payload) when a snapshot length cut the frame. now is
// the capture clock. ignore is the handler's IgnoreLast after the TCP call.
func (r *reassembler) segment(s *Segment, payload []byte, wire int, now time.Time, ignore bool) {
	key, i, c := r.lookup(s.Src, s.Dst)
	if c != nil && s.SYN && newConnection(&c.dirs[i], s.Seq) {
		r.close(c)
		c = nil
	}
	if c == nil {
		c = r.open(key, now, s.Frame.Number)
	}
	c.lastSeen = now
	r.lru.MoveToBack(c.elem)
	d := &c.dirs[i]
	d.last = s.Frame
	if r.ignoring(c, ignore) {
		r.track(d, s)
		return
	}
	if s.ACK {
		r.ack(&c.dirs[1-i], s.Ack)
	}
	if d.ended {
		return // retransmissions after FIN or RST
	}
	seq := s.Seq
	switch {
	case s.SYN:
		if !d.started {
			d.started, d.haveISN, d.isn, d.next = true, true, s.Seq, s.Seq+1
		}
		seq++ // the SYN takes one sequence number
	case !d.started:
		// The start of the connection was not captured: begin here.
		d.started, d.next = true, s.Seq
	}
	if s.FIN {
		d.finSeen, d.finSeq = true, seq+uint32(wire)
	}
	switch {
	case wire > 0 && int32(seq-d.next) > 0:
		r.enqueue(d, tcpSeg{seq: seq, data: slices.Clone(payload), wire: wire, frame: s.Frame, seen: now})
	case wire > 0 || d.finSeen:
		r.deliver(d, seq, payload, wire, s.Frame)
	}
	if s.RST && !d.ended {
		r.finish(d, s.Frame)
	}
}

// ignoring applies the handler's wish about c and reports whether c is
// ignored.
func (r *reassembler) ignoring(c *tcpConn, ignore bool) bool {
	switch {
	case ignore && !c.ignored:
		c.ignored = true
		for i := range c.dirs {
			r.dropQueue(&c.dirs[i])
		}
	case !ignore && c.ignored:
		// Followed again: each direction restarts at its next segment,
		// as if the connection began there.
		c.ignored = false
		for i := range c.dirs {
			d := &c.dirs[i]
			d.started, d.haveISN, d.finSeen, d.ended, d.gap, d.skip = false, false, false, false, 0, 0
		}
	}
	return c.ignored
}

// track keeps what an ignored connection needs to be recognised later: its
// initial sequence numbers (a SYN with a new one starts a new connection).
func (r *reassembler) track(d *tcpDir, s *Segment) {
	if s.SYN && !d.started {
		d.started, d.haveISN, d.isn = true, true, s.Seq
	}
}

// newConnection reports whether a SYN with sequence number seq in
// direction d starts a new connection on the same endpoints rather than
// repeating the SYN already seen.
func newConnection(d *tcpDir, seq uint32) bool {
	return d.started && (!d.haveISN || seq != d.isn)
}

func (r *reassembler) open(key tcpKey, now time.Time, frame int) *tcpConn {
	if len(r.conns) >= r.maxConns {
		if r.evicted == 0 {
			r.warn(Warning{Frame: frame, Offset: -1, Msg: fmt.Sprintf(
				"more than %d TCP connections open at once: from here on the least recently seen are ended early to make room", r.maxConns)})
		}
		r.evicted++
		r.close(r.lru.Front().Value.(*tcpConn))
	}
	c := &tcpConn{key: key, lastSeen: now}
	c.dirs[0] = tcpDir{conn: c, src: key.a, dst: key.b}
	c.dirs[1] = tcpDir{conn: c, src: key.b, dst: key.a}
	c.elem = r.lru.PushBack(c)
	r.conns[key] = c
	r.recent.Put(key.a, key.b, c)
	return c
}

// lookup returns the key of the connection of a segment from src to dst,
// the index of its direction (as keyOf) and the connection, or nil. The
// connections found last are kept at hand (recent.Cache).
func (r *reassembler) lookup(src, dst netip.AddrPort) (tcpKey, int, *tcpConn) {
	if a, b, c, ok := r.recent.Get(src, dst); ok {
		if src == a && dst == b {
			return tcpKey{a, b}, 0, c
		}
		return tcpKey{a, b}, 1, c
	}
	key, i := keyOf(src, dst)
	c := r.conns[key]
	if c != nil {
		r.recent.Put(key.a, key.b, c)
	}
	return key, i, c
}

// enqueue keeps out-of-order payload until what comes before it arrives,
// the buffers are full, or it has waited too long.
func (r *reassembler) enqueue(d *tcpDir, q tcpSeg) {
	rel := func(s uint32) int64 { return int64(int32(s - d.next)) }
	i, dup := slices.BinarySearchFunc(d.queue, q.seq, func(e tcpSeg, s uint32) int {
		return int(rel(e.seq) - rel(s))
	})
	// A segment queued at the same place and at least as long wins: the
	// first copy to arrive is kept.
	if dup && d.queue[i].wire >= q.wire && len(d.queue[i].data) >= len(q.data) {
		return
	}
	for i < len(d.queue) && d.queue[i].seq == q.seq {
		i++
	}
	d.queue = slices.Insert(d.queue, i, q)
	d.buffered += len(q.data)
	r.total += len(q.data)
	if d.pending == nil {
		d.pending = r.pending.PushBack(d)
	}
	r.ackedGap(d)
	for len(d.queue) > 0 && (d.buffered > r.opt.MaxBufferedPerConn || len(d.queue) > maxQueuedSegs) {
		r.skip(d)
	}
	for r.total > r.opt.MaxBufferedTotal && r.pending.Len() > 0 {
		r.skip(r.pending.Front().Value.(*tcpDir))
	}
}

// ack notes that the peer of d acknowledged the bytes of d before seq
// number a. Bytes acknowledged but never captured will not come: the data
// queued after them is delivered at once, with a gap (Wireshark's "ACKed
// unseen segment" and "previous segment not captured").
func (r *reassembler) ack(d *tcpDir, a uint32) {
	if !d.ackSeen || int32(a-d.acked) > 0 {
		d.acked, d.ackSeen = a, true
	}
	r.ackedGap(d)
}

// ackedGap delivers the queued data of d whose missing predecessors the
// peer has acknowledged.
func (r *reassembler) ackedGap(d *tcpDir) {
	for d.ackSeen && !d.ended && len(d.queue) > 0 && int32(d.acked-d.queue[0].seq) >= 0 {
		r.skip(d)
	}
}

// skip gives up on the bytes missing before the first queued segment and
// delivers from there with a gap.
func (r *reassembler) skip(d *tcpDir) {
	if len(d.queue) == 0 {
		return
	}
	if missing := int32(d.queue[0].seq - d.next); missing > 0 {
		d.gap += int(missing)
		d.next = d.queue[0].seq
		d.skip = 0 // the handler starts again after the gap
	}
	r.deliver(d, 0, nil, 0, d.queue[0].frame)
}

// deliver hands the payload p of a segment at seq (<= d.next; wire bytes on
// the wire, 0 for none) and the queued data contiguous with it to the
// handler. trigger is the frame that caused the delivery, the chunk's frame
// when it holds no data.
func (r *reassembler) deliver(d *tcpDir, seq uint32, p []byte, wire int, trigger Frame) {
	r.pieces = r.pieces[:0]
	if wire > 0 {
		r.take(d, seq, p, wire, trigger)
	}
	for len(d.queue) > 0 && int32(d.queue[0].seq-d.next) <= 0 {
		q := d.queue[0]
		d.queue = slices.Delete(d.queue, 0, 1)
		d.buffered -= len(q.data)
		r.total -= len(q.data)
		r.take(d, q.seq, q.data, q.wire, q.frame)
	}
	if len(d.queue) == 0 && d.pending != nil {
		r.pending.Remove(d.pending)
		d.pending = nil
	}
	end := d.finSeen && int32(d.finSeq-d.next) <= 0
	if end {
		d.ended = true
		r.dropQueue(d)
	}
	if len(r.pieces) > 0 || end {
		r.emit(d, end, trigger)
	}
}

// take appends the bytes of a segment at seq that are new to r.pieces and
// advances d.next past them. Bytes of the segment that were not captured
// (wire > len(p)) end the chunk being built: the next one starts after a
// gap.
func (r *reassembler) take(d *tcpDir, seq uint32, p []byte, wire int, f Frame) {
	end := seq + uint32(wire)
	if int32(end-d.next) <= 0 {
		return // all delivered already: a retransmission
	}
	if trim := int64(int32(d.next - seq)); trim < int64(len(p)) {
		b := p[trim:]
		if d.skip > 0 {
			k := min(d.skip, len(b))
			d.skip -= k
			d.next += uint32(k)
			b = b[k:]
		}
		if len(b) > 0 {
			r.pieces = append(r.pieces, piece{b, f})
			d.next += uint32(len(b))
		}
	}
	if missing := int32(end - d.next); missing > 0 {
		if len(r.pieces) > 0 {
			r.emit(d, false, f)
		}
		d.skip = 0 // the handler starts again after the gap, even past a skip it just asked for
		d.gap += int(missing)
		d.next = end
	}
}

// dropQueue forgets queued data (past the FIN, or of a finished direction).
func (r *reassembler) dropQueue(d *tcpDir) {
	for _, q := range d.queue {
		d.buffered -= len(q.data)
		r.total -= len(q.data)
	}
	d.queue = d.queue[:0]
	if d.pending != nil {
		r.pending.Remove(d.pending)
		d.pending = nil
	}
}

// emit builds a chunk from r.pieces and the pending gap of d, calls the
// handler and empties r.pieces.
func (r *reassembler) emit(d *tcpDir, end bool, trigger Frame) {
	if d.conn.ignored {
		r.pieces = r.pieces[:0]
		return
	}
	c := &r.chunk
	spans := c.Spans[:0]
	*c = Chunk{} // then field by field, as in parseIPv4
	c.Src, c.Dst, c.Gap, c.End, c.Frame, c.Spans = d.src, d.dst, d.gap, end, trigger, spans
	d.gap = 0
	if len(r.pieces) > 0 {
		c.Frame = r.pieces[0].frame
	}
	off := 0
	for _, pc := range r.pieces {
		if pc.frame.Number > c.Frame.Number {
			c.Frame = pc.frame
		}
		if n := len(c.Spans); n > 0 && c.Spans[n-1].Frame == pc.frame.Number {
			c.Spans[n-1].Len += len(pc.data)
		} else {
			c.Spans = append(c.Spans, Span{Frame: pc.frame.Number, Off: off, Len: len(pc.data), Time: pc.frame.Time})
		}
		off += len(pc.data)
	}
	switch len(r.pieces) {
	case 0:
	case 1:
		c.Data = r.pieces[0].data // no copy needed
	default:
		r.out = r.out[:0]
		for _, pc := range r.pieces {
			r.out = append(r.out, pc.data...)
		}
		c.Data = r.out
	}
	r.pieces = r.pieces[:0]
	r.h.Stream(c)
	if r.sk != nil && !end && len(c.Data) > 0 {
		d.skip = r.sk.SkipLast()
	}
	if r.ig != nil && !end && r.ig.IgnoreLast() {
		conn := d.conn
		conn.ignored = true
		for i := range conn.dirs {
			r.dropQueue(&conn.dirs[i])
		}
	}
}

// finish delivers everything queued in d, with gaps, and ends it.
func (r *reassembler) finish(d *tcpDir, f Frame) {
	for len(d.queue) > 0 && !d.ended {
		r.skip(d)
	}
	if d.ended || !d.started {
		return
	}
	if d.finSeen && int32(d.finSeq-d.next) > 0 {
		d.gap += int(int32(d.finSeq - d.next))
	}
	d.ended = true
	r.pieces = r.pieces[:0]
	r.emit(d, true, f)
}

// close finishes both directions of c and forgets it.
func (r *reassembler) close(c *tcpConn) {
	for i := range c.dirs {
		if !c.ignored {
			r.finish(&c.dirs[i], c.dirs[i].last)
		}
	}
	r.lru.Remove(c.elem)
	delete(r.conns, c.key)
	r.recent.Forget(c.key.a, c.key.b, c)
}

// expire delivers out-of-order data that waited longer than the reorder
// timeout, with a gap, and closes connections idle for longer than the
// idle timeout.
func (r *reassembler) expire(now time.Time) {
	cutoff := now.Add(-r.opt.ReorderTimeout)
	for e := r.pending.Front(); e != nil; {
		d := e.Value.(*tcpDir)
		e = e.Next() // skip may remove d from the list
		for len(d.queue) > 0 && oldest(d.queue).Before(cutoff) {
			r.skip(d)
		}
	}
	idle := now.Add(-r.opt.IdleTimeout)
	for e := r.lru.Front(); e != nil; e = r.lru.Front() {
		c := e.Value.(*tcpConn)
		if !c.lastSeen.Before(idle) {
			break
		}
		r.close(c)
	}
}

func oldest(q []tcpSeg) time.Time {
	t := q[0].seen
	for _, s := range q[1:] {
		if s.seen.Before(t) {
			t = s.seen
		}
	}
	return t
}

// flush finishes every connection at end of capture, least recently seen
// first.
func (r *reassembler) flush() {
	for e := r.lru.Front(); e != nil; e = r.lru.Front() {
		r.close(e.Value.(*tcpConn))
	}
	if r.evicted > 0 {
		r.warn(Warning{Offset: -1, Msg: fmt.Sprintf(
			"%d TCP connections were ended early to keep at most %d open at once", r.evicted, r.maxConns)})
	}
}
