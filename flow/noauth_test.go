package flow_test

import (
	"os"
	"path/filepath"
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
	res := flow.Analyze(d.Result())
	var f *flow.Flow
	for i := range res.Flows {
		if res.Flows[i].Server == "ms-wsusod-l-uss:8530" {
			f = &res.Flows[i]
		}
	}
	if f == nil {
		t.Fatal("no flow to ms-wsusod-l-uss:8530")
	}
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

func flowIndex(r *flow.Result, f *flow.Flow) int {
	for i := range r.Flows {
		if &r.Flows[i] == f {
			return i
		}
	}
	return -1
}
