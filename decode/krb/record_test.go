package krb

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func TestSplitRecord(t *testing.T) {
	cases := []struct {
		name    string
		in      []byte
		msg     []byte
		n       int
		wantErr error
	}{
		{"whole record", []byte{0, 0, 0, 2, 0x6a, 0x00}, []byte{0x6a, 0x00}, 6, nil},
		{"two records, first returned", []byte{0, 0, 0, 1, 0x6a, 0, 0, 0, 1, 0x6b}, []byte{0x6a}, 5, nil},
		{"empty record", []byte{0, 0, 0, 0}, []byte{}, 4, nil},
		{"no input", nil, nil, 0, wire.ErrTruncated},
		{"partial mark", []byte{0, 0, 1}, nil, 0, wire.ErrTruncated},
		{"partial body", []byte{0, 0, 0, 5, 0x6a, 0x03}, nil, 0, wire.ErrTruncated},
		{"reserved bit", []byte{0x80, 0, 0, 1, 0x6a}, nil, 0, wire.ErrMalformed},
		{"absurd length", []byte{0x00, 0x20, 0, 0, 0x6a}, nil, 0, wire.ErrMalformed},
		{"1 MiB accepted as a length", []byte{0x00, 0x10, 0, 0}, nil, 0, wire.ErrTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, n, err := SplitRecord(c.in)
			if !errors.Is(err, c.wantErr) || (err != nil) != (c.wantErr != nil) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if n != c.n || !bytes.Equal(msg, c.msg) {
				t.Fatalf("got %x, n=%d; want %x, n=%d", msg, n, c.msg, c.n)
			}
		})
	}
}
