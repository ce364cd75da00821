package smb2

import (
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func inVocabulary(err error) bool {
	return errors.Is(err, wire.ErrTruncated) || errors.Is(err, wire.ErrMalformed) || errors.Is(err, wire.ErrUnsupported)
}

// FuzzParse checks that Parse never panics, that errors belong to the
// shared vocabulary, that the chain bound holds, that only the last
// message may be Truncated (and then the error says so), and that every
// blob lies inside the input.
func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.raw)
	}
	f.Add(append(echo(72, 1), echo(0, 2)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := Parse(b)
		if err != nil && !inVocabulary(err) {
			t.Fatalf("error outside the vocabulary: %v", err)
		}
		if err == nil && len(ms) == 0 {
			t.Fatal("no message and no error")
		}
		if len(ms) > maxCompound {
			t.Fatalf("%d messages", len(ms))
		}
		for i, m := range ms {
			if m.Truncated && (i != len(ms)-1 || !errors.Is(err, wire.ErrTruncated)) {
				t.Fatalf("message %d of %d Truncated with error %v", i, len(ms), err)
			}
			if len(m.SecurityBlob) > len(b) || len(m.TreePath) > 3*len(b) {
				t.Fatal("field larger than the input")
			}
			_ = m.Command.String() + m.Status.String() + m.DialectName()
		}
	})
}

// FuzzSplitFrame checks that SplitFrame never panics and that what it
// consumes is within the input and consistent with the message.
func FuzzSplitFrame(f *testing.F) {
	for _, v := range loadVectors(f) {
		n := len(v.raw)
		f.Add(append([]byte{0, byte(n >> 16), byte(n >> 8), byte(n)}, v.raw...))
	}
	f.Add([]byte{0x85, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, n, err := SplitFrame(b)
		if err != nil {
			if !inVocabulary(err) || n != 0 || msg != nil {
				t.Fatalf("error %v with n=%d msg=%d", err, n, len(msg))
			}
			return
		}
		if n < 4 || n > len(b) || (msg != nil && len(msg) != n-4) || (b[0] == 0) != (msg != nil) {
			t.Fatalf("n=%d msg=%d len=%d type=%#x", n, len(msg), len(b), b[0])
		}
	})
}
