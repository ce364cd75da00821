package decode

import (
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"slices"

	"github.com/kerbtrace/kerbtrace/decode/capture"
	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/decode/internal/recent"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// Well-known ports the dissector routes by.
const (
	portDNS      = 53
	portKerberos = 88
	portKpasswd  = 464
	portLDAP     = 389
)

// Dissector turns captures into Messages. It is not safe for concurrent use
// (Add may use a goroutine of its own, which ends before Add returns).
// Feed captures with Add, then call Result.
type Dissector struct {
	res    Result
	msgs   msgStore // the messages, in the order emitted
	capIdx int
	conns  map[connKey]*connState
	opts   capture.Options
	file   string
	crypt  *decrypter // set by SetKeys (decrypt.go); nil decrypts nothing
	// lastIgnored is whether the connection of the last TCP or Stream call
	// is ignored, for IgnoreLast.
	lastIgnored bool
	// lastDir is the direction the last Stream call fed, for SkipLast;
	// nil when it fed none.
	lastDir     *dirState
	spanBuf     []capture.Span           // reused by cutSpans
	scratch     []int                    // reused by base
	frameArena  intArena                 // backs the Frames of messages
	recent      recent.Cache[*connState] // the connections lookup found last
	maxConns    int                      // maxTrackedConns, lower in tests (0: the constant)
	evicted     int                      // connections retired early in this capture
	warnings    []capture.Warning
	sequential  bool                    // decode datagrams in line, never on a second goroutine (parallel.go)
	inlineEvery int                     // tests: with the worker, decode every inlineEvery-th handler call's datagram in line
	udpMsgs     []msgStore              // the messages decoded on the second goroutine, a store per capture
	dnsShare    dnsShare                // DNS messages already decoded (dnsshare.go)
	challenges  challengeShare          // challenge lists already kept (challengeshare.go)
	freeBufs    []streamBuf             // buffers of ended directions, for new ones (conn.go)
	udpHook     func(*capture.Datagram) // tests: called first by UDP, on whichever goroutine decodes
	dropTokens  bool                    // DropTokens was called
}

// IgnoreLast implements capture.Ignorer: connections that carry nothing
// decoded here (encrypted ports, streams whose first bytes are no known
// protocol) are not reassembled.
func (d *Dissector) IgnoreLast() bool { return d.lastIgnored }

// DropTokens makes the Dissector let go of the bytes of HTTP
// authentication tokens (httpauth.Challenge.Token, see DropToken) once it
// has decoded them into messages of their own: a report that prints no raw
// token needs them no more, and a big capture holds tens of thousands of
// them. Call it before Add.
func (d *Dissector) DropTokens() { d.dropTokens = true }

// NewDissector returns an empty Dissector.
func NewDissector() *Dissector {
	return &Dissector{}
}

// Add reads one capture from r, named file in messages and warnings. It
// returns an error only when not a single packet could be read (the error is
// then a *capture.NotCaptureError, an I/O error, or the damage that stopped
// the first record); damage later in the file becomes a warning in the
// capture's Info and everything before it is kept. A capture with no record
// and no damage is an empty capture, not an error.
func (d *Dissector) Add(file string, r io.Reader) error {
	return d.add(file, r, d)
}

// add is Add with the handler given to capture.Read: the Dissector itself,
// or in tests a wrapper that inspects its state between calls.
func (d *Dissector) add(file string, r io.Reader, h capture.Handler) error {
	d.capIdx = len(d.res.Captures)
	d.file = file
	d.conns = make(map[connKey]*connState)
	d.recent = recent.Cache[*connState]{}
	var par *udpPar
	if hd, ok := h.(*Dissector); ok && hd == d && d.parallelUDP() {
		par = d.startUDP()
		defer par.stop()
		h = par
	}
	info, err := capture.Read(r, h, d.opts)
	if par != nil {
		info.Warnings = par.finish(info.Warnings)
	}
	if err != nil && info.Packets == 0 {
		return fmt.Errorf("%s: %w", file, err)
	}
	if info.Packets == 0 && len(info.Warnings) > 0 {
		// A good file header followed by nothing readable: there is no
		// analysis to give, only the reason.
		return fmt.Errorf("%s: no packet could be read: %s", file, info.Warnings[0])
	}
	d.flushConns()
	d.evictionSummary()
	info.Warnings = append(info.Warnings, d.warnings...)
	d.warnings, d.evicted = nil, 0
	if err != nil {
		info.Warnings = append(info.Warnings, capture.Warning{Frame: info.Packets + 1, Offset: -1, Msg: err.Error()})
	}
	d.res.Captures = append(d.res.Captures, CaptureInfo{File: file, Info: info})
	return nil
}

// Result sorts what was found into capture order and returns it.
func (d *Dissector) Result() *Result {
	// The messages of later captures sort after those of earlier ones:
	// each call appends what was emitted since the previous one, and
	// frees the store.
	d.sortedMessages()
	slices.SortStableFunc(d.res.Conns, func(a, b Conn) int {
		if a.Capture != b.Capture {
			return a.Capture - b.Capture
		}
		return a.FirstFrame - b.FirstFrame
	})
	return &d.res
}

// emit appends a message and returns its index.
func (d *Dissector) emit(m Message) int {
	m.Capture = d.capIdx
	return d.msgs.add(&m)
}

func (d *Dissector) anomaly(frame int, format string, args ...any) {
	d.res.Anomalies = append(d.res.Anomalies,
		fmt.Sprintf("%s: frame %d: %s", d.file, frame, fmt.Sprintf(format, args...)))
}

// UDP implements capture.Handler. A datagram on a port nothing here decodes
// is dropped before any work (no allocation, no time conversion).
func (d *Dissector) UDP(g *capture.Datagram) {
	if d.udpHook != nil {
		d.udpHook(g)
	}
	p := udpProto(g.Src.Port(), g.Dst.Port())
	if p == protoUnknown {
		return
	}
	base := Message{
		Frame: g.Frame.Number, Frames: d.frameArena.clone(g.Frames), Time: g.Frame.Time.UTC(),
		Src: g.Src, Dst: g.Dst, Transport: TransportUDP, Truncated: g.Truncated, Parent: -1,
	}
	switch p {
	case protoDNS:
		d.dnsMessage(base, g.Payload)
	case protoKerberos:
		d.krbMessages(base, g.Payload, CarrierNone)
	default:
		d.cldapMessage(base, g.Payload)
	}
}

// udpProto returns what a UDP datagram between ports sp and dp carries,
// protoUnknown when nothing here decodes it.
func udpProto(sp, dp uint16) proto {
	switch {
	case sp == portDNS || dp == portDNS || sp == 5353 && dp == 5353:
		return protoDNS
	case sp == portKerberos || dp == portKerberos:
		return protoKerberos
	case sp == portLDAP || dp == portLDAP:
		return protoLDAP
	}
	return protoUnknown
}

func (d *Dissector) dnsMessage(base Message, p []byte) {
	m, err := d.dnsShare.get(p), error(nil)
	if m == nil {
		m, err = dns.Parse(p) // always a message, as much as the bytes hold
		if err == nil {
			d.dnsShare.put(p, m)
		}
	}
	base.Body = m
	base.Kind = KindDNSQuery
	if m.Response {
		base.Kind = KindDNSResponse
	}
	if err != nil {
		base.Truncated = true
		base.Err = err.Error()
	}
	d.emit(base)
}

// krbMessages decodes a bare Kerberos message (the payload of UDP 88 or of one
// TCP record) and emits it.
func (d *Dissector) krbMessages(base Message, p []byte, carrier Carrier) int {
	if len(p) == 0 {
		return -1
	}
	m, err := krb.Parse(p)
	if m == nil || m.Type == 0 {
		d.anomaly(base.Frame, "kerberos: %v", err)
		return -1
	}
	base.Body = m
	base.Kind = krbKind(m.Type)
	base.Carrier = carrier
	if err != nil || m.Truncated {
		base.Truncated = true
		if err != nil {
			base.Err = err.Error()
		}
	}
	base.Decrypted = d.decrypt(p, m, &base)
	return d.emit(base)
}

// TCP implements capture.Handler: it records handshakes and resets.
func (d *Dissector) TCP(s *capture.Segment) {
	cs := d.connFor(s.Src, s.Dst, s.SYN && !s.ACK, s.SYN && s.ACK, s.Frame)
	if cs == nil {
		d.lastIgnored = false
		return
	}
	d.lastIgnored = cs.ignored
	cs.last = s.Frame.Number
	c := cs.conn
	switch {
	case s.SYN && !s.ACK:
		c.SYN = append(c.SYN, s.Frame.Number)
	case s.SYN && s.ACK:
		if c.SYNACK == 0 {
			c.SYNACK = s.Frame.Number
		}
	}
	if s.FIN {
		cs.finSeen = true
	}
	if s.RST && c.RST == 0 {
		c.RST = s.Frame.Number
		c.RSTFromServer = s.Src == c.Server
	}
}

// Stream implements capture.Handler: it feeds reassembled bytes to the
// framing of the connection's protocol.
func (d *Dissector) Stream(ch *capture.Chunk) {
	d.lastDir = nil
	if len(ch.Data) == 0 && ch.Gap == 0 {
		// Only an end: of nothing, when the connection was retired early
		// (evictConns), which must not bring it back.
		if _, cs := d.lookup(ch.Src, ch.Dst); cs == nil {
			d.lastIgnored = false
			return
		}
	}
	cs := d.connFor(ch.Src, ch.Dst, false, false, ch.Frame)
	if cs == nil || cs.ignored {
		d.lastIgnored = cs != nil
		return
	}
	defer func() { d.lastIgnored = cs.ignored }()
	dir := cs.dir(ch.Src)
	d.lastDir = dir
	if ch.Gap > 0 {
		cs.conn.Gaps += ch.Gap
		cs.conn.GapFrames = append(cs.conn.GapFrames, gapFrame(ch))
		d.finishHTTP(cs, dir)
		d.decodeRest(cs, dir) // what came before the gap, cut short
		dir.reset()
		dir.afterGap = true
	}
	data, spans := d.skipFast(cs, dir, ch.Data, ch.Spans)
	if len(data) > 0 {
		if dir.buf.data == nil {
			dir.buf = d.takeBuf()
		}
		dir.buf.append(data, spans)
		d.parseDir(cs, dir)
	}
	if ch.End {
		d.endDir(cs, dir)
	}
}

// flushConns finishes every connection still open at the end of a capture.
func (d *Dissector) flushConns() {
	// Sorted with each connection beside its key: looking both up in the
	// map at every comparison took most of the flush (thousands of
	// connections are open at the end of a big capture).
	type openConn struct {
		k  connKey
		cs *connState
	}
	open := make([]openConn, 0, len(d.conns))
	for k, cs := range d.conns {
		open = append(open, openConn{k, cs})
	}
	slices.SortFunc(open, func(x, y openConn) int { return cmp.Compare(x.cs.conn.FirstFrame, y.cs.conn.FirstFrame) })
	// Every connection of a replayed or long capture may still be open
	// here (23,000 at 20,000 flows), on one core while the other waits:
	// the records are appended into room made once, not grown into by
	// doubling, and the map and the cache, dropped whole below, are not
	// emptied one connection at a time.
	kept := 0
	for _, o := range open {
		if o.cs.interesting {
			kept++
		}
	}
	d.res.Conns = slices.Grow(d.res.Conns, kept)
	for _, o := range open {
		d.finishConn(o.cs)
	}
	d.conns = nil
	d.recent = recent.Cache[*connState]{}
}

// retire finishes a connection and forgets it.
func (d *Dissector) retire(k connKey, cs *connState) {
	d.finishConn(cs)
	delete(d.conns, k)
	d.recent.Forget(k.a, k.b, cs)
}

// finishConn finishes a connection: what its directions still hold is
// decoded and its record joins the result.
func (d *Dissector) finishConn(cs *connState) {
	for _, dir := range cs.dirs {
		if dir != nil {
			d.endDir(cs, dir)
		}
	}
	if cs.interesting {
		d.res.Conns = append(d.res.Conns, *cs.conn)
	}
}

// isAddr reports whether ap has a valid address, for guarding zero values.
func isAddr(ap netip.AddrPort) bool { return ap.Addr().IsValid() }

// gapFrame is the frame that shows the bytes missing before ch: the first
// that brought data after them (Wireshark's "previous segment not
// captured"), not the chunk's Frame, which is the last of the segments
// delivered together, or, with no data (the direction ended), the frame
// that ended it.
func gapFrame(ch *capture.Chunk) int {
	if len(ch.Spans) > 0 && ch.Spans[0].Frame != 0 {
		return ch.Spans[0].Frame
	}
	return ch.Frame.Number
}
