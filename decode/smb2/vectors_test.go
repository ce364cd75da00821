package smb2

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// vector is one block of testdata/vectors.txt: an NBSS payload from a
// public capture and the messages tshark shows in it.
type vector struct {
	name   string
	source string // provenance comment
	raw    []byte
	msgs   []string // render() of each message
	err    string   // sentinel() of the error, "" for none
}

func loadVectors(tb testing.TB) []vector {
	tb.Helper()
	f, err := os.Open("testdata/vectors.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []vector
	var comment string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			comment = strings.TrimSpace(strings.TrimPrefix(line, "#"))
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		if key == "" {
			continue
		}
		if key == "vector" {
			out = append(out, vector{name: val, source: comment})
			continue
		}
		if len(out) == 0 {
			tb.Fatalf("%q before the first vector", line)
		}
		v := &out[len(out)-1]
		switch key {
		case "hex":
			if v.raw, err = hex.DecodeString(val); err != nil {
				tb.Fatalf("%s: %v", v.name, err)
			}
		case "msg":
			v.msgs = append(v.msgs, val)
		case "err":
			v.err = val
		default:
			tb.Fatalf("%s: unknown key %q", v.name, key)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// render spells the fields of m a user would check, with the blob as its
// length and first bytes.
func render(m *Message) string {
	blob := "-"
	if m.SecurityBlob != nil {
		blob = fmt.Sprintf("%d:%x", len(m.SecurityBlob), m.SecurityBlob[:min(4, len(m.SecurityBlob))])
	}
	dialect := "-"
	if m.Dialect != 0 {
		dialect = strings.ReplaceAll(m.DialectName(), " ", "_")
	}
	path := "-"
	if m.TreePath != "" {
		path = m.TreePath
	}
	return fmt.Sprintf("cmd=%v resp=%v status=%v mid=%d sid=0x%x tid=0x%x signed=%v dialect=%s blob=%s sflags=0x%x path=%s trunc=%v",
		m.Command, m.Response, m.Status, m.MessageID, m.SessionID, m.TreeID, m.Signed, dialect, blob, m.SessionFlags, path, m.Truncated)
}

// sentinel names the error's class: "encrypted", "smb1", "truncated",
// "malformed", "unsupported", or the error text if none applies.
func sentinel(err error) string {
	switch {
	case errors.Is(err, ErrEncrypted):
		return "encrypted"
	case errors.Is(err, ErrSMB1):
		return "smb1"
	case errors.Is(err, wire.ErrTruncated):
		return "truncated"
	case errors.Is(err, wire.ErrMalformed):
		return "malformed"
	case errors.Is(err, wire.ErrUnsupported):
		return "unsupported"
	}
	return err.Error()
}
