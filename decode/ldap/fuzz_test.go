package ldap

import (
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func inVocabulary(err error) bool {
	return errors.Is(err, wire.ErrTruncated) || errors.Is(err, wire.ErrMalformed) || errors.Is(err, wire.ErrUnsupported)
}

// FuzzParse checks that Parse never panics, that errors belong to the
// shared vocabulary, that Truncated agrees with the error, that the
// bounds hold, and that a simple bind never keeps its password.
func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.raw)
	}
	f.Add([]byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil && !inVocabulary(err) {
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
		if len(m.Attributes) > maxAttributes || len(m.Filter) > maxFilterLen+3 {
			t.Fatalf("bounds: %d attributes, filter of %d bytes", len(m.Attributes), len(m.Filter))
		}
		if m.Auth == AuthSimple && m.Credentials != nil {
			t.Fatal("simple bind credentials kept")
		}
		_ = m.Op.String() + m.ResultCode.String()
	})
}

// FuzzSplitMessage checks that SplitMessage never panics and that what
// it consumes lies within the input.
func FuzzSplitMessage(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.raw)
	}
	f.Add([]byte{0x17, 3, 3, 0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, n, err := SplitMessage(b)
		if n < 0 || n > len(b) {
			t.Fatalf("n=%d of %d", n, len(b))
		}
		if err != nil {
			if !inVocabulary(err) || msg != nil {
				t.Fatalf("error %v with msg of %d", err, len(msg))
			}
			if n > 0 && !errors.Is(err, ErrSASLWrapped) && !errors.Is(err, ErrTLS) {
				t.Fatalf("n=%d with %v", n, err)
			}
			return
		}
		if n == 0 || len(msg) != n || b[0] != tagLDAPMessage {
			t.Fatalf("n=%d msg=%d", n, len(msg))
		}
	})
}
