package spnego

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	for _, n := range names {
		if fi, err := os.Stat(n); err != nil || fi.IsDir() {
			continue
		}
		b := loadVector(f, filepath.Base(n))
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = Sniff(b).String()
		tok, err := Parse(b)
		if err != nil && !isDecodeError(err) {
			t.Fatalf("Parse error %v wraps no wire sentinel", err)
		}
		if tok != nil {
			if tok.Truncated && !errors.Is(err, wire.ErrTruncated) {
				t.Fatalf("Truncated without ErrTruncated: %v", err)
			}
			if !within(tok.MechToken, b) || !within(tok.ResponseToken, b) {
				t.Fatal("inner token outside the input")
			}
			if len(tok.MechTypes) > maxMechTypes {
				t.Fatal("mechTypes above the bound")
			}
			if tok.KRB5 != nil && !within(tok.KRB5.Inner, b) {
				t.Fatal("krb5 inner outside the input")
			}
		}
		k, err := ParseKRB5(b)
		if err != nil && !isDecodeError(err) {
			t.Fatalf("ParseKRB5 error %v wraps no wire sentinel", err)
		}
		if k != nil && !within(k.Inner, b) {
			t.Fatal("krb5 inner outside the input")
		}
	})
}
