package krb

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// loadHex reads testdata/<name>.hex: '#' comment lines (provenance) and hex
// digits. A leading TCP record mark is removed with SplitRecord, which must
// then account for every byte.
func loadHex(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".hex"))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "#") {
			sb.WriteString(strings.TrimSpace(line))
		}
	}
	b, err := hex.DecodeString(sb.String())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(b) > 0 && b[0] == 0 { // Kerberos messages never start with 0x00
		msg, n, err := SplitRecord(b)
		if err != nil || n != len(b) {
			t.Fatalf("%s: record mark: n=%d of %d, %v", name, n, len(b), err)
		}
		b = msg
	}
	return b
}

func mustTime(s string) Time {
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return TimeOf(tm)
}

// isDecodeError reports whether err wraps one of the shared sentinels.
func isDecodeError(err error) bool {
	return errors.Is(err, wire.ErrTruncated) || errors.Is(err, wire.ErrMalformed) || errors.Is(err, wire.ErrUnsupported)
}

// diff lists the fields where got and want differ, by path.
func diff(got, want any) []string {
	var out []string
	diffValue("", reflect.ValueOf(got), reflect.ValueOf(want), &out)
	return out
}

func diffValue(path string, g, w reflect.Value, out *[]string) {
	if g.Kind() == reflect.Pointer {
		if g.IsNil() || w.IsNil() {
			if g.IsNil() != w.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: got %v, want %v", path, g, w))
			}
			return
		}
		diffValue(path, g.Elem(), w.Elem(), out)
		return
	}
	if g.Kind() == reflect.Struct && g.Type() != reflect.TypeOf(time.Time{}) {
		for i := 0; i < g.NumField(); i++ {
			diffValue(path+"."+g.Type().Field(i).Name, g.Field(i), w.Field(i), out)
		}
		return
	}
	if !reflect.DeepEqual(g.Interface(), w.Interface()) {
		*out = append(*out, fmt.Sprintf("%s: got %+v, want %+v", path, g.Interface(), w.Interface()))
	}
}

// consistent checks that a message decoded from a prefix of the input
// agrees with the message decoded from all of it: each field is either not
// set yet or equal, and each list is a prefix of the full one.
func consistent(path string, p, f reflect.Value, out *[]string) {
	switch {
	case p.Kind() == reflect.Pointer:
		if !p.IsNil() {
			if f.IsNil() {
				*out = append(*out, path+": set in the prefix only")
				return
			}
			consistent(path, p.Elem(), f.Elem(), out)
		}
	case p.Type() == reflect.TypeOf(time.Time{}):
		if pt := p.Interface().(time.Time); !pt.IsZero() && !pt.Equal(f.Interface().(time.Time)) {
			*out = append(*out, fmt.Sprintf("%s: %v vs %v", path, pt, f.Interface()))
		}
	case p.Kind() == reflect.Struct:
		for i := 0; i < p.NumField(); i++ {
			name := p.Type().Field(i).Name
			if name != "Truncated" {
				consistent(path+"."+name, p.Field(i), f.Field(i), out)
			}
		}
	case p.Kind() == reflect.Slice:
		if p.Len() > f.Len() {
			*out = append(*out, fmt.Sprintf("%s: %d items vs %d", path, p.Len(), f.Len()))
			return
		}
		for i := 0; i < p.Len(); i++ {
			consistent(fmt.Sprintf("%s[%d]", path, i), p.Index(i), f.Index(i), out)
		}
	default:
		unset := p.IsZero() || (p.Kind() == reflect.Int && p.Int() == -1) // kvno -1 = absent
		if !unset && !reflect.DeepEqual(p.Interface(), f.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: %v vs %v", path, p.Interface(), f.Interface()))
		}
	}
}

// capturesDir finds ../shared/captures next to the module root, or skips.
func capturesDir(t testing.TB) string {
	t.Helper()
	return pcaptest.SharedDir(t)
}
