package dns

import (
	"testing"
)

// TestParseAllocs pins the allocations of decoding typical lab messages:
// a query is one allocation (the Message with its question), a response
// one more for all its records. Names, addresses and SRV text come from the
// intern table, so repeated messages allocate no strings.
func TestParseAllocs(t *testing.T) {
	srv := labSRVResponse(t)
	var query []byte
	for _, p := range labDNS(t) {
		if m, err := Parse(p); err == nil && !m.Response && len(m.Questions) == 1 {
			query = p
			break
		}
	}
	for _, tc := range []struct {
		name string
		msg  []byte
		want float64
	}{
		{"SRV response with A/AAAA glue", srv, 2},
		{"query", query, 1},
	} {
		if got := testing.AllocsPerRun(100, func() { Parse(tc.msg) }); got > tc.want {
			t.Errorf("%s: %v allocs per Parse, want <= %v", tc.name, got, tc.want)
		}
	}
}
