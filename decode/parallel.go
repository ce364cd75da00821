package decode

import (
	"fmt"
	"net/netip"
	"runtime"
	"sync"

	"github.com/kerbtrace/kerbtrace/decode/capture"
)

// The datagrams of one capture that the dissector decodes (DNS, Kerberos
// and CLDAP over UDP, most of the decoding work of an authentication
// capture) are decoded on a second goroutine, the worker, while the first
// reads the file and follows the TCP connections. add copies each datagram
// (its payload is valid only during the call) into a batch, and the worker
// runs the Dissector's own datagram path on it. The result is the same as
// decoding them in line, message for message and anomaly for anomaly:
//
//   - the datagram path keeps no state across datagrams but what it
//     produces (messages, anomalies, the frames arena) and keeps nothing of
//     the payload: the worker has a Dissector of its own, which reads only
//     the capture's index and name, fixed during a capture;
//   - a frame carries one datagram or one TCP segment, never both (a
//     record is one IP packet, tunnels included), so no two messages of
//     the same capture and frame come one from each side: the worker's
//     messages, kept in a store per capture, can be merged with the others
//     in any interleaving before Result's stable sort by capture and
//     frame (msgTable.appendMerged merges by frame, which leaves little to sort);
//   - every anomaly is tagged with the handler call that produced it, and
//     the two lists are merged by that tag before the end of the capture
//     (whose anomalies come after every packet's).
//
// A panic in the worker's decoding becomes the warning capture.Read makes
// of a panic in a handler, with the record's frame and offset, placed by
// frame among the capture's warnings.
//
// Decryption (SetKeys) stays in line: its session learns keys from KDC
// replies in capture order, over UDP and TCP alike.

// Bounds on a batch of datagrams handed to the worker, and on the batches
// in flight: past them, the reader decodes in line. The reader has the
// larger share of the work, and datagrams come in bursts: with 4 batches
// in flight it still decoded 6-8 % of the datagrams at 5,000 auth-only
// flows while the worker waited a quarter of the time; with 16, 0.3-1.4 %
// in most runs, and reading took ~6 % less (at most 4 MB of payload waits).
const (
	udpBatchLen   = 256       // datagrams
	udpBatchBytes = 256 << 10 // payload bytes, past which a batch is sent early
	udpBatches    = 16
)

// parallelUDP reports whether add decodes datagrams on a second goroutine:
// not when decrypting, not with a single processor, not when switched off.
func (d *Dissector) parallelUDP() bool {
	return d.crypt == nil && !d.sequential && runtime.GOMAXPROCS(0) > 1
}

// udpJob is one datagram copied out of the capture's buffers; its frames
// and payload are ranges of its batch's arenas.
type udpJob struct {
	seq                int // the handler call that delivered it
	frame              capture.Frame
	src, dst           netip.AddrPort
	framesOff, framesN int
	payOff, payN       int
	truncated          bool
	offset             int64 // of the frame's record, for a warning
}

// udpPool holds the batches that are not in flight, the last one given
// back first, and makes them as they are needed, udpBatches at most. The
// reader thus fills the batch the worker freed last, whose memory is
// warm, and a capture that keeps few batches in flight (a few datagrams
// among much TCP) grows only those few: taken in turn, as from a channel,
// all 16 grew to their full size, 4.4 MB of fresh memory on the bench's
// mixed capture.
type udpPool struct {
	mu   sync.Mutex
	free []*udpBatch
	made int
}

// get returns a free batch, or nil when all of them are in flight.
func (q *udpPool) get() *udpBatch {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n := len(q.free); n > 0 {
		b := q.free[n-1]
		q.free = q.free[:n-1]
		return b
	}
	if q.made < udpBatches {
		q.made++
		return &udpBatch{}
	}
	return nil
}

// put gives back a batch the worker has decoded.
func (q *udpPool) put(b *udpBatch) {
	q.mu.Lock()
	q.free = append(q.free, b)
	q.mu.Unlock()
}

// udpBatch is a run of datagrams with their frames and payloads.
type udpBatch struct {
	jobs    []udpJob
	frames  []int
	payload []byte
}

func (b *udpBatch) reset() {
	b.jobs, b.frames, b.payload = b.jobs[:0], b.frames[:0], b.payload[:0]
}

// udpPar is the capture.Handler add reads with when datagrams are decoded
// on the worker: datagrams go to the worker in batches, everything else to
// the Dissector, counting the calls to tag anomalies.
type udpPar struct {
	d        *Dissector
	seq      int // handler calls so far
	cur      *udpBatch
	work     chan *udpBatch
	free     *udpPool
	done     chan struct{}
	stopped  bool  // work is closed
	anoStart int   // len(d.res.Anomalies) when the capture began
	anoSeq   []int // the call of each anomaly of the Dissector since anoStart
	w        udpWorker
}

// udpWorker is the worker's state: a Dissector of its own, of which only
// the datagram path is used.
type udpWorker struct {
	d        *Dissector
	anoSeq   []int             // the call of each of d.res.Anomalies
	warnings []capture.Warning // panics, as capture.Read reports them
	g        capture.Datagram  // the job being decoded: one per worker, not one allocation a datagram
}

// startUDP starts the worker for the capture add is reading.
func (d *Dissector) startUDP() *udpPar {
	p := &udpPar{
		d:        d,
		work:     make(chan *udpBatch, udpBatches),
		free:     &udpPool{},
		done:     make(chan struct{}),
		anoStart: len(d.res.Anomalies),
		w:        udpWorker{d: &Dissector{capIdx: d.capIdx, file: d.file, udpHook: d.udpHook}},
	}
	go p.w.run(p.work, p.free, p.done)
	return p
}

// UDP implements capture.Handler: a datagram the Dissector decodes is
// copied into the current batch, which goes to the worker when full. When
// no batch is free (the worker is behind), it is decoded in line instead:
// which side decodes a datagram changes nothing in the result, and the
// two goroutines share the work whatever its mix.
func (p *udpPar) UDP(g *capture.Datagram) {
	p.next()
	if udpProto(g.Src.Port(), g.Dst.Port()) == protoUnknown {
		return
	}
	if p.d.inlineEvery > 0 && p.seq%p.d.inlineEvery == 0 {
		p.d.UDP(g) // tests: the mix the worker's falling behind gives
		return
	}
	b := p.cur
	if b == nil {
		if b = p.free.get(); b == nil {
			// Every batch is in flight: the worker is behind, and the
			// datagram is decoded here rather than waited on.
			p.d.UDP(g)
			return
		}
		p.cur = b
	}
	b.jobs = append(b.jobs, udpJob{
		seq: p.seq, frame: g.Frame, src: g.Src, dst: g.Dst,
		framesOff: len(b.frames), framesN: len(g.Frames),
		payOff: len(b.payload), payN: len(g.Payload),
		truncated: g.Truncated, offset: g.Offset,
	})
	b.frames = append(b.frames, g.Frames...)
	b.payload = append(b.payload, g.Payload...)
	if len(b.jobs) >= udpBatchLen || len(b.payload) >= udpBatchBytes {
		p.work <- b
		p.cur = nil
	}
}

// TCP implements capture.Handler.
func (p *udpPar) TCP(s *capture.Segment) {
	p.next()
	p.d.TCP(s)
}

// Stream implements capture.Handler.
func (p *udpPar) Stream(c *capture.Chunk) {
	p.next()
	p.d.Stream(c)
}

// IgnoreLast implements capture.Ignorer.
func (p *udpPar) IgnoreLast() bool { return p.d.IgnoreLast() }

// SkipLast implements capture.Skipper.
func (p *udpPar) SkipLast() int { return p.d.SkipLast() }

// next starts a handler call: the Dissector's anomalies not yet tagged
// are of the previous one (even when it ended in a panic that capture.Read
// recovered).
func (p *udpPar) next() {
	p.tagAnomalies()
	p.seq++
}

// tagAnomalies tags the Dissector's new anomalies with the current call.
func (p *udpPar) tagAnomalies() {
	for p.anoStart+len(p.anoSeq) < len(p.d.res.Anomalies) {
		p.anoSeq = append(p.anoSeq, p.seq)
	}
}

// run decodes the batches until work is closed.
func (w *udpWorker) run(work <-chan *udpBatch, free *udpPool, done chan<- struct{}) {
	defer close(done)
	for b := range work {
		for i := range b.jobs {
			w.decode(b, &b.jobs[i])
		}
		b.reset()
		free.put(b)
	}
}

// decode runs the Dissector's datagram path on one job. A panic becomes a
// warning, as capture.Read makes of a panic in its handler.
func (w *udpWorker) decode(b *udpBatch, j *udpJob) {
	defer func() {
		if r := recover(); r != nil {
			w.warnings = append(w.warnings, capture.Warning{Frame: j.frame.Number, Offset: j.offset,
				Msg: fmt.Sprintf("internal error decoding: %v", r)})
		}
		for len(w.anoSeq) < len(w.d.res.Anomalies) {
			w.anoSeq = append(w.anoSeq, j.seq)
		}
	}()
	w.g = capture.Datagram{
		Frame: j.frame, Src: j.src, Dst: j.dst, Truncated: j.truncated, Offset: j.offset,
		Frames:  b.frames[j.framesOff : j.framesOff+j.framesN : j.framesOff+j.framesN],
		Payload: b.payload[j.payOff : j.payOff+j.payN : j.payOff+j.payN],
	}
	w.d.UDP(&w.g)
}

// finish hands over the last batch, waits for the worker and merges what
// it found into the Dissector: messages, anomalies in call order, and the
// warnings of panics into warnings (by frame), which it returns.
func (p *udpPar) finish(warnings []capture.Warning) []capture.Warning {
	p.tagAnomalies()
	if p.cur != nil && len(p.cur.jobs) > 0 {
		p.work <- p.cur
	}
	p.cur = nil
	p.stop()
	<-p.done
	if w := p.w.d; w.msgs.len() > 0 {
		p.d.udpMsgs = append(p.d.udpMsgs, w.msgs)
		w.msgs = msgStore{}
	}
	p.mergeAnomalies()
	for _, wr := range p.w.warnings {
		i := len(warnings)
		for i > 0 && (warnings[i-1].Frame == 0 || warnings[i-1].Frame > wr.Frame) {
			i--
		}
		warnings = append(warnings[:i], append([]capture.Warning{wr}, warnings[i:]...)...)
	}
	return warnings
}

// stop lets the worker end once it has decoded the batches sent; add
// defers it for when capture.Read does not return.
func (p *udpPar) stop() {
	if !p.stopped {
		p.stopped = true
		close(p.work)
	}
}

// mergeAnomalies merges the worker's anomalies into the Dissector's of
// this capture by the call that produced them.
func (p *udpPar) mergeAnomalies() {
	wa := p.w.d.res.Anomalies
	if len(wa) == 0 {
		return
	}
	d := p.d
	mine := d.res.Anomalies[p.anoStart:]
	out := make([]string, 0, len(mine)+len(wa))
	i, j := 0, 0
	for i < len(mine) || j < len(wa) {
		if j == len(wa) || i < len(mine) && p.anoSeq[i] <= p.w.anoSeq[j] {
			out = append(out, mine[i])
			i++
		} else {
			out = append(out, wa[j])
			j++
		}
	}
	d.res.Anomalies = append(d.res.Anomalies[:p.anoStart], out...)
}

// sortedMessages appends the Dissector's messages to the result's table in
// capture order, with those decoded on the worker merged in.
func (d *Dissector) sortedMessages() {
	d.res.msgs.appendMerged(&d.msgs, d.udpMsgs)
	d.udpMsgs = nil
}

// entryBefore reports whether a sorts before b by capture, then frame.
func entryBefore(a, b *msgEntry) bool {
	ac, af := a.key()
	bc, bf := b.key()
	return ac < bc || ac == bc && af < bf
}

// key returns the capture and the frame of the message of e.
func (e *msgEntry) key() (capture, frame int) {
	if full := e.whole(); full != nil {
		return full.Capture, full.Frame
	}
	return int(e.capture), int(e.frame)
}
