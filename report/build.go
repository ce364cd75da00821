package report

import (
	"encoding/base64"
	"slices"
	"strconv"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/ldap"
	"github.com/kerbtrace/kerbtrace/flow"
)

// Options change what the model holds.
type Options struct {
	// RawTokens adds the base64 of every authentication token to HTTP
	// messages. Tokens hold tickets and NTLM responses: off by default.
	RawTokens bool
	// StreamMessages leaves Messages out of the model: every renderer
	// builds each message from the decoded result as it reads it, so that
	// the report never holds all of them (a message in the model is some
	// 1 KB; a capture of 20,000 clients has close to a million). Redact,
	// which needs every message at hand, builds them all first
	// (Report.Materialize).
	StreamMessages bool
	// MessagesAfter, when not nil, holds the JSON of streamed messages
	// back until it is closed, as it must be at the latest when the
	// analysis ends. An analysis that runs on two goroutines for a while
	// (flow.AnalyzeIndexed) then has both cores: three goroutines on two
	// made the analysis, the longer of the two, end later.
	MessagesAfter <-chan struct{}
}

// Build assembles the report model from a dissection and its analysis.
func Build(d *decode.Result, fr *flow.Result, opt Options) *Report {
	r := begin(d, opt)
	r.addAnalysis(fr)
	return r
}

// BuildPending is Build for an analysis that is still running, on another
// goroutine: the report takes it from fr when it first needs flows or
// findings. Until then Flows and Findings are empty; JSON writes the
// captures and (with StreamMessages) the messages meanwhile, so that both
// cores work. Complete waits for the analysis; every renderer, Redact and
// Materialize call it. The analysis must not change d.
func BuildPending(d *decode.Result, fr <-chan *flow.Result, opt Options) *Report {
	r := begin(d, opt)
	r.pending = fr
	return r
}

// Complete waits for the analysis of a report made by BuildPending and
// adds its flows and findings. It does nothing on any other report.
func (r *Report) Complete() {
	if r.pending == nil {
		return
	}
	fr := <-r.pending
	r.pending = nil
	r.addAnalysis(fr)
}

// CompleteReleasing is Complete for a report whose messages are not read
// again (by a renderer that has written every message it writes, or by
// one that writes none, ReadsMessages): with a release function
// (RenderOptions.Release), it drops the messages (DropMessages) and calls
// release once the analysis has ended, before the flows and findings are
// added, so that these can take the memory the messages held. Without
// one it is Complete.
func (r *Report) CompleteReleasing(release func()) {
	if release == nil {
		r.Complete()
		return
	}
	var fr *flow.Result
	if r.pending != nil {
		fr = <-r.pending
		r.pending = nil
	}
	r.DropMessages()
	release()
	if fr != nil {
		r.addAnalysis(fr)
	}
}

// begin makes the report of d without the analysis: captures, anomalies
// and messages (or the stream of them).
func begin(d *decode.Result, opt Options) *Report {
	r := &Report{Version: SchemaVersion, Captures: make([]Capture, 0, len(d.Captures)), Messages: []Message{},
		Flows: []Flow{}, Findings: []Finding{}, Anomalies: append([]string{}, d.Anomalies...)}
	for _, c := range d.Captures {
		rc := Capture{File: c.File, Format: string(c.Format), LinkTypes: c.LinkTypes, Packets: c.Packets, Metadata: c.Metadata,
			First: timeText(c.First), Last: timeText(c.Last), Warnings: make([]string, 0, len(c.Warnings))}
		if rc.LinkTypes == nil {
			rc.LinkTypes = []string{}
		}
		for _, w := range c.Warnings {
			rc.Warnings = append(rc.Warnings, w.String())
		}
		r.Captures = append(r.Captures, rc)
	}
	r.b = newBuilder(opt, d.Len())
	if opt.StreamMessages {
		r.Messages, r.stream = nil, &messageStream{d: d, n: d.Len(), b: r.b, after: opt.MessagesAfter}
	} else {
		r.Messages = r.b.messages(d)
	}
	return r
}

// addAnalysis adds the flows and findings of fr.
func (r *Report) addAnalysis(fr *flow.Result) {
	r.Flows = slices.Grow(r.Flows, len(fr.Flows))
	for _, f := range fr.Flows {
		rf := Flow{Capture: f.Capture, Client: f.Client.String(), User: f.User, Server: f.Server, Service: f.Service,
			SPN: f.SPN, Outcome: string(f.Outcome), Findings: append([]string{}, f.Findings...)}
		if len(f.Steps) > 0 {
			rf.Steps = make([]Step, 0, len(f.Steps))
		}
		for j, s := range f.Steps {
			// Refs are copied: the redactor rewrites the report's in place,
			// and must not rewrite the analysis it was built from.
			rf.Steps = append(rf.Steps, Step{Step: s.ID.String(), Status: s.Status.String(), Frames: nonNil(s.Frames), Detail: s.Detail, Refs: slices.Clone(f.Refs(j))})
		}
		r.Flows = append(r.Flows, rf)
	}
	r.Findings = slices.Grow(r.Findings, len(fr.Findings))
	for i := range fr.Findings {
		f := &fr.Findings[i]
		rf := Finding{ID: f.ID, Severity: f.Severity.String(), Client: f.Client, Server: f.Server, SPN: f.SPN,
			Frames: nonNil(f.Frames), Summary: f.Summary, Cause: f.Cause, Remedy: f.Remedy, Refs: slices.Clone(f.Refs)}
		if fi := f.FlowOf(); fi >= 0 {
			rf.Flow = r.b.ints.new(fi + 1)
		}
		r.Findings = append(r.Findings, rf)
	}
}

// messages builds the report form of every decoded message.
func (b *builder) messages(d *decode.Result) []Message {
	ms := make([]Message, d.Len())
	for i := range ms {
		b.message(&ms[i], d, i)
	}
	b.finish()
	return ms
}

// messageStream is where a report built with StreamMessages takes its
// messages from.
type messageStream struct {
	d *decode.Result // nil once dropped (Report.DropMessages)
	n int            // d.Len(), kept when d is dropped
	b *builder
	// decrypted are the messages whose ticket the keys opened, built when
	// d was dropped: the table lists them (ticketsText).
	decrypted []Message
	// rewrite, when set (Redact), is applied to each message once built.
	rewrite func(*Message)
	// after is Options.MessagesAfter: JSON writes no message before it
	// is closed.
	after <-chan struct{}
}

// result returns the decoded result the messages come from. Reading a
// message after DropMessages is a caller's bug (it asked for a format that
// reads them: ReadsMessages), not something a report can make up for.
func (s *messageStream) result() *decode.Result {
	if s.d == nil {
		panic("report: the messages were dropped (Report.DropMessages) and a renderer reads them")
	}
	return s.d
}

// DropMessages lets go of the decoded result a report built with
// StreamMessages reads its messages from, keeping their number, so that
// the collector can free it (most of the memory of a run) once the
// analysis is done with it too. It is for a caller that renders the report
// only in formats whose ReadsMessages is false; rendering it in another
// then panics. It does nothing on a report that keeps its messages.
//
// The few messages whose ticket the keys opened (--keytab) are built and
// kept first, for the table's list of tickets (eachDecrypted).
func (r *Report) DropMessages() {
	s := r.stream
	if s == nil || s.d == nil {
		return
	}
	s.each(isDecrypted, func(m *Message) { s.decrypted = append(s.decrypted, *m) })
	s.d = nil
}

// isDecrypted reports whether message i of d holds what the keys opened.
func isDecrypted(d *decode.Result, i int) bool { return d.Decrypted(i) != nil }

// eachDecrypted calls fn with every message that may hold a ticket the keys
// opened, in order: on a streamed report only those (fn must not keep m),
// also after DropMessages; on one that keeps its messages, every message.
func (r *Report) eachDecrypted(fn func(m *Message)) {
	if s := r.stream; s != nil && s.d == nil {
		for i := range s.decrypted {
			fn(&s.decrypted[i])
		}
		return
	}
	r.eachMessage(isDecrypted, fn)
}

// each calls fn with the report form of every message i in order for
// which want(s.d, i) is true, or of every message when want is nil. The
// message it is given is reused: fn must not keep it.
func (s *messageStream) each(want func(*decode.Result, int) bool, fn func(*Message)) {
	var m Message
	d := s.result()
	for i := range d.Len() {
		if want != nil && !want(d, i) {
			continue
		}
		m = Message{}
		s.build(s.b, &m, i)
		fn(&m)
	}
}

// build makes message i into m with b, rewritten when the report is
// redacted.
func (s *messageStream) build(b *builder, m *Message, i int) {
	b.message(m, s.result(), i)
	b.finish()
	if s.rewrite != nil {
		s.rewrite(m)
	}
}

// Materialize builds every message of a report built with
// StreamMessages into Messages. It does nothing on any other report.
func (r *Report) Materialize() {
	r.Complete()
	if r.stream == nil {
		return
	}
	r.Messages = r.stream.b.messages(r.stream.result())
	if rewrite := r.stream.rewrite; rewrite != nil {
		for i := range r.Messages {
			rewrite(&r.Messages[i])
		}
	}
	r.stream = nil
}

// eachMessage calls fn with every message in order: the kept ones, or,
// on a report built with StreamMessages, each built as it is needed, so
// that a renderer that looks at every message once holds only one. fn must
// not keep m. On a streamed report, a message for which the decoded
// result's want(d, i) is false is not built and fn is not called: want
// skips cheaply what fn would ignore (it is not called on kept messages).
func (r *Report) eachMessage(want func(d *decode.Result, i int) bool, fn func(m *Message)) {
	if r.stream != nil {
		r.stream.each(want, fn)
		return
	}
	for i := range r.Messages {
		fn(&r.Messages[i])
	}
}

// eachFrame calls fn with the capture and frame of every message in order,
// without building any.
func (r *Report) eachFrame(fn func(capture, frame int)) {
	if r.stream != nil {
		d := r.stream.result()
		for i := range d.Len() {
			fn(d.Capture(i), d.Frame(i))
		}
		return
	}
	for i := range r.Messages {
		fn(r.Messages[i].Capture, r.Messages[i].Frame)
	}
}

// MessageCount returns the number of messages, kept or streamed.
func (r *Report) MessageCount() int {
	if r.stream != nil {
		return r.stream.n
	}
	return len(r.Messages)
}

func nonNil(p []int) []int {
	if p == nil {
		return []int{}
	}
	return p
}

// message fills rm, a zero Message, with the report form of decoded
// message i. Its time is stored when the builder finishes.
func (b *builder) message(rm *Message, d *decode.Result, i int) {
	msg := d.Message(i)
	m := &msg
	rm.Frame, rm.Capture = m.Frame, m.Capture
	b.timeText(&rm.Time, m.Time)
	rm.Src, rm.Dst, rm.Transport = b.addr(m.Src), b.addr(m.Dst), m.Transport.String()
	rm.Kind, rm.Carrier, rm.Header = m.Kind.String(), m.Carrier.String(), m.Header
	rm.Truncated, rm.Error = m.Truncated, m.Err
	if len(m.Frames) > 1 {
		rm.Frames = m.Frames
	}
	b.messageBody(rm, d, i, m)
}

// messageBody sets the fields of rm that depend on the kind of m, message
// i of d: all but the header and Truncated and Error.
func (b *builder) messageBody(rm *Message, d *decode.Result, i int, m *decode.Message) {
	switch {
	case m.DNS() != nil:
		rm.ID = b.u16.new(m.DNS().ID)
		b.dnsFields(rm, m.DNS().Content)
	case m.HTTP() != nil:
		b.httpFields(rm, d, i)
	case m.Krb() != nil:
		b.krbFields(rm, m.Krb())
		decryptedFields(rm, m) // ticket.go
	case m.NTLM() != nil:
		b.ntlmFields(rm, m)
	case m.SMB2() != nil:
		sm := m.SMB2()
		rm.Command = sm.Command.String()
		if sm.Response {
			rm.SMBStatus = sm.Status.String()
		}
		rm.Dialect = sm.DialectName()
		rm.TreePath = sm.TreePath
	case m.LDAP() != nil:
		l := m.LDAP()
		rm.BindDN, rm.AuthMethod, rm.Mechanism = l.Name, l.Auth, l.SASLMechanism
		switch m.Kind {
		case decode.KindLDAPBindResponse:
			rm.ResultCode = l.ResultCode.String()
			rm.Diagnostic = l.DiagnosticMessage
		case decode.KindCLDAPPing:
			rm.Filter = l.Filter
		case decode.KindCLDAPPingResponse:
			if l.Op == ldap.OpSearchResultDone {
				rm.ResultCode = l.ResultCode.String()
			}
		}
	case m.SPNEGO() != nil:
		t := m.SPNEGO()
		if len(t.MechTypes) > 0 {
			rm.MechTypes = b.strs.list(len(t.MechTypes))
			for j, o := range t.MechTypes {
				rm.MechTypes[j] = string(o)
			}
		}
		if t.NegState >= 0 {
			rm.NegState = t.NegState.String()
		}
		rm.SupportedMech = string(t.SupportedMech)
	}
}

func (b *builder) ntlmFields(rm *Message, m *decode.Message) {
	n := m.NTLM()
	rm.Domain, rm.User, rm.Workstation = n.Domain, n.User, n.Workstation
	if n.Version != nil {
		rm.NTLMVersion = n.Version.String()
	}
	rm.NTLMFlags = b.ntlmFlags(uint32(n.Flags), n.Flags.Names)
	rm.TargetName = n.TargetName
	if m.Kind == decode.KindNTLMAuthenticate {
		var buf [96]byte
		t := append(buf[:0], "NTLM"...)
		t = append(t, n.NTLMVersion...)
		t = append(t, ", NT response "...)
		t = strconv.AppendInt(t, int64(n.NTResponseLen), 10)
		t = append(t, " bytes, LM response "...)
		t = strconv.AppendInt(t, int64(n.LMResponseLen), 10)
		rm.NTLMResp = string(append(t, " bytes"...))
	}
}

// dnsFields sets the fields of rm that a DNS message's content gives: all
// its DNS fields but the ID.
func (b *builder) dnsFields(rm *Message, c *dns.Content) {
	if len(c.Questions) > 0 {
		rm.QName = c.Questions[0].Name
		rm.QType = c.Questions[0].Type.String()
	}
	if c.Response {
		rm.RCode = c.RCode.String()
		if len(c.Answers) > 0 {
			rm.Answers = b.answs.list(len(c.Answers))
			for j, a := range c.Answers {
				rm.Answers[j] = Answer{Name: a.Name, Type: a.Type.String(), Data: a.Data}
			}
		}
	}
}

func (b *builder) httpFields(rm *Message, d *decode.Result, i int) {
	h := d.HTTP(i)
	rm.Method, rm.URI, rm.Host = h.Method, h.URI, h.Host
	if !h.Request {
		rm.Status = h.Status
	}
	if len(h.WWWAuthenticate) > 0 {
		rm.WWWAuthenticate = b.strs.list(len(h.WWWAuthenticate))
		for j, c := range h.WWWAuthenticate {
			rm.WWWAuthenticate[j] = c.Scheme
		}
	}
	if h.Authorization != nil {
		rm.Authorization = h.Authorization.Scheme
		if b.opt.RawTokens && len(h.Authorization.Token) > 0 {
			rm.RawToken = base64.StdEncoding.EncodeToString(h.Authorization.Token)
		}
	}
	if b.opt.RawTokens && rm.RawToken == "" {
		for _, c := range h.WWWAuthenticate {
			if len(c.Token) > 0 {
				rm.RawToken = base64.StdEncoding.EncodeToString(c.Token)
				break
			}
		}
	}
	rm.Token = b.tokenSummary(d, i)
}

// TokenSummary describes the tokens carried by message i, e.g.
// "SPNEGO NegTokenInit > Kerberos AP-REQ HTTP/www.example.com".
func TokenSummary(d *decode.Result, i int) string {
	return string(appendTokenSummary(nil, d, i))
}

// appendTokenSummary appends TokenSummary(d, i) to b: the short summaries
// (ShortSummary) of the messages of i's frame that i carries, in their
// order, joined by " > ".
func appendTokenSummary(b []byte, d *decode.Result, i int) []byte {
	frame := d.Frame(i)
	first := i
	for first > 0 && d.Frame(first-1) == frame {
		first--
	}
	parts := 0
	for j := first; j < d.Len() && d.Frame(j) == frame; j++ {
		if j == i || !carriedBy(d, j, i) {
			continue
		}
		if parts > 0 {
			b = append(b, " > "...)
		}
		parts++
		m := d.Message(j)
		b = appendShortSummary(b, &m)
	}
	return b
}

// carriedBy reports whether message j lies (at any depth) inside message i.
func carriedBy(d *decode.Result, j, i int) bool {
	for p := d.Parent(j); p >= 0; p = d.Parent(p) {
		if p == i {
			return true
		}
		if p == d.Parent(p) {
			break
		}
	}
	return false
}

func (b *builder) krbFields(rm *Message, k *krb.Message) {
	rm.Realm = k.Realm
	if k.CRealm != "" && rm.Realm == "" {
		rm.Realm = k.CRealm
	}
	rm.CName = b.principal(k.CName)
	rm.SName = b.principal(k.SName)
	isErr := k.ErrorInfo != nil // a KRB-ERROR
	var extraEtypes, extraPA int
	if isErr && k.EData != nil {
		extraEtypes, extraPA = len(k.EData.ETypeInfo2), len(k.EData.MethodData)
	}
	var etypes []krb.Etype
	var kdcOptions krb.KDCOptions
	if k.ReqBody != nil {
		etypes, kdcOptions = k.Etypes, k.KDCOptions
	}
	if n := len(etypes) + extraEtypes; n > 0 {
		rm.Etypes = b.strs.list(n)[:0]
	}
	for _, e := range etypes {
		rm.Etypes = append(rm.Etypes, e.String())
	}
	rm.KDCOptions = b.kdcOptions(kdcOptions)
	if n := len(k.PAData) + extraPA; n > 0 {
		rm.PAData = b.strs.list(n)[:0]
	}
	for _, p := range k.PAData {
		rm.PAData = append(rm.PAData, p.String())
	}
	if k.Ticket != nil {
		rm.TicketEtype = k.Ticket.Etype.String()
		rm.TicketSName = b.principal(k.Ticket.SName)
		if rm.SName == "" {
			rm.SName = rm.TicketSName // AP-REQ and KDC replies name the service in their ticket
		}
		if k.Ticket.Kvno >= 0 {
			rm.TicketKvno = b.ints.new(k.Ticket.Kvno)
		}
		if rm.Realm == "" {
			rm.Realm = k.Ticket.Realm
		}
	}
	rm.APOptions = b.apOptions(k.APOptions)
	if k.EncPartEtype != 0 {
		rm.EncEtype = k.EncPartEtype.String()
	}
	if isErr {
		rm.ErrorCode = b.i32.new(int32(k.ErrorCode))
		rm.ErrorName = k.ErrorCode.String()
		rm.STime = timeText(k.STime.Time())
		rm.CTime = timeText(k.CTime.Time())
		rm.EText = k.EText
		if k.EData != nil {
			if k.EData.HasNTStatus {
				rm.NTStatus = k.EData.NTStatus.String()
			}
			for _, p := range k.EData.MethodData {
				rm.PAData = append(rm.PAData, p.String())
			}
			for _, e := range k.EData.ETypeInfo2 {
				rm.Etypes = append(rm.Etypes, e.Etype.String())
			}
		}
	}
}
