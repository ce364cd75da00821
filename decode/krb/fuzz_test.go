package krb

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// seedVectors returns every message in testdata, whole and cut in half.
func seedVectors(f *testing.F) [][]byte {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.hex"))
	var out [][]byte
	for _, n := range names {
		b := loadHex(f, strings.TrimSuffix(filepath.Base(n), ".hex"))
		out = append(out, b, b[:len(b)/2])
	}
	return out
}

func FuzzParse(f *testing.F) {
	for _, b := range seedVectors(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil && !isDecodeError(err) {
			t.Fatalf("error %v wraps no wire sentinel", err)
		}
		if m == nil {
			if err == nil {
				t.Fatal("nil message without error")
			}
			return
		}
		if m.Truncated != errors.Is(err, wire.ErrTruncated) {
			t.Fatalf("Truncated=%v but err=%v", m.Truncated, err)
		}
		isReq, isErr := m.Type == MsgASReq || m.Type == MsgTGSReq, m.Type == MsgKRBError
		if (m.ReqBody != nil) != isReq || (m.ErrorInfo != nil) != isErr {
			t.Fatalf("%v with req-body %v, error fields %v", m.Type, m.ReqBody != nil, m.ErrorInfo != nil)
		}
		if len(m.ReqFields().Etypes) > maxItems || len(m.PAData) > maxItems || len(m.SName.Components) > maxItems {
			t.Fatal("list above its bound")
		}
		e := m.ErrorFields()
		_ = m.SName.String() + e.ErrorCode.String() + e.ErrorCode.Meaning() + m.Type.Kind()
		_ = m.ReqFields().KDCOptions.Names()
	})
}

func FuzzSplitRecord(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, 0x6a, 0x00})
	f.Add([]byte{0x80, 0, 0, 1, 0x6a})
	f.Add([]byte{0, 0, 1})
	for _, n := range []string{"as-req-nopreauth", "tgs-rep-http"} {
		raw, err := os.ReadFile(filepath.Join("testdata", n+".hex"))
		if err == nil {
			f.Add(raw) // hex text: exercises absurd marks
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, n, err := SplitRecord(b)
		if err != nil {
			if n != 0 || msg != nil || !isDecodeError(err) {
				t.Fatalf("error %v with n=%d msg=%d bytes", err, n, len(msg))
			}
			return
		}
		if n != 4+len(msg) || n > len(b) || len(msg) > MaxRecord {
			t.Fatalf("n=%d msg=%d input=%d", n, len(msg), len(b))
		}
		if len(msg) > 0 && &msg[0] != &b[4] {
			t.Fatal("msg is not a sub-slice of the input")
		}
	})
}

// FuzzParseShared checks that what a decoder shares with the messages it
// decoded before (lists, tickets, e-data: share.go) never changes what a
// message decodes to: the same bytes give the same message from a fresh
// decoder and from one that decoded every seed and them before.
func FuzzParseShared(f *testing.F) {
	seeds := seedVectors(f)
	for _, b := range seeds {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fresh, errFresh := new(dec).parse(b)
		warm := new(dec)
		for _, s := range seeds {
			warm.parse(s)
		}
		warm.parse(b)
		got, err := warm.parse(b)
		if (err == nil) != (errFresh == nil) || err != nil && err.Error() != errFresh.Error() {
			t.Fatalf("error %v after other messages, %v fresh", err, errFresh)
		}
		if !reflect.DeepEqual(got, fresh) {
			t.Fatalf("after other messages:\n%+v\nfresh:\n%+v", got, fresh)
		}
	})
}
