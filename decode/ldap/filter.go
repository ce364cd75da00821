package ldap

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
)

// Bounds of the filter text: the number of filter items rendered and the
// length of the text. An LDAP ping has 3 to 6 items; anything beyond the
// bounds is cut with "...", which is not an error.
const (
	maxFilterNodes = 128
	maxFilterLen   = 1024
)

// Filter CHOICE tags (RFC 4511 4.5.1.7).
const (
	filterAnd        = 0
	filterOr         = 1
	filterNot        = 2
	filterEquality   = 3
	filterSubstrings = 4
	filterGreater    = 5
	filterLess       = 6
	filterPresent    = 7
	filterApprox     = 8
	filterExtensible = 9
)

// filterWriter renders a Filter as RFC 4515 text.
type filterWriter struct {
	d     *ber.Decoder
	sb    strings.Builder
	nodes int
	cut   bool
}

// String returns the text, with "..." when a bound cut it.
func (w *filterWriter) String() string {
	if w.cut {
		return w.sb.String() + "..."
	}
	return w.sb.String()
}

// write appends s unless the text bound is reached.
func (w *filterWriter) write(s string) {
	if w.cut {
		return
	}
	if w.sb.Len()+len(s) > maxFilterLen {
		w.cut = true
		return
	}
	w.sb.WriteString(s)
}

// filter renders one Filter.
func (w *filterWriter) filter(t ber.TLV) {
	if w.cut {
		return
	}
	if w.nodes++; w.nodes > maxFilterNodes {
		w.cut = true
		return
	}
	if t.Class != ber.ClassContext {
		w.d.Failf(t.Off, "filter tag %d/%d", t.Class, t.Tag)
		return
	}
	if t.Tag == filterPresent {
		if !t.Constructed && !t.Truncated {
			w.write("(" + escape(t.Value) + "=*)")
		}
		return
	}
	if !t.Constructed {
		w.d.Failf(t.Off, "primitive filter [%d]", t.Tag)
		return
	}
	switch t.Tag {
	case filterAnd, filterOr, filterNot:
		w.write("(" + string("&|!"[t.Tag]))
		w.d.Walk(t, w.filter)
		w.write(")")
	case filterEquality, filterGreater, filterLess, filterApprox:
		op := map[int]string{filterEquality: "=", filterGreater: ">=", filterLess: "<=", filterApprox: "~="}[t.Tag]
		w.assertion(t, op)
	case filterSubstrings:
		w.substrings(t)
	case filterExtensible:
		w.extensible(t)
	default:
		w.d.Failf(t.Off, "unknown filter [%d]", t.Tag)
	}
}

// children returns the complete primitive children of t, at most n of
// them (the rest of the walk still checks the framing).
func (w *filterWriter) children(t ber.TLV, n int) []ber.TLV {
	var out []ber.TLV
	w.d.Walk(t, func(c ber.TLV) {
		if len(out) < n && !c.Truncated {
			out = append(out, c)
		}
	})
	return out
}

// assertion renders an AttributeValueAssertion (implicitly tagged).
func (w *filterWriter) assertion(t ber.TLV, op string) {
	c := w.children(t, 2)
	if len(c) < 2 {
		return
	}
	w.write("(" + escape(c[0].Value) + op + value(c[0].Value, c[1].Value) + ")")
}

// substrings renders a SubstringFilter: type and [0] initial, [1] any,
// [2] final parts.
func (w *filterWriter) substrings(t ber.TLV) {
	c := w.children(t, 2)
	if len(c) < 2 || !c[1].Constructed {
		return
	}
	s := escape(c[0].Value) + "="
	var initial, final string
	var anys []string
	w.d.Walk(c[1], func(p ber.TLV) {
		if p.Truncated || len(anys) > maxFilterNodes {
			return
		}
		switch p.Tag {
		case 0:
			initial = escape(p.Value)
		case 1:
			anys = append(anys, escape(p.Value))
		case 2:
			final = escape(p.Value)
		}
	})
	s += initial + "*"
	for _, a := range anys {
		s += a + "*"
	}
	w.write("(" + s + final + ")")
}

// extensible renders a MatchingRuleAssertion: [1] matchingRule, [2] type,
// [3] matchValue, [4] dnAttributes.
func (w *filterWriter) extensible(t ber.TLV) {
	var rule, typ, val string
	dn := false
	w.d.Walk(t, func(p ber.TLV) {
		if p.Truncated {
			return
		}
		switch p.Tag {
		case 1:
			rule = escape(p.Value)
		case 2:
			typ = escape(p.Value)
		case 3:
			val = escape(p.Value)
		case 4:
			dn = len(p.Value) == 1 && p.Value[0] != 0
		}
	})
	s := "(" + typ
	if dn {
		s += ":dn"
	}
	if rule != "" {
		s += ":" + rule
	}
	w.write(s + ":=" + val + ")")
}

// value renders an assertion value. The binary values of the LDAP ping
// (MS-ADTS 6.3.3.1) are shown as Wireshark shows them: NtVer, 4-byte
// little-endian flags, as "0x00000016"; DomainSid as "S-1-5-21-..."; and
// DomainGuid as "a11363fe-3784-4a59-adaa-2dc2560cdadd". Everything else is
// escaped as RFC 4515 says.
func value(attr, v []byte) string {
	switch a := string(attr); {
	case strings.EqualFold(a, "NtVer") && len(v) == 4:
		return fmt.Sprintf("0x%08x", binary.LittleEndian.Uint32(v))
	case strings.EqualFold(a, "DomainGuid") && len(v) == 16:
		return fmt.Sprintf("%08x-%04x-%04x-%x-%x", binary.LittleEndian.Uint32(v),
			binary.LittleEndian.Uint16(v[4:]), binary.LittleEndian.Uint16(v[6:]), v[8:10], v[10:])
	case strings.EqualFold(a, "DomainSid"):
		if s, ok := sidString(v); ok {
			return s
		}
	}
	return escape(v)
}

// sidString formats a binary SID (MS-DTYP 2.4.2.2) as "S-1-5-21-...".
func sidString(v []byte) (string, bool) {
	if len(v) < 8 || v[0] != 1 || len(v) != 8+4*int(v[1]) {
		return "", false
	}
	var auth uint64
	for _, c := range v[2:8] {
		auth = auth<<8 | uint64(c)
	}
	s := fmt.Sprintf("S-%d-%d", v[0], auth)
	for i := 8; i+4 <= len(v); i += 4 {
		s += fmt.Sprintf("-%d", binary.LittleEndian.Uint32(v[i:]))
	}
	return s, true
}

// escape writes an attribute description or value as RFC 4515 3 does:
// '*', '(', ')', '\' and NUL as \XX. A value that is not printable UTF-8
// (binary values such as DomainSid and DomainGuid) is escaped whole.
func escape(v []byte) string {
	v = v[:min(len(v), maxFilterLen)]
	binary := !utf8.Valid(v)
	for _, r := range string(v) {
		if r < 0x20 || r == 0x7f {
			binary = true
		}
	}
	var sb strings.Builder
	for _, c := range v {
		if binary || c == 0 || c == '*' || c == '(' || c == ')' || c == '\\' {
			fmt.Fprintf(&sb, "\\%02x", c)
		} else {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}
