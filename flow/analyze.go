package flow

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
)

// Analyze rebuilds the flows of a dissection and diagnoses them.
//
// Several captures that show the same conversation (taken on the client and
// on the server) are merged into one timeline first (see merge.go); the
// Result then cites each message by its own capture and frame, with Refs.
func Analyze(in *decode.Result) *Result { return AnalyzeIndexed(in, nil) }

// AnalyzeIndexed is Analyze, calling indexed (when not nil) exactly once,
// on the caller's goroutine, once the messages are paired and indexed: the
// part of the analysis that runs on two goroutines when there are two
// processors (newAnalyzer). A caller with other work for the second core
// can start it then.
func AnalyzeIndexed(in *decode.Result, indexed func()) *Result {
	tl := buildTimeline(in)
	src := in
	if tl != nil {
		src = tl.merged
	}
	a := newAnalyzer(src)
	if indexed != nil {
		indexed()
	}
	a.httpFlows()
	a.carrierFlows()
	a.laterTickets()
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
	// A copy: a pointer into a would keep the analyzer and its indexes
	// (a third of what the analysis allocates) alive while the report is
	// written.
	res := a.res
	return &res
}

// httpFlows builds the flows of each client with each web host: one, or
// one per change of outcome (httpSequences).
func (a *analyzer) httpFlows() {
	items, ends := orderedGroups(len(a.http), func(i int) uint64 {
		t := a.http[i]
		return hashString(hashAddr(hashUint(fnvOffset, uint64(a.in.Capture(t.req))), t.client.Addr()), t.host)
	}, func(i, j int) int {
		t, u := a.http[i], a.http[j]
		if c := cmp.Compare(a.in.Capture(t.req), a.in.Capture(u.req)); c != 0 {
			return c
		}
		if c := t.client.Addr().Compare(u.client.Addr()); c != 0 {
			return c
		}
		return strings.Compare(t.host, u.host)
	})
	// Most flows are web flows, with two findings each on average: room
	// for all of them saves copying the slices as they grow.
	if n := len(ends) + len(ends)/4 + 16; cap(a.res.Flows) < n {
		a.res.Flows = make([]Flow, 0, n)
		a.res.Findings = make([]Finding, 0, 2*n)
	}
	// The same room in the de-duplication maps saves rehashing them as
	// they grow (a tenth of the analysis at 5,000 flows).
	if len(a.seen) == 0 && len(a.flowHas) == 0 {
		n := 2 * (len(ends) + len(ends)/4 + 16)
		a.seen, a.flowHas = make(map[findingKey]bool, n), make(map[flowFinding]bool, n)
	}
	var group []*httpTx // the exchanges of one client with one host
	start := int32(0)
	for _, end := range ends {
		group = group[:0]
		for _, i := range items[start:end] {
			group = append(group, a.http[i])
		}
		start = end
		last := 0
		for _, seq := range a.httpSequences(group) {
			a.httpFlow(seq, sinceFrame(last, a.in.Frame(seq[0].req)))
			last = a.in.Frame(seq[len(seq)-1].req)
		}
	}
}

// sinceFrame returns the frame after which a flow that begins at frame
// first looks for its own DNS lookups and Kerberos exchanges, when the
// client's earlier flow with the same server ended at frame last (0: no
// earlier flow): after that flow, or just before its own start when the two
// overlap (attempts on parallel connections).
func sinceFrame(last, first int) int {
	return min(last, first-1)
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
	fd := a.newFinding(fi, id, sev, spn, frames)
	if fd != nil {
		fd.Summary = fmt.Sprintf(format, args...)
	}
	return fd
}

// findingText adds a finding as finding does, with the summary text b, a
// scratch buffer that becomes a string only if the finding is new.
func (a *analyzer) findingText(fi int, id string, frames []int, b []byte) {
	if fd := a.newFinding(fi, id, catalogue[id].sev, "", frames); fd != nil {
		fd.Summary = string(b)
	}
}

// newFinding adds a finding as findingAs does but for its summary, which
// the caller sets, and returns it (nil when the same finding was already
// made). frames may be a scratch buffer: the finding keeps a copy.
func (a *analyzer) newFinding(fi int, id string, sev Severity, spn string, frames []int) *Finding {
	e, ok := catalogue[id]
	if !ok {
		panic("flow: finding id not in the catalogue: " + id)
	}
	a.frameBuf = sortInts(append(a.frameBuf[:0], frames...))
	k := a.findingKey(fi, id, a.frameBuf)
	if a.seen[k] {
		return nil
	}
	a.seen[k] = true
	a.flowHas[flowFinding{int32(fi), catalogueNum[id]}] = true
	var kept []int // nil when no frames were given, as before the scratch buffer
	if len(frames) > 0 {
		kept = append(make([]int, 0, len(a.frameBuf)), a.frameBuf...)
	}
	fd := Finding{ID: id, Severity: sev, Frames: kept, Cause: e.cause, Remedy: e.remedy, flow: fi}
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

// findingKey identifies a finding for de-duplication: its flow, id (its
// number in the catalogue) and sorted frames. A big capture has tens of
// thousands: 24 bytes, not 40.
type findingKey struct {
	flow   int32
	id     uint16
	frames string // the frame numbers, 8 bytes each
}

// flowFinding names a finding id (its number in the catalogue) made about
// a flow.
type flowFinding struct {
	flow int32
	id   uint16
}

func (a *analyzer) findingKey(fi int, id string, frames []int) findingKey {
	b := a.keyBuf[:0]
	for _, f := range frames {
		b = binary.LittleEndian.AppendUint64(b, uint64(f))
	}
	a.keyBuf = b
	return findingKey{int32(fi), catalogueNum[id], string(b)}
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
	a.sortFindings()
	fs := a.res.Findings
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
	for to, from := range idx {
		pos[from] = to
	}
	// Move the flows into place following each cycle of the permutation:
	// every swap puts one flow where it belongs, and no second array of
	// flows (some 800 bytes each) is made.
	dest := slices.Clone(pos)
	for i := range flows {
		for dest[i] != i {
			j := dest[i]
			flows[i], flows[j] = flows[j], flows[i]
			dest[i], dest[j] = dest[j], dest[i]
		}
	}
	for i := range fs {
		if fs[i].flow >= 0 {
			fs[i].flow = pos[fs[i].flow]
			f := &flows[fs[i].flow]
			f.Findings = append(f.Findings, fs[i].ID)
		}
	}
}

// sortFindings orders the findings by severity (most severe first), first
// frame and id, keeping the order of equal ones. It sorts indices and moves
// each Finding once: a stable sort of the large structs themselves moves
// each of them many times.
func (a *analyzer) sortFindings() {
	fs := a.res.Findings
	perm := make([]int32, len(fs))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortStableFunc(perm, func(i, j int32) int {
		x, y := &fs[i], &fs[j]
		if x.Severity != y.Severity {
			return cmp.Compare(y.Severity, x.Severity)
		}
		if c := cmp.Compare(firstOf(x.Frames), firstOf(y.Frames)); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	// Finding to goes to position to from perm[to]. Follow each cycle of
	// the permutation, moving every finding once, rather than make a
	// second array of findings (176 bytes each; 40,000 at 20,000 flows).
	for i := range perm {
		if perm[i] < 0 {
			continue
		}
		first, to := fs[i], i
		for {
			from := int(perm[to])
			perm[to] = -1
			if from == i {
				fs[to] = first
				break
			}
			fs[to] = fs[from]
			to = from
		}
	}
}

func firstOf(frames []int) int {
	if len(frames) == 0 {
		return math.MaxInt // findings without frames sort last
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

func joinFrames(fr []int) string { return string(appendFrames(nil, fr)) }

// appendFrames appends the frame numbers to b as joinFrames writes them.
func appendFrames(b []byte, fr []int) []byte {
	for i, f := range fr {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, int64(f), 10)
	}
	return b
}

// appendAddr appends a.String() to b ("invalid IP" for the zero Addr,
// which AppendTo leaves empty).
func appendAddr(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(b, a.String()...)
	}
	return a.AppendTo(b)
}

// HasFinding reports whether a finding of severity min or above remains.
func (r *Result) HasFinding(min Severity) bool {
	for i := range r.Findings {
		if r.Findings[i].Severity >= min {
			return true
		}
	}
	return false
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
	if !strings.Contains(s, "<") {
		return s
	}
	host, _ := splitHost(f.Server)
	return replacePlaceholders(s, [...][2]string{{"<spn>", orPlaceholder(spn, "<spn>")}, {"<host>", orPlaceholder(host, "<host>")},
		{"<server>", orPlaceholder(host, "<server>")}, {"<name>", orPlaceholder(host, "<name>")}})
}

// replacePlaceholders replaces each placeholder by its value in one pass
// from left to right, as a strings.Replacer would (no placeholder is a
// prefix of another, so at most one matches at a position).
func replacePlaceholders(s string, rs [4][2]string) string {
	// The length first, so that the text is made at its size: a filled
	// remedy outgrew a guess, and each finding then made it twice.
	n, found := len(s), false
	eachPlaceholder(s, rs, func(i, r int) {
		n += len(rs[r][1]) - len(rs[r][0])
		found = true
	})
	if !found {
		return s
	}
	var b strings.Builder
	b.Grow(n)
	last := 0
	eachPlaceholder(s, rs, func(i, r int) {
		b.WriteString(s[last:i])
		b.WriteString(rs[r][1])
		last = i + len(rs[r][0])
	})
	b.WriteString(s[last:])
	return b.String()
}

// eachPlaceholder calls fn with the position of each placeholder of rs in
// s, from left to right, and its index in rs.
func eachPlaceholder(s string, rs [4][2]string, fn func(i, r int)) {
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		for r := range rs {
			if strings.HasPrefix(s[i:], rs[r][0]) {
				fn(i, r)
				i += len(rs[r][0]) - 1
				break
			}
		}
	}
}

func orPlaceholder(v, p string) string {
	if v == "" {
		return p
	}
	return v
}
