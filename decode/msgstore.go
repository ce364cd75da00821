package decode

import (
	"math"
	"net/netip"
	"time"
)

// msgBlock is the number of messages per block of a msgStore.
const msgBlock = 1024

// msgStore holds the messages in the order they are emitted, in blocks of
// msgBlock: appending never moves a message. A message is kept in a
// compact form (msgEntry, some 120 bytes against 200, with 4 pointers
// against 9) for good: a Result reads its messages from the stores
// (msgTable), and builds a Message only when one is read.
type msgStore struct {
	blocks [][]msgEntry
	n      int
}

// msgEntry is a Message in compact form: the time and the addresses as
// plain numbers, the header as an index into a table. A message that does
// not fit (an error text, a header not in the table, decrypted content, a
// time not in UTC, an address with a zone) is kept whole in full.
type msgEntry struct {
	frame, parent, capture, nsec int32
	kind                         Kind
	carrier                      Carrier
	transport                    Transport
	hdr                          uint8
	truncated                    bool
	srcFam, dstFam               uint8 // 0: no address, 4 or 6
	srcPort, dstPort             uint16
	sec                          int64
	src, dst                     [16]byte
	frames                       []int
	body                         any
	full                         *Message
}

// entryHeaders are the values of msgEntry.hdr; index 0 is the empty string.
var entryHeaders = []string{"", "Authorization", "Proxy-Authorization", "WWW-Authenticate",
	"Proxy-Authenticate", "SecurityBuffer"}

// headerIndex returns the index of h in entryHeaders, or false.
func headerIndex(h string) (uint8, bool) {
	for i, t := range entryHeaders {
		if t == h {
			return uint8(i), true
		}
	}
	return 0, false
}

func (s *msgStore) len() int { return s.n }

// add appends m and returns its index.
func (s *msgStore) add(m *Message) int {
	if s.n%msgBlock == 0 {
		s.blocks = append(s.blocks, make([]msgEntry, 0, msgBlock))
	}
	b := &s.blocks[len(s.blocks)-1]
	*b = append(*b, msgEntry{})
	(*b)[len(*b)-1].set(m)
	s.n++
	return s.n - 1
}

// entry returns the entry of the message at index i.
func (s *msgStore) entry(i int) *msgEntry { return &s.blocks[i/msgBlock][i%msgBlock] }

// get returns the message at index i.
func (s *msgStore) get(i int) Message {
	var m Message
	s.entry(i).expand(&m)
	return m
}

// put replaces the message at index i.
func (s *msgStore) put(i int, m *Message) { s.entry(i).set(m) }

// set stores m in e.
func (e *msgEntry) set(m *Message) {
	hdr, ok := headerIndex(m.Header)
	sec, nsec := m.Time.Unix(), m.Time.Nanosecond()
	srcFam, src, ok1 := packAddr(m.Src.Addr())
	dstFam, dst, ok2 := packAddr(m.Dst.Addr())
	if !ok || !ok1 || !ok2 || m.Err != "" || m.Decrypted != nil ||
		!fits32(m.Frame) || !fits32(m.Parent) || !fits32(m.Capture) ||
		m.Time != time.Unix(sec, int64(nsec)).UTC() {
		full := *m
		*e = msgEntry{full: &full}
		return
	}
	*e = msgEntry{
		frame: int32(m.Frame), parent: int32(m.Parent), capture: int32(m.Capture), nsec: int32(nsec),
		kind: m.Kind, carrier: m.Carrier, transport: m.Transport, hdr: hdr, truncated: m.Truncated,
		srcFam: srcFam, dstFam: dstFam, srcPort: m.Src.Port(), dstPort: m.Dst.Port(),
		sec: sec, src: src, dst: dst, frames: m.Frames, body: m.Body,
	}
}

// packAddr returns the family (0 for the zero Addr) and the bytes of a, or
// false when they would not give a back (an IPv6 zone).
func packAddr(a netip.Addr) (uint8, [16]byte, bool) {
	switch {
	case !a.IsValid():
		return 0, [16]byte{}, true
	case a.Is4():
		var b [16]byte
		copy(b[:], a.AsSlice())
		return 4, b, true
	case a.Zone() == "":
		return 6, a.As16(), true
	}
	return 0, [16]byte{}, false
}

// unpackAddr is the inverse of packAddr.
func unpackAddr(fam uint8, b *[16]byte) netip.Addr {
	switch fam {
	case 4:
		return netip.AddrFrom4([4]byte(b[:4]))
	case 6:
		return netip.AddrFrom16(*b)
	}
	return netip.Addr{}
}

func fits32(v int) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }

// expand writes the message of e to *m, which must be the zero Message.
func (e *msgEntry) expand(m *Message) {
	if e.full != nil {
		*m = *e.full
		return
	}
	m.Capture, m.Frame, m.Parent = int(e.capture), int(e.frame), int(e.parent)
	m.Frames, m.Time = e.frames, time.Unix(e.sec, int64(e.nsec)).UTC()
	m.Src = netip.AddrPortFrom(unpackAddr(e.srcFam, &e.src), e.srcPort)
	m.Dst = netip.AddrPortFrom(unpackAddr(e.dstFam, &e.dst), e.dstPort)
	m.Transport, m.Kind, m.Carrier = e.transport, e.kind, e.carrier
	m.Header, m.Truncated, m.Body = entryHeaders[e.hdr], e.truncated, e.body
}

// intArenaChunk is the number of ints an intArena allocates at a time.
const intArenaChunk = 4096

// intArena hands out small int slices (the Frames of messages, one or a few
// frames each) cut from shared chunks, so that a message costs no
// allocation of its own for them. Each slice has its length as capacity:
// appending to it never writes into a neighbour.
type intArena struct{ buf []int }

// clone returns a copy of s (nil when s is empty).
func (a *intArena) clone(s []int) []int {
	if len(s) == 0 {
		return nil
	}
	if len(s) > intArenaChunk/16 {
		return append(make([]int, 0, len(s)), s...)
	}
	if cap(a.buf)-len(a.buf) < len(s) {
		a.buf = make([]int, 0, intArenaChunk)
	}
	n := len(a.buf)
	a.buf = append(a.buf, s...)
	return a.buf[n:len(a.buf):len(a.buf)]
}

// parentIdx returns the Parent of the message of e.
func (e *msgEntry) parentIdx() int {
	if e.full != nil {
		return e.full.Parent
	}
	return int(e.parent)
}

// setParent sets the Parent of the message of e to p, which fits in 32 bits
// (an index of a table).
func (e *msgEntry) setParent(p int) {
	if e.full != nil {
		e.full.Parent = p
		return
	}
	e.parent = int32(p)
}
