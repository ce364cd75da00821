package smb2

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/vectorfile"
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
	var out []vector
	for _, b := range vectorfile.Load(tb, "testdata/vectors.txt") {
		v := vector{name: b.Name, source: b.Source}
		for _, l := range b.Lines {
			switch l.Key {
			case "hex":
				v.raw = b.Hex(tb, "hex")
			case "msg":
				v.msgs = append(v.msgs, l.Value)
			case "err":
				v.err = l.Value
			default:
				tb.Fatalf("%s: unknown key %q", v.name, l.Key)
			}
		}
		out = append(out, v)
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
