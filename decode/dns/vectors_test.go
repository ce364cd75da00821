package dns

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/vectorfile"
)

// vector is one block of testdata/vectors.txt: a DNS message from a public
// capture and what tshark decoded from it.
type vector struct {
	name, source string
	raw          []byte
	tcp          bool
	fields       map[string]string // id, flags, counts
	records      []string          // "q ...", "an ...", "ns ...", "ar ..." in order
}

func loadVectors(tb testing.TB) []vector {
	tb.Helper()
	var out []vector
	for _, b := range vectorfile.Load(tb, "testdata/vectors.txt") {
		v := vector{name: b.Name, source: b.Source, fields: map[string]string{}}
		for _, l := range b.Lines {
			switch l.Key {
			case "hex":
				v.raw = b.Hex(tb, "hex")
			case "tcp":
				v.tcp = true
			case "q", "an", "ns", "ar":
				v.records = append(v.records, strings.TrimRight(l.String(), " "))
			default:
				v.fields[l.Key] = l.Value
			}
		}
		out = append(out, v)
	}
	return out
}

// message returns the DNS message of a vector, without the TCP prefix.
func (v vector) message(tb testing.TB) []byte {
	tb.Helper()
	if !v.tcp {
		return v.raw
	}
	msg, n, err := SplitTCP(v.raw)
	if err != nil || n != len(v.raw) {
		tb.Fatalf("%s: SplitTCP n=%d of %d: %v", v.name, n, len(v.raw), err)
	}
	return msg
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// render gives m in the line format of testdata/vectors.txt.
func render(m *Message) (fields map[string]string, records []string) {
	b := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	fields = map[string]string{
		"id": fmt.Sprintf("0x%04x", m.ID),
		"flags": fmt.Sprintf("qr=%d opcode=%d aa=%d tc=%d rd=%d rcode=%d", b(m.Response), m.Opcode,
			b(m.Authoritative), b(m.Truncated), b(m.RecursionDesired), m.RCode&0xF),
		"counts": fmt.Sprintf("%d %d %d %d", len(m.Questions), len(m.Answers), len(m.Authority), len(m.Additional)),
	}
	for _, q := range m.Questions {
		records = append(records, fmt.Sprintf("q %s %d", orDash(q.Name), q.Type))
	}
	for _, s := range []struct {
		tag string
		rrs []RR
	}{{"an", m.Answers}, {"ns", m.Authority}, {"ar", m.Additional}} {
		for _, rr := range s.rrs {
			ttl := fmt.Sprint(rr.TTL)
			if rr.Type == TypeOPT {
				ttl = "-"
			}
			records = append(records, strings.TrimRight(fmt.Sprintf("%s %s %d %s %s", s.tag, orDash(rr.Name), rr.Type, ttl, rr.Data), " "))
		}
	}
	return fields, records
}

// TestVectorsAgainstTshark decodes every message of testdata/vectors.txt and
// compares header, counts and every record with tshark's reading.
func TestVectorsAgainstTshark(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 100 {
		t.Fatalf("only %d vectors", len(vs))
	}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			m, err := Parse(v.message(t))
			if err != nil {
				t.Fatalf("%s: %v", v.source, err)
			}
			fields, records := render(m)
			for k, want := range v.fields {
				if fields[k] != want {
					t.Errorf("%s: %s = %q, tshark %q", v.source, k, fields[k], want)
				}
			}
			if strings.Join(records, "\n") != strings.Join(v.records, "\n") {
				t.Errorf("%s: records\n got: %q\nwant: %q", v.source, records, v.records)
			}
		})
	}
}
