package report

import "strings"

// outline.go holds what the Markdown and HTML reports both lead with: per
// flow its outcome, the first step that went wrong and what to do about it.

// headline is the summary line of one flow.
type headline struct {
	N    int   // 1-based flow number
	Flow *Flow // the flow
	// Step is the first failed step (or, for a flow that did not end in
	// Kerberos, the first missing one), nil when none; StepN is its 1-based number.
	Step  *Step
	StepN int
	// Finding is the flow's most severe error or warning, nil when none.
	Finding *Finding
	// Findings are all findings about the flow, in report order.
	Findings []*Finding
}

func headlines(r *Report) []headline {
	out := make([]headline, len(r.Flows))
	for i := range r.Flows {
		f := &r.Flows[i]
		out[i] = headline{N: i + 1, Flow: f}
		if si := firstFailure(f); si >= 0 {
			out[i].Step, out[i].StepN = &f.Steps[si], si+1
		}
	}
	// One pass over the findings, in their order, not one per flow: a
	// capture of 20,000 flows has some 60,000 findings.
	for j := range r.Findings {
		fd := &r.Findings[j]
		if fd.Flow == nil || *fd.Flow < 1 || *fd.Flow > len(out) {
			continue
		}
		h := &out[*fd.Flow-1]
		h.Findings = append(h.Findings, fd)
		if h.Finding == nil && fd.Severity != "info" {
			h.Finding = fd
		}
	}
	return out
}

// firstFailure returns the index of the first failed step; for a flow that
// did not succeed and has none, the first missing step from step 3 on
// (steps 1 and 2 may be missing for want of a capture, not of a client),
// as the table report leads; else -1.
func firstFailure(f *Flow) int {
	for i, s := range f.Steps {
		if s.Status == "failed" {
			return i
		}
	}
	if f.Outcome == "kerberos_ok" {
		return -1
	}
	for i := 2; i < len(f.Steps); i++ {
		if f.Steps[i].Status == "missing" {
			return i
		}
	}
	return -1
}

// otherFindings are the findings tied to no flow.
func otherFindings(r *Report) []*Finding {
	var out []*Finding
	for i := range r.Findings {
		if fl := r.Findings[i].Flow; fl == nil || *fl < 1 || *fl > len(r.Flows) {
			out = append(out, &r.Findings[i])
		}
	}
	return out
}

// severityCounts counts the findings per severity.
func severityCounts(fs []Finding) (errors, warnings, infos int) {
	for _, f := range fs {
		switch f.Severity {
		case "error":
			errors++
		case "warning":
			warnings++
		default:
			infos++
		}
	}
	return errors, warnings, infos
}

// frameList is the frames column: the refs ("file#frame") when captures
// were merged into one timeline, else the frame numbers.
func frameList(frames []int, refs []string) string {
	if len(refs) > 0 {
		return strings.Join(refs, ", ")
	}
	return framesText(frames)
}
