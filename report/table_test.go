package report

import (
	"bufio"
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
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

// TestStepTableRenderers checks that the Ocean renderer the step tables
// use writes the bytes of tablewriter's default renderer, Blueprint, which
// the goldens were made with: cells that wrap, words longer than a column,
// wide and combining characters, empty cells, escapes.
func TestStepTableRenderers(t *testing.T) {
	long := strings.Repeat("x", 100)
	details := []string{
		"",
		"A www.example.test -> 192.0.2.10",
		strings.Repeat("word ", 40),
		"TGS-REP: ticket for HTTP/" + long + "@EXAMPLE.TEST, etype aes256-cts-hmac-sha1-96, kvno 2",
		"名前解決 ホスト名 " + strings.Repeat("長い", 50),
		"e\u0301te\u0301 cafe\u0301 " + strings.Repeat("ü", 80),
		Sanitize("bell\a tab\t esc\x1b[2J end"),
		strings.Repeat("a", 72),
		strings.Repeat("b", 73),
	}
	frames := []string{"", "1", "23, 24, 25, 26, 27, 28, 29, 30, 31, 32", strings.Repeat("9", 30)}
	for i, d := range details {
		render := func(r tw.Renderer) string {
			var buf bytes.Buffer
			bw := bufio.NewWriter(&buf)
			tb := newStepTableWith(bw, r)
			for round := range 2 { // a Reset table renders alike
				tb.Reset()
				tb.Header([]string{"#", "step", "status", "frames", "detail"})
				for j := range 3 {
					if err := tb.Append([]string{fmt.Sprint(j + 1), "ticket_request", "ok", frames[(i+j+round)%len(frames)], d}); err != nil {
						t.Fatal(err)
					}
				}
				if err := tb.Render(); err != nil {
					t.Fatal(err)
				}
			}
			bw.Flush()
			return buf.String()
		}
		ocean := render(renderer.NewOcean())
		blueprint := render(renderer.NewBlueprint())
		if ocean != blueprint {
			t.Errorf("detail %d: Ocean writes\n%s\nBlueprint\n%s", i, ocean, blueprint)
		}
	}
}
