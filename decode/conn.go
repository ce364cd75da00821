package decode

import (
	"net/netip"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/capture"
)

// connKey identifies a TCP connection whichever way a packet travels.
type connKey struct{ a, b netip.AddrPort }

func makeConnKey(x, y netip.AddrPort) connKey {
	if x.Compare(y) < 0 {
		return connKey{x, y}
	}
	return connKey{y, x}
}

// proto is what a connection carries, decided from its ports or first bytes.
type proto uint8

const (
	protoUnknown proto = iota
	protoKerberos
	protoDNS
	protoHTTP
	protoSMB2
	protoLDAP
)

// connState is the dissector's state for one TCP connection.
type connState struct {
	conn        *Conn
	proto       proto
	ignored     bool // carries nothing kerbtrace decodes: buffers are not kept
	interesting bool // carried at least one decoded message, or was opened to a port that would
	toServer    *dirState
	toClient    *dirState
	dirs        [2]*dirState
	methods     []string // request methods awaiting their response, for body rules
	finSeen     bool     // a FIN was seen in either direction
	last        int      // the last frame of the connection seen, for evictConns
}

func (cs *connState) dir(src netip.AddrPort) *dirState {
	if src == cs.conn.Client {
		return cs.toServer
	}
	return cs.toClient
}

// dirState is one direction of a connection: the bytes not yet framed into
// messages and the HTTP body state.
type dirState struct {
	fromClient bool
	buf        streamBuf
	afterGap   bool  // data was lost; resynchronise on the next recognisable message
	dead       bool  // framing failed; nothing more is decoded in this direction
	bodyLeft   int64 // HTTP body bytes still to skip
	chunked    bool  // skipping a chunked HTTP body
	untilClose bool  // HTTP body runs until the connection closes
	skipLeft   int   // bytes of a record that is skipped without being buffered
	// An HTTP message is complete only with its body: the messages of its
	// head (the head and its tokens, indices [pendStart, pendEnd) of the
	// result) take the frames of the body as it is skipped.
	pendStart, pendEnd int
	pendFrames         []int
	pendLast           int       // the highest of pendFrames
	pendLastTime       time.Time // its capture time
}

func (ds *dirState) reset() {
	ds.buf.reset()
	ds.bodyLeft, ds.chunked, ds.untilClose, ds.dead = 0, false, false, false
	ds.skipLeft = 0
}

// serverPorts are the ports whose listener is taken as the server when no
// SYN says which side opened the connection.
var serverPorts = map[uint16]proto{
	portKerberos: protoKerberos,
	portKpasswd:  protoKerberos,
	portDNS:      protoDNS,
	80:           protoHTTP,
	8080:         protoHTTP,
	8000:         protoHTTP,
	8888:         protoHTTP,
	5985:         protoHTTP,
	3128:         protoHTTP,
	445:          protoSMB2,
	139:          protoSMB2,
	389:          protoLDAP,
	3268:         protoLDAP,
}

// connFor finds or creates the state of the connection between src and dst.
// A new connection's client is the SYN sender, the SYN-ACK receiver, or else
// the side not on a well-known port.
func (d *Dissector) connFor(src, dst netip.AddrPort, syn, synack bool, f capture.Frame) *connState {
	k, cs := d.lookup(src, dst)
	if cs != nil && syn && (cs.conn.SYNACK != 0 || cs.conn.RST != 0 || cs.finSeen) {
		// A new connection on the same address pair (port reuse): the old
		// one is over.
		d.retire(k, cs)
		cs = nil
	}
	if cs != nil {
		if syn && src != cs.conn.Client && len(cs.conn.SYN) == 0 && cs.conn.SYNACK == 0 {
			cs.conn.Client, cs.conn.Server = src, dst // port reuse the other way round
			cs.toServer, cs.toClient = cs.toClient, cs.toServer
			cs.toServer.fromClient, cs.toClient.fromClient = true, false
		}
		return cs
	}
	client, server := src, dst
	switch {
	case syn:
	case synack:
		client, server = dst, src
	default:
		if _, ok := serverPorts[src.Port()]; ok {
			if _, ok2 := serverPorts[dst.Port()]; !ok2 {
				client, server = dst, src
			}
		} else if _, ok2 := serverPorts[dst.Port()]; !ok2 && src.Port() < dst.Port() {
			client, server = dst, src
		}
	}
	// One allocation for the connection's state, record and directions.
	all := &struct {
		cs       connState
		conn     Conn
		toServer dirState
		toClient dirState
	}{
		conn: Conn{
			Capture: d.capIdx, Client: client, Server: server,
			FirstFrame: f.Number, FirstTime: f.Time.UTC(), MidStream: !syn && !synack,
		},
		toServer: dirState{fromClient: true},
	}
	cs = &all.cs
	cs.conn = &all.conn
	cs.toServer, cs.toClient = &all.toServer, &all.toClient
	cs.dirs = [2]*dirState{cs.toServer, cs.toClient}
	cs.proto = serverPorts[server.Port()]
	if cs.proto != protoUnknown {
		cs.interesting = true
	}
	switch server.Port() {
	case 443, 22, 3389, 636, 993, 995, 465:
		cs.ignored = true // encrypted: nothing to see
	}
	if len(d.conns) >= d.connLimit() {
		d.evictConns(f.Number)
	}
	d.conns[k] = cs
	d.recent.Put(k.a, k.b, cs)
	return cs
}

// lookup returns the key of the connection between x and y and its state,
// or nil. The connections found last are kept at hand (recent.Cache).
func (d *Dissector) lookup(x, y netip.AddrPort) (connKey, *connState) {
	if a, b, cs, ok := d.recent.Get(x, y); ok {
		return connKey{a, b}, cs
	}
	k := makeConnKey(x, y)
	cs := d.conns[k]
	if cs != nil {
		d.recent.Put(k.a, k.b, cs)
	}
	return k, cs
}

// streamBuf holds undecoded bytes of one direction together with the frames
// that brought them, so that a message can name the frames it came from.
type streamBuf struct {
	data  []byte
	start int            // data[start:] is undecoded
	spans []capture.Span // Off is relative to data[0]
}

func (b *streamBuf) reset() {
	if cap(b.data) > keepBuffer {
		b.release()
		return
	}
	b.data, b.start, b.spans = b.data[:0], 0, b.spans[:0]
}

// keepBuffer is the largest buffer capacity a direction keeps once its
// bytes are decoded: a larger one (a big message was framed) is given back,
// so that a connection idle after a large message holds no memory.
const keepBuffer = 16 << 10

// maxFreeBufs bounds the buffers of ended directions a Dissector keeps for
// new ones: enough for the connections a busy capture opens and closes at
// a time, and at most maxFreeBufs*keepBuffer bytes.
const maxFreeBufs = 64

// recycleBuf empties b and keeps its memory for a direction that starts
// later (takeBuf), unless it is large or enough are kept. Most connections
// carry one or two messages: without this, each would grow a buffer from
// nothing. Decoders copy what they keep, as a direction already reuses its
// buffer after every message.
func (d *Dissector) recycleBuf(b *streamBuf) {
	if cap(b.data) > 0 && cap(b.data) <= keepBuffer && len(d.freeBufs) < maxFreeBufs {
		d.freeBufs = append(d.freeBufs, streamBuf{data: b.data[:0], spans: b.spans[:0]})
	}
	b.release()
}

// takeBuf returns a buffer for a new direction: a recycled one, or none.
func (d *Dissector) takeBuf() streamBuf {
	n := len(d.freeBufs)
	if n == 0 {
		return streamBuf{}
	}
	b := d.freeBufs[n-1]
	d.freeBufs[n-1] = streamBuf{}
	d.freeBufs = d.freeBufs[:n-1]
	return b
}

// release empties the buffer and gives its memory back.
func (b *streamBuf) release() {
	b.data, b.start, b.spans = nil, 0, nil
}

// bytes returns the undecoded bytes.
func (b *streamBuf) bytes() []byte { return b.data[b.start:] }

func (b *streamBuf) append(p []byte, spans []capture.Span) {
	if b.start > 0 && b.start >= len(b.data)/2 {
		n := copy(b.data, b.data[b.start:])
		b.data = b.data[:n]
		shift := b.start
		b.start = 0
		out := b.spans[:0]
		for _, s := range b.spans {
			s.Off -= shift
			if s.Off+s.Len > 0 {
				if s.Off < 0 {
					s.Len += s.Off
					s.Off = 0
				}
				out = append(out, s)
			}
		}
		b.spans = out
	}
	base := len(b.data)
	b.data = append(b.data, p...)
	for _, s := range spans {
		s.Off += base
		b.spans = append(b.spans, s)
	}
	if len(spans) == 0 && len(p) > 0 {
		b.spans = append(b.spans, capture.Span{Off: base, Len: len(p)})
	}
}

// consume marks n undecoded bytes as decoded.
func (b *streamBuf) consume(n int) {
	b.start += n
	if b.start >= len(b.data) {
		b.reset()
	}
}

// appendFrames appends to dst the frames that carried bytes [off, off+n) of
// the undecoded data, ascending and without repeats, and returns it with the
// frame that completed them and its capture time: the highest, since
// segments captured out of order complete a message only when the last of
// them arrives (Wireshark's tcp.reassembled_in).
func (b *streamBuf) appendFrames(dst []int, off, n int) (all []int, last int, lastTime time.Time) {
	start := len(dst)
	lo, hi := b.start+off, b.start+off+n
	for _, s := range b.spans {
		if s.Off+s.Len <= lo || s.Off >= hi || s.Frame == 0 {
			continue
		}
		dst = append(dst, s.Frame)
		if s.Frame > last {
			last, lastTime = s.Frame, s.Time
		}
	}
	added := dst[start:]
	sortUniq(&added)
	return dst[:start+len(added)], last, lastTime
}

func sortUniq(p *[]int) {
	s := *p
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	*p = out
}
