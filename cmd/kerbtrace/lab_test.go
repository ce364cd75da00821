package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// labSmokeScenarios are re-captured on every CI run: the success flow and
// one failure.
var labSmokeScenarios = []string{"success", "spn-missing"}

// diagnosis is what must not change when a scenario is captured again:
// frame numbers and times may, the steps' verdicts and findings may not.
func diagnosis(t *testing.T, report []byte) string {
	t.Helper()
	var r struct {
		Flows []struct {
			Client, Server, Service, SPN, Outcome string
			Steps                                 []struct{ Step, Status string }
			Findings                              []string
		}
		Findings []struct{ ID, Severity string }
	}
	if err := json.Unmarshal(report, &r); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	var b strings.Builder
	for _, f := range r.Flows {
		fmt.Fprintf(&b, "flow %s -> %s (%s) spn=%s outcome=%s findings=%v\n", f.Client, f.Server, f.Service, f.SPN, f.Outcome, f.Findings)
		for _, s := range f.Steps {
			fmt.Fprintf(&b, "  %s %s\n", s.Step, s.Status)
		}
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "finding %s %s\n", f.Severity, f.ID)
	}
	return b.String()
}

// TestLabSmoke starts the lab (real KDC, web server, DNS and clients in
// network namespaces), captures the smoke scenarios afresh and checks that
// kerbtrace's diagnosis of them is the committed one. It needs root and the
// lab's packages, so it runs only with KERBTRACE_LAB=1 (as .ci/run sets).
func TestLabSmoke(t *testing.T) {
	if os.Getenv("KERBTRACE_LAB") != "1" {
		t.Skip("set KERBTRACE_LAB=1 to start the lab (needs root and the packages in .ci/run)")
	}
	root := testutil.RepoRoot(t)
	out := t.TempDir()
	args := append([]string{filepath.Join(root, "testdata", "lab", "lab.sh"), "run", "--out", out}, labSmokeScenarios...)
	cmd := exec.Command("bash", args...)
	cmd.Dir = root
	logs, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("lab.sh run: %v\n%s", err, logs)
	}
	for _, name := range labSmokeScenarios {
		t.Run(name, func(t *testing.T) {
			fresh, _ := analyzeOut(t, "--format", "json", "--fail-on", "never", filepath.Join(out, name+".pcap"))
			golden, err := os.ReadFile(filepath.Join(root, "testdata", "golden", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			got, want := diagnosis(t, fresh), diagnosis(t, golden)
			if got != want {
				t.Errorf("the lab's fresh %s capture is diagnosed differently from the committed one:\n%s", name, testutil.Diff(want, got))
			}
		})
	}
}
