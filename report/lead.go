package report

import (
	"bufio"
	"fmt"
	"strings"
)

// leadText writes what a support engineer pastes into a ticket first: the
// flow's first failing step (or, for a flow that did not work, the first
// step missing after the connection) and the remedy of its most severe
// finding, top (leadFindings). A flow that worked gets nothing.
func leadText(w *bufio.Writer, f *Flow, top *Finding) {
	step, num := firstProblem(f)
	if step == nil && (top == nil || top.Severity == "info") {
		return
	}
	if step != nil {
		what := "first failing step"
		if step.Status != "failed" {
			what = "first missing step"
		}
		fmt.Fprintf(w, "  %s: %d %s: %s\n", what, num, step.Step, Sanitize(step.Detail))
	}
	if top != nil {
		fmt.Fprintf(w, "  %s %s: %s\n", strings.ToLower(top.Severity), top.ID, Sanitize(top.Summary))
		fmt.Fprintf(w, "  remedy: %s\n", Sanitize(top.Remedy))
	}
}

// leadFindings returns, for each flow numbered n (from 1), at n-1 the
// finding whose remedy leads its block: its first finding but
// KRB_PREAUTH_REQUIRED (the findings are ordered by severity), or nil.
func leadFindings(r *Report) []*Finding {
	top := make([]*Finding, len(r.Flows))
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Flow == nil || *f.Flow < 1 || *f.Flow > len(top) || f.ID == "KRB_PREAUTH_REQUIRED" {
			continue
		}
		if top[*f.Flow-1] == nil {
			top[*f.Flow-1] = f
		}
	}
	return top
}

// firstProblem returns the first failed step; for a flow whose outcome is
// not kerberos_ok and that has none, the first missing step from step 3 on
// (steps 1 and 2 may be missing for want of a capture, not of a client).
func firstProblem(f *Flow) (*Step, int) {
	for i := range f.Steps {
		if f.Steps[i].Status == "failed" {
			return &f.Steps[i], i + 1
		}
	}
	if f.Outcome == "kerberos_ok" {
		return nil, 0
	}
	for i := 2; i < len(f.Steps); i++ {
		if f.Steps[i].Status == "missing" {
			return &f.Steps[i], i + 1
		}
	}
	return nil, 0
}

// stepFrames is the frames column: the refs ("file#frame") when captures
// were merged, else the frame numbers.
func stepFrames(s *Step) string {
	if len(s.Refs) > 0 {
		return strings.Join(s.Refs, ", ")
	}
	return framesText(s.Frames)
}
