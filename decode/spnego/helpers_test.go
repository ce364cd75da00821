package spnego

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// loadVector reads testdata/<name>.hex (hex digits) or testdata/<name>.txt
// (an HTTP header value "Scheme base64"), skipping '#' provenance lines.
func loadVector(t testing.TB, name string) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "#") {
			sb.WriteString(strings.TrimSpace(line))
			sb.WriteByte(' ')
		}
	}
	text := strings.TrimSpace(sb.String())
	var b []byte
	if strings.HasSuffix(name, ".txt") {
		_, tok, _ := strings.Cut(text, " ")
		b, err = base64.StdEncoding.DecodeString(tok)
	} else {
		b, err = hex.DecodeString(strings.ReplaceAll(text, " ", ""))
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

func isDecodeError(err error) bool {
	return errors.Is(err, wire.ErrTruncated) || errors.Is(err, wire.ErrMalformed) || errors.Is(err, wire.ErrUnsupported)
}

// within reports whether sub is a sub-slice of b (or empty).
func within(sub, b []byte) bool {
	if len(sub) == 0 {
		return true
	}
	for i := range b {
		if &b[i] == &sub[0] {
			return i+len(sub) <= len(b)
		}
	}
	return false
}
