package capture

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// maxWarnings bounds Info.Warnings; the rest are counted in a last one.
const maxWarnings = 1000

// expireEvery is how far the capture clock must move before the timeouts
// are checked again.
const expireEvery = time.Second

// Read detects the format of the capture in r by its magic number (never by
// file name), reads the whole file and calls h for every UDP datagram, TCP
// segment and reassembled TCP chunk, in capture order.
//
// Network Monitor files are read at random, in the order of their frame
// table: through r when it is an io.ReaderAt that reads the file from its
// start (an *os.File, a *bytes.Reader), otherwise from a copy of the whole
// input in memory.
//
// It returns a *NotCaptureError, having read no packet, when the magic is
// unknown, and an error wrapping wire.ErrTruncated, wire.ErrMalformed or
// wire.ErrUnsupported when the file header itself is unusable. Damage after
// a good start is not an error: Read records a Warning with the frame
// number and byte offset, stops there (for Network Monitor, goes on with the
// next entry of the frame table) and returns the Info of everything read.
// Other read errors are returned with that Info. Read never panics: a
// panic while handling one packet (in kerbtrace or in h) becomes a Warning.
func Read(r io.Reader, h Handler, opt Options) (Info, error) {
	if h == nil {
		h = nopHandler{}
	}
	opt = opt.withDefaults()
	in := newInput(r)
	head, err := in.peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Info{}, fmt.Errorf("capture: %w", err)
	}
	format, err := detect(head)
	if err != nil {
		return Info{}, err
	}
	d := newDecoder(h, opt)
	d.info.Format = format
	var src source
	switch format {
	case FormatPcap:
		src, err = newPcapSource(in)
	case FormatNetMon2:
		src, err = newNetmonSource(r, in, d.warn, &d.info.Metadata)
	default:
		src, err = newPcapngSource(in, func(off int64, msg string) {
			d.warn(Warning{Frame: d.info.Packets + 1, Offset: off, Msg: msg})
		})
	}
	if err != nil {
		return d.info, err
	}
	err = d.run(src, in)
	return d.info, err
}

type nopHandler struct{}

func (nopHandler) UDP(*Datagram) {}
func (nopHandler) TCP(*Segment)  {}
func (nopHandler) Stream(*Chunk) {}

// decoder walks the records of a file.
type decoder struct {
	h          Handler
	opt        Options
	info       Info
	suppressed int
	links      []uint32
	cut        bool      // the current record was cut by a snapshot length
	now        time.Time // capture clock (see tick)
	latest     time.Time // latest timestamp seen, the clock's reference
	nextCheck  time.Time // capture clock at which the timeouts run again
	defrag     *defragmenter
	tcp        *reassembler
	// reused per packet
	rec   record
	ip    ipPacket
	dgram Datagram
	seg   Segment
	one   [1]int
}

func newDecoder(h Handler, opt Options) *decoder {
	d := &decoder{h: h, opt: opt}
	d.defrag = newDefragmenter(opt.ReorderTimeout, d.warn)
	d.tcp = newReassembler(h, opt)
	d.tcp.warn = d.warn
	return d
}

// warn records a warning, or counts it once maxWarnings are recorded.
func (d *decoder) warn(w Warning) {
	if len(d.info.Warnings) >= maxWarnings {
		d.suppressed++
		return
	}
	d.info.Warnings = append(d.info.Warnings, w)
}

// run reads every record of src, then flushes what is still buffered.
func (d *decoder) run(src source, in *input) error {
	var err error
	for {
		err = src.next(&d.rec)
		if err != nil {
			break
		}
		d.info.Packets++
		d.record(&d.rec)
	}
	var dmg *damage
	switch {
	case errors.Is(err, io.EOF):
		err = nil
	case errors.As(err, &dmg):
		d.warn(Warning{Frame: d.info.Packets + 1, Offset: dmg.offset, Msg: dmg.msg})
		err = nil
	default:
		err = fmt.Errorf("capture: reading at offset 0x%x: %w", in.off, err)
	}
	d.guard(0, -1, "flushing at end of capture", func() {
		d.defrag.flush()
		d.tcp.flush()
	})
	if d.suppressed > 0 {
		d.info.Warnings = append(d.info.Warnings, Warning{Offset: -1,
			Msg: fmt.Sprintf("%d more warnings not listed", d.suppressed)})
	}
	return err
}

// record accounts for one record and decodes it.
func (d *decoder) record(rec *record) {
	if !rec.ts.IsZero() {
		if d.info.First.IsZero() || rec.ts.Before(d.info.First) {
			d.info.First = rec.ts
		}
		if rec.ts.After(d.info.Last) {
			d.info.Last = rec.ts
		}
		d.tick(rec.ts)
	}
	switch rec.link {
	case noLink:
		d.info.Metadata++
		return
	case linkDamaged:
		return
	}
	d.noteLink(rec.link)
	d.cut = rec.origLen > len(rec.data)
	frame := Frame{Number: d.info.Packets, Time: rec.ts}
	d.guard(frame.Number, rec.offset, "decoding", func() {
		d.timeouts()
		proto, b := network(rec.link, rec.data)
		d.network(proto, b, frame, rec.offset, 0)
	})
}

// maxClockStep is the largest jump between timestamps that the capture
// clock follows.
const maxClockStep = time.Hour

// tick advances the capture clock, which the reorder and idle timeouts are
// measured on, to timestamp ts. The clock follows the latest timestamp seen
// but ignores a jump of more than maxClockStep, forwards or backwards: merged
// files and bogus timestamps (a first record at 1970, a year 2100 in the
// middle) would otherwise end every stream at once or stop the clock.
// Timestamps going back a little (interfaces interleaved) do not move it.
func (d *decoder) tick(ts time.Time) {
	if d.latest.IsZero() {
		d.latest, d.now = ts, ts
		return
	}
	step := clockStep(ts, d.latest)
	switch {
	case step > maxClockStep || step < -maxClockStep:
		d.latest = ts
	case step > 0:
		d.latest = ts
		d.now = d.now.Add(step)
	}
}

// clockStep is ts.Sub(latest) for the steps tick follows, and a step past
// maxClockStep for any larger one. It runs on every packet, and Time.Sub
// adds the difference back to check it, which costs more than this.
func clockStep(ts, latest time.Time) time.Duration {
	ds := ts.Unix() - latest.Unix()
	if ds > maxClockStepSec || ds < -maxClockStepSec {
		return time.Duration(max(-maxClockStepSec-1, min(ds, maxClockStepSec+1))) * time.Second
	}
	return time.Duration(ds)*time.Second + time.Duration(ts.Nanosecond()-latest.Nanosecond())
}

// maxClockStepSec is maxClockStep in seconds.
const maxClockStepSec = int64(maxClockStep / time.Second)

// guard runs f, turning a panic into a warning.
func (d *decoder) guard(frame int, off int64, what string, f func()) {
	defer func() {
		if p := recover(); p != nil {
			d.warn(Warning{Frame: frame, Offset: off, Msg: fmt.Sprintf("internal error %s: %v", what, p)})
		}
	}()
	f()
}

func (d *decoder) noteLink(lt uint32) {
	for _, l := range d.links {
		if l == lt {
			return
		}
	}
	d.links = append(d.links, lt)
	d.info.LinkTypes = append(d.info.LinkTypes, linkName(lt))
}

// timeouts runs the reorder and idle timeouts when the capture clock moved.
//
// It runs on every packet: comparing two times is cheap, subtracting one
// from another is not (Time.Sub adds the difference back to check it).
func (d *decoder) timeouts() {
	if d.now.Before(d.nextCheck) {
		return
	}
	d.nextCheck = d.now.Add(expireEvery)
	d.defrag.expire(d.now)
	d.tcp.expire(d.now)
}

// maxTunnel bounds the nesting of tunnels (IP in IP, GRE).
const maxTunnel = 3

// network decodes an IP packet, reassembling fragments.
func (d *decoder) network(proto netProto, b []byte, f Frame, off int64, depth int) {
	p := &d.ip
	switch proto {
	case netIPv4:
		if !parseIPv4(b, p) {
			return
		}
	case netIPv6:
		if !parseIPv6(b, p) {
			return
		}
	default:
		return
	}
	frames := d.one[:]
	d.one[0] = f.Number
	if p.frag {
		var ok bool
		if frames, ok = d.defrag.add(p, f.Number, off, d.now); !ok {
			return
		}
		// The fragmentable part of IPv6 may begin with more extension
		// headers; a second Fragment header is not followed.
		if p.v6 && (!p.extensions(p.proto) || p.frag) {
			return
		}
	}
	switch p.proto {
	case protoUDP:
		d.udp(p, f, frames, off)
	case protoTCP:
		d.tcpSegment(p, f)
	case protoIPIP:
		if depth < maxTunnel {
			d.network(netIPv4, p.payload, f, off, depth+1)
		}
	case protoIPv6:
		if depth < maxTunnel {
			d.network(netIPv6, p.payload, f, off, depth+1)
		}
	case protoGRE:
		if depth < maxTunnel {
			inner, b := gre(p.payload)
			d.network(inner, b, f, off, depth+1)
		}
	}
}

// udp decodes a UDP header (RFC 768) and calls the handler; off is the
// offset of f's record.
func (d *decoder) udp(p *ipPacket, f Frame, frames []int, off int64) {
	b := p.payload
	if len(b) < 8 {
		return
	}
	n := int(b[4])<<8 | int(b[5]) // UDP length, header included
	if n < 8 || (p.wireLen >= 8 && n > p.wireLen) {
		// 0 in a jumbogram (RFC 2675), otherwise bogus: the IP length is
		// the stronger bound.
		n = p.wireLen
	}
	if n < 8 {
		return
	}
	g := &d.dgram
	*g = Datagram{} // then field by field, as in parseIPv4
	g.Frame, g.Frames = f, frames
	g.Src, g.Dst = addrPort(p.src, b[0:2]), addrPort(p.dst, b[2:4])
	g.Payload, g.Truncated = b[8:min(n, len(b))], len(b) < n && (d.cut || len(frames) > 1)
	g.Offset = off
	d.h.UDP(g)
}

// tcpSegment decodes a TCP header (RFC 9293), calls the handler and feeds
// the reassembler.
func (d *decoder) tcpSegment(p *ipPacket, f Frame) {
	b := p.payload
	if len(b) < 20 {
		return
	}
	hl := int(b[12]>>4) * 4
	if hl < 20 {
		return // bogus data offset: where the payload starts is unknown
	}
	// Options cut by the snapshot length leave no captured payload, but the
	// header is still worth reporting.
	payload := b[min(hl, len(b)):]
	flags := b[13]
	s := &d.seg
	*s = Segment{} // then field by field, as in parseIPv4
	s.Frame = f
	s.Src, s.Dst = addrPort(p.src, b[0:2]), addrPort(p.dst, b[2:4])
	s.FIN, s.SYN, s.RST, s.ACK = flags&0x01 != 0, flags&0x02 != 0, flags&0x04 != 0, flags&0x10 != 0
	s.Seq = uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	s.Ack = uint32(b[8])<<24 | uint32(b[9])<<16 | uint32(b[10])<<8 | uint32(b[11])
	s.PayloadLen = max(p.wireLen-hl, len(payload), 0)
	// Only a snapshot length cut makes bytes missing; an IP length larger
	// than the frame otherwise is bogus and the frame holds all there is.
	wire := len(payload)
	if d.cut {
		wire = s.PayloadLen
	}
	// The reassembler works on its own copy, whatever the handler does
	// with s.
	own := *s
	d.h.TCP(s)
	ignore := d.tcp.ig != nil && d.tcp.ig.IgnoreLast()
	d.tcp.segment(&own, payload, wire, d.now, ignore)
}
