package ntlm

import (
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// FuzzParse checks that Parse never panics, that every error belongs to the
// shared vocabulary, and that Truncated agrees with the error.
func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.raw)
	}
	f.Add(oemAuthenticate())
	f.Add(challengeWithTI(append(av(MsvAvNbDomainName, "CNAMIS"), 0, 0, 0, 0)))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil && !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrUnsupported) {
			t.Fatalf("error outside the vocabulary: %v", err)
		}
		if m == nil {
			if err == nil {
				t.Fatal("nil message without error")
			}
			return
		}
		if m.Truncated != errors.Is(err, wire.ErrTruncated) {
			t.Fatalf("Truncated %v with error %v", m.Truncated, err)
		}
		if len(m.TargetInfo) > maxAVPairs || len(m.ClientTargetInfo) > maxAVPairs {
			t.Fatalf("AV pair bound exceeded")
		}
		_ = m.Flags.Names()
	})
}
