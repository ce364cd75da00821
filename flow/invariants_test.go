package flow_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/kerbtrace/kerbtrace/flow"
)

var (
	validStatus  = []flow.Status{flow.StatusOK, flow.StatusFailed, flow.StatusMissing, flow.StatusSkipped, flow.StatusNotApplicable}
	validOutcome = []flow.Outcome{flow.OutcomeKerberosOK, flow.OutcomeNTLMFallback, flow.OutcomeFailed, flow.OutcomeIncomplete}
)

// TestResultInvariants checks, on every lab capture, what the report and
// the JSON contract (spec/report-json.md) rely on: eight steps in order with
// known statuses, findings from the catalogue ordered by severity then first
// frame, each flow listing exactly its findings, frame numbers in the file.
func TestResultInvariants(t *testing.T) {
	ids := flow.IDs()
	for _, ext := range []string{".pcap", ".pcapng"} {
		for _, file := range labCaptureFiles(t, ext) {
			t.Run(file, func(t *testing.T) {
				l := labCapture(t, file)
				packets := l.dec.Captures[0].Packets
				checkFrames := func(what string, fr []int) {
					if !sort.IntsAreSorted(fr) {
						t.Errorf("%s: frames %v not in order", what, fr)
					}
					for i, n := range fr {
						if n < 1 || n > packets || i > 0 && fr[i-1] == n {
							t.Errorf("%s: frames %v: %d is repeated or outside 1..%d", what, fr, n, packets)
						}
					}
				}
				r := l.res
				for fi := range r.Flows {
					f := &r.Flows[fi]
					name := fmt.Sprintf("flow %d", fi+1)
					for i, s := range f.Steps {
						if s.ID != flow.Steps[i] {
							t.Errorf("%s: step %d is %s, want %s", name, i+1, s.ID, flow.Steps[i])
						}
						if !slices.Contains(validStatus, s.Status) {
							t.Errorf("%s: step %s has status %q", name, s.ID, s.Status)
						}
						if s.Detail == "" {
							t.Errorf("%s: step %s (%s) has no detail", name, s.ID, s.Status)
						}
						checkFrames(name+" step "+s.ID.String(), s.Frames)
					}
					if !slices.Contains(validOutcome, f.Outcome) {
						t.Errorf("%s: outcome %q", name, f.Outcome)
					}
					if f.Outcome == flow.OutcomeKerberosOK &&
						(f.Step(flow.StepAuthenticatedRequest).Status != flow.StatusOK || f.Step(flow.StepAcceptance).Status != flow.StatusOK) &&
						f.Service != "krbtgt" {
						t.Errorf("%s: outcome %s without an accepted AP-REQ (steps 7, 8: %s, %s)", name, f.Outcome,
							f.Step(flow.StepAuthenticatedRequest).Status, f.Step(flow.StepAcceptance).Status)
					}
					var mine []string
					for _, fd := range r.Findings {
						if fd.FlowOf() == fi {
							mine = append(mine, fd.ID)
							if fd.Client != f.Client.String() {
								t.Errorf("%s: finding %s names client %q, the flow %s", name, fd.ID, fd.Client, f.Client)
							}
						}
					}
					if !slices.Equal(f.Findings, mine) && len(f.Findings)+len(mine) > 0 {
						t.Errorf("%s: lists findings %v, the result has %v for it", name, f.Findings, mine)
					}
				}
				for i, fd := range r.Findings {
					if _, ok := slices.BinarySearch(ids, fd.ID); !ok {
						t.Errorf("finding %s is not in the catalogue", fd.ID)
					}
					if fd.Summary == "" || fd.Cause == "" || fd.Remedy == "" {
						t.Errorf("finding %s lacks summary, cause or remedy", fd.ID)
					}
					if fi := fd.FlowOf(); fi < -1 || fi >= len(r.Flows) {
						t.Errorf("finding %s points at flow %d of %d", fd.ID, fi, len(r.Flows))
					}
					checkFrames("finding "+fd.ID, fd.Frames)
					if i > 0 && !findingBefore(&r.Findings[i-1], &fd) {
						t.Errorf("findings out of order: %s (%s, %v) before %s (%s, %v)", r.Findings[i-1].ID,
							r.Findings[i-1].Severity, r.Findings[i-1].Frames, fd.ID, fd.Severity, fd.Frames)
					}
				}
			})
		}
	}
}

// findingBefore is the order of spec/report-json.md: by severity (most
// severe first), then first frame.
func findingBefore(a, b *flow.Finding) bool {
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	first := func(f *flow.Finding) int {
		if len(f.Frames) == 0 {
			return 1 << 30
		}
		return f.Frames[0]
	}
	return first(a) <= first(b)
}
