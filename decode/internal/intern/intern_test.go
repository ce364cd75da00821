package intern

import (
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
