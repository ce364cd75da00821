package flow

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
)

// Analyze rebuilds the flows of a dissection and diagnoses them.
//
// Several captures that show the same conversation (taken on the client and
// on the server) are merged into one timeline first (see merge.go); the
// Result then cites each message by its own capture and frame, with Refs.
func Analyze(in *decode.Result) *Result {
	tl := buildTimeline(in)
	src := in
	if tl != nil {
		src = tl.merged
	}
	a := newAnalyzer(src)
	a.httpFlows()
	a.carrierFlows()
	a.failedConnectFlows()
	a.dnsFailureFlows()
	a.kerberosOnlyFlows()
	a.asOnlyFlows()
	a.kdcFindings()
	a.captureFindings()
	a.proofs() // proof.go: what --keytab decrypted
	if tl != nil {
		a.finding(-1, "CAPTURE_MERGED", nil, "%s.", tl.summary())
	}
	a.finish()
	if tl != nil {
		tl.mapBack(&a.res)
	}
	return &a.res
}

// httpFlows builds one flow per client and web host.
func (a *analyzer) httpFlows() {
	type key struct {
		capture int
		client  netip.Addr
		host    string
	}
	groups := map[key][]*httpTx{}
	var order []key
	for _, t := range a.http {
		k := key{a.msgs[t.req].Capture, t.client.Addr(), t.host}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], t)
	}
	for _, k := range order {
		a.httpFlow(groups[k])
	}
}

// newFlow starts a flow with all eight steps missing.
func newFlow(capture int, client netip.Addr, server, service string) Flow {
	f := Flow{Capture: capture, Client: client, Server: server, Service: service}
	for i, id := range Steps {
		f.Steps[i] = Step{ID: id, Status: StatusMissing}
	}
	return f
}

func (f *Flow) set(id StepID, st Status, detail string, frames ...int) {
	s := f.Step(id)
	s.Status = st
	s.Detail = detail
	s.Frames = sortInts(append(s.Frames, frames...))
}

// addFlow stores a finished flow and returns its index.
func (a *analyzer) addFlow(f Flow) int {
	a.res.Flows = append(a.res.Flows, f)
	return len(a.res.Flows) - 1
}

// finding adds a finding of the catalogue id about flow fi (-1: the capture),
// with the catalogue's severity.
func (a *analyzer) finding(fi int, id string, frames []int, format string, args ...any) {
	e, ok := catalogue[id]
	if !ok {
		panic("flow: finding id not in the catalogue: " + id)
	}
	a.findingAs(fi, id, e.sev, "", frames, format, args...)
}

// clientFinding adds a capture-wide finding that concerns one client
// (there is no flow to take it from).
func (a *analyzer) clientFinding(client netip.Addr, id string, frames []int, format string, args ...any) {
	if fd := a.findingAs(-1, id, catalogue[id].sev, "", frames, format, args...); fd != nil {
		fd.Client = client.String()
	}
}

// findingAs adds a finding with an explicit severity (a catalogue error the
// capture shows the client recovered from is less severe) and SPN ("": the
// flow's), and returns it (nil when the same finding was already made).
func (a *analyzer) findingAs(fi int, id string, sev Severity, spn string, frames []int, format string, args ...any) *Finding {

	e, ok := catalogue[id]
	if !ok {
		panic("flow: finding id not in the catalogue: " + id)
	}
	frames = sortInts(append([]int(nil), frames...))
	dedup := fmt.Sprintf("%d|%s|%v", fi, id, frames)
	if a.seen[dedup] {
		return nil
	}
	a.seen[dedup] = true
	fd := Finding{ID: id, Severity: sev, Frames: frames, Summary: fmt.Sprintf(format, args...),
		Cause: e.cause, Remedy: e.remedy, flow: fi}
	if fi >= 0 {
		f := &a.res.Flows[fi]
		fd.Client, fd.Server, fd.SPN = f.Client.String(), f.Server, f.SPN
		if spn != "" {
			fd.SPN = spn
		}
		fd.Remedy = fillRemedy(fd.Remedy, f, fd.SPN)
	} else {
		fd.SPN = spn
	}
	a.res.Findings = append(a.res.Findings, fd)
	return &a.res.Findings[len(a.res.Findings)-1]
}

// finish orders findings and flows and links each flow to its findings.
func (a *analyzer) finish() {
	for i := range a.res.Flows {
		f := &a.res.Flows[i]
		f.Messages = sortIndices(f.Messages)
		f.first = 0
		for j := range f.Steps {
			f.Steps[j].Frames = sortInts(f.Steps[j].Frames)
			for _, fr := range f.Steps[j].Frames {
				if f.first == 0 || fr < f.first {
					f.first = fr
				}
			}
		}
	}
	fs := a.res.Findings
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Severity != fs[j].Severity {
			return fs[i].Severity > fs[j].Severity
		}
		fi, fj := firstOf(fs[i].Frames), firstOf(fs[j].Frames)
		if fi != fj {
			return fi < fj
		}
		return fs[i].ID < fs[j].ID
	})
	// Flows are ordered by capture and first frame; findings keep pointing
	// at the right flow through a permutation.
	idx := make([]int, len(a.res.Flows))
	for i := range idx {
		idx[i] = i
	}
	flows := a.res.Flows
	sort.SliceStable(idx, func(i, j int) bool {
		x, y := &flows[idx[i]], &flows[idx[j]]
		if x.Capture != y.Capture {
			return x.Capture < y.Capture
		}
		return x.first < y.first
	})
	pos := make([]int, len(flows))
	sorted := make([]Flow, len(flows))
	for to, from := range idx {
		pos[from] = to
		sorted[to] = flows[from]
	}
	for i := range fs {
		if fs[i].flow >= 0 {
			fs[i].flow = pos[fs[i].flow]
			f := &sorted[fs[i].flow]
			f.Findings = append(f.Findings, fs[i].ID)
		}
	}
	a.res.Flows = sorted
}

func firstOf(frames []int) int {
	if len(frames) == 0 {
		return 1 << 62
	}
	return frames[0]
}

// FlowOf returns the index of the flow a finding is about, or -1.
func (f *Finding) FlowOf() int { return f.flow }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func joinFrames(fr []int) string {
	s := make([]string, len(fr))
	for i, f := range fr {
		s[i] = fmt.Sprint(f)
	}
	return strings.Join(s, ", ")
}

// Drop removes the findings with the given ids from the result and from
// the flows that list them.
func (r *Result) Drop(ids []string) {
	if len(ids) == 0 {
		return
	}
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	kept := r.Findings[:0]
	for _, f := range r.Findings {
		if !drop[f.ID] {
			kept = append(kept, f)
		}
	}
	r.Findings = kept
	for i := range r.Flows {
		ids := r.Flows[i].Findings[:0]
		for _, id := range r.Flows[i].Findings {
			if !drop[id] {
				ids = append(ids, id)
			}
		}
		r.Flows[i].Findings = ids
	}
}

// fillRemedy puts the flow's own names into a remedy's placeholders, so that
// the commands can be pasted as they are.
func fillRemedy(s string, f *Flow, spn string) string {
	host, _ := splitHost(f.Server)
	r := strings.NewReplacer("<spn>", orPlaceholder(spn, "<spn>"), "<host>", orPlaceholder(host, "<host>"),
		"<server>", orPlaceholder(host, "<server>"), "<name>", orPlaceholder(host, "<name>"))
	return r.Replace(s)
}

func orPlaceholder(v, p string) string {
	if v == "" {
		return p
	}
	return v
}
