package httpauth

import "testing"

// TestParseHeadAllocs pins the allocations of parsing the lab's heads: the
// Head, the challenge list or credentials, and the decoded token. Lines
// and fields are handled on the stack; method, URI, version, reason and
// host come from the intern table.
func TestParseHeadAllocs(t *testing.T) {
	for _, tc := range []struct {
		name string
		head []byte
		want float64
	}{
		{"GET with Authorization: Negotiate <AP-REQ>", negotiateRequest(t), 3},
		{"401 with Negotiate and NTLM challenges", challengeResponse(t), 2},
	} {
		if got := testing.AllocsPerRun(100, func() { ParseHead(tc.head) }); got > tc.want {
			t.Errorf("%s: %v allocs per ParseHead, want <= %v", tc.name, got, tc.want)
		}
	}
}
