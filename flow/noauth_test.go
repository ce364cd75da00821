package flow_test

import (
	"os"
	"path/filepath"
	"slices"
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
	return sharedMSExample(t, "MS-WSUSOD_Example1_W2K16_X64_W2K16_X64_Domain.cap")
}

// sharedMSExample analyzes one of Microsoft's example captures from the
// shared captures, or skips the test when they are not beside the project.
func sharedMSExample(t *testing.T, name string) *flow.Result {
	t.Helper()
	path := filepath.Join(testutil.RepoRoot(t), "..", "shared", "captures", "ms-prot-od-netcaps", name)
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

// TestNoAuthTrafficNamesAnonymousHTTP reads MS-WSUSOD Example 4, where two
// Windows 10 clients POST to the WSUS server on port 8530 and get 200
// without any request for authentication (frames 13 and 155): the capture
// holds no authentication at all, and the finding says why.
func TestNoAuthTrafficNamesAnonymousHTTP(t *testing.T) {
	res := sharedMSExample(t, "MS-WSUSOD_Example4_W2K16_X64_Win10_X64_Domain.cap")
	var f *flow.Finding
	for i := range res.Findings {
		if res.Findings[i].ID == "CAPTURE_NO_AUTH_TRAFFIC" {
			f = &res.Findings[i]
		}
	}
	if f == nil {
		t.Fatal("no CAPTURE_NO_AUTH_TRAFFIC finding")
	}
	if !slices.Equal(f.Frames, []int{13, 155}) {
		t.Errorf("frames %v, want [13 155]", f.Frames)
	}
	if !strings.Contains(f.Summary, "ms-wsusod-l-dss:8530 answered without asking for authentication") {
		t.Errorf("summary does not name the server that asked for none: %s", f.Summary)
	}
}
