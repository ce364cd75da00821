package report

import (
	"cmp"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
)

// Sequence is one flow drawn as a sequence diagram: who talked to whom, in
// frame order. It is presentation-neutral: the Mermaid block of the
// Markdown report and the SVG of the HTML report are both drawn from it.
// Its strings are as the capture gave them; renderers escape them.
type Sequence struct {
	// Flow is the 1-based number of the flow, as the reports number them.
	Flow         int
	Participants []Participant
	Items        []SeqItem
	// Omitted counts the messages not drawn because the flow has more
	// than MaxArrows of them.
	Omitted int
}

// MaxArrows bounds the arrows of one diagram, so that a capture full of
// retries still gives a drawing a reader can follow.
const MaxArrows = 120

// Role is what a participant does in the flow.
type Role int

// The roles, in the order the diagrams place them from left to right.
const (
	RoleClient Role = iota
	RoleDNS
	RoleKDC
	RoleService
)

var roleNames = [...]string{RoleClient: "Client", RoleDNS: "DNS server", RoleKDC: "KDC", RoleService: "Service"}

// String names the role ("Client", "DNS server", "KDC", "Service").
func (r Role) String() string {
	if r >= 0 && int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

var roleIDs = [...]string{RoleClient: "C", RoleDNS: "D", RoleKDC: "K", RoleService: "S"}

// Participant is one lifeline.
type Participant struct {
	// ID is a short identifier safe in any diagram language: C, D1, K1, S1...
	ID   string
	Role Role
	// Addr is the IP address, "" when the flow names no address.
	Addr string
	// Host is the service's host name as the client used it ("" for other roles).
	Host string
}

// Label is what the lifeline's box says: the role and the address, e.g.
// "KDC 192.0.2.10" or "Service www.example.com (192.0.2.20)".
func (p Participant) Label() string {
	s := p.Role.String()
	switch {
	case p.Host != "" && p.Addr != "" && p.Host != p.Addr:
		s += " " + p.Host + " (" + p.Addr + ")"
	case p.Host != "":
		s += " " + p.Host
	case p.Addr != "":
		s += " " + p.Addr
	}
	return s
}

// SeqItem is one row of the diagram: an arrow or a note, never both.
type SeqItem struct {
	Arrow *Arrow
	Note  *Note
}

// Arrow is one message (or, for a step no message stands for, such as the
// TCP handshake, the step's packets).
type Arrow struct {
	// From and To index Participants.
	From, To int
	// Frames are the Wireshark frame numbers; the first is the one to open.
	Frames []int
	// Text says what the message is, e.g. "TGS-REQ HTTP/www.example.com".
	Text string
	// Response is true for messages towards the client (drawn dashed).
	Response bool
	// Failed marks the message that shows a failed step (drawn red and
	// crossed).
	Failed bool
	// Step is the index (0-7) of the first step the message belongs to.
	Step int
	// Refs name the frames as "file#frame" when several captures were
	// merged into one timeline (frame numbers alone are ambiguous then);
	// a message both captures saw has both.
	Refs []string

	key frameKey // where the message is
	at  string   // capture time, to order a merged timeline
}

// Label is the arrow's text with its frame numbers, e.g.
// "TGS-REQ HTTP/www.example.com (frame 12)".
func (a *Arrow) Label() string { return a.label(0) }

// label is Label with the text (not the frames) clipped to n runes; n <= 0
// does not clip.
func (a *Arrow) label(n int) string {
	t := a.Text
	if n > 0 {
		t = clip(t, n)
	}
	if len(a.Refs) > 0 {
		return t + " (" + strings.Join(a.Refs, ", ") + ")"
	}
	if len(a.Frames) == 1 {
		return t + " (frame " + strconv.Itoa(a.Frames[0]) + ")"
	}
	return t + " (frames " + framesText(a.Frames) + ")"
}

// Note is a remark spanning participants From..To: why a step failed, or
// which steps never happened.
type Note struct {
	From, To int
	Text     string
	// Failed is true for a failure (drawn red); false for steps not seen.
	Failed bool
}

// Sequences builds the diagram of every flow of the report, in flow order.
func Sequences(r *Report) []Sequence {
	fs := newFlowSequences(r)
	out := make([]Sequence, 0, len(r.Flows))
	for i := range r.Flows {
		out = append(out, fs.flow(i))
	}
	return out
}

// flowSequences builds the diagrams of a report's flows one at a time, so
// that a renderer holds one diagram, not one per flow, and on a report
// built with StreamMessages builds the messages a diagram needs when it
// needs them, and drops them after. It has a builder of its own, apart
// from the report's.
type flowSequences struct {
	r     *Report
	idx   messageIndex
	b     *builder         // builds streamed messages; nil for kept ones
	built map[int]*Message // the messages built for the diagram being drawn
}

// newFlowSequences indexes the messages of r by frame for its diagrams.
func newFlowSequences(r *Report) *flowSequences {
	fs := &flowSequences{r: r, idx: indexMessages(r)}
	if s := r.stream; s != nil {
		fs.b, fs.built = newBuilder(s.b.opt, 0), map[int]*Message{}
	}
	return fs
}

// message returns message i: the kept one, or one built on first use.
func (fs *flowSequences) message(i int) *Message {
	s := fs.r.stream
	if s == nil {
		return &fs.r.Messages[i]
	}
	if m, ok := fs.built[i]; ok {
		return m
	}
	m := new(Message)
	s.build(fs.b, m, i)
	fs.built[i] = m
	return m
}

// flow builds the diagram of flow i (0-based).
func (fs *flowSequences) flow(i int) Sequence {
	defer clear(fs.built) // a Sequence keeps no Message
	return buildSequence(fs, i)
}

// FlowSequence builds the diagram of flow i (0-based).
func FlowSequence(r *Report, i int) Sequence {
	return newFlowSequences(r).flow(i)
}

type frameKey struct{ capture, frame int }

// messageIndex finds a frame's messages: the outer ones (on the wire
// themselves) and the ones carried inside them (tokens).
type messageIndex struct {
	outer, inner frameIndex
}

// frameIndex maps frames to messages: keys sorted (packFrameKey), msgs[i]
// the message of keys[i], the messages of one frame in message order. It
// is searched by halves: a map of slices took some 80 bytes a message, 70
// MB for the million messages of 20,000 flows; a key of two ints and an
// int 24 bytes; this 12.
type frameIndex struct {
	keys []uint64
	msgs []int32
}

// packFrameKey packs k in one number that sorts as k: captures and frames
// are counted from 0 and 1 in 32 bits.
func packFrameKey(k frameKey) uint64 {
	return uint64(uint32(k.capture))<<32 | uint64(uint32(k.frame))
}

// of returns the messages of frame k, in message order (nil when none).
// The caller must not append to them in place.
func (l *frameIndex) of(k frameKey) []int32 {
	p := packFrameKey(k)
	lo, found := slices.BinarySearch(l.keys, p)
	if !found {
		return nil
	}
	hi := lo + 1
	for hi < len(l.keys) && l.keys[hi] == p {
		hi++
	}
	return l.msgs[lo:hi:hi]
}

// sort orders the list by frame, keeping the message order within a frame.
// A capture's messages mostly come in frame order: then there is nothing
// to do.
func (l *frameIndex) sort() {
	if slices.IsSorted(l.keys) {
		return
	}
	type pair struct {
		k uint64
		m int32
	}
	ps := make([]pair, len(l.keys))
	for i := range ps {
		ps[i] = pair{l.keys[i], l.msgs[i]}
	}
	slices.SortStableFunc(ps, func(a, b pair) int { return cmp.Compare(a.k, b.k) })
	for i, p := range ps {
		l.keys[i], l.msgs[i] = p.k, p.m
	}
}

// add appends message i of frame k.
func (l *frameIndex) add(i int, k frameKey) {
	l.keys = append(l.keys, packFrameKey(k))
	l.msgs = append(l.msgs, int32(i))
}

// grow makes room for n more messages.
func (l *frameIndex) grow(n int) {
	l.keys, l.msgs = slices.Grow(l.keys, n), slices.Grow(l.msgs, n)
}

// indexMessages indexes the report's messages by frame, outer and carried
// apart, each list made at its size.
func indexMessages(r *Report) messageIndex {
	var idx messageIndex
	if r.stream != nil {
		d := r.stream.result()
		carried := 0
		for i := range d.Len() {
			if d.Carrier(i) != decode.CarrierNone {
				carried++
			}
		}
		idx.outer.grow(d.Len() - carried)
		idx.inner.grow(carried)
		for i := range d.Len() {
			l := &idx.outer
			if d.Carrier(i) != decode.CarrierNone {
				l = &idx.inner
			}
			l.add(i, frameKey{d.Capture(i), d.Frame(i)})
		}
	} else {
		for i := range r.Messages {
			m := &r.Messages[i]
			l := &idx.outer
			if m.Carrier != "" {
				l = &idx.inner
			}
			l.add(i, frameKey{m.Capture, m.Frame})
		}
	}
	idx.outer.sort()
	idx.inner.sort()
	return idx
}

// seqBuilder holds the state of one diagram under construction.
type seqBuilder struct {
	r      *Report
	fs     *flowSequences // the messages, and the index of their frames
	idx    messageIndex
	f      *Flow
	client netip.Addr
	seq    Sequence
	parts  map[string]int // role+address -> index in seq.Participants
	remap  []int          // old participant index -> sorted index (order)
	merged bool           // the flow's steps name frames of several captures (Refs)
	files  map[string]int // capture file base name -> capture index
	// failNote lists, per arrow, the failed steps whose note follows it.
	failNote map[*Arrow][]int
}

func buildSequence(fs *flowSequences, i int) Sequence {
	r := fs.r
	b := &seqBuilder{r: r, fs: fs, idx: fs.idx, f: &r.Flows[i], parts: map[string]int{}, failNote: map[*Arrow][]int{}}
	b.client, _ = netip.ParseAddr(b.f.Client)
	b.seq.Flow = i + 1
	b.participant(RoleClient, b.f.Client)
	arrows := b.arrows()
	b.markFailures(arrows)
	b.order()
	b.place(arrows)
	return b.seq
}

// participant returns the index of the lifeline for role at addr, adding it
// when new. Indexes are in order of appearance until order() sorts them.
func (b *seqBuilder) participant(role Role, addr string) int {
	key := roleIDs[role] + " " + addr
	if i, ok := b.parts[key]; ok {
		return i
	}
	p := Participant{Role: role, Addr: addr}
	if role == RoleService {
		p.Host = b.f.Server
	}
	b.seq.Participants = append(b.seq.Participants, p)
	b.parts[key] = len(b.seq.Participants) - 1
	return len(b.seq.Participants) - 1
}

// arrows makes one arrow per outer message in the flow's step frames, in
// capture order, and one per step whose frames hold no message at all.
func (b *seqBuilder) arrows() []*Arrow {
	entries := b.stepEntries()
	var out []*Arrow
	covered := map[int]bool{} // steps with at least one message
	var prev *Arrow
	for _, e := range entries {
		if len(b.idx.outer.of(e.key)) > 0 || len(b.idx.inner.of(e.key)) > 0 {
			covered[e.step] = true
		}
		for _, m := range b.idx.outer.of(e.key) {
			mi := int(m)
			if prev != nil && b.isAlias(prev, e.key, mi) {
				prev.Refs = append(prev.Refs, e.ref)
				continue
			}
			a := b.messageArrow(mi, e.step)
			a.key, a.at = e.key, e.at
			if e.ref != "" {
				a.Refs = []string{e.ref}
			}
			out = append(out, a)
			prev = a
		}
	}
	for si, s := range b.f.Steps {
		if len(s.Frames) > 0 && !covered[si] {
			a := b.stepArrow(si)
			first := b.stepKeys(si)[0]
			a.key = first.key
			for _, e := range entries {
				if e.key == first.key {
					a.at = e.at
				}
			}
			if len(s.Refs) == len(s.Frames) {
				a.Refs = s.Refs
			}
			out = append(out, a)
		}
	}
	if b.merged {
		sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	} else {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Frames[0] < out[j].Frames[0] })
	}
	if len(out) > MaxArrows {
		b.seq.Omitted = len(out) - MaxArrows
		out = out[:MaxArrows]
	}
	return out
}

// messageArrow draws message mi, which belongs to step si.
func (b *seqBuilder) messageArrow(mi, si int) *Arrow {
	m := b.fs.message(mi)
	src, dst := hostOf(m.Src), hostOf(m.Dst)
	peerRole := roleOf(m)
	a := &Arrow{Frames: []int{m.Frame}, Text: b.messageText(mi), Step: si}
	if b.client.IsValid() && dst == b.client.String() {
		a.From, a.To, a.Response = b.participant(peerRole, src), 0, true
	} else {
		a.From, a.To = 0, b.participant(peerRole, dst)
	}
	return a
}

// stepArrow draws a step whose frames are no decoded message (the TCP
// handshake of step 2) as one arrow from the client.
func (b *seqBuilder) stepArrow(si int) *Arrow {
	s := &b.f.Steps[si]
	role := stepRole(s.Step)
	text := s.Step
	if s.Step == "connect" {
		text = "TCP handshake"
	}
	return &Arrow{From: 0, To: b.participant(role, b.stepAddr(role)), Frames: s.Frames, Text: text, Step: si}
}

// stepAddr is the address of the existing participant of role, if any.
func (b *seqBuilder) stepAddr(role Role) string {
	for _, p := range b.seq.Participants {
		if p.Role == role {
			return p.Addr
		}
	}
	return ""
}

// stepRole is the participant the client talks to in a step.
func stepRole(step string) Role {
	switch step {
	case "name_resolution":
		return RoleDNS
	case "ticket_request", "ticket_reply":
		return RoleKDC
	}
	return RoleService
}

// roleOf is the role of the peer of the client in message m.
func roleOf(m *Message) Role {
	switch m.Kind {
	case "dns_query", "dns_response":
		return RoleDNS
	case "as_req", "as_rep", "tgs_req", "tgs_rep", "krb_error", "cldap_ping", "cldap_ping_response":
		if m.Carrier == "" {
			return RoleKDC
		}
	}
	return RoleService
}

// hostOf returns the address part of "ip:port" or "[ip6]:port".
func hostOf(addrPort string) string {
	if ap, err := netip.ParseAddrPort(addrPort); err == nil {
		return ap.Addr().String()
	}
	return addrPort
}

// markFailures marks, in each failed step, the messages that show the
// failure (a KRB-ERROR, an error status); when none does, the step's last
// arrow, which is then the one that went wrong (NTLM where Kerberos was due).
func (b *seqBuilder) markFailures(arrows []*Arrow) {
	for si, s := range b.f.Steps {
		if s.Status != "failed" {
			continue
		}
		in := map[frameKey]bool{}
		for _, k := range b.stepKeys(si) {
			in[k.key] = true
		}
		var last, first *Arrow
		for _, a := range arrows {
			if a.Step != si && !in[a.key] {
				continue
			}
			last = a
			if b.showsError(a) {
				a.Failed = true
				if first == nil {
					first = a
				}
			}
		}
		if first == nil && last != nil {
			last.Failed, first = true, last
		}
		if first != nil {
			b.failNote[first] = append(b.failNote[first], si)
		}
	}
}

// normalErrors are Kerberos errors that are part of a healthy exchange.
var normalErrors = map[string]bool{"KDC_ERR_PREAUTH_REQUIRED": true, "KRB_ERR_RESPONSE_TOO_BIG": true}

// showsError reports whether the arrow's message (or a token inside it)
// reports an error.
func (b *seqBuilder) showsError(a *Arrow) bool {
	k := a.key
	if len(b.idx.outer.of(k)) == 0 {
		return false
	}
	for _, mi := range append(append([]int32{}, b.idx.outer.of(k)...), b.idx.inner.of(k)...) {
		if messageError(b.fs.message(int(mi))) {
			return true
		}
	}
	return false
}

func messageError(m *Message) bool {
	switch m.Kind {
	case "krb_error":
		return !normalErrors[m.ErrorName]
	case "dns_response":
		return m.RCode != "" && m.RCode != "NOERROR"
	case "http_response":
		return m.Status >= 400
	case "smb2_session_setup_response", "smb2_negotiate_response":
		return m.SMBStatus != "" && m.SMBStatus != "STATUS_SUCCESS" && m.SMBStatus != "STATUS_MORE_PROCESSING_REQUIRED"
	case "ldap_bind_response":
		return m.ResultCode != "" && m.ResultCode != "success" && m.ResultCode != "saslBindInProgress"
	}
	return false
}

// order sorts the participants by role, then by first appearance, gives
// them their IDs and renumbers nothing else: it must run before place.
func (b *seqBuilder) order() {
	n := len(b.seq.Participants)
	perm := make([]int, n) // perm[new] = old
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(i, j int) bool {
		return b.seq.Participants[perm[i]].Role < b.seq.Participants[perm[j]].Role
	})
	old := b.seq.Participants
	b.seq.Participants = make([]Participant, n)
	b.remap = make([]int, n)
	count := map[Role]int{}
	for nw, o := range perm {
		p := old[o]
		count[p.Role]++
		p.ID = roleIDs[p.Role]
		if p.Role != RoleClient {
			p.ID += strconv.Itoa(count[p.Role])
		}
		b.seq.Participants[nw] = p
		b.remap[o] = nw
	}
}

// missingPhrases name what a missing step would have shown.
var missingPhrases = map[string]string{
	"name_resolution":       "name resolution",
	"connect":               "TCP handshake",
	"anonymous_request":     "anonymous request",
	"challenge":             "challenge",
	"ticket_request":        "TGS-REQ",
	"ticket_reply":          "TGS-REP",
	"authenticated_request": "authenticated request",
	"acceptance":            "server's answer",
}

// place puts the arrows and notes in drawing order: arrows by frame, each
// failed step's note after its first failing arrow, and the steps never
// seen as one note where they would have happened (before the first arrow
// of a later step).
func (b *seqBuilder) place(arrows []*Arrow) {
	noted := map[int]bool{}
	for _, steps := range b.failNote {
		for _, si := range steps {
			noted[si] = true
		}
	}
	// Steps shown by a note where they would have happened: the missing
	// ones, and failed ones with no message to cross.
	var pending []int
	for si, s := range b.f.Steps {
		if s.Status == "missing" || s.Status == "failed" && !noted[si] {
			pending = append(pending, si)
		}
	}
	for _, a := range arrows {
		var due []int
		for len(pending) > 0 && pending[0] < a.Step {
			due, pending = append(due, pending[0]), pending[1:]
		}
		b.stepNotes(due)
		a.From, a.To = b.remap[a.From], b.remap[a.To]
		b.seq.Items = append(b.seq.Items, SeqItem{Arrow: a})
		for _, si := range b.failNote[a] {
			b.failureNote(si, min(a.From, a.To), max(a.From, a.To))
		}
	}
	b.stepNotes(pending)
}

// failureNote adds the note saying why step si failed, over from..to.
func (b *seqBuilder) failureNote(si, from, to int) {
	s := &b.f.Steps[si]
	text := "step " + strconv.Itoa(si+1) + " " + s.Step + " failed"
	if s.Detail != "" {
		text += ": " + s.Detail
	}
	b.seq.Items = append(b.seq.Items, SeqItem{Note: &Note{From: from, To: to, Text: text, Failed: true}})
}

// stepNotes adds the notes for steps drawn by no arrow: each run of missing
// steps as one note, each failed step as its own.
func (b *seqBuilder) stepNotes(steps []int) {
	var run []int
	for _, si := range steps {
		if b.f.Steps[si].Status == "missing" {
			run = append(run, si)
			continue
		}
		b.missingNote(run)
		run = nil
		b.failureNote(si, 0, b.rightmost([]int{si}))
	}
	b.missingNote(run)
}

// rightmost is the index of the rightmost participant the steps involve
// (the last participant when none of their roles is present).
func (b *seqBuilder) rightmost(steps []int) int {
	to := -1
	for _, si := range steps {
		role := stepRole(b.f.Steps[si].Step)
		for pi, p := range b.seq.Participants {
			if p.Role == role && pi > to {
				to = pi
			}
		}
	}
	if to < 0 {
		to = len(b.seq.Participants) - 1
	}
	return to
}

// missingNote adds one note naming the steps never seen, spanning from the
// client to the rightmost participant those steps involve.
func (b *seqBuilder) missingNote(steps []int) {
	if len(steps) == 0 {
		return
	}
	var parts []string
	for _, si := range steps {
		parts = append(parts, missingPhrase(b.f.Steps[si].Step)+" (step "+strconv.Itoa(si+1)+")")
	}
	text := "not seen: " + strings.Join(parts, ", ")
	if first, last := steps[0], steps[len(steps)-1]; len(steps) > 3 && last-first == len(steps)-1 {
		// A long run reads better as a range: "steps 2 to 8, TCP handshake to server's answer".
		text = "not seen: steps " + strconv.Itoa(first+1) + " to " + strconv.Itoa(last+1) + ", " +
			missingPhrase(b.f.Steps[first].Step) + " to " + missingPhrase(b.f.Steps[last].Step)
	}
	b.seq.Items = append(b.seq.Items, SeqItem{Note: &Note{From: 0, To: b.rightmost(steps), Text: text}})
}

// missingPhrase names what a missing step would have shown.
func missingPhrase(step string) string {
	if ph := missingPhrases[step]; ph != "" {
		return ph
	}
	return step
}
