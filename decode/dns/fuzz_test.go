package dns

import (
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// FuzzParse checks that Parse never panics or hangs, that errors belong to
// the shared vocabulary, that Cut agrees with the error, and that the
// helpers work on whatever was decoded.
func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.message(f))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if m == nil {
			t.Fatal("nil message")
		}
		if err != nil && !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrUnsupported) {
			t.Fatalf("error outside the vocabulary: %v", err)
		}
		if m.Cut != errors.Is(err, wire.ErrTruncated) {
			t.Fatalf("Cut %v with error %v", m.Cut, err)
		}
		for _, q := range m.Questions {
			if len(q.Name) > maxNameLen*4 {
				t.Fatalf("name of %d bytes", len(q.Name))
			}
			_ = m.Addrs(q.Name)
		}
		if msg, n, err := SplitTCP(b); err == nil && (n != len(msg)+2 || n > len(b)) {
			t.Fatalf("SplitTCP n=%d msg=%d len=%d", n, len(msg), len(b))
		}
	})
}
