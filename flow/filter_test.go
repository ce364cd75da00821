package flow

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestOnlyClient: the client's flows and their findings stay, renumbered;
// so do the capture-wide findings that name no client or this one; those
// of other clients go, also the client findings that belong to no flow
// (DNS_KDC_LOCATOR_FAILED names a client only), which made it index
// flow -1 and panic.
func TestOnlyClient(t *testing.T) {
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	r := Result{
		Flows: []Flow{{Client: b}, {Client: a}},
		Findings: []Finding{
			{ID: "b-flow", flow: 0},
			{ID: "a-flow", flow: 1},
			{ID: "capture", flow: -1},
			{ID: "b-client", Client: b.String(), flow: -1},
			{ID: "a-client", Client: a.String(), flow: -1},
		},
	}
	r.OnlyClient(a)
	if len(r.Flows) != 1 || r.Flows[0].Client != a {
		t.Fatalf("flows %+v, want a's only", r.Flows)
	}
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID)
		if f.ID == "a-flow" && f.flow != 0 {
			t.Errorf("a's finding points at flow %d, want 0", f.flow)
		}
	}
	if want := "[a-flow capture a-client]"; fmt.Sprint(ids) != want {
		t.Errorf("findings %v, want %s", ids, want)
	}
}
