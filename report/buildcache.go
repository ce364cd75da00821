package report

import (
	"net/netip"
	"strconv"
	"time"
	"unsafe"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// What Build shares between messages so that a report of a million
// messages costs a few allocations per message, not a dozen: the texts of
// repeated values (addresses, flag sets, two-part principal names) are
// made once per Build and shared; the times, all different, are
// formatted into one buffer that becomes one string per chunk; and the
// small numbers a message points to are cut from slabs.
//
// Shared slices are read-only: no renderer and not the redactor writes
// into KDCOptions, APOptions or NTLMFlags (redact_fields.go replaces
// strings it rewrites, it never edits a flag list).

// builder holds the caches of one Build.
type builder struct {
	opt   Options
	addr4 map[uint64]string // IPv4 address << 16 | port
	addrs map[netip.AddrPort]string
	last  [2]addrText // the two addresses looked up last: a message's pair, or its reply's
	// sec and secText are the last second timeText formatted, as
	// "2006-01-02T15:04:05.": messages come in time order.
	sec     int64
	secText []byte
	kdc     map[krb.KDCOptions][]string
	ap      map[krb.APOptions][]string
	ntlm    map[uint32][]string
	names   map[[2]string]string
	tokens  textMemo // token summaries (tokenSummary)
	tok     []byte   // the token summary being made
	times   textArena
	u16     slab[uint16]
	ints    slab[int]
	i32     slab[int32]
	strs    slab[string] // the short lists of a message: etypes, padata, ...
	answs   slab[Answer] // DNS answers
}

// addrText is an address and its text.
type addrText struct {
	a netip.AddrPort
	s string
}

// newBuilder returns the caches for a report of about n messages.
func newBuilder(opt Options, n int) *builder {
	return &builder{opt: opt, addr4: make(map[uint64]string, min(n/4, maxAddrTexts)), addrs: make(map[netip.AddrPort]string), kdc: make(map[krb.KDCOptions][]string),
		ap: make(map[krb.APOptions][]string), ntlm: make(map[uint32][]string), names: make(map[[2]string]string),
		tokens: textMemo{max: maxTokenTexts}}
}

// maxAddrTexts bounds the address texts a builder keeps. The servers'
// addresses repeat and are soon made again; most clients' are each used by
// one exchange (a new port each time), and keeping them all would hold 20
// MB of texts at 20,000 clients for nothing.
const maxAddrTexts = 1 << 14

// addr returns a.String(), made once per address while the memo holds it.
func (b *builder) addr(a netip.AddrPort) string {
	if b.last[0].a == a && b.last[0].s != "" {
		return b.last[0].s
	}
	if b.last[1].a == a && b.last[1].s != "" {
		b.last[0], b.last[1] = b.last[1], b.last[0]
		return b.last[0].s
	}
	var s string
	if ip := a.Addr(); ip.Is4() {
		v := ip.As4()
		k := uint64(v[0])<<40 | uint64(v[1])<<32 | uint64(v[2])<<24 | uint64(v[3])<<16 | uint64(a.Port())
		var ok bool
		if s, ok = b.addr4[k]; !ok {
			s = a.String()
			if len(b.addr4) >= maxAddrTexts {
				clear(b.addr4)
			}
			b.addr4[k] = s
		}
	} else {
		var ok bool
		if s, ok = b.addrs[a]; !ok {
			s = a.String()
			if len(b.addrs) >= maxAddrTexts {
				clear(b.addrs)
			}
			b.addrs[a] = s
		}
	}
	b.last[1], b.last[0] = b.last[0], addrText{a, s}
	return s
}

// kdcOptions returns o.Names(), made once per value.
func (b *builder) kdcOptions(o krb.KDCOptions) []string {
	if o == 0 {
		return nil
	}
	s, ok := b.kdc[o]
	if !ok {
		s = o.Names()
		b.kdc[o] = s
	}
	return s
}

// apOptions returns o.Names(), made once per value.
func (b *builder) apOptions(o krb.APOptions) []string {
	if o == 0 {
		return nil
	}
	s, ok := b.ap[o]
	if !ok {
		s = o.Names()
		b.ap[o] = s
	}
	return s
}

// ntlmFlags returns names(), made once per flag value v.
func (b *builder) ntlmFlags(v uint32, names func() []string) []string {
	s, ok := b.ntlm[v]
	if !ok {
		s = names()
		b.ntlm[v] = s
	}
	return s
}

// principal returns p.String(); two-part names (krbtgt/REALM,
// HTTP/host), the ones that would need a new string each time, are made
// once.
func (b *builder) principal(p krb.Principal) string {
	if len(p.Components) != 2 {
		return p.String()
	}
	k := [2]string{p.Components[0], p.Components[1]}
	s, ok := b.names[k]
	if !ok {
		s = p.String()
		b.names[k] = s
	}
	return s
}

// tokenSummary returns TokenSummary(d, i), made once per text while the
// memo holds it: the clients of a site present the same tokens (the same
// SPN, etype and options), and a report of them made a string and its
// parts for every message, 7 MB of garbage at 20,000 flows.
func (b *builder) tokenSummary(d *decode.Result, i int) string {
	b.tok = appendTokenSummary(b.tok[:0], d, i)
	return b.tokens.text(b.tok)
}

// textMemo hands out one string for each different text, while it holds
// it: it holds at most max, and starts again past them (texts that name a
// user are each made once).
type textMemo struct {
	m   map[string]string
	max int
}

// text returns string(t), made only if the memo does not hold it.
func (m *textMemo) text(t []byte) string {
	if len(t) == 0 {
		return ""
	}
	if s, ok := m.m[string(t)]; ok {
		return s
	}
	if m.m == nil || len(m.m) >= m.max {
		m.m = make(map[string]string)
	}
	s := string(t)
	m.m[s] = s
	return s
}

// maxTokenTexts bounds the token summaries a builder keeps.
const maxTokenTexts = 1 << 12

// timeText stores timeText(t) in *dst, now or when the arena is flushed.
func (b *builder) timeText(dst *string, t time.Time) {
	if t.IsZero() {
		*dst = ""
		return
	}
	u := t.UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		*dst = timeText(u)
		return
	}
	start := len(b.times.buf)
	b.times.buf = b.appendTime(b.times.buf, u)
	b.times.add(dst, start)
}

// appendTime appends u (UTC, year 0-9999) as timeText writes it, from the
// text of its second, made once per second.
func (b *builder) appendTime(buf []byte, u time.Time) []byte {
	if sec := u.Unix(); sec != b.sec || b.secText == nil {
		b.secText = appendTimeText(b.secText[:0], u)
		b.secText = b.secText[:len(b.secText)-len("000000000Z")]
		b.sec = sec
	}
	buf = append(buf, b.secText...)
	buf = appendDigits(buf, u.Nanosecond(), 9)
	return append(buf, 'Z')
}

// appendTimeJSON appends timeText(t) as a JSON string, the bytes that
// timeText and then appendJSONString give, without making the string.
func (b *builder) appendTimeJSON(buf []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(buf, `""`...)
	}
	u := t.UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		return appendJSONString(buf, timeText(u))
	}
	buf = append(buf, '"')
	buf = b.appendTime(buf, u)
	return append(buf, '"')
}

// appendAddrJSON appends a.String() as a JSON string, the bytes that addr
// and then appendJSONString give. An IPv4 address and port, nearly every
// address of a capture, is written in place: no text to make or look up.
func (b *builder) appendAddrJSON(buf []byte, a netip.AddrPort) []byte {
	ip := a.Addr()
	if !ip.Is4() {
		return appendJSONString(buf, b.addr(a))
	}
	buf = append(buf, '"')
	buf = ip.AppendTo(buf)
	buf = append(buf, ':')
	buf = strconv.AppendUint(buf, uint64(a.Port()), 10)
	return append(buf, '"')
}

// appendTimeText appends u (UTC, year 0-9999) as timeText writes it:
// 2006-01-02T15:04:05.000000000Z.
func appendTimeText(buf []byte, u time.Time) []byte {
	year, month, day := u.Date()
	hour, minute, sec := u.Clock()
	buf = appendDigits(buf, year, 4)
	buf = append(buf, '-')
	buf = appendDigits(buf, int(month), 2)
	buf = append(buf, '-')
	buf = appendDigits(buf, day, 2)
	buf = append(buf, 'T')
	buf = appendDigits(buf, hour, 2)
	buf = append(buf, ':')
	buf = appendDigits(buf, minute, 2)
	buf = append(buf, ':')
	buf = appendDigits(buf, sec, 2)
	buf = append(buf, '.')
	buf = appendDigits(buf, u.Nanosecond(), 9)
	return append(buf, 'Z')
}

// appendDigits appends v (>= 0) zero-padded to width digits.
func appendDigits(buf []byte, v, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v >= 10 || width > 1 {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	tmp[i] = byte('0' + v)
	return append(buf, tmp[i:]...)
}

// finish stores the texts still pending.
func (b *builder) finish() { b.times.flush() }

// textArena gathers short texts in one buffer and, once it holds a chunk,
// turns the whole buffer into one string and stores each text, a slice
// of it, where it belongs. Until then the destinations must not be read.
type textArena struct {
	buf     []byte
	pending []arenaText
}

type arenaText struct {
	dst        *string
	start, end int
}

const arenaChunk = 32 << 10

// add records that buf[start:] is the text for dst.
func (a *textArena) add(dst *string, start int) {
	a.pending = append(a.pending, arenaText{dst: dst, start: start, end: len(a.buf)})
	if len(a.buf) >= arenaChunk {
		a.flush()
	}
}

// flush stores every pending text.
func (a *textArena) flush() {
	if len(a.pending) == 0 {
		return
	}
	s := string(a.buf)
	for _, p := range a.pending {
		*p.dst = s[p.start:p.end]
	}
	a.buf, a.pending = a.buf[:0], a.pending[:0]
}

// slab hands out pointers to values cut from shared blocks.
type slab[T any] struct{ block []T }

const slabBlock = 256

// list returns a slice of n zero values, cut from a block when short,
// with a capacity of exactly n so that appending to it never writes into
// its neighbour.
func (s *slab[T]) list(n int) []T {
	if n > slabBlock/8 {
		return make([]T, n)
	}
	if cap(s.block)-len(s.block) < n {
		s.block = make([]T, 0, slabBlock)
	}
	i := len(s.block)
	s.block = s.block[:i+n]
	return s.block[i : i+n : i+n]
}

// new returns a pointer to a copy of v.
func (s *slab[T]) new(v T) *T {
	if len(s.block) == cap(s.block) {
		s.block = make([]T, 0, slabBlock)
	}
	s.block = append(s.block, v)
	return &s.block[len(s.block)-1]
}

// slabMark is where a slab stood: its block and how much of it was cut.
type slabMark[T any] struct {
	data *T
	n    int
}

// mark returns where the slab stands, for release.
func (s *slab[T]) mark() slabMark[T] { return slabMark[T]{unsafe.SliceData(s.block), len(s.block)} }

// release gives back what was cut from the slab since m, when it is still
// in the block it was cut from (what went to a newer block stays cut): the
// caller must hold none of it any more.
func (s *slab[T]) release(m slabMark[T]) {
	if unsafe.SliceData(s.block) != m.data || len(s.block) < m.n {
		return
	}
	clear(s.block[m.n:])
	s.block = s.block[:m.n]
}

// builderMark is where a builder's slabs stood.
type builderMark struct {
	u16   slabMark[uint16]
	ints  slabMark[int]
	i32   slabMark[int32]
	strs  slabMark[string]
	answs slabMark[Answer]
}

// mark returns where the builder's slabs stand, for release.
func (b *builder) mark() builderMark {
	return builderMark{b.u16.mark(), b.ints.mark(), b.i32.mark(), b.strs.mark(), b.answs.mark()}
}

// release gives back to the slabs what a message built since m took from
// them, once it is written and dropped (JSON's streamed messages): the
// next message reuses it rather than the collector freeing it.
func (b *builder) release(m builderMark) {
	b.u16.release(m.u16)
	b.ints.release(m.ints)
	b.i32.release(m.i32)
	b.strs.release(m.strs)
	b.answs.release(m.answs)
}
