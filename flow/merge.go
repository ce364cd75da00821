package flow

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/capture"
)

// Several captures of one problem (Microsoft's guidance: capture on the
// client and on the server at once) are merged into one timeline before
// the analysis, so that a flow uses what either side saw:
//
//   - A message seen by both sides (same kind, addresses, transport and
//     content fields) is kept once, from the capture given first; the other
//     copy's file and frame stay attached to it as an alias.
//   - The clock offset of each further capture against the first is the
//     median of the time differences of those pairs; its times are
//     corrected by it, and a pair more than mergeTolerance away from the
//     median is not taken for the same message.
//   - Every frame any message or connection cites gets a rank in the merged
//     timeline (corrected time, then capture, then frame). The analysis runs
//     on one synthetic capture numbered by rank; its results are mapped back
//     to each message's own capture and frame, with Refs ("file#frame")
//     beside the ambiguous frame numbers.
//
// Captures are merged only when every one of them shares at least one
// message with the first; otherwise (unrelated files, a directory of
// captures) each is analysed on its own, as before.

// mergeTolerance is how far a pair of copies may lie from the estimated
// clock offset and still be the same message.
const mergeTolerance = 2 * time.Second

// ref is one frame of one capture.
type ref struct{ capture, frame int }

// timeline is the merged view of several captures and the way back.
type timeline struct {
	in      *decode.Result
	heads   []msgHead // what the merge reads of each of in's messages, again and again
	merged  *decode.Result
	ranks   []ref   // rank-1 -> the frame it stands for
	aliases []alias // the same messages' frames in other captures, by rank
	msgIdx  []int   // merged message index -> original index
	offsets []time.Duration
	pairs   []int // per capture: messages matched with the first capture
}

// appendContentKey appends what identifies a message across captures:
// what both ends see alike (not frame numbers or times), fields joined by
// "|". It is the text fmt.Sprintf made of them until 2026-12-07 (the
// test's contentKeyOracle), appended rather than formatted: a merge makes
// one per message of every capture.
func appendContentKey(b []byte, m *decode.Message) []byte {
	num := func(b []byte, v int64) []byte { return strconv.AppendInt(append(b, '|'), v, 10) }
	str := func(b []byte, v string) []byte { return append(append(b, '|'), v...) }
	addr := func(b []byte, a netip.AddrPort) []byte {
		if !a.IsValid() {
			return str(b, a.String()) // "invalid AddrPort", where AppendTo writes nothing
		}
		return a.AppendTo(append(b, '|'))
	}
	b = append(b, m.Kind.String()...)
	b = str(addr(addr(b, m.Src), m.Dst), m.Transport.String())
	switch {
	case m.DNS() != nil:
		d := m.DNS()
		b = num(b, int64(d.ID))
		b = append(b, '|')
		if len(d.Questions) > 0 {
			b = append(b, strings.ToLower(d.Questions[0].Name)...)
			b = append(append(b, '/'), d.Questions[0].Type.String()...)
		}
		b = num(num(b, int64(d.RCode)), int64(len(d.Answers)))
	case m.HTTP() != nil:
		h := m.HTTP()
		b = num(str(str(b, h.Method), h.URI), int64(h.Status))
		b = str(b, schemes(h))
		if h.Authorization != nil {
			b = num(str(b, h.Authorization.Scheme), int64(h.Authorization.TokenB64Len))
		}
	case m.Krb() != nil:
		x := m.Krb()
		b = str(str(str(num(b, int64(x.Type)), x.Realm), x.SName.String()), x.CName.String())
		e := x.ErrorFields()
		b = num(num(b, int64(x.ReqFields().Nonce)), int64(e.ErrorCode))
		b = e.STime.Time().AppendFormat(append(b, '|'), time.RFC3339)
	case m.SMB2() != nil:
		x := m.SMB2()
		b = str(b, x.Command.String())
		b = strconv.AppendUint(append(b, '|'), x.MessageID, 10)
		b = strconv.AppendUint(append(b, '|'), x.SessionID, 10)
		b = str(b, x.Status.String())
	case m.LDAP() != nil:
		x := m.LDAP()
		b = str(str(num(b, int64(x.MessageID)), x.Auth), x.ResultCode.String())
	}
	return b
}

// buildTimeline merges the captures of in, or returns nil when there is
// nothing to merge.
func buildTimeline(in *decode.Result) *timeline {
	n := len(in.Captures)
	if n < 2 {
		return nil
	}
	for _, c := range in.Captures {
		if c.Format == "har" {
			return nil
		}
	}
	heads := make([]msgHead, in.Len())
	for i := range heads {
		h := in.MessageHead(i)
		heads[i] = msgHead{t: h.Time, capture: h.Capture, frame: h.Frame, parent: h.Parent}
	}
	// Roots of capture 0 by key, in order.
	base := map[string][]int{}
	var key []byte
	for i, h := range heads {
		if h.capture == 0 && h.parent < 0 {
			m := in.Message(i)
			key = appendContentKey(key[:0], &m)
			base[string(key)] = append(base[string(key)], i)
		}
	}
	tl := &timeline{in: in, heads: heads, offsets: make([]time.Duration, n), pairs: make([]int, n)}
	// The original index of each message's twin in capture 0 when it is a
	// second copy, else -1.
	dupOf := make([]int32, len(heads))
	for i := range dupOf {
		dupOf[i] = -1
	}
	for c := 1; c < n; c++ {
		used := map[string]int{}
		type pair struct{ k, b int }
		var pairs []pair
		var deltas []float64
		for i, h := range heads {
			if h.capture != c || h.parent >= 0 {
				continue
			}
			m := in.Message(i)
			key = appendContentKey(key[:0], &m)
			j := used[string(key)]
			if j >= len(base[string(key)]) {
				continue
			}
			used[string(key)]++
			b := base[string(key)][j]
			pairs = append(pairs, pair{i, b})
			deltas = append(deltas, h.t.Sub(heads[b].t).Seconds())
		}
		if len(pairs) == 0 {
			return nil
		}
		off := median(deltas)
		tl.offsets[c] = time.Duration(off * float64(time.Second))
		for i, p := range pairs {
			if math.Abs(deltas[i]-off) <= mergeTolerance.Seconds() {
				dupOf[p.k] = int32(p.b)
				tl.pairs[c]++
			}
		}
		if tl.pairs[c] == 0 {
			return nil
		}
	}
	tl.build(dupOf)
	return tl
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// corrected returns a capture's time on the first capture's clock.
func (tl *timeline) corrected(c int, t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Add(-tl.offsets[c])
}

// build ranks every cited frame and writes the merged Result.
func (tl *timeline) build(dupOf []int32) {
	in := tl.in
	// Drop the second copies (and what they carry).
	drop := make([]bool, len(tl.heads))
	for i := range tl.heads {
		root := i
		for tl.heads[root].parent >= 0 {
			root = tl.heads[root].parent
		}
		drop[i] = dupOf[root] >= 0
	}
	conns := tl.keptConns()

	// Known times per capture, to place frames that are not messages.
	frames := tl.newFrameTable()
	for _, h := range tl.heads {
		if ft := frames.frame(h.capture, h.frame); ft != nil {
			ft.t, ft.known = h.t, true
		}
	}
	for _, c := range conns {
		if ft := frames.frame(c.Capture, c.FirstFrame); ft != nil && !ft.known && c.FirstFrame > 0 {
			ft.t, ft.known = c.FirstTime, true
		}
	}
	add := func(c int, fs ...int) {
		for _, f := range fs {
			if f > 0 {
				frames.frame(c, f).cited = true
			}
		}
	}
	for i, h := range tl.heads {
		if !drop[i] {
			add(h.capture, h.frame)
			add(h.capture, in.MessageHead(i).Frames...)
		}
	}
	for _, c := range conns {
		add(c.Capture, c.SYN...)
		add(c.Capture, c.SYNACK, c.RST, c.FirstFrame)
		add(c.Capture, c.GapFrames...)
	}
	for ci, c := range in.Captures {
		for _, w := range c.Warnings {
			add(ci, w.Frame)
		}
	}
	type point struct {
		r ref
		t time.Time
	}
	var pts []point
	for c, fs := range frames {
		clock := frames.clock(c)
		for f, ft := range fs {
			if ft.cited {
				pts = append(pts, point{ref{c, f}, tl.corrected(c, clock.timeOf(f))})
			}
		}
	}
	sort.Slice(pts, func(i, j int) bool {
		x, y := pts[i], pts[j]
		if !x.t.Equal(y.t) {
			return x.t.Before(y.t)
		}
		if x.r.capture != y.r.capture {
			return x.r.capture < y.r.capture
		}
		return x.r.frame < y.r.frame
	})
	rank := make(frameRanks, len(in.Captures))
	for c := range rank {
		rank[c] = make([]int32, len(frames[c]))
	}
	for i, p := range pts {
		rank[p.r.capture][p.r.frame] = int32(i + 1)
		tl.ranks = append(tl.ranks, p.r)
	}
	for k, b := range dupOf {
		if b >= 0 {
			hk, hb := &tl.heads[k], &tl.heads[b]
			tl.aliases = append(tl.aliases, alias{rank.of(hb.capture, hb.frame), ref{hk.capture, hk.frame}})
		}
	}
	slices.SortFunc(tl.aliases, func(a, b alias) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ref.capture, b.ref.capture); c != 0 {
			return c
		}
		return cmp.Compare(a.ref.frame, b.ref.frame)
	})
	tl.merged = tl.mergedResult(drop, conns, rank)
}

// msgHead is what the merge reads of a message: where it is and when. A
// copy of every Message of every capture (200 bytes each) was most of a
// merge's memory: 1.4 GB for two captures of 20,000 flows.
type msgHead struct {
	t                      time.Time
	capture, frame, parent int
}

// alias is a frame of another capture showing the message of a rank.
type alias struct {
	rank int
	ref  ref
}

// aliasesOf returns the aliases of rank rk, by capture and frame.
func (tl *timeline) aliasesOf(rk int) []alias {
	lo, _ := slices.BinarySearchFunc(tl.aliases, rk, func(a alias, rk int) int { return cmp.Compare(a.rank, rk) })
	hi := lo
	for hi < len(tl.aliases) && tl.aliases[hi].rank == rk {
		hi++
	}
	return tl.aliases[lo:hi]
}

// frameTime is what the merge knows of one frame: its time, when a message
// or a connection gives it, and whether anything cites it.
type frameTime struct {
	t     time.Time
	known bool
	cited bool
}

// frameTable holds a frameTime per frame of each capture, indexed by frame
// number: maps keyed by capture and frame were most of the merge's time
// and memory (two captures of 20,000 flows: 1.4 GB).
type frameTable [][]frameTime

// newFrameTable makes a table with room for every frame of each capture.
func (tl *timeline) newFrameTable() frameTable {
	t := make(frameTable, len(tl.in.Captures))
	for c := range t {
		t[c] = make([]frameTime, tl.in.Captures[c].Packets+2) // the frame after the last too: a warning at the end
	}
	return t
}

// frame returns frame f of capture c, growing the table for a frame number
// past the capture's count (none is); nil for a negative one.
func (t frameTable) frame(c, f int) *frameTime {
	if f < 0 {
		return nil
	}
	if f >= len(t[c]) {
		t[c] = slices.Grow(t[c], f+1-len(t[c]))[:f+1]
	}
	return &t[c][f]
}

// clock returns the clock of the frames of capture c whose time is known.
func (t frameTable) clock(c int) frameClock {
	var k frameClock
	for f, ft := range t[c] {
		if ft.known && f > 0 {
			k.frames = append(k.frames, f)
			k.times = append(k.times, ft.t)
		}
	}
	return k
}

// frameRanks holds the rank of every cited frame, per capture and indexed
// by frame number; 0 for a frame that has none.
type frameRanks [][]int32

// of returns the rank of frame f of capture c, 0 when it has none.
func (r frameRanks) of(c, f int) int {
	if c >= 0 && c < len(r) && f >= 0 && f < len(r[c]) {
		return int(r[c][f])
	}
	return 0
}

// frameClock gives the time of any frame of a capture from the frames
// whose time is known, by binary search: a scan of all of them for each
// frame that is no message (a SYN, a gap) made merging two captures of
// 5,000 flows take 16 s, nine tenths of it here.
type frameClock struct {
	frames []int       // the known frames (> 0), ascending
	times  []time.Time // times[i] is the time of frames[i]
}

// timeOf returns the time of frame f (> 0), or of the nearest earlier
// frame whose time is known (the nearest later one when none is earlier;
// the zero time when none is known).
func (c frameClock) timeOf(f int) time.Time {
	i, found := slices.BinarySearch(c.frames, f)
	switch {
	case found:
		return c.times[i]
	case i > 0:
		return c.times[i-1]
	case i < len(c.times):
		return c.times[i]
	}
	return time.Time{}
}

// keptConns returns the connections of every capture, one copy of each
// connection both sides saw: the one that shows most of it.
func (tl *timeline) keptConns() []decode.Conn {
	type key struct{ client, server string }
	best := map[key]int{}
	var order []key
	score := func(c *decode.Conn) int {
		s := 0
		if c.SYNACK != 0 {
			s += 4
		}
		if !c.MidStream {
			s += 2
		}
		if c.Gaps == 0 {
			s++
		}
		return s
	}
	var out []decode.Conn
	for i := range tl.in.Conns {
		c := &tl.in.Conns[i]
		k := key{c.Client.String(), c.Server.String()}
		j, seen := best[k]
		if !seen {
			best[k] = i
			order = append(order, k)
			continue
		}
		o := &tl.in.Conns[j]
		if d := tl.corrected(c.Capture, c.FirstTime).Sub(tl.corrected(o.Capture, o.FirstTime)); o.Capture == c.Capture || d > 10*time.Second || d < -10*time.Second {
			out = append(out, *c) // another connection with the same ports (port reuse), or one side only
			continue
		}
		if score(c) > score(o) {
			best[k] = i
		}
	}
	for _, k := range order {
		out = append(out, tl.in.Conns[best[k]])
	}
	return out
}

// mergedResult writes the synthetic single capture the analysis reads.
func (tl *timeline) mergedResult(drop []bool, conns []decode.Conn, rank frameRanks) *decode.Result {
	in := tl.in
	ranks := func(c int, frames []int) []int {
		if frames == nil {
			return nil
		}
		out := make([]int, 0, len(frames))
		for _, f := range frames {
			out = append(out, rank.of(c, f))
		}
		return out
	}
	var idx []int
	for i := range tl.heads {
		if !drop[i] {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(x, y int) bool {
		a, b := &tl.heads[idx[x]], &tl.heads[idx[y]]
		return rank.of(a.capture, a.frame) < rank.of(b.capture, b.frame)
	})
	newIdx := make([]int, len(tl.heads))
	for j, i := range idx {
		newIdx[i] = j
	}
	out := &decode.Result{Anomalies: in.Anomalies}
	info := decode.CaptureInfo{File: tl.names(), Info: capture.Info{Format: in.Captures[0].Format}}
	for ci, c := range in.Captures {
		info.Packets += c.Packets
		info.LinkTypes = append(info.LinkTypes, c.LinkTypes...)
		if f := tl.corrected(ci, c.First); !f.IsZero() && (info.First.IsZero() || f.Before(info.First)) {
			info.First = f
		}
		if l := tl.corrected(ci, c.Last); l.After(info.Last) {
			info.Last = l
		}
		for _, w := range c.Warnings {
			w.Frame = rank.of(ci, w.Frame)
			w.Msg = filepath.Base(c.File) + ": " + w.Msg
			info.Warnings = append(info.Warnings, w)
		}
	}
	out.Captures = []decode.CaptureInfo{info}
	for _, i := range idx {
		m := in.Message(i)
		m.Frames = ranks(m.Capture, m.Frames)
		m.Frame = rank.of(m.Capture, m.Frame)
		m.Time = tl.corrected(m.Capture, m.Time)
		m.Capture = 0
		if m.Parent >= 0 {
			m.Parent = newIdx[m.Parent]
		}
		out.AppendMessage(m) // packed: a list would hold as much again as in
		tl.msgIdx = append(tl.msgIdx, i)
	}
	for _, c := range conns {
		cc := c
		cc.SYN = ranks(c.Capture, c.SYN)
		cc.GapFrames = ranks(c.Capture, c.GapFrames)
		cc.SYNACK, cc.RST, cc.FirstFrame = rank.of(c.Capture, c.SYNACK), rank.of(c.Capture, c.RST), rank.of(c.Capture, c.FirstFrame)
		cc.FirstTime = tl.corrected(c.Capture, c.FirstTime)
		cc.Capture = 0
		out.Conns = append(out.Conns, cc)
	}
	sort.SliceStable(out.Conns, func(i, j int) bool { return out.Conns[i].FirstFrame < out.Conns[j].FirstFrame })
	return out
}

// names joins the captures' file names.
func (tl *timeline) names() string {
	var s []string
	for _, c := range tl.in.Captures {
		s = append(s, c.File)
	}
	return strings.Join(s, " + ")
}

// refText names frame f of capture c as "file#frame".
func (tl *timeline) refText(r ref) string {
	return fmt.Sprintf("%s#%d", filepath.Base(tl.in.Captures[r.capture].File), r.frame)
}

// mapFrames turns ranks back into frame numbers and refs, in timeline
// order, each message's aliases after it.
func (tl *timeline) mapFrames(ranks []int) (frames []int, refs []string) {
	seen := map[ref]bool{}
	addRef := func(r ref) {
		if seen[r] {
			return
		}
		seen[r] = true
		frames = append(frames, r.frame)
		refs = append(refs, tl.refText(r))
	}
	for _, rk := range ranks {
		if rk < 1 || rk > len(tl.ranks) {
			continue
		}
		addRef(tl.ranks[rk-1])
		for _, al := range tl.aliasesOf(rk) {
			addRef(al.ref)
		}
	}
	return frames, refs
}

// mapBack rewrites a Result computed on the merged capture in terms of the
// original captures.
func (tl *timeline) mapBack(r *Result) {
	for i := range r.Flows {
		f := &r.Flows[i]
		f.StepRefs = make([][]string, len(f.Steps))
		for j := range f.Steps {
			f.Steps[j].Frames, f.StepRefs[j] = tl.mapFrames(f.Steps[j].Frames)
		}
		f.Capture = 0
		first := -1
		for j, m := range f.Messages {
			if first < 0 || tl.merged.Frame(m) < tl.merged.Frame(first) {
				first = m
			}
			f.Messages[j] = tl.msgIdx[m]
		}
		if first >= 0 {
			f.Capture = tl.heads[tl.msgIdx[first]].capture
		}
		sort.Ints(f.Messages)
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Frames, f.Refs = tl.mapFrames(f.Frames)
		f.Summary = tl.mapText(f.Summary)
	}
	for i := range r.Flows {
		for j := range r.Flows[i].Steps {
			r.Flows[i].Steps[j].Detail = tl.mapText(r.Flows[i].Steps[j].Detail)
		}
	}
}

// frameText finds the frame numbers the analysis wrote into its texts:
// "frame 12", "frames 12, 14, 20". It is compiled on first use (by a merge).
var frameText = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b(frames?) (\d+(?:, \d+)*)`)
})

// mapText rewrites the merged timeline's frame numbers in a text as
// "file#frame".
func (tl *timeline) mapText(s string) string {
	return frameText().ReplaceAllStringFunc(s, func(m string) string {
		sub := frameText().FindStringSubmatch(m)
		var out []string
		for _, n := range strings.Split(sub[2], ", ") {
			rk, err := strconv.Atoi(n)
			if err != nil || rk < 1 || rk > len(tl.ranks) {
				return m
			}
			out = append(out, tl.refText(tl.ranks[rk-1]))
		}
		return sub[1] + " " + strings.Join(out, ", ")
	})
}

// summary says what was merged, for the CAPTURE_MERGED finding.
func (tl *timeline) summary() string {
	var parts []string
	first := filepath.Base(tl.in.Captures[0].File)
	for c := 1; c < len(tl.in.Captures); c++ {
		name := filepath.Base(tl.in.Captures[c].File)
		off := tl.offsets[c].Seconds()
		how := "in step with"
		switch {
		case off >= 0.0005:
			how = fmt.Sprintf("%.3f s ahead of", off)
		case off <= -0.0005:
			how = fmt.Sprintf("%.3f s behind", -off)
		}
		parts = append(parts, fmt.Sprintf("%d %s seen in both %s and %s are reported once; %s's clock is %s %s's (median over those pairs, one-way network delay included), and its times are corrected by it",
			tl.pairs[c], plural(tl.pairs[c], "message", "messages"), first, name, name, how, first))
	}
	return "The captures were merged into one timeline: " + strings.Join(parts, "; ")
}
