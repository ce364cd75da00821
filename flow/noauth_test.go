package flow_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestServerAskedNoAuthentication reads MS-WSUSOD Example 1 (Microsoft's
// capture of a WSUS server on port 8530 answering 200 to a POST that
// carries no Authorization): no ticket was needed, so steps 5 to 8 are
// not_applicable and the report leads with no missing step.
func TestServerAskedNoAuthentication(t *testing.T) {
	res := wsusExample1(t)
	f := findFlow(t, res, "to ms-wsusod-l-uss:8530", func(f *flow.Flow) bool { return f.Server == "ms-wsusod-l-uss:8530" })
	if got, want := stepStatuses(f), "ok ok ok not_applicable not_applicable not_applicable not_applicable not_applicable"; got != want {
		t.Errorf("steps = %s\nwant    %s", got, want)
	}
	if f.Outcome != flow.OutcomeIncomplete {
		t.Errorf("outcome = %s, want incomplete", f.Outcome)
	}
	if fs := findingsOf(res, flowIndex(res, f)); len(fs) != 0 {
		t.Errorf("findings about the flow: %v", fs)
	}
}

// findFlow returns the last flow of r that match accepts, or fails the test
// saying there is no flow what.
func findFlow(t *testing.T, r *flow.Result, what string, match func(*flow.Flow) bool) *flow.Flow {
	t.Helper()
	var found *flow.Flow
	for i := range r.Flows {
		if match(&r.Flows[i]) {
			found = &r.Flows[i]
		}
	}
	if found == nil {
		t.Fatalf("no flow %s", what)
	}
	return found
}

func flowIndex(r *flow.Result, f *flow.Flow) int {
	for i := range r.Flows {
		if &r.Flows[i] == f {
			return i
		}
	}
	return -1
}

// wsusExample1 analyzes MS-WSUSOD Example 1 from the shared captures, or
// skips the test when they are not beside the project.
func wsusExample1(t *testing.T) *flow.Result {
	t.Helper()
	path := filepath.Join(testutil.RepoRoot(t), "..", "shared", "captures", "ms-prot-od-netcaps",
		"MS-WSUSOD_Example1_W2K16_X64_W2K16_X64_Domain.cap")
	fh, err := os.Open(path)
	if err != nil {
		t.Skipf("shared capture not available: %v", err)
	}
	defer fh.Close()
	d := decode.NewDissector()
	if err := d.Add(filepath.Base(path), fh); err != nil {
		t.Fatal(err)
	}
	return flow.Analyze(d.Result())
}

// TestTicketToOwnAccount reads MS-WSUSOD Example 1, where the machine
// MS-WSUSOD-L-DSS$ asks the KDC for a ticket to its own account (TGS-REQ
// frame 2174, TGS-REP frame 2177, sname = cname = MS-WSUSOD-L-DSS$): the flow
// names the account as its server, says so in its steps, looks up no host
// name, and the ticket is the whole exchange.
func TestTicketToOwnAccount(t *testing.T) {
	res := wsusExample1(t)
	f := findFlow(t, res, "for the SPN MS-WSUSOD-L-DSS$", func(f *flow.Flow) bool { return f.SPN == "MS-WSUSOD-L-DSS$" })
	if f.Server != "MS-WSUSOD-L-DSS$" || f.Service != "account" {
		t.Errorf("server %q, service %q; want MS-WSUSOD-L-DSS$, account", f.Server, f.Service)
	}
	if got, want := stepStatuses(f), "not_applicable not_applicable not_applicable not_applicable ok ok not_applicable not_applicable"; got != want {
		t.Errorf("steps = %s\nwant    %s", got, want)
	}
	if s := f.Step(flow.StepTicketRequest); len(s.Frames) != 1 || s.Frames[0] != 2174 {
		t.Errorf("ticket_request frames %v, want [2174]", s.Frames)
	}
	if s := f.Step(flow.StepTicketReply); len(s.Frames) != 1 || s.Frames[0] != 2177 {
		t.Errorf("ticket_reply frames %v, want [2177]", s.Frames)
	}
	if d := f.Step(flow.StepConnect).Detail; !strings.Contains(d, "its own account MS-WSUSOD-L-DSS$") {
		t.Errorf("connect detail %q does not say the ticket is to the client's own account", d)
	}
	if f.Outcome != flow.OutcomeKerberosOK {
		t.Errorf("outcome = %s, want kerberos_ok", f.Outcome)
	}
}
