package flow

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// claim records that flow fi accounts for KDC exchange t.
func (a *analyzer) claim(fi int, t *kdcTx) {
	t.flow = int32(fi)
	if a.flowKDC == nil {
		a.flowKDC = map[int][]*kdcTx{}
	}
	a.flowKDC[fi] = append(a.flowKDC[fi], t)
	f := &a.res.Flows[fi]
	f.Messages = append(f.Messages, t.req)
	if t.rep >= 0 {
		f.Messages = append(f.Messages, t.rep)
	}
}

// laterAPReqs are the AP-REQs of a flow's later attempts (aps, in order),
// after its first AP-REQ at frame after.
type laterAPReqs struct {
	flow, after int
	aps         []int
}

// laterTickets claims for each flow the TGS exchanges that fetched the
// tickets its later AP-REQs present, once every web and carrier flow has
// claimed its own: alike attempts merged into one flow show the steps of
// the first, and a fresh ticket of a later one (the first expired, or was
// purged) belongs to the flow rather than to a ticket-only flow of its
// own. An exchange is taken only when it asked for the very SPN the AP-REQ
// presents, after the AP-REQ before it and before that AP-REQ, so that no
// exchange for another name form of the service is pulled in, with the AS
// exchanges before it in the same stretch (the fresh TGT it was asked
// with); each AP-REQ looks back to the one before it only, which keeps a
// client that sends thousands of them linear.
func (a *analyzer) laterTickets() {
	for _, l := range a.later {
		a.claimLater(l.flow, l.after, l.aps)
	}
	a.later = nil
}

// claimLater claims for flow fi the TGS exchanges of its later AP-REQs
// (laterTickets).
func (a *analyzer) claimLater(fi int, after int, apreqs []int) {
	f := &a.res.Flows[fi]
	for _, ap := range apreqs {
		since := after
		after = a.in.Frame(ap)
		tk := a.krbAt(ap).Ticket
		if tk == nil {
			continue
		}
		spn := tk.SName.String()
		for _, t := range a.kdcWithin(f.Capture, f.Client, since, after) {
			if !t.claimed() && a.in.Kind(t.req) == decode.KindTGSReq && a.in.Capture(t.req) == f.Capture &&
				t.client.Addr() == f.Client && strings.EqualFold(a.krbAt(t.req).SName.String(), spn) {
				// The TGT it was asked with, when fetched since.
				for _, as := range a.asFor(fi, since, t.frame) {
					a.claim(fi, as)
				}
				a.claim(fi, t)
			}
		}
	}
}

// hostMatches reports whether an SPN names one of the hosts.
func hostMatches(p krb.Principal, class string, hosts []string) bool {
	c, h, _ := spnHost(p)
	if c != class {
		return false
	}
	for _, x := range hosts {
		if h == x {
			return true
		}
	}
	return false
}

// tgsFor returns the unclaimed TGS exchanges of the flow's client for an SPN
// of class on one of hosts, requested after frame since and before frame
// end (0: any time).
func (a *analyzer) tgsFor(fi int, class string, hosts []string, since, end int) []*kdcTx {
	f := &a.res.Flows[fi]
	var out []*kdcTx
	for _, t := range a.kdcWithin(f.Capture, f.Client, since, end) {
		if t.claimed() {
			continue
		}
		if a.in.Kind(t.req) != decode.KindTGSReq || a.in.Capture(t.req) != f.Capture || t.client.Addr() != f.Client {
			continue
		}
		k := a.krbAt(t.req)
		if hosts == nil {
			if c := spnClass(k.SName); c == class {
				out = append(out, t)
			}
			continue
		}
		if hostMatches(k.SName, class, hosts) {
			out = append(out, t)
		}
	}
	return out
}

// asFor returns the unclaimed AS exchanges of the flow's client after frame
// since and before frame end (0: any time).
func (a *analyzer) asFor(fi int, since, end int) []*kdcTx {
	f := &a.res.Flows[fi]
	var out []*kdcTx
	for _, t := range a.kdcWithin(f.Capture, f.Client, since, end) {
		if t.claimed() {
			continue
		}
		m := a.msg(t.req)
		if m.Kind != decode.KindASReq || m.Capture != f.Capture || t.client.Addr() != f.Client {
			continue
		}
		out = append(out, t)
	}
	return out
}

// asSummary describes an AS exchange and reports whether it got a TGT.
func (a *analyzer) asSummary(txs []*kdcTx) (detail string, frames []int, gotTGT bool, lastErr *decode.Message) {
	var buf [128]byte
	b := append(buf[:0], "AS exchange: "...)
	parts := 0 // in b, ", "-separated
	part := func(b []byte) []byte {
		if parts++; parts > 1 {
			b = append(b, ", "...)
		}
		return b
	}
	errAt := -1 // the last KRB-ERROR, built once at the end
	if len(txs) > 0 {
		frames = make([]int, 0, 2*len(txs))
	}
	for _, t := range txs {
		frames = append(frames, a.in.Frame(t.req))
		if t.rep < 0 {
			b = append(part(b), "AS-REQ without reply"...)
			continue
		}
		frames = append(frames, a.in.Frame(t.rep))
		switch a.in.Kind(t.rep) {
		case decode.KindASRep:
			if spnClass(a.krbAt(t.req).SName) == "krbtgt" {
				gotTGT = true
				b = append(part(b), "AS-REP"...)
			} else {
				b = a.krbAt(t.req).SName.AppendTo(append(part(b), "AS-REP for "...))
			}
		case decode.KindKRBError:
			b = append(part(b), a.krbAt(t.rep).ErrorCode.String()...)
			errAt = t.rep
		}
	}
	if errAt >= 0 {
		m := a.msg(errAt)
		lastErr = &m
	}
	return string(b), frames, gotTGT, lastErr
}

// target is the service a flow is about, as the client addressed it.
type target struct {
	host  string // lower case, without port
	start int    // frame of the client's first request to the service
	// since is the frame of the last request of an earlier flow of the
	// client to the service: its Kerberos exchanges come before (0: none).
	since int
}

// ticketSteps fills steps 5 and 6 for a flow whose service class is
// f.Service, looking for the TGS exchange for the SPN of tg.
func (a *analyzer) ticketSteps(fi int, tg target, chain []string, apreq int, end int) {
	f := &a.res.Flows[fi]
	hosts := []string{tg.host}
	for _, c := range chain {
		hosts = appendUniq(hosts, normName(c))
	}
	if apreq >= 0 {
		if tk := a.krbAt(apreq).Ticket; tk != nil {
			if _, h, _ := spnHost(tk.SName); h != "" {
				hosts = appendUniq(hosts, h)
			}
		}
	}
	tgs := a.tgsFor(fi, f.Service, hosts, tg.since, end)
	mismatch := false
	if len(tgs) == 0 {
		start := tg.start
		for _, t := range a.tgsFor(fi, f.Service, nil, tg.since, end) {
			if a.in.Frame(t.req) >= start {
				tgs = append(tgs, t)
			}
		}
		mismatch = len(tgs) > 0
	}
	asEnd := end
	if len(tgs) > 0 {
		asEnd = a.in.Frame(tgs[0].req)
	}
	as := a.asFor(fi, tg.since, asEnd)
	for _, t := range as {
		a.claim(fi, t)
	}
	for _, t := range tgs {
		a.claim(fi, t)
	}
	asDetail, asFrames, gotTGT, asErr := "", []int(nil), false, (*decode.Message)(nil)
	if len(as) > 0 {
		asDetail, asFrames, gotTGT, asErr = a.asSummary(as)
	}
	switch {
	case len(tgs) > 0:
		a.tgsSteps(fi, tgs, asDetail, asFrames, &tg, mismatch)
		a.cnameAlias(fi, tgs)
	case a.httpOnly(f.Capture):
		f.SPN = spnFor(f.Service, tg.host)
		if apreq >= 0 && a.krbAt(apreq).Ticket != nil {
			f.SPN = a.krbAt(apreq).Ticket.SName.String()
		}
		f.set(StepTicketRequest, StatusNotApplicable, httpOnlyDetail)
		f.set(StepTicketReply, StatusNotApplicable, httpOnlyDetail)
	case apreq >= 0:
		ap := a.msg(apreq)
		if ap.Krb().Ticket != nil {
			f.SPN = ap.Krb().Ticket.SName.String()
		}
		f.set(StepTicketRequest, StatusSkipped, joinDetail(asDetail,
			fmt.Sprintf("no TGS-REQ for %s in the capture: the client used a ticket from its cache", orSPN(f.SPN))), asFrames...)
		f.set(StepTicketReply, StatusSkipped, "ticket from the client's cache")
		a.finding(fi, "KRB_TICKET_FROM_CACHE", []int{ap.Frame},
			"The AP-REQ of frame %d presents a ticket for %s that the capture never shows being issued.", ap.Frame, orSPN(f.SPN))
	case len(as) > 0 && !gotTGT && asErr != nil:
		f.SPN = spnFor(f.Service, tg.host)
		f.set(StepTicketRequest, StatusFailed, joinDetail(asDetail, "the client got no TGT, so it could not ask for a service ticket"), asFrames...)
		f.set(StepTicketReply, StatusMissing, "no TGS exchange")
	default:
		f.SPN = spnFor(f.Service, tg.host)
		f.set(StepTicketRequest, StatusMissing, joinDetail(asDetail, fmt.Sprintf("no TGS-REQ for %s in the capture", f.SPN)), asFrames...)
		f.set(StepTicketReply, StatusMissing, "no TGS exchange")
	}
	if f := &a.res.Flows[fi]; f.Service == "http" && !mismatch {
		evidence := 0
		switch {
		case len(tgs) > 0:
			evidence = a.in.Frame(tgs[len(tgs)-1].req)
		case apreq >= 0:
			evidence = a.in.Frame(apreq)
		}
		if evidence > 0 {
			a.spnCheck(fi, tg, chain, evidence)
		}
	}
}

// spnCheck compares the SPN flow fi asked for (or presented, at frame
// evidence) with the host and port the client browsed and the CNAME chain
// DNS returned for it.
func (a *analyzer) spnCheck(fi int, tg target, chain []string, evidence int) {
	f := &a.res.Flows[fi]
	_, host, port := splitSPN(f.SPN)
	_, browsedPort := splitHost(f.Server)
	if host == "" || a.hasFinding(fi, "DNS_CNAME_ALIAS") {
		return
	}
	frames := []int{tg.start, evidence}
	gotTicket := f.Step(StepTicketReply).Status != StatusFailed
	switch {
	case host != tg.host && slices.Contains(chain, host):
		sev := SeverityInfo
		s := fmt.Sprintf("The client browsed %s, a CNAME alias of %s, and asked for %s (frame %d): it built the SPN from the canonical name",
			tg.host, chain[len(chain)-1], f.SPN, evidence)
		if gotTicket {
			s += fmt.Sprintf(", which worked. Clients that do not canonicalise (Edge/Chrome with DisableAuthNegotiateCnameLookup, MIT with dns_canonicalize_hostname = false) ask for %s instead",
				spnFor(f.Service, tg.host))
		} else {
			sev = SeverityWarning
			s += ", and that failed"
		}
		a.findingAs(fi, "KRB_SPN_HOST_MISMATCH", sev, "", frames, "%s.", s)
	case host != tg.host:
		a.finding(fi, "KRB_SPN_HOST_MISMATCH", frames, "The client browsed %s but the SPN it used names %s (%s, frame %d), and DNS did not show %s as an alias of it.",
			f.Server, host, f.SPN, evidence, tg.host)
	case port != "" && port != orDefault(browsedPort, "80"):
		a.finding(fi, "KRB_SPN_HOST_MISMATCH", frames, "The SPN %s (frame %d) names port %s, but the client browsed port %s.",
			f.SPN, evidence, port, orDefault(browsedPort, "80"))
	case port == "" && browsedPort != "" && browsedPort != "80" && !gotTicket:
		// Browsers leave the port out of the SPN by default; an SPN
		// registered with it (HTTP/host:8080) is then never asked for.
		a.finding(fi, "KRB_SPN_HOST_MISMATCH", frames,
			"The client browsed %s (port %s) and asked for %s without the port (frame %d), which the KDC does not know: if the SPN is registered with the port (%s/%s:%s), register it without, or make clients include the port (EnableAuthNegotiatePort, FEATURE_INCLUDE_PORT_IN_SPN_KB908209).",
			f.Server, browsedPort, f.SPN, evidence, strings.ToUpper(f.Service), host, browsedPort)
	}
}

// splitSPN splits "HTTP/host:port@REALM" into its class, lower-case host and port.
func splitSPN(spn string) (class, host, port string) {
	if i := strings.LastIndexByte(spn, '@'); i >= 0 {
		spn = spn[:i]
	}
	class, rest, ok := strings.Cut(spn, "/")
	if !ok {
		return lowerClass(spn), "", ""
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	host, port = splitHost(rest)
	return lowerClass(class), host, port
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func spnFor(service, host string) string {
	class := strings.ToUpper(service)
	if service == "cifs" || service == "ldap" || service == "host" {
		class = service
	}
	return class + "/" + host
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func appendUniq(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// tgsSteps fills steps 5 and 6 from the TGS exchanges of a flow; the last one decides.
func (a *analyzer) tgsSteps(fi int, tgs []*kdcTx, asDetail string, asFrames []int, tg *target, mismatch bool) {
	f := &a.res.Flows[fi]
	last := tgs[len(tgs)-1]
	req := a.msg(last.req)
	f.SPN = req.Krb().SName.String()
	var reqFrames, repFrames []int
	for _, t := range tgs {
		reqFrames = append(reqFrames, a.in.Frame(t.req))
		if t.rep >= 0 {
			repFrames = append(repFrames, a.in.Frame(t.rep))
		}
	}
	detail := a.tgsDetail(tgs)
	f.set(StepTicketRequest, StatusOK, joinDetail(asDetail, detail), append(asFrames, reqFrames...)...)
	if mismatch && tg != nil {
		a.finding(fi, "KRB_SPN_HOST_MISMATCH", []int{req.Frame, tg.start},
			"The client browsed %s but asked the KDC for %s (frame %d).", f.Server, f.SPN, req.Frame)
	}
	if last.rep < 0 {
		f.set(StepTicketReply, StatusFailed, "no reply from the KDC", repFrames...)
		return
	}
	rep := a.msg(last.rep)
	switch rep.Kind {
	case decode.KindTGSRep:
		d := "TGS-REP"
		if tk := rep.Krb().Ticket; tk != nil {
			var buf [128]byte
			b := tk.SName.AppendTo(append(buf[:0], "TGS-REP: ticket for "...))
			b = append(append(b, ", etype "...), tk.Etype.String()...)
			if tk.Kvno >= 0 {
				b = strconv.AppendInt(append(b, ", kvno "...), int64(tk.Kvno), 10)
			}
			d = string(b)
			if isWeakEtype(tk.Etype) { // the text only for a weak one
				a.weakEtype(fi, rep.Frame, tk.Etype, "ticket for "+tk.SName.String()+" issued in frame")
			}
		}
		f.set(StepTicketReply, StatusOK, d, repFrames...)
	case decode.KindKRBError:
		f.set(StepTicketReply, StatusFailed, "KRB-ERROR "+rep.Krb().ErrorCode.String(), repFrames...)
	}
}

// sameName reports whether p and q read the same (Principal.String).
func sameName(p, q krb.Principal) bool {
	return slices.Equal(p.Components, q.Components) || p.String() == q.String()
}

// isWeakEtype reports whether e is RC4 or DES.
func isWeakEtype(e krb.Etype) bool {
	switch int32(e) {
	case 1, 2, 3, 23, 24:
		return true
	}
	return false
}

// weakEtype reports the weak etype e (isWeakEtype) of what ("ticket ... in
// frame").
func (a *analyzer) weakEtype(fi, frame int, e krb.Etype, what string) {
	a.finding(fi, "KRB_WEAK_ETYPE", []int{frame}, "The %s %d is encrypted with %s.", what, frame, e)
}

// userOf names the flow's user from the messages that carry it: the
// ticket's client first, then the AS exchange, then NTLM.
func (a *analyzer) userOf(fi int) {
	f := &a.res.Flows[fi]
	best, rank := "", 0
	for _, i := range f.Messages {
		kind := a.in.Kind(i)
		if userRank(kind) <= rank {
			continue // cannot name a better user: skip building its name
		}
		name, r := "", 0
		k, n := a.in.Krb(i), a.in.NTLM(i)
		switch {
		case k != nil && len(k.CName.Components) > 0:
			cname := k.CName.String()
			if cname == "" || strings.HasPrefix(cname, "WELLKNOWN/") {
				break
			}
			realm := k.Realm
			if k.CRealm != "" {
				realm = k.CRealm
			}
			name = cname + "@" + realm
			switch kind {
			case decode.KindTGSRep:
				r = 4
			case decode.KindASRep:
				r = 3
			case decode.KindASReq:
				r = 2
			}
		case n != nil && kind == decode.KindNTLMAuthenticate && n.User != "":
			name, r = n.User, 1
			if n.Domain != "" {
				name += "@" + n.Domain
			}
		}
		if r > rank {
			best, rank = name, r
		}
	}
	f.User = best
}

// userRank is the highest rank userOf gives a name from a message of kind k.
func userRank(k decode.Kind) int {
	switch k {
	case decode.KindTGSRep:
		return 4
	case decode.KindASRep:
		return 3
	case decode.KindASReq:
		return 2
	case decode.KindNTLMAuthenticate:
		return 1
	}
	return 0
}

// outcome derives the flow outcome from its steps.
func (a *analyzer) outcome(fi int) {
	f := &a.res.Flows[fi]
	st := func(id StepID) Status { return f.Step(id).Status }
	ntlm := false
	for _, i := range f.Messages {
		if k := a.in.Kind(i); k == decode.KindNTLMNegotiate || k == decode.KindNTLMAuthenticate {
			ntlm = true
		}
	}
	failed := false
	for _, s := range f.Steps {
		if s.Status == StatusFailed {
			failed = true
		}
	}
	switch {
	case st(StepAuthenticatedRequest) == StatusOK && st(StepAcceptance) == StatusOK:
		f.Outcome = OutcomeKerberosOK
	case ntlm:
		f.Outcome = OutcomeNTLMFallback
	case failed:
		f.Outcome = OutcomeFailed
	default:
		f.Outcome = OutcomeIncomplete
	}
}

// tgsDetail describes a run of TGS exchanges: each SPN asked for, how often,
// over which transport, and how the KDC answered.
func (a *analyzer) tgsDetail(tgs []*kdcTx) string {
	type group struct {
		spn       krb.Principal
		answer    string
		transport decode.Transport
		n         int
	}
	var gbuf [4]group
	groups := gbuf[:0]
	for _, t := range tgs {
		ans := "no reply"
		if t.rep >= 0 {
			if a.in.Kind(t.rep) == decode.KindKRBError {
				ans = a.krbAt(t.rep).ErrorCode.String()
			} else {
				ans = "TGS-REP"
			}
		}
		g := group{spn: a.krbAt(t.req).SName, transport: a.in.Transport(t.req), answer: ans, n: 1}
		if len(groups) > 0 {
			last := &groups[len(groups)-1]
			if sameName(last.spn, g.spn) && last.transport == g.transport && last.answer == g.answer {
				last.n++
				continue
			}
		}
		groups = append(groups, g)
	}
	var buf [160]byte
	b := append(append(buf[:0], "realm "...), a.krbAt(tgs[0].req).Realm...)
	b = append(b, ": "...)
	for i, g := range groups {
		if i > 0 {
			b = append(b, ", then "...)
		}
		if g.n > 1 {
			b = append(strconv.AppendInt(b, int64(g.n), 10), " TGS-REQs for "...)
		} else {
			b = append(b, "TGS-REQ for "...)
		}
		b = append(g.spn.AppendTo(b), " over "...)
		b = append(append(b, g.transport.String()...), " -> "...)
		b = append(b, g.answer...)
	}
	return string(b)
}

// cnameAlias reports a CNAME alias that cost the client its ticket: a TGS
// for one name of the chain failed because the KDC knows no such SPN.
func (a *analyzer) cnameAlias(fi int, tgs []*kdcTx) {
	note, ok := a.cnames[fi]
	if !ok {
		return
	}
	var failed []int
	var failedSPN, okSPN string
	for _, t := range tgs {
		if t.rep < 0 {
			continue
		}
		rep := a.msg(t.rep)
		switch {
		case rep.Kind == decode.KindKRBError && int32(rep.Krb().ErrorCode) == 7:
			failed = append(failed, a.in.Frame(t.req), rep.Frame)
			failedSPN = a.krbAt(t.req).SName.String()
		case rep.Kind == decode.KindTGSRep:
			okSPN = a.krbAt(t.req).SName.String()
		}
	}
	if len(failed) == 0 {
		return
	}
	chain := note.chain
	s := fmt.Sprintf("%s is an alias (CNAME) of %s; the client asked for %s and the KDC has no such SPN",
		chain[0], chain[len(chain)-1], failedSPN)
	if okSPN != "" && okSPN != failedSPN {
		s += fmt.Sprintf("; it then asked for %s, which worked", okSPN)
	}
	a.finding(fi, "DNS_CNAME_ALIAS", append(append([]int(nil), note.frames...), failed...), "%s.", s)
}
