package decode

import (
	"math"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/kcrypt"
	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/ldap"
	"github.com/kerbtrace/kerbtrace/decode/ntlm"
	"github.com/kerbtrace/kerbtrace/decode/smb2"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// TestMsgStoreSorted checks the table's ordering of the stored messages: by
// capture then frame, stable among equals, Parent following its message,
// across several blocks, appended after messages already in the table.
func TestMsgStoreSorted(t *testing.T) {
	var s msgStore
	type in struct{ capture, frame, parent int }
	var want []in
	// Emitted out of order: every 7th message completes an earlier frame,
	// and points at the message before it.
	n := 3*msgBlock + 17
	for i := range n {
		m := Message{Capture: i / (2 * msgBlock), Frame: i + 1, Parent: -1}
		if i%7 == 3 {
			m.Frame = i - 40
			m.Parent = i - 1
		}
		s.add(&m)
		want = append(want, in{m.Capture, m.Frame, m.Parent})
	}
	// Messages already in the table, from an earlier call.
	var tab msgTable
	var prior msgStore
	prior.add(&Message{Frame: -5, Parent: -1})
	prior.add(&Message{Frame: -4, Parent: 0})
	tab.appendMerged(&prior, nil)
	tab.appendMerged(&s, nil)
	if tab.len() != n+2 || s.len() != 0 {
		t.Fatalf("%d messages out, %d left in the store; want %d, 0", tab.len(), s.len(), n+2)
	}
	out := make([]Message, tab.len())
	for i := range out {
		out[i] = tab.message(i)
	}
	if out[0].Frame != -5 || out[1].Parent != 0 {
		t.Errorf("the messages already in the result changed: %+v", out[:2])
	}
	// The expected order: a stable sort of the emission indices.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if want[a].capture != want[b].capture {
			return want[a].capture - want[b].capture
		}
		return want[a].frame - want[b].frame
	})
	pos := make([]int, n)
	for to, from := range idx {
		pos[from] = to + 2
	}
	for to, from := range idx {
		m := out[to+2]
		w := want[from]
		wantParent := -1
		if w.parent >= 0 {
			wantParent = pos[w.parent]
		}
		if m.Capture != w.capture || m.Frame != w.frame || m.Parent != wantParent {
			t.Fatalf("out[%d] = capture %d frame %d parent %d, want %d %d %d",
				to+2, m.Capture, m.Frame, m.Parent, w.capture, w.frame, wantParent)
		}
	}
	var empty msgTable
	if empty.appendMerged(&msgStore{}, nil); empty.len() != 0 {
		t.Errorf("empty store: %d messages", empty.len())
	}
}

// TestMsgTableSideParents merges a main store whose TCP message came
// late with two side stores, one per capture, only the second of which has
// messages with a Parent: every Parent becomes the position of its
// message in capture order, in whichever store it was.
func TestMsgTableSideParents(t *testing.T) {
	var main, plain, carried msgStore
	main.add(&Message{Capture: 0, Frame: 1, Parent: -1})
	main.add(&Message{Capture: 0, Frame: 4, Parent: 0})
	main.add(&Message{Capture: 0, Frame: 3, Parent: -1}) // a TCP message completed late
	plain.add(&Message{Capture: 0, Frame: 2, Parent: -1})
	plain.add(&Message{Capture: 0, Frame: 5, Parent: -1})
	carried.add(&Message{Capture: 1, Frame: 1, Parent: -1})
	carried.add(&Message{Capture: 1, Frame: 1, Parent: 0})
	carried.add(&Message{Capture: 1, Frame: 2, Parent: 0})
	if !main.parents || plain.parents || !carried.parents {
		t.Fatalf("parents: main %v, plain %v, carried %v; want true, false, true", main.parents, plain.parents, carried.parents)
	}
	var tab msgTable
	tab.appendMerged(&main, []msgStore{plain, carried})
	type cfp struct{ capture, frame, parent int }
	want := []cfp{{0, 1, -1}, {0, 2, -1}, {0, 3, -1}, {0, 4, 0}, {0, 5, -1}, {1, 1, -1}, {1, 1, 5}, {1, 2, 5}}
	if tab.len() != len(want) {
		t.Fatalf("%d messages, want %d", tab.len(), len(want))
	}
	for i, w := range want {
		if m := tab.message(i); (cfp{m.Capture, m.Frame, m.Parent}) != w {
			t.Errorf("message %d: capture %d frame %d parent %d, want %+v", i, m.Capture, m.Frame, m.Parent, w)
		}
	}
}

// TestIntArena checks that the slices cut from an arena do not share
// room: appending to one leaves the next intact.
func TestIntArena(t *testing.T) {
	var a intArena
	x := a.clone([]int{1, 2})
	y := a.clone([]int{3})
	x = append(x, 9)
	if !slices.Equal(y, []int{3}) || !slices.Equal(x, []int{1, 2, 9}) {
		t.Errorf("x %v y %v", x, y)
	}
	if a.clone(nil) != nil {
		t.Error("clone of nothing is not nil")
	}
	big := make([]int, intArenaChunk)
	if c := a.clone(big); len(c) != len(big) {
		t.Errorf("clone of %d ints has %d", len(big), len(c))
	}
}

// TestMsgEntryRoundTrip checks that a message comes out of the store as it
// went in, whether it fits the compact form or is kept whole.
func TestMsgEntryRoundTrip(t *testing.T) {
	base := Message{Capture: 1, Frame: 7, Frames: []int{5, 7}, Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Src: netip.MustParseAddrPort("10.0.0.1:1234"), Dst: netip.MustParseAddrPort("[fe80::1]:88"),
		Transport: TransportTCP, Kind: KindTGSReq, Parent: 3, Body: &krb.Message{}}
	msgs := []Message{base}
	m := base
	m.Truncated, m.Carrier, m.Header = true, CarrierHTTP, "WWW-Authenticate"
	msgs = append(msgs, m)
	m = base
	m.Err = "krb: truncated"
	msgs = append(msgs, m)
	m = base
	m.Header = "SASL GSS-SPNEGO"
	msgs = append(msgs, m)
	m = base
	m.Kind = numKinds + 3 // a kind this version does not know
	msgs = append(msgs, m)
	m = base
	m.Body = &spnego.Token{}
	msgs = append(msgs, m)
	m = base
	m.Body, m.Transport, m.Kind = &dns.Message{}, TransportUDP, KindDNSQuery
	msgs = append(msgs, m)
	m = base
	m.Body, m.Kind = nil, KindNone // no protocol message
	msgs = append(msgs, m)
	m = base
	m.Frame = math.MaxInt // past int32 where int is 64 bits
	msgs = append(msgs, m)
	m = base
	m.Decrypted = &kcrypt.Result{}
	msgs = append(msgs, m)
	// Every Body type an entry tags, each header of the table, truncated
	// or not: all in compact form.
	compact := map[int]bool{0: true, 1: true, 4: true, 5: true, 6: true, 7: true}
	for i, b := range []any{&dns.Message{}, &httpauth.Head{}, &krb.Message{}, &spnego.Token{}, &ntlm.Message{},
		&smb2.Message{}, &ldap.Message{}} {
		for j, h := range entryHeaders {
			m = base
			m.Body, m.Header, m.Truncated = b, h, (i+j)%2 == 0
			compact[len(msgs)] = true
			msgs = append(msgs, m)
		}
	}
	// Kept whole: a typed nil Body, a Body of another type, a capture
	// index past 16 bits.
	m = base
	m.Body = (*krb.Message)(nil)
	msgs = append(msgs, m)
	m = base
	m.Body = &kcrypt.Result{}
	msgs = append(msgs, m)
	m = base
	m.Capture = math.MaxUint16 + 1
	msgs = append(msgs, m)
	m = base
	m.Capture = math.MaxUint16
	compact[len(msgs)] = true
	msgs = append(msgs, m)
	// A DNS message with no Parent keeps its ID in the entry and points at
	// its Content (bodyDNSContent); one with a Parent or no Content keeps
	// its *dns.Message.
	content := &dns.Content{Response: true, RCode: 3}
	for _, parent := range []int{-1, 3} {
		for _, c := range []*dns.Content{content, nil} {
			m = base
			m.Body, m.Kind, m.Parent = &dns.Message{ID: 0xbeef, Content: c}, KindDNSResponse, parent
			compact[len(msgs)] = true
			msgs = append(msgs, m)
		}
	}
	for i, want := range msgs {
		var s msgStore
		s.add(&want)
		if got := s.get(0); !reflect.DeepEqual(got, want) {
			t.Errorf("message %d: got %+v, want %+v", i, got, want)
		}
		if whole := s.entry(0).whole() != nil; whole == compact[i] {
			t.Errorf("message %d (%T, header %q): kept whole %v, want %v", i, want.Body, want.Header, whole, !compact[i])
		}
		inline := s.entry(0).tag() == bodyDNSContent
		if want := want.Parent == -1 && want.DNS() != nil && want.DNS().Content != nil; inline != want {
			t.Errorf("message %d: DNS content in the entry %v, want %v", i, inline, want)
		}
		for _, p := range []any{want.DNS(), want.HTTP(), want.Krb(), want.SPNEGO(), want.NTLM(), want.SMB2(), want.LDAP(), want.Decrypted} {
			if !reflect.ValueOf(p).IsNil() && !samePointer(s.get(0), p) && !inline {
				t.Errorf("message %d: pointer %T not kept", i, p)
			}
		}
		if got, dm := s.get(0), want.DNS(); inline && got.DNS().Content != dm.Content {
			t.Errorf("message %d: DNS content not kept", i)
		}
	}
}

// TestMsgEntryDNSParent checks that a DNS message kept as its content and
// ID in the entry takes a Parent (as the table's merge gives one) without
// losing either.
func TestMsgEntryDNSParent(t *testing.T) {
	c := &dns.Content{Response: true}
	var s msgStore
	s.add(&Message{Frame: 4, Parent: -1, Time: time.Unix(1, 0).UTC(), Kind: KindDNSResponse, Body: &dns.Message{ID: 77, Content: c}})
	e := s.entry(0)
	if e.tag() != bodyDNSContent || e.parentIdx() != -1 {
		t.Fatalf("tag %d, parent %d; want the content in the entry, no parent", e.tag(), e.parentIdx())
	}
	e.setParent(9)
	m := s.get(0)
	if e.tag() != bodyDNS || m.Parent != 9 || m.DNS() == nil || m.DNS().ID != 77 || m.DNS().Content != c {
		t.Errorf("after setParent(9): tag %d, message %+v, DNS %+v", e.tag(), m, m.DNS())
	}
}

// samePointer reports whether m holds the very pointer p, as its Body or
// its Decrypted.
func samePointer(m Message, p any) bool { return m.Body == p || any(m.Decrypted) == p }

// TestMsgEntrySize pins the size of a compact entry: a big capture has a
// million of them.
func TestMsgEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(msgEntry{}); n != 48 {
		t.Errorf("msgEntry is %d bytes, want 48", n)
	}
}

// TestMsgEntryAddrTime checks the compact form of addresses and times on
// the values that must come back as they were or be kept whole.
func TestMsgEntryAddrTime(t *testing.T) {
	addrs := []netip.AddrPort{{}, netip.MustParseAddrPort("10.1.2.3:88"), netip.MustParseAddrPort("[::ffff:10.1.2.3]:88"),
		netip.MustParseAddrPort("[2001:db8::1]:445"), netip.MustParseAddrPort("[fe80::1%eth0]:80"),
		netip.AddrPortFrom(netip.MustParseAddr("10.0.0.9"), 0)}
	times := []time.Time{{}, time.Date(2026, 1, 2, 3, 4, 5, 999999999, time.UTC), time.Unix(0, 0).UTC(),
		time.Date(1969, 12, 31, 23, 59, 59, 1, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)),
		time.Now(), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, a := range addrs {
		for _, tm := range times {
			want := Message{Src: a, Dst: a, Time: tm, Parent: -1}
			var s msgStore
			s.add(&want)
			got := s.get(0)
			if got.Src != want.Src || got.Dst != want.Dst || got.Time != want.Time || !reflect.DeepEqual(got, want) {
				t.Errorf("%v %v: got %v %v %#v", a, tm, got.Src, got.Dst, got.Time)
			}
		}
	}
	// In one store, every pair: an IPv4 address and the same one mapped
	// in IPv6 stay two addresses, each kept once.
	var s msgStore
	for _, a := range addrs {
		for _, b := range addrs {
			s.add(&Message{Src: a, Dst: b, Time: times[1], Parent: -1})
		}
	}
	for i := range s.n {
		if got, want := s.get(i), (Message{Src: addrs[i/len(addrs)], Dst: addrs[i%len(addrs)], Time: times[1], Parent: -1}); !reflect.DeepEqual(got, want) {
			t.Errorf("message %d of one store: %v -> %v, want %v -> %v", i, got.Src, got.Dst, want.Src, want.Dst)
		}
	}
	if len(s.addrs) != len(addrs) {
		t.Errorf("one store keeps %d addresses, want %d", len(s.addrs), len(addrs))
	}
}

// TestResultAccessors checks that the field accessors of a Result give
// what Message gives, for a decoded table (compact and whole entries,
// from the main store and a side) and for a hand-built one.
func TestResultAccessors(t *testing.T) {
	var main, side msgStore
	tm := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	client, web, kdc := netip.MustParseAddrPort("192.0.2.101:50000"), netip.MustParseAddrPort("192.0.2.20:80"), netip.MustParseAddrPort("[2001:db8::10]:88")
	main.add(&Message{Capture: 0, Frame: 2, Parent: -1, Time: tm, Src: client, Dst: web, Kind: KindHTTPRequest, Body: &krb.Message{}})
	main.add(&Message{Capture: 0, Frame: 2, Parent: 0, Time: tm, Src: client, Dst: web, Kind: KindAPReq, Carrier: CarrierHTTP, Err: "krb: truncated"}) // kept whole
	main.add(&Message{Capture: 0, Frame: 5, Parent: -1, Time: tm, Src: web, Dst: client, Kind: KindHTTPResponse, Truncated: true, Body: &httpauth.Head{Status: 401}})
	side.add(&Message{Capture: 0, Frame: 1, Parent: -1, Time: tm, Src: client, Dst: kdc, Kind: KindDNSQuery, Body: &dns.Message{}})
	side.add(&Message{Capture: 0, Frame: 3, Parent: -1, Time: tm, Src: kdc, Dst: client, Kind: KindASReq, Decrypted: &kcrypt.Result{}})
	answer := &dns.Content{Response: true}
	side.add(&Message{Capture: 0, Frame: 6, Parent: -1, Time: tm, Src: kdc, Dst: client, Kind: KindDNSResponse, Body: &dns.Message{ID: 9, Content: answer}})
	wantSrc := []netip.AddrPort{client, client, client, kdc, web, kdc}
	var decoded Result
	decoded.msgs.appendMerged(&main, []msgStore{side})
	var built Result
	built.SetMessages(decoded.All())
	wantFrames := []int{1, 2, 2, 3, 5, 6}
	wantParents := []int{-1, -1, 1, -1, -1, -1}
	for name, r := range map[string]*Result{"decoded": &decoded, "hand-built": &built} {
		if r.Len() != len(wantFrames) {
			t.Fatalf("%s: %d messages, want %d", name, r.Len(), len(wantFrames))
		}
		for i := range r.Len() {
			m := r.Message(i)
			if m.Frame != wantFrames[i] || m.Parent != wantParents[i] {
				t.Errorf("%s: message %d is frame %d parent %d, want %d %d", name, i, m.Frame, m.Parent, wantFrames[i], wantParents[i])
			}
			// A DNS message kept as its content makes a new Body each time.
			if id, c := r.DNS(i); c != nil && (m.DNS() == nil || id != m.DNS().ID || c != m.DNS().Content || !reflect.DeepEqual(r.Body(i), m.Body)) ||
				c == nil && m.DNS() != nil && m.DNS().Content != nil {
				t.Errorf("%s: message %d: DNS gives %d %p, Message %+v", name, i, id, c, m.DNS())
			}
			body := r.Body(i)
			if _, c := r.DNS(i); c != nil {
				body = m.Body // a new *dns.Message, compared above
			}
			if h := r.MessageHead(i); h.Body != nil || h.Frame != m.Frame || h.Time != m.Time || h.Src != m.Src || h.Kind != m.Kind {
				t.Errorf("%s: message %d: MessageHead gives %+v, Message %+v", name, i, h, m)
			}
			if r.Kind(i) != m.Kind || r.Frame(i) != m.Frame || r.Capture(i) != m.Capture || r.Parent(i) != m.Parent || body != m.Body ||
				r.Transport(i) != m.Transport {
				t.Errorf("%s: message %d: accessors give %v %d %d %d %T %v, Message %v %d %d %d %T %v", name, i,
					r.Kind(i), r.Frame(i), r.Capture(i), r.Parent(i), r.Body(i), r.Transport(i), m.Kind, m.Frame, m.Capture, m.Parent, m.Body, m.Transport)
			}
			if r.Krb(i) != m.Krb() || r.HTTP(i) != m.HTTP() || r.SPNEGO(i) != m.SPNEGO() || r.NTLM(i) != m.NTLM() {
				t.Errorf("%s: message %d: typed accessors give %p %p %p %p, Message %p %p %p %p", name, i,
					r.Krb(i), r.HTTP(i), r.SPNEGO(i), r.NTLM(i), m.Krb(), m.HTTP(), m.SPNEGO(), m.NTLM())
			}
			if src, dst := r.Addrs(i); src != m.Src || dst != m.Dst || src != wantSrc[i] {
				t.Errorf("%s: message %d: Addrs gives %v -> %v, Message %v -> %v, want from %v", name, i, src, dst, m.Src, m.Dst, wantSrc[i])
			}
			if r.Carrier(i) != m.Carrier || r.Truncated(i) != m.Truncated || r.Decrypted(i) != m.Decrypted {
				t.Errorf("%s: message %d: accessors give carrier %v truncated %v decrypted %p, Message %v %v %p", name, i,
					r.Carrier(i), r.Truncated(i), r.Decrypted(i), m.Carrier, m.Truncated, m.Decrypted)
			}
		}
	}
	if decoded.Carrier(2) != CarrierHTTP || !decoded.Truncated(4) || decoded.Decrypted(3) == nil || decoded.Truncated(0) {
		t.Errorf("accessors: carrier %v, truncated %v %v, decrypted %v", decoded.Carrier(2), decoded.Truncated(4), decoded.Truncated(0), decoded.Decrypted(3))
	}
	if m := decoded.Message(2); m.Err == "" || decoded.Message(3).Decrypted == nil {
		t.Errorf("whole entries lost their error or decryption: %+v", m)
	}
	var empty Result
	if empty.SetMessages(nil); empty.Len() != 0 || empty.All() == nil {
		t.Errorf("empty result: %d messages, All %v", empty.Len(), empty.All())
	}
}

// TestMsgStoreFrames checks that the Frames of messages come back as they
// went in across the store's chunks of frames, a list too long for a chunk
// included, and that appending to them never writes into a neighbour's.
func TestMsgStoreFrames(t *testing.T) {
	var s msgStore
	var want [][]int
	next := 1
	for i := range 3000 {
		n := i % 7 // 0 gives nil Frames
		if i == 1500 {
			n = frameChunk + 1
		}
		var fr []int
		for range n {
			fr = append(fr, next)
			next++
		}
		want = append(want, fr)
		s.add(&Message{Frame: next, Frames: fr, Parent: -1, Time: time.Unix(int64(i), 0).UTC()})
	}
	if len(s.frames) < 2 {
		t.Fatalf("%d chunks of frames: the test does not cross a chunk", len(s.frames))
	}
	for i, w := range want {
		got := s.get(i).Frames
		if !slices.Equal(got, w) || (got == nil) != (w == nil) {
			t.Fatalf("message %d: frames %v, want %v", i, got, w)
		}
		_ = append(got, -1)
	}
	for i, w := range want {
		if got := s.get(i).Frames; !slices.Equal(got, w) {
			t.Fatalf("after appending: message %d: frames %v, want %v", i, got, w)
		}
	}
}
