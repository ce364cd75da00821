package ldap

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/vectorfile"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// vector is one block of testdata/vectors.txt: an LDAPMessage from a
// public capture and what Parse must return, checked against tshark.
type vector struct {
	name   string
	source string
	raw    []byte
	want   string // render() of the message
	err    string // sentinel() of the error, "" for none
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
			case "want":
				v.want = l.Value
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

// render spells the fields a user would check; byte slices as their length
// and first bytes; empty fields are left out.
func render(m *Message) string {
	if m == nil {
		return "nil"
	}
	f := []string{fmt.Sprintf("id=%d op=%v", m.MessageID, m.Op)}
	add := func(k string, v any, zero bool) {
		if !zero {
			f = append(f, fmt.Sprintf("%s=%v", k, v))
		}
	}
	blob := func(b []byte) string { return fmt.Sprintf("%d:%x", len(b), b[:min(4, len(b))]) }
	add("version", m.Version, m.Version == 0)
	add("name", fmt.Sprintf("%q", m.Name), m.Name == "")
	add("auth", m.Auth, m.Auth == "")
	add("mech", m.SASLMechanism, m.SASLMechanism == "")
	add("creds", blob(m.Credentials), m.Credentials == nil)
	add("pwlen", m.PasswordLen, m.PasswordLen == 0)
	add("result", m.ResultCode, !m.Op.isResult())
	add("matched", fmt.Sprintf("%q", m.MatchedDN), m.MatchedDN == "")
	add("diag", fmt.Sprintf("%q", m.DiagnosticMessage), m.DiagnosticMessage == "")
	add("srvcreds", blob(m.ServerSASLCreds), m.ServerSASLCreds == nil)
	add("base", fmt.Sprintf("%q", m.BaseDN), m.BaseDN == "")
	add("filter", fmt.Sprintf("%q", m.Filter), m.Filter == "")
	add("attrs", strings.Join(m.Attributes, ","), m.Attributes == nil)
	add("reqname", m.RequestName, m.RequestName == "")
	add("trunc", m.Truncated, !m.Truncated)
	return strings.Join(f, " ")
}

// sentinel names the error's class.
func sentinel(err error) string {
	switch {
	case errors.Is(err, ErrSASLWrapped):
		return "sasl"
	case errors.Is(err, ErrTLS):
		return "tls"
	case errors.Is(err, wire.ErrTruncated):
		return "truncated"
	case errors.Is(err, wire.ErrMalformed):
		return "malformed"
	case errors.Is(err, wire.ErrUnsupported):
		return "unsupported"
	}
	return err.Error()
}
