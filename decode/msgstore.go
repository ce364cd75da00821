package decode

import (
	"encoding/binary"
	"math"
	"net/netip"
	"time"
	"unsafe"

	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/ldap"
	"github.com/kerbtrace/kerbtrace/decode/ntlm"
	"github.com/kerbtrace/kerbtrace/decode/smb2"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// msgBlock is the number of messages per block of a msgStore.
const msgBlock = 1024

// msgStore holds the messages in the order they are emitted, in blocks of
// msgBlock: appending never moves a message. A message is kept in a
// compact form (msgEntry, 48 bytes against 200, with 1 pointer against
// 9) for good: a Result reads its messages from the stores (msgTable),
// and builds a Message only when one is read.
type msgStore struct {
	blocks [][]msgEntry
	n      int
	addrs  []netip.Addr          // the addresses of the entries, each once
	addr4  map[uint32]uint32     // index in addrs by IPv4 address
	addrIx map[netip.Addr]uint32 // index in addrs by any other address
	frames [][]int               // the Frames of the entries, in chunks of frameChunk
	nfr    int                   // ints used in frames
	// parents says an entry has a Parent: the datagram worker's stores
	// (DNS, Kerberos over UDP) have none, and merging them looks at no
	// entry for one.
	parents bool
}

// frameChunk is the number of ints per chunk of a msgStore's frames; the
// Frames of a message never straddle two chunks.
const frameChunk = 4096

// msgEntry is a Message in compact form: the time as Unix nanoseconds, the
// addresses as indices into the store's table, the frames as a range of
// the store's chunks, the header as an index into a table, the Body as its
// pointer and a tag naming its type (bodyTag). A message that does not fit
// (an error text, a header not in the table, decrypted content, a time not
// in UTC or out of range, thousands of frames, a Body of another type) is
// kept whole: body then points at a *Message (never the Body of a
// message), tagged bodyWhole, and the other fields are zero. An entry is
// 48 bytes; a big capture has a million of them.
type msgEntry struct {
	nanos            int64
	body             unsafe.Pointer // the Body's pointer, of the type tag names
	frame, parent    int32
	frameOff         uint32 // Frames are frameN ints of the store's frames from frameOff
	src, dst         uint32 // indices in the store's addrs
	srcPort, dstPort uint16
	frameN           uint16
	capture          uint16
	kind             Kind
	carrier          Carrier
	transport        Transport
	bits             uint8 // bodyTag in the low 4 bits, then truncated, then hdr (3 bits)
}

// bodyTag names the type of a msgEntry's body.
type bodyTag uint8

// The types a Body may have in an entry; 0 is a nil Body.
const (
	bodyNone bodyTag = iota
	bodyWhole
	bodyDNS
	bodyHTTP
	bodyKrb
	bodySPNEGO
	bodyNTLM
	bodySMB2
	bodyLDAP
	// bodyDNSContent is a DNS message with no Parent (every one a capture
	// holds) kept without its *dns.Message (16 bytes each, and most of a
	// big capture's messages are DNS): body points at its Content, and
	// the entry's parent holds its ID.
	bodyDNSContent
)

const (
	tagMask        = 0x0f
	truncatedBit   = 0x10
	hdrShift       = 5
	maxEntryHeader = 1<<(8-hdrShift) - 1
)

// The tags fit their bits (a compile error otherwise).
const _ = uint(tagMask - bodyDNSContent)

// tagBody returns the tag and pointer of a Body, or false for a type (or a
// typed nil) an entry does not hold.
func tagBody(b any) (bodyTag, unsafe.Pointer, bool) {
	var t bodyTag
	var p unsafe.Pointer
	switch b := b.(type) {
	case nil:
		return bodyNone, nil, true
	case *dns.Message:
		t, p = bodyDNS, unsafe.Pointer(b)
	case *httpauth.Head:
		t, p = bodyHTTP, unsafe.Pointer(b)
	case *krb.Message:
		t, p = bodyKrb, unsafe.Pointer(b)
	case *spnego.Token:
		t, p = bodySPNEGO, unsafe.Pointer(b)
	case *ntlm.Message:
		t, p = bodyNTLM, unsafe.Pointer(b)
	case *smb2.Message:
		t, p = bodySMB2, unsafe.Pointer(b)
	case *ldap.Message:
		t, p = bodyLDAP, unsafe.Pointer(b)
	}
	return t, p, p != nil
}

// tag returns the type of e's body.
func (e *msgEntry) tag() bodyTag { return bodyTag(e.bits & tagMask) }

// bodyOf returns the Body of a compact entry.
func (e *msgEntry) bodyOf() any {
	switch e.tag() {
	case bodyDNS:
		return (*dns.Message)(e.body)
	case bodyHTTP:
		return (*httpauth.Head)(e.body)
	case bodyKrb:
		return (*krb.Message)(e.body)
	case bodySPNEGO:
		return (*spnego.Token)(e.body)
	case bodyNTLM:
		return (*ntlm.Message)(e.body)
	case bodySMB2:
		return (*smb2.Message)(e.body)
	case bodyLDAP:
		return (*ldap.Message)(e.body)
	case bodyDNSContent:
		return &dns.Message{ID: uint16(e.parent), Content: (*dns.Content)(e.body)}
	}
	return nil
}

// bodyIf returns the body of a compact entry when its tag is t, else nil.
func (e *msgEntry) bodyIf(t bodyTag) unsafe.Pointer {
	if e.tag() != t {
		return nil
	}
	return e.body
}

// dns returns the ID and content of the DNS message of a compact entry,
// without making a *dns.Message; c is nil for any other message.
func (e *msgEntry) dns() (id uint16, c *dns.Content) {
	switch e.tag() {
	case bodyDNSContent:
		return uint16(e.parent), (*dns.Content)(e.body)
	case bodyDNS:
		if m := (*dns.Message)(e.body); m != nil {
			return m.ID, m.Content
		}
	}
	return 0, nil
}

// truncated returns the Truncated of a compact entry.
func (e *msgEntry) truncated() bool { return e.bits&truncatedBit != 0 }

// hdr returns the index in entryHeaders of a compact entry's Header.
func (e *msgEntry) hdr() uint8 { return e.bits >> hdrShift }

// entryHeaders are the values of msgEntry.hdr; index 0 is the empty string.
var entryHeaders = [...]string{"", "Authorization", "Proxy-Authorization", "WWW-Authenticate",
	"Proxy-Authenticate", "SecurityBuffer"}

// The header's index fits its bits (a compile error otherwise).
const _ = uint(maxEntryHeader + 1 - len(entryHeaders))

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
	s.pack(&(*b)[len(*b)-1], m)
	s.n++
	return s.n - 1
}

// entry returns the entry of the message at index i.
func (s *msgStore) entry(i int) *msgEntry { return &s.blocks[i/msgBlock][i%msgBlock] }

// get returns the message at index i.
func (s *msgStore) get(i int) Message {
	var m Message
	s.expand(s.entry(i), &m)
	return m
}

// put replaces the message at index i.
func (s *msgStore) put(i int, m *Message) { s.pack(s.entry(i), m) }

// pack stores m in e, copying its Frames into the store.
func (s *msgStore) pack(e *msgEntry, m *Message) {
	if m.Parent >= 0 {
		s.parents = true
	}
	hdr, ok := headerIndex(m.Header)
	tag, body, tagged := tagBody(m.Body)
	nanos := m.Time.UnixNano()
	if !ok || !tagged || m.Err != "" || m.Decrypted != nil || len(m.Frames) > frameChunk || m.Frames != nil && len(m.Frames) == 0 ||
		!fits32(m.Frame) || !fits32(m.Parent) || m.Capture < 0 || m.Capture > math.MaxUint16 || m.Time != time.Unix(0, nanos).UTC() {
		full := *m
		*e = msgEntry{body: unsafe.Pointer(&full), bits: uint8(bodyWhole)}
		return
	}
	parent := int32(m.Parent)
	if dm := (*dns.Message)(body); tag == bodyDNS && parent == -1 && dm.Content != nil {
		tag, body, parent = bodyDNSContent, unsafe.Pointer(dm.Content), int32(dm.ID)
	}
	bits := uint8(tag) | hdr<<hdrShift
	if m.Truncated {
		bits |= truncatedBit
	}
	*e = msgEntry{
		nanos: nanos, body: body,
		frame: int32(m.Frame), parent: parent, capture: uint16(m.Capture),
		src: s.addrIndex(m.Src.Addr()), dst: s.addrIndex(m.Dst.Addr()), srcPort: m.Src.Port(), dstPort: m.Dst.Port(),
		kind: m.Kind, carrier: m.Carrier, transport: m.Transport, bits: bits,
	}
	if n := len(m.Frames); n > 0 {
		if s.nfr%frameChunk+n > frameChunk || s.nfr%frameChunk == 0 {
			s.nfr = len(s.frames) * frameChunk
			s.frames = append(s.frames, make([]int, frameChunk))
		}
		copy(s.frames[s.nfr/frameChunk][s.nfr%frameChunk:], m.Frames)
		e.frameOff, e.frameN = uint32(s.nfr), uint16(n)
		s.nfr += n
	}
}

// addrIndex returns the index of a in the store's addresses, adding it.
// An IPv4 address is looked up by its 32 bits, which Go's maps hash and
// compare without a call (some 7 against 28 ns).
func (s *msgStore) addrIndex(a netip.Addr) uint32 {
	if a.Is4() {
		b := a.As4()
		return addrIndexBy(s, &s.addr4, binary.BigEndian.Uint32(b[:]), a)
	}
	return addrIndexBy(s, &s.addrIx, a, a)
}

// addrIndexBy returns the index of a in s's addresses that *ix keeps under
// k, adding a and k when it has none.
func addrIndexBy[K comparable](s *msgStore, ix *map[K]uint32, k K, a netip.Addr) uint32 {
	if i, ok := (*ix)[k]; ok {
		return i
	}
	if *ix == nil {
		*ix = map[K]uint32{}
	}
	i := uint32(len(s.addrs))
	s.addrs = append(s.addrs, a)
	(*ix)[k] = i
	return i
}

func fits32(v int) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }

// expand writes the message of e, an entry of s, to *m, which must be the
// zero Message. Its Frames are the store's: their capacity is their
// length, so that appending to them copies.
func (s *msgStore) expand(e *msgEntry, m *Message) {
	if full := e.whole(); full != nil {
		*m = *full
		return
	}
	s.expandHead(e, m)
	m.Body = e.bodyOf()
}

// expandHead is expand for a compact entry e, but for the Body, which it
// leaves nil.
func (s *msgStore) expandHead(e *msgEntry, m *Message) {
	m.Capture, m.Frame, m.Parent = int(e.capture), int(e.frame), e.parentIdx()
	if e.frameN > 0 {
		c, off := s.frames[e.frameOff/frameChunk], int(e.frameOff%frameChunk)
		m.Frames = c[off : off+int(e.frameN) : off+int(e.frameN)]
	}
	m.Time = time.Unix(0, e.nanos).UTC()
	m.Src = netip.AddrPortFrom(s.addrs[e.src], e.srcPort)
	m.Dst = netip.AddrPortFrom(s.addrs[e.dst], e.dstPort)
	m.Transport, m.Kind, m.Carrier = e.transport, e.kind, e.carrier
	m.Header, m.Truncated = entryHeaders[e.hdr()], e.truncated()
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

// whole returns the message of e when e keeps it whole, else nil.
func (e *msgEntry) whole() *Message {
	if e.tag() != bodyWhole {
		return nil
	}
	return (*Message)(e.body)
}

// parentIdx returns the Parent of the message of e.
func (e *msgEntry) parentIdx() int {
	if full := e.whole(); full != nil {
		return full.Parent
	}
	if e.tag() == bodyDNSContent {
		return -1
	}
	return int(e.parent)
}

// setParent sets the Parent of the message of e to p, which fits in 32 bits
// (an index of a table).
func (e *msgEntry) setParent(p int) {
	if full := e.whole(); full != nil {
		full.Parent = p
		return
	}
	if e.tag() == bodyDNSContent { // the ID moves to a *dns.Message of its own
		e.body = unsafe.Pointer(e.bodyOf().(*dns.Message))
		e.bits = e.bits&^tagMask | uint8(bodyDNS)
	}
	e.parent = int32(p)
}
