package report

import (
	"net/netip"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/krb"
)

func TestTimeText(t *testing.T) {
	east := time.FixedZone("east", 5*3600+30*60)
	for _, tm := range []time.Time{
		{},
		time.Date(2024, 3, 9, 10, 41, 7, 551282000, time.UTC),
		time.Date(2024, 3, 9, 10, 41, 7, 0, east),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 5, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
	} {
		want := ""
		if !tm.IsZero() {
			want = tm.UTC().Format("2006-01-02T15:04:05.000000000Z")
		}
		if got := timeText(tm); got != want {
			t.Errorf("timeText(%v) = %q, want %q", tm, got, want)
		}
		// The builder's arena and per-second cache give the same text,
		// also for the next nanosecond and the next second.
		b := newBuilder(Options{}, 0)
		var got [3]string
		b.timeText(&got[0], tm)
		b.timeText(&got[1], tm.Add(1))
		b.timeText(&got[2], tm.Add(time.Second))
		b.finish()
		for i, d := range []time.Duration{0, 1, time.Second} {
			if w := timeText(tm.Add(d)); got[i] != w {
				t.Errorf("builder.timeText(%v + %v) = %q, want %q", tm, d, got[i], w)
			}
		}
	}
}

// TestBuilderArenaChunks fills more than one arena chunk and checks every
// text lands where it belongs.
func TestBuilderArenaChunks(t *testing.T) {
	b := newBuilder(Options{}, 0)
	base := time.Date(2024, 3, 9, 10, 41, 7, 0, time.UTC)
	got := make([]string, 5000)
	for i := range got {
		b.timeText(&got[i], base.Add(time.Duration(i)*time.Millisecond))
	}
	b.finish()
	for i := range got {
		if w := timeText(base.Add(time.Duration(i) * time.Millisecond)); got[i] != w {
			t.Fatalf("text %d = %q, want %q", i, got[i], w)
		}
	}
}

func TestBuilderAddr(t *testing.T) {
	b := newBuilder(Options{}, 16)
	for _, s := range []string{"192.0.2.1:88", "192.0.2.1:89", "192.0.2.2:88", "[2001:db8::1]:88", "[::ffff:192.0.2.1]:88",
		"[fe80::1%eth0]:445", "[fe80::1%eth1]:445", "192.0.2.1:88", "0.0.0.0:0", "[::]:0"} {
		a := netip.MustParseAddrPort(s)
		for range 3 {
			if got := b.addr(a); got != a.String() {
				t.Errorf("addr(%s) = %q, want %q", s, got, a.String())
			}
		}
	}
	if got := b.addr(netip.AddrPort{}); got != (netip.AddrPort{}).String() {
		t.Errorf("addr(zero) = %q", got)
	}
}

func TestBuilderFlagsAndNames(t *testing.T) {
	b := newBuilder(Options{}, 0)
	for _, o := range []krb.KDCOptions{0, 0x40810010, 0x40810010, 0x00000001} {
		if got, want := b.kdcOptions(o), o.Names(); !equalStrings(got, want) || (got == nil) != (want == nil) {
			t.Errorf("kdcOptions(%#x) = %q, want %q", uint32(o), got, want)
		}
	}
	for _, o := range []krb.APOptions{0, 0x20000000, 0x60000000} {
		if got, want := b.apOptions(o), o.Names(); !equalStrings(got, want) || (got == nil) != (want == nil) {
			t.Errorf("apOptions(%#x) = %q, want %q", uint32(o), got, want)
		}
	}
	for _, p := range []krb.Principal{{}, {Components: []string{"alice"}}, {Components: []string{"krbtgt", "LAB.TEST"}},
		{Components: []string{"krbtgt", "LAB.TEST"}}, {Components: []string{"HTTP", "web.lab.test", "x"}}, {Components: []string{"", ""}}} {
		if got, want := b.principal(p), p.String(); got != want {
			t.Errorf("principal(%q) = %q, want %q", p.Components, got, want)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAddrTextsBounded: past maxAddrTexts distinct addresses the memo
// starts afresh, and every text is still the address's.
func TestAddrTextsBounded(t *testing.T) {
	b := newBuilder(Options{}, 1<<20)
	v6 := netip.MustParseAddr("2001:db8::1")
	for i := range 3 * maxAddrTexts {
		for _, a := range []netip.AddrPort{
			netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), uint16(i)),
			netip.AddrPortFrom(v6, uint16(i)),
			netip.MustParseAddrPort("192.0.2.10:53"), // a server, asked for again and again
		} {
			if got := b.addr(a); got != a.String() {
				t.Fatalf("addr(%v) = %q", a, got)
			}
		}
		if len(b.addr4) > maxAddrTexts || len(b.addrs) > maxAddrTexts {
			t.Fatalf("after %d addresses the memo holds %d IPv4 and %d other texts, over %d",
				i+1, len(b.addr4), len(b.addrs), maxAddrTexts)
		}
	}
}

// TestSlabRelease checks that release gives back to a slab only what was
// cut since the mark, zeroed for the next cut, leaves what was cut before
// untouched, and leaves a newer block alone.
func TestSlabRelease(t *testing.T) {
	var s slab[string]
	kept := s.list(2)
	kept[0], kept[1] = "a", "b"
	m := s.mark()
	tmp := s.list(3)
	tmp[0], tmp[2] = "x", "z"
	s.release(m)
	again := s.list(3)
	if &again[0] != &tmp[0] || again[0] != "" || again[2] != "" {
		t.Errorf("after release: %q at %p, want the released %p zeroed", again, &again[0], &tmp[0])
	}
	if kept[0] != "a" || kept[1] != "b" {
		t.Errorf("a list cut before the mark changed: %q", kept)
	}
	// Cut past the block: the new block is not given back.
	m = s.mark()
	big := s.list(slabBlock / 8)
	for range slabBlock {
		big = s.list(slabBlock / 8)
	}
	big[0] = "kept"
	n := len(s.block)
	s.release(m)
	if len(s.block) != n || big[0] != "kept" {
		t.Errorf("release gave back %d values of a block newer than the mark's", n-len(s.block))
	}
}
