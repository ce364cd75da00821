// Package diff compares two kerbtrace JSON reports (from
// 'kerbtrace analyze --format json', the contract of spec/report-json.md)
// and lists what changed that matters to a regression test on golden
// captures: findings added or gone, severities changed, flows added or
// gone, flow outcomes and step statuses changed.
//
// Flows are matched by client, server and service (the k-th flow with the
// same key in each report); findings by id, client and server. Frame
// numbers, times, summaries, SPNs and message lists are ignored, so that a
// re-made capture with renumbered frames compares equal when its diagnosis
// is the same.
//
// It does not read captures, and it does not judge the texts of details,
// causes or remedies: only ids, statuses and outcomes.
package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kerbtrace/kerbtrace/report"
)

// Kind says what a Change is about.
type Kind string

// Change kinds.
const (
	FindingAdded    Kind = "finding_added"
	FindingGone     Kind = "finding_gone"
	SeverityChanged Kind = "severity_changed"
	FlowAdded       Kind = "flow_added"
	FlowGone        Kind = "flow_gone"
	OutcomeChanged  Kind = "outcome_changed"
	StepChanged     Kind = "step_changed"
)

// Change is one difference that matters.
type Change struct {
	Kind  Kind
	Flow  string // "client -> server (service)", "" for capture-wide findings
	What  string // the finding id or the step id, "" for flows and outcomes
	Old   string // the old severity, status or outcome ("" when added)
	New   string // the new one ("" when gone)
	Worse bool   // the diagnosis got worse
	Note  string // the new (or, when gone, old) finding's summary
}

// Result is every change, in the order of the new report's flows, then
// capture-wide findings.
type Result struct {
	Changes []Change
}

// Worse reports whether any change made things worse.
func (r *Result) Worse() bool {
	for _, c := range r.Changes {
		if c.Worse {
			return true
		}
	}
	return false
}

// Load parses a JSON report and checks its version.
func Load(rd io.Reader) (*report.Report, error) {
	var r report.Report
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("diff: not a kerbtrace JSON report: %w", err)
	}
	if r.Version != report.SchemaVersion {
		return nil, fmt.Errorf("diff: report version %q, want %q", r.Version, report.SchemaVersion)
	}
	return &r, nil
}

var severityRank = map[string]int{"info": 0, "warning": 1, "error": 2}

// statusRank orders step statuses from healthy to broken.
var statusRank = map[string]int{"ok": 0, "skipped": 0, "not_applicable": 0, "missing": 1, "failed": 2}

// outcomeRank orders outcomes from healthy to broken.
var outcomeRank = map[string]int{"kerberos_ok": 0, "incomplete": 1, "ntlm_fallback": 1, "failed": 2}

func flowKey(f *report.Flow) string {
	return fmt.Sprintf("%s -> %s (%s)", f.Client, f.Server, f.Service)
}

// Compare lists what changed from old to new.
func Compare(old, new *report.Report) *Result {
	res := &Result{}
	oldFlows := pairIndex(old.Flows)
	usedOld := map[int]bool{}
	// Flows of the new report, in order, with their old counterpart.
	seen := map[string]int{}
	pairs := make([]int, len(new.Flows))
	for i := range new.Flows {
		k := flowKey(&new.Flows[i])
		n := seen[k]
		seen[k]++
		pairs[i] = -1
		if n < len(oldFlows[k]) {
			pairs[i] = oldFlows[k][n]
			usedOld[pairs[i]] = true
		}
	}
	for i := range new.Flows {
		nf := &new.Flows[i]
		key := flowKey(nf)
		if pairs[i] < 0 {
			res.Changes = append(res.Changes, Change{Kind: FlowAdded, Flow: key, New: nf.Outcome, Worse: nf.Outcome != "kerberos_ok"})
			res.Changes = append(res.Changes, findingChanges(key, nil, flowFindings(new, i))...)
			continue
		}
		of := &old.Flows[pairs[i]]
		if of.Outcome != nf.Outcome {
			res.Changes = append(res.Changes, Change{Kind: OutcomeChanged, Flow: key, Old: of.Outcome, New: nf.Outcome,
				Worse: outcomeRank[nf.Outcome] > outcomeRank[of.Outcome] || of.Outcome == "kerberos_ok"})
		}
		res.Changes = append(res.Changes, stepChanges(key, of, nf)...)
		res.Changes = append(res.Changes, findingChanges(key, flowFindings(old, pairs[i]), flowFindings(new, i))...)
	}
	for i := range old.Flows {
		if usedOld[i] {
			continue
		}
		of := &old.Flows[i]
		key := flowKey(of)
		res.Changes = append(res.Changes, Change{Kind: FlowGone, Flow: key, Old: of.Outcome, Worse: of.Outcome == "kerberos_ok"})
		res.Changes = append(res.Changes, findingChanges(key, flowFindings(old, i), nil)...)
	}
	res.Changes = append(res.Changes, findingChanges("", flowFindings(old, -1), flowFindings(new, -1))...)
	return res
}

// pairIndex maps each flow key to the indices of the flows with it.
func pairIndex(fs []report.Flow) map[string][]int {
	m := map[string][]int{}
	for i := range fs {
		k := flowKey(&fs[i])
		m[k] = append(m[k], i)
	}
	return m
}

func stepChanges(key string, of, nf *report.Flow) []Change {
	var out []Change
	old := map[string]string{}
	for _, s := range of.Steps {
		old[s.Step] = s.Status
	}
	for _, s := range nf.Steps {
		o, ok := old[s.Step]
		if !ok || o == s.Status {
			continue
		}
		out = append(out, Change{Kind: StepChanged, Flow: key, What: s.Step, Old: o, New: s.Status,
			Worse: statusRank[s.Status] > statusRank[o]})
	}
	return out
}

// flowFindings returns the findings of flow i (0-based; -1: capture-wide).
func flowFindings(r *report.Report, i int) []*report.Finding {
	var out []*report.Finding
	for j := range r.Findings {
		f := &r.Findings[j]
		switch {
		case i < 0 && f.Flow == nil:
			out = append(out, f)
		case i >= 0 && f.Flow != nil && *f.Flow == i+1:
			out = append(out, f)
		}
	}
	return out
}

func findingKey(f *report.Finding) string {
	return strings.Join([]string{f.ID, f.Client, f.Server}, "|")
}

// findingChanges pairs findings by key, in order; what is left over was
// added or is gone.
func findingChanges(flow string, old, new []*report.Finding) []Change {
	var out []Change
	byKey := map[string][]*report.Finding{}
	for _, f := range old {
		k := findingKey(f)
		byKey[k] = append(byKey[k], f)
	}
	for _, f := range new {
		k := findingKey(f)
		if q := byKey[k]; len(q) > 0 {
			o := q[0]
			byKey[k] = q[1:]
			if o.Severity != f.Severity {
				out = append(out, Change{Kind: SeverityChanged, Flow: flow, What: f.ID, Old: o.Severity, New: f.Severity,
					Worse: severityRank[f.Severity] > severityRank[o.Severity], Note: f.Summary})
			}
			continue
		}
		out = append(out, Change{Kind: FindingAdded, Flow: flow, What: f.ID, New: f.Severity,
			Worse: severityRank[f.Severity] >= severityRank["warning"], Note: f.Summary})
	}
	for _, f := range old {
		k := findingKey(f)
		if q := byKey[k]; len(q) > 0 && q[0] == f {
			byKey[k] = q[1:]
			out = append(out, Change{Kind: FindingGone, Flow: flow, What: f.ID, Old: f.Severity, Note: f.Summary})
		}
	}
	return out
}

// Write prints the changes as a list a person reads, one per line with the
// finding's summary indented under it, and a last line counting them.
func Write(w io.Writer, r *Result) error {
	var b strings.Builder
	for _, c := range r.Changes {
		mark := " "
		if c.Worse {
			mark = "!"
		}
		where := c.Flow
		if where == "" {
			where = "capture"
		}
		switch c.Kind {
		case FlowAdded:
			fmt.Fprintf(&b, "%s + flow %s: new, outcome %s\n", mark, where, c.New)
		case FlowGone:
			fmt.Fprintf(&b, "%s - flow %s: gone (outcome was %s)\n", mark, where, c.Old)
		case OutcomeChanged:
			fmt.Fprintf(&b, "%s ~ flow %s: outcome %s -> %s\n", mark, where, c.Old, c.New)
		case StepChanged:
			fmt.Fprintf(&b, "%s ~ flow %s: step %s %s -> %s\n", mark, where, c.What, c.Old, c.New)
		case FindingAdded:
			fmt.Fprintf(&b, "%s + [%s] %s (%s)\n", mark, strings.ToUpper(c.New), c.What, where)
		case FindingGone:
			fmt.Fprintf(&b, "%s - [%s] %s (%s)\n", mark, strings.ToUpper(c.Old), c.What, where)
		case SeverityChanged:
			fmt.Fprintf(&b, "%s ~ %s (%s): severity %s -> %s\n", mark, c.What, where, c.Old, c.New)
		}
		if c.Note != "" {
			fmt.Fprintf(&b, "      %s\n", report.Sanitize(c.Note))
		}
	}
	worse := 0
	for _, c := range r.Changes {
		if c.Worse {
			worse++
		}
	}
	switch {
	case len(r.Changes) == 0:
		b.WriteString("No change that matters.\n")
	default:
		fmt.Fprintf(&b, "%d %s, %d worse (marked !).\n", len(r.Changes), plural(len(r.Changes), "change", "changes"), worse)
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
