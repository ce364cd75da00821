package report

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// manyFlows is a report of n flows: every third one failed, with an
// error finding whose remedy leads its block, and a KRB_PREAUTH_REQUIRED
// info finding that must never lead.
func manyFlows(n int) *Report {
	r := &Report{Version: SchemaVersion, Messages: []Message{}, Anomalies: []string{}}
	ints := func(v int) *int { return &v }
	for i := range n {
		f := Flow{Client: fmt.Sprintf("10.0.%d.%d", i/250, i%250+1), Server: "www.example.test", Service: "http",
			SPN: "HTTP/www.example.test", Outcome: "kerberos_ok"}
		for j, id := range []string{"name_resolution", "kdc_discovery", "connect", "challenge", "tgt", "service_ticket", "ap_req", "result"} {
			f.Steps = append(f.Steps, Step{Step: id, Status: "ok", Frames: []int{10*i + j + 1}, Detail: fmt.Sprintf("step %d of flow %d", j+1, i+1)})
		}
		if i%3 == 0 {
			f.Outcome = "failed"
			f.Steps[5].Status = "failed"
			r.Findings = append(r.Findings, Finding{ID: "KRB_S_PRINCIPAL_UNKNOWN", Severity: "error", Flow: ints(i + 1),
				Frames: []int{10*i + 6}, Summary: fmt.Sprintf("no SPN for flow %d", i+1), Remedy: "register the SPN"})
		}
		r.Findings = append(r.Findings, Finding{ID: "KRB_PREAUTH_REQUIRED", Severity: "info", Flow: ints(i + 1),
			Frames: []int{10*i + 5}, Summary: "pre-authentication asked", Remedy: "none"})
		r.Flows = append(r.Flows, f)
	}
	return r
}

// TestTableParallel renders enough flows for flowTables to use every core
// and checks the bytes are those of one core, and that each flow's block
// is in its place with its own lead.
func TestTableParallel(t *testing.T) {
	n := 5*flowBatch + 7 // a partial last batch
	render := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var buf bytes.Buffer
		if err := Table(&buf, manyFlows(n), RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	one, many := render(1), render(4)
	if one != many {
		t.Fatalf("table with 4 cores differs from 1 core")
	}
	last := 0
	for i := 1; i <= n; i++ {
		at := strings.Index(one, fmt.Sprintf("\nFlow %d: ", i))
		if at < last {
			t.Fatalf("flow %d's block is at %d, before flow %d's at %d", i, at, i-1, last)
		}
		last = at
		block := one[at:]
		if next := strings.Index(block[1:], "\nFlow "); next >= 0 {
			block = block[:next+1]
		}
		lead := fmt.Sprintf("error KRB_S_PRINCIPAL_UNKNOWN: no SPN for flow %d\n", i)
		if got := strings.Contains(block, lead); got != ((i-1)%3 == 0) {
			t.Errorf("flow %d: lead %q present: %v", i, lead, got)
		}
		if strings.Contains(block, "info KRB_PREAUTH_REQUIRED") {
			t.Errorf("flow %d: KRB_PREAUTH_REQUIRED leads the block", i)
		}
		if want := fmt.Sprintf("step 8 of flow %d", i); !strings.Contains(block, want) {
			t.Errorf("flow %d: block lacks %q", i, want)
		}
	}
}
