package intern

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

func TestBytes(t *testing.T) {
	for _, in := range []string{"", "a", "dc.kerbtrace.test", "KERBTRACE.TEST", strings.Repeat("x", MaxLen), strings.Repeat("y", MaxLen+1)} {
		b := []byte(in)
		s1 := Bytes(b)
		b2 := append([]byte(nil), b...)
		s2 := Bytes(b2)
		if s1 != in || s2 != in {
			t.Fatalf("Bytes(%q) = %q, %q", in, s1, s2)
		}
		if len(b) > 0 {
			b[0] ^= 0xff
			if s1 != in {
				t.Fatalf("Bytes(%q) kept a reference to its input", in)
			}
		}
		shared := len(in) > 0 && unsafe.StringData(s1) == unsafe.StringData(s2)
		if want := len(in) > 0 && len(in) <= MaxLen; shared != want {
			t.Errorf("Bytes(%q) twice: shared %v, want %v", in, shared, want)
		}
	}
}

func TestBytesNoAllocOnHit(t *testing.T) {
	b := []byte("_kerberos._udp.KERBTRACE.TEST")
	Bytes(b)
	if n := testing.AllocsPerRun(100, func() { Bytes(b) }); n != 0 {
		t.Errorf("Bytes on a hit: %v allocs, want 0", n)
	}
}

func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10000 {
				in := []byte{byte(g), byte(i), byte(i >> 8)}
				if s := Bytes(in); s != string(in) {
					t.Errorf("Bytes(%q) = %q", in, s)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkBytesHit(b *testing.B) {
	in := []byte("_kerberos._udp.KERBTRACE.TEST")
	for b.Loop() {
		Bytes(in)
	}
}

// TestHashFixed checks that Hash gives the same values in every process
// (a seeded hash, as maphash's, fails it), for strings and bytes alike.
func TestHashFixed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"", 0},
		{"krbtgt", 0xe0729df92b3edc81},
		{"KERBTRACE.TEST", 0xd9008ce38287d71a},
		{"HTTP/web.kerbtrace.test", 0x1c4c8df503924863},
	} {
		if got, gotb := Hash(tc.in), Hash([]byte(tc.in)); got != tc.want || gotb != tc.want {
			t.Errorf("Hash(%q) = %#x, of its bytes %#x, want %#x", tc.in, got, gotb, tc.want)
		}
	}
}

// TestIndexSpread checks that the fixed hash spreads the names a capture
// repeats over the table as a random one would: 4096 names of one family,
// thrown at random in the table's 4096 slots, fill about 1-1/e of them
// (2589).
func TestIndexSpread(t *testing.T) {
	families := map[string]func(i int) string{
		"client hosts":  func(i int) string { return fmt.Sprintf("client%05d.kerbtrace.test", i) },
		"short numbers": func(i int) string { return strconv.Itoa(i) },
		"addresses":     func(i int) string { return fmt.Sprintf("10.%d.%d.7", i>>8, i&0xff) },
		"users":         func(i int) string { return fmt.Sprintf("user%d", i) },
		"uris":          func(i int) string { return fmt.Sprintf("/app/%d/index.html", i) },
		"spns":          func(i int) string { return fmt.Sprintf("HTTP/web%d.kerbtrace.test", i) },
	}
	for name, f := range families {
		used := map[uint64]bool{}
		for i := range slots {
			used[index([]byte(f(i)))] = true
		}
		if len(used) < 2450 {
			t.Errorf("%s: %d names fill %d slots, want about 2589", name, slots, len(used))
		}
	}
}
