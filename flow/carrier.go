package flow

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/ldap"
)

// svcTx is an SMB2 or LDAP request with its response (resp is -1 when none came).
type svcTx struct {
	req, resp      int
	client, server netip.AddrPort
}

// carrierKinds are the request and response kinds of the non-HTTP carriers.
var carrierKinds = map[decode.Kind]decode.Kind{
	decode.KindSMB2NegotiateRequest:    decode.KindSMB2NegotiateResponse,
	decode.KindSMB2SessionSetupRequest: decode.KindSMB2SessionSetupResponse,
	decode.KindLDAPBindRequest:         decode.KindLDAPBindResponse,
}

// messageID returns the id SMB2 and LDAP use to pair requests and responses.
func messageID(m *decode.Message) uint64 {
	switch {
	case m.SMB2() != nil:
		return m.SMB2().MessageID
	case m.LDAP() != nil:
		return uint64(m.LDAP().MessageID)
	}
	return 0
}

// pairCarriers pairs SMB2 and LDAP requests with their responses by
// connection and message id.
func (a *analyzer) pairCarriers() []*svcTx {
	type key struct {
		capture        int
		client, server netip.AddrPort
		kind           decode.Kind
		id             uint64
	}
	open := map[key]*svcTx{}
	var out []*svcTx
	for _, i32 := range a.scan.carrier {
		i := int(i32)
		m := a.msg(i)
		if respKind, ok := carrierKinds[m.Kind]; ok {
			t := &svcTx{req: i, resp: -1, client: m.Src, server: m.Dst}
			open[key{m.Capture, m.Src, m.Dst, respKind, messageID(&m)}] = t
			out = append(out, t)
			continue
		}
		k := key{m.Capture, m.Dst, m.Src, m.Kind, messageID(&m)}
		if t, ok := open[k]; ok {
			t.resp = i
			delete(open, k)
		}
	}
	return out
}

// carrierFlows builds the flows of each client with each SMB2 or LDAP
// server: one, or one per change of outcome (carrierSequences).
func (a *analyzer) carrierFlows() {
	type key struct {
		capture int
		client  netip.Addr
		server  netip.Addr
		service string
	}
	groups := map[key][]*svcTx{}
	var order []key
	for _, t := range a.pairCarriers() {
		m := a.msg(t.req)
		if m.LDAP() != nil && (m.LDAP().Auth == ldap.AuthSimple || !strings.HasPrefix(strings.ToUpper(m.LDAP().SASLMechanism), "GSS")) {
			continue // a password bind, or SASL without GSS-API: not an authentication kerbtrace diagnoses
		}
		service := "cifs"
		if m.LDAP() != nil {
			service = "ldap"
		}
		k := key{m.Capture, t.client.Addr(), t.server.Addr(), service}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], t)
	}
	for _, k := range order {
		last := 0
		negs := map[netip.AddrPort]*svcTx{} // the last NEGOTIATE of earlier flows, by connection
		for _, seq := range a.carrierSequences(groups[k]) {
			a.carrierFlow(seq, k.service, sinceFrame(last, a.in.Frame(seq[0].req)), negs[seq[0].client])
			last = a.in.Frame(seq[len(seq)-1].req)
			for _, t := range seq {
				if a.in.Kind(t.req) == decode.KindSMB2NegotiateRequest {
					negs[t.client] = t
				}
			}
		}
	}
}

// carrierSequences splits the exchanges of one client with one SMB2 or LDAP
// server, in request order, into the runs that make one flow each, as
// httpSequences does for the web. An attempt is a session setup or bind
// followed to its final answer (past MORE_PROCESSING_REQUIRED or
// saslBindInProgress), with the NEGOTIATEs before it on its connection. A
// file server's client sets up a session per user and per mapped share all
// morning: a refused one among accepted ones gets a flow of its own.
func (a *analyzer) carrierSequences(txs []*svcTx) [][]*svcTx {
	open := map[netip.AddrPort]*attempt{}
	var atts []attempt
	for i, t := range txs {
		c := open[t.client]
		if c == nil {
			c = &attempt{}
			open[t.client] = c
		}
		c.pos = append(c.pos, i)
		if a.in.Kind(t.req) == decode.KindSMB2NegotiateRequest {
			continue
		}
		a.noteAPReq(&c.end, t.req)
		if a.tokenOf(t.req, decode.KindNTLMNegotiate, decode.KindNTLMAuthenticate) >= 0 {
			c.end.ntlm = true
		}
		switch {
		case t.resp < 0:
			c.end.answer = answerMissing
		case inProgress(new(a.msg(t.resp))):
			continue
		default:
			c.end.answer = answerRejected
			if _, ok := carrierStatus(new(a.msg(t.resp))); ok {
				c.end.answer = answerAccepted
			}
		}
		// The attempt ends with t.
		atts = append(atts, *c)
		delete(open, t.client)
	}
	for _, c := range open {
		atts = append(atts, *c)
	}
	var out [][]*svcTx
	for _, r := range runs(atts) {
		out = append(out, pick(txs, r))
	}
	return out
}

// carrierHost names the server: the host of the SPN the client presented,
// else the name it resolved to the server's address.
func (a *analyzer) carrierHost(txs []*svcTx) string {
	for _, t := range txs {
		if ap := a.tokenOf(t.req, decode.KindAPReq); ap >= 0 && a.krbAt(ap).Ticket != nil {
			if _, h, _ := spnHost(a.krbAt(ap).Ticket.SName); h != "" {
				return h
			}
		}
	}
	m := a.msg(txs[0].req)
	return a.nameOf(m.Capture, m.Src.Addr(), m.Dst.Addr())
}

// carrierFlow builds the flow of one client to one file or directory server
// from its exchanges (one run of carrierSequences). Steps 3 and 4 are SMB2
// NEGOTIATE; LDAP has no such round. DNS lookups and Kerberos exchanges
// at or before frame since belong to an earlier flow of the client with
// the server, as does neg, the last NEGOTIATE of an earlier flow on the
// connection of this flow's first exchange (nil: none), which a flow
// without one of its own cites: a new session on a connection negotiated
// before.
func (a *analyzer) carrierFlow(txs []*svcTx, service string, since int, neg *svcTx) {
	var setups, negotiates []*svcTx
	for _, t := range txs {
		if a.in.Kind(t.req) == decode.KindSMB2NegotiateRequest {
			negotiates = append(negotiates, t)
		} else {
			setups = append(setups, t)
		}
	}
	if len(setups) == 0 {
		return // a NEGOTIATE alone says nothing about authentication
	}
	first := txs[0]
	m0 := a.msg(first.req)
	host := a.carrierHost(setups)
	fi := a.addFlow(newFlow(m0.Capture, first.client.Addr(), host, service))
	f := &a.res.Flows[fi]
	for _, t := range txs {
		a.collect(fi, t.req, t.resp)
	}
	chain := a.nameResolutionSince(fi, host, since, m0.Frame)
	a.connectStep(fi, first.client, first.server, m0.Frame)
	if len(negotiates) == 0 && neg != nil && neg.client == first.client && neg.server == first.server {
		negotiates = []*svcTx{neg}
	}
	a.negotiateSteps(fi, service, negotiates)

	var krbTx, ntlmTx *svcTx
	for _, t := range setups {
		switch {
		case krbTx == nil && a.tokenOf(t.req, decode.KindAPReq) >= 0:
			krbTx = t
		case ntlmTx == nil && a.tokenOf(t.req, decode.KindNTLMNegotiate, decode.KindNTLMAuthenticate) >= 0:
			ntlmTx = t
		}
	}
	end, apreq := 0, -1
	switch {
	case krbTx != nil:
		end = a.in.Frame(krbTx.req)
		apreq = a.tokenOf(krbTx.req, decode.KindAPReq)
	case ntlmTx != nil:
		end = a.in.Frame(ntlmTx.req)
	}
	a.ticketSteps(fi, target{host: host, start: a.in.Frame(setups[0].req), since: since}, chain, apreq, end)
	if krbTx != nil {
		var later []int
		for _, t := range setups {
			if ap := a.tokenOf(t.req, decode.KindAPReq); ap >= 0 && t.req > krbTx.req {
				later = append(later, ap)
			}
		}
		a.later = append(a.later, laterAPReqs{fi, end, later})
	}
	f = &a.res.Flows[fi]
	switch {
	case krbTx != nil:
		req := a.msg(krbTx.req)
		detail := fmt.Sprintf("%s carrying a Kerberos AP-REQ", carrierName(&req))
		if tk := a.krbAt(apreq).Ticket; tk != nil {
			detail += " for " + tk.SName.String()
		}
		f.set(StepAuthenticatedRequest, StatusOK, detail, req.Frame)
		a.carrierAcceptance(fi, setups, krbTx, true)
	case ntlmTx != nil:
		req := a.msg(ntlmTx.req)
		f.set(StepAuthenticatedRequest, StatusFailed, carrierName(&req)+" carries NTLMSSP, not Kerberos", req.Frame)
		a.carrierAcceptance(fi, setups, ntlmTx, false)
		a.carrierFallback(fi, host, &req)
	default:
		req := a.msg(setups[0].req)
		f.set(StepAuthenticatedRequest, StatusFailed, carrierName(&req)+" carries no Kerberos token", req.Frame)
		a.carrierAcceptance(fi, setups, setups[0], false)
	}
	a.userOf(fi)
	a.outcome(fi)
}

// carrierName names a request for step details.
func carrierName(m *decode.Message) string {
	switch {
	case m.SMB2() != nil:
		return "SMB2 SESSION_SETUP"
	case m.LDAP() != nil:
		s := "LDAP bindRequest (" + m.LDAP().Auth
		if m.LDAP().SASLMechanism != "" {
			s += " " + m.LDAP().SASLMechanism
		}
		return s + ")"
	}
	return m.Kind.String()
}

// negotiateSteps fills steps 3 and 4 from SMB2 NEGOTIATE.
func (a *analyzer) negotiateSteps(fi int, service string, negotiates []*svcTx) {
	f := &a.res.Flows[fi]
	if service != "cifs" {
		f.notApplicable("LDAP binds without a negotiation round", StepAnonymousRequest, StepChallenge)
		return
	}
	if len(negotiates) == 0 {
		f.set(StepAnonymousRequest, StatusMissing, "no SMB2 NEGOTIATE in the capture (the session was set up before it started)")
		f.set(StepChallenge, StatusMissing, "no SMB2 NEGOTIATE response in the capture")
		return
	}
	t := negotiates[0]
	f.set(StepAnonymousRequest, StatusOK, "SMB2 NEGOTIATE", a.in.Frame(t.req))
	if t.resp < 0 {
		f.set(StepChallenge, StatusMissing, "no response to the SMB2 NEGOTIATE")
		return
	}
	resp := a.msg(t.resp)
	sp := a.tokenOf(t.resp, decode.KindSPNEGOInit)
	if sp < 0 {
		f.set(StepChallenge, StatusOK, fmt.Sprintf("NEGOTIATE response %s without a SPNEGO hint", resp.SMB2().Status), resp.Frame)
		return
	}
	var names []string
	kerberos := false
	for _, o := range a.spnegoAt(sp).MechTypes {
		if o.IsKerberos() {
			kerberos = true
		}
		names = append(names, o.ShortName())
	}
	st := StatusOK
	if !kerberos {
		st = StatusFailed
	}
	f.set(StepChallenge, st, "NEGOTIATE response offers "+strings.Join(names, ", "), resp.Frame)
}

// carrierAcceptance fills step 8 from the response to the session setup or
// bind t, following SMB2 MORE_PROCESSING_REQUIRED and LDAP
// saslBindInProgress rounds to the final answer.
func (a *analyzer) carrierAcceptance(fi int, setups []*svcTx, t *svcTx, kerberos bool) {
	f := &a.res.Flows[fi]
	final := t
	for i, u := range setups {
		if u != t {
			continue
		}
		for _, v := range setups[i:] {
			final = v
			if v.resp < 0 || !inProgress(new(a.msg(v.resp))) {
				break
			}
		}
	}
	if final.resp < 0 {
		f.set(StepAcceptance, StatusMissing, "no response in the capture")
		return
	}
	resp := a.msg(final.resp)
	status, ok := carrierStatus(&resp)
	frames := []int{resp.Frame}
	if ok {
		detail := status
		if a.tokenOf(final.resp, decode.KindAPRep) >= 0 || a.tokenOf(t.resp, decode.KindAPRep) >= 0 {
			detail += "; mutual authentication: AP-REP"
		}
		f.set(StepAcceptance, StatusOK, detail, frames...)
		return
	}
	detail := status + ": the server refused the authentication"
	if e := a.tokenOf(final.resp, decode.KindKRBError); e >= 0 {
		detail += fmt.Sprintf(" with %s in its token", a.krbAt(e).ErrorCode)
		var ap []int
		if i := a.tokenOf(t.req, decode.KindAPReq); i >= 0 {
			ap = append(ap, i)
		}
		a.krbErrorFinding(fi, e, nil, ap...)
	}
	f.set(StepAcceptance, StatusFailed, detail, frames...)
	if kerberos {
		req := a.msg(t.req)
		a.finding(fi, "SERVICE_REJECTED_TICKET", []int{req.Frame, resp.Frame},
			"%s answered the Kerberos AP-REQ for %s (frame %d) with %s (frame %d).", f.Server, orSPN(f.SPN), req.Frame, status, resp.Frame)
	}
}

// inProgress reports an intermediate answer of a multi-round exchange.
func inProgress(m *decode.Message) bool {
	switch {
	case m.SMB2() != nil:
		return m.SMB2().Status.String() == "STATUS_MORE_PROCESSING_REQUIRED"
	case m.LDAP() != nil:
		return m.LDAP().ResultCode.String() == "saslBindInProgress"
	}
	return false
}

// carrierStatus names a response's status and reports whether it means the
// client was authenticated.
func carrierStatus(m *decode.Message) (string, bool) {
	switch {
	case m.SMB2() != nil:
		s := m.SMB2().Status.String()
		return s, s == "STATUS_SUCCESS"
	case m.LDAP() != nil:
		s := m.LDAP().ResultCode.String()
		return "bindResponse " + s, s == "success"
	}
	return m.Kind.String(), false
}

// carrierFallback explains an SMB2 or LDAP logon with NTLM (request req).
// When the server's NEGOTIATE response did not offer Kerberos, the client
// had no choice: that is the step 4 failure, not a fallback.
func (a *analyzer) carrierFallback(fi int, host string, req *decode.Message) {
	f := &a.res.Flows[fi]
	ch := f.Step(StepChallenge)
	if ch.Status == StatusFailed {
		// The server offered no Kerberos: the client had no choice.
		a.finding(fi, "HTTP_NTLM_FALLBACK", append(append([]int(nil), ch.Frames...), req.Frame),
			"%s authenticated to %s with NTLM over SMB2 (frame %d) because the server's SMB2 NEGOTIATE response (frame %s) offers %s and no Kerberos: a server outside the domain (workgroup, local accounts), or one without a Kerberos key for cifs/%s.",
			f.Client, f.Server, req.Frame, joinFrames(ch.Frames), strings.TrimPrefix(ch.Detail, "NEGOTIATE response offers "), host)
		return
	}
	via, offer := " over LDAP", []int{req.Frame}
	if req.SMB2() != nil {
		via = " over SMB2"
		if len(ch.Frames) > 0 {
			offer = ch.Frames
		}
	}
	a.ntlmFallback(fi, 0, req.Frame, host, offer, via)
}
