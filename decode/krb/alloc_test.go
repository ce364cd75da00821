package krb

import "testing"

// TestParseAllocs pins the allocations of decoding the lab's requests: the
// Message, one exactly sized slice per list (cname and sname components,
// etypes, padata types) and for a TGS-REQ the TGT's Ticket. Realms and
// name components come from the intern table, the decoder state from a
// pool (decoders).
func TestParseAllocs(t *testing.T) {
	for _, tc := range []struct {
		typ  MsgType
		want float64
	}{
		{MsgASReq, 5},
		{MsgTGSReq, 6},
	} {
		p := labMessage(t, tc.typ)
		if got := testing.AllocsPerRun(100, func() { Parse(p) }); got > tc.want {
			t.Errorf("%v: %v allocs per Parse, want <= %v", tc.typ, got, tc.want)
		}
	}
}
