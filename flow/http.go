package flow

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/ntlm"
)

// authScheme returns the scheme of a request's Authorization header, "" if none.
func (a *analyzer) authScheme(req int) string {
	h := a.httpAt(req)
	if h.Authorization == nil {
		return ""
	}
	return h.Authorization.Scheme
}

// offers reports whether a 401 offers the scheme (case-insensitively).
func offers(h *httpauth.Head, scheme string) bool {
	for _, c := range h.WWWAuthenticate {
		if strings.EqualFold(c.Scheme, scheme) {
			return true
		}
	}
	return false
}

func schemes(h *httpauth.Head) string {
	var s []string
	for _, c := range h.WWWAuthenticate {
		s = append(s, c.Scheme)
	}
	return strings.Join(s, ", ")
}

// A client that talks to a web host for long (a browser left open, a
// terminal server's many users, a proxy) authenticates again and again: on
// every new connection, the server challenges and the client answers with
// a token. Most such attempts end as the one before, and belong in one flow;
// an attempt that ends differently (rejected after accepted, NTLM after
// Kerberos, a ticket for another name of the server) starts a new flow, so
// that a failure between successes is not hidden behind the first attempt,
// nor a second logon (another user's ticket for \\PDC after the machine's
// for \\PDC.contoso.com) behind the first. Tickets for the same service
// class and host are alike whatever the rest of the SPN says (clients
// alternate ldap/dc, ldap/dc/domain and LDAP/dc/domain).

// attemptEnd is how an attempt ended: which tokens the client sent, the
// service class and host of the first ticket it presented ("ldap/dc.x",
// lower case), and what the server answered to the last request with
// credentials.
type attemptEnd struct {
	kerberos, ntlm bool
	ticketFor      string
	answer         answerClass
}

// noteAPReq records in e the Kerberos AP-REQ carried by message req, if
// any.
func (a *analyzer) noteAPReq(e *attemptEnd, req int) {
	ap := a.tokenOf(req, decode.KindAPReq)
	if ap < 0 {
		return
	}
	e.kerberos = true
	if tk := a.krbAt(ap).Ticket; tk != nil && e.ticketFor == "" {
		class, host, _ := spnHost(tk.SName)
		e.ticketFor = class + "/" + strings.ToLower(host)
	}
}

// answerClass sorts the server's answers to a request with credentials.
type answerClass uint8

const (
	answerNone       answerClass = iota // no request with credentials
	answerAccepted                      // any status not below
	answerRejected                      // 401
	answerForbidden                     // 403
	answerBadRequest                    // 400
	answerMissing                       // no response in the capture
)

// classify sorts the response to a request with credentials.
func (a *analyzer) classify(t *httpTx) answerClass {
	if t.resp < 0 {
		return answerMissing
	}
	switch a.httpAt(t.resp).Status {
	case 401:
		return answerRejected
	case 403:
		return answerForbidden
	case 400:
		return answerBadRequest
	}
	return answerAccepted
}

// attempt is one authentication attempt of a client with a server: the
// positions of its exchanges among the client's exchanges with the server,
// ascending, and how it ended.
type attempt struct {
	pos []int
	end attemptEnd
}

// runs merges attempts, in the order of their first exchanges, into runs of
// attempts that end alike, and returns the positions of each run's
// exchanges, ascending. An attempt without credentials (the capture ends
// after the 401, the client gave up on that connection or answered on
// another) joins the run it falls in, never starts one of its own.
func runs(atts []attempt) [][]int {
	slices.SortStableFunc(atts, func(x, y attempt) int { return x.pos[0] - y.pos[0] })
	var out [][]int
	var cur attemptEnd
	for _, at := range atts {
		switch {
		case len(out) > 0 && (at.end == cur || at.end.answer == answerNone):
		case len(out) > 0 && cur.answer == answerNone:
			cur = at.end
		default:
			out = append(out, nil)
			cur = at.end
		}
		out[len(out)-1] = append(out[len(out)-1], at.pos...)
	}
	for _, r := range out {
		slices.Sort(r)
	}
	return out
}

// pick returns the elements of all at positions pos.
func pick[T any](all []T, pos []int) []T {
	out := make([]T, len(pos))
	for i, p := range pos {
		out[i] = all[p]
	}
	return out
}

// maxListedConns is how many connections httpSequences finds in a list;
// past them, a map finds them.
var maxListedConns = 16 // a variable for tests

// httpSequences splits the exchanges of one client with one web host, in
// request order, into the runs that make one flow each. Attempts are
// found connection by connection (a browser authenticates each of its
// parallel connections, and their exchanges interleave): one begins where
// a request without credentials is answered 401 after a request with
// credentials on the connection was answered. Runs are made by runs.
func (a *analyzer) httpSequences(txs []*httpTx) [][]*httpTx {
	type connAttempt struct {
		attempt
		answered bool // a request with credentials was answered
	}
	// The attempt open on each client connection, in a list: a client
	// uses one or a few connections to a host (runs orders the attempts).
	// Past maxListedConns, index finds them in the list.
	type conn struct {
		client netip.AddrPort
		c      *connAttempt
	}
	var openBuf [4]conn
	open := openBuf[:0]
	var index map[netip.AddrPort]int
	var atts []attempt
	for i, t := range txs {
		creds := a.authScheme(t.req) != ""
		var k int
		if index != nil {
			var ok bool
			if k, ok = index[t.client]; !ok {
				k = -1
			}
		} else {
			k = slices.IndexFunc(open, func(o conn) bool { return o.client == t.client })
		}
		var c *connAttempt
		if k >= 0 {
			c = open[k].c
		}
		if c != nil && !creds && c.answered && t.resp >= 0 && a.httpAt(t.resp).Status == 401 {
			atts = append(atts, c.attempt)
			c = nil
		}
		if c == nil {
			c = &connAttempt{}
			switch {
			case k >= 0:
				open[k].c = c
			case index != nil:
				index[t.client] = len(open)
				open = append(open, conn{t.client, c})
			default:
				if open = append(open, conn{t.client, c}); len(open) > maxListedConns {
					index = make(map[netip.AddrPort]int, 2*len(open))
					for j, o := range open {
						index[o.client] = j
					}
				}
			}
		}
		c.pos = append(c.pos, i)
		if creds {
			c.end.answer = a.classify(t)
			c.answered = c.answered || t.resp >= 0
			a.noteAPReq(&c.end, t.req)
			if a.tokenOf(t.req, decode.KindNTLMNegotiate, decode.KindNTLMAuthenticate) >= 0 {
				c.end.ntlm = true
			}
		}
	}
	for _, o := range open {
		atts = append(atts, o.c.attempt)
	}
	var out [][]*httpTx
	for _, r := range runs(atts) {
		out = append(out, pick(txs, r))
	}
	return out
}

// httpFlow builds the flow of one client to one web host from its exchanges
// (one run of httpSequences). DNS lookups and Kerberos exchanges at or
// before frame since belong to an earlier flow of the client with the host.
func (a *analyzer) httpFlow(txs []*httpTx, since int) {
	first := txs[0]
	m0 := a.msg(first.req)
	fi := a.addFlow(newFlow(m0.Capture, first.client.Addr(), first.host, "http"))
	f := &a.res.Flows[fi]
	if first.port != "" {
		f.Server = first.host + ":" + first.port
	}
	for _, t := range txs {
		a.collect(fi, t.req, t.resp)
	}
	chain := a.nameResolutionSince(fi, first.host, since, m0.Frame)
	a.connectStep(fi, first.client, first.server, m0.Frame)
	preemptive := a.authScheme(first.req) != ""
	a.challengeSteps(fi, first, preemptive)

	// The Kerberos attempt, and any NTLM one.
	var krbTx, ntlmTx *httpTx
	for _, t := range txs {
		switch {
		case krbTx == nil && a.tokenOf(t.req, decode.KindAPReq) >= 0:
			krbTx = t
		case ntlmTx == nil && a.tokenOf(t.req, decode.KindNTLMNegotiate, decode.KindNTLMAuthenticate) >= 0:
			ntlmTx = t
		}
	}
	end := 0
	switch {
	case krbTx != nil:
		end = a.in.Frame(krbTx.req)
	case ntlmTx != nil:
		end = a.in.Frame(ntlmTx.req)
	}
	apreq := -1
	if krbTx != nil {
		apreq = a.tokenOf(krbTx.req, decode.KindAPReq)
	}
	a.ticketSteps(fi, target{host: first.host, start: m0.Frame, since: since}, chain, apreq, end)
	if krbTx != nil {
		a.later = append(a.later, laterAPReqs{fi, end, a.laterAPReqs(txs, krbTx.req)})
	}
	f = &a.res.Flows[fi]
	a.authSteps(fi, txs, krbTx, ntlmTx)
	a.whyNoKerberos(fi, first, krbTx, ntlmTx)
	a.userOf(fi)
	a.outcome(fi)
	if a.hasFinding(fi, "HTTP_CLIENT_DID_NOT_AUTHENTICATE") {
		// The user got the 401 page: the authentication failed, although no
		// step did (the client never tried).
		a.res.Flows[fi].Outcome = OutcomeFailed
	}
}

// laterAPReqs returns the AP-REQs carried by the requests of txs after the
// request first.
func (a *analyzer) laterAPReqs(txs []*httpTx, first int) []int {
	var out []int
	for _, t := range txs {
		if t.req > first {
			if ap := a.tokenOf(t.req, decode.KindAPReq); ap >= 0 {
				out = append(out, ap)
			}
		}
	}
	return out
}

// hasFinding reports whether flow fi has a finding with the id.
func (a *analyzer) hasFinding(fi int, id string) bool {
	n, ok := catalogueNum[id]
	return ok && a.flowHas[flowFinding{int32(fi), n}]
}

// collect adds a request, its response (-1: none) and every message they
// carry to flow fi.
func (a *analyzer) collect(fi, req, resp int) {
	f := &a.res.Flows[fi]
	for _, i := range [2]int{req, resp} {
		if i >= 0 {
			f.Messages = append(f.Messages, i)
			f.Messages = a.appendDescendants(f.Messages, i)
		}
	}
}

// connectStep fills step 2 from the TCP handshake of the connection that
// carried the client's first request (at frame).
func (a *analyzer) connectStep(fi int, client, server netip.AddrPort, frame int) {
	f := &a.res.Flows[fi]
	c := a.connOf(f.Capture, client, server, frame)
	if c == nil && a.httpOnly(f.Capture) {
		f.set(StepConnect, StatusNotApplicable, httpOnlyDetail)
		return
	}
	if c == nil {
		f.set(StepConnect, StatusMissing, "the connection's handshake is not in the capture")
		return
	}
	if c.MidStream {
		f.set(StepConnect, StatusMissing,
			fmt.Sprintf("the connection %s -> %s was already open when the capture started", c.Client, c.Server), c.FirstFrame)
		a.finding(fi, "CAPTURE_STARTED_MID_FLOW", []int{c.FirstFrame},
			"The capture starts in the middle of the connection from %s to %s (no SYN).", c.Client, c.Server)
		return
	}
	if a.oneSided(c) {
		f.set(StepConnect, StatusOK, fmt.Sprintf("SYN %s -> %s; the server's answer is not in the capture, but the client went on sending on the connection",
			c.Client, c.Server), c.SYN...)
		a.finding(fi, "CAPTURE_ONE_DIRECTION", c.SYN,
			"The capture holds only the client's side of the connection %s -> %s: not one packet from the server, yet the client kept sending, so the server's packets were not captured.",
			c.Client, c.Server)
		return
	}
	var fbuf [4]int // f.set copies them
	frames := append(append(fbuf[:0], c.SYN...), c.SYNACK)
	var buf [96]byte
	b := appendAddrPort(append(buf[:0], "TCP handshake "...), c.Client)
	b = appendAddrPort(append(b, " -> "...), c.Server)
	f.set(StepConnect, StatusOK, string(b), frames...)
}

// appendAddrPort appends p as its String method writes it.
func appendAddrPort(b []byte, p netip.AddrPort) []byte {
	if !p.IsValid() {
		return append(b, p.String()...)
	}
	return p.AppendTo(b)
}

// connOf finds the connection that carried a message at frame.
func (a *analyzer) connOf(capture int, client, server netip.AddrPort, frame int) *decode.Conn {
	var best *decode.Conn
	for _, c := range a.idx.connBy[connKey{capture, client, server}] {
		if c.Capture == capture && c.Client == client && c.Server == server && c.FirstFrame <= frame {
			best = c
		}
	}
	return best
}

// challengeSteps fills steps 3 and 4.
func (a *analyzer) challengeSteps(fi int, first *httpTx, preemptive bool) {
	f := &a.res.Flows[fi]
	req := a.msg(first.req)
	if preemptive {
		f.set(StepAnonymousRequest, StatusSkipped,
			fmt.Sprintf("the client sent Authorization: %s with its first request (frame %d) without waiting for a 401", a.authScheme(first.req), req.Frame))
		f.set(StepChallenge, StatusSkipped, "no challenge needed: the client authenticated pre-emptively")
		return
	}
	f.set(StepAnonymousRequest, StatusOK, req.HTTP().Method+" "+req.HTTP().URI+" without Authorization", req.Frame)
	if first.resp < 0 {
		f.set(StepChallenge, StatusMissing, "no response to the anonymous request in the capture")
		return
	}
	resp := a.msg(first.resp)
	switch {
	case resp.HTTP().Status == 401 && offers(resp.HTTP(), "Negotiate"):
		f.set(StepChallenge, StatusOK, "401 WWW-Authenticate: "+schemes(resp.HTTP()), resp.Frame)
	case resp.HTTP().Status == 401:
		f.set(StepChallenge, StatusFailed, fmt.Sprintf("401 without Negotiate (offers: %s)", orNone(schemes(resp.HTTP()))), resp.Frame)
		offer := "without any WWW-Authenticate header"
		if sc := schemes(resp.HTTP()); sc != "" {
			offer = "offering only " + sc
		}
		a.finding(fi, "HTTP_NEGOTIATE_NOT_OFFERED", []int{resp.Frame},
			"%s answered 401 %s, so the client cannot use Kerberos.", f.Server, offer)
	default:
		f.set(StepChallenge, StatusNotApplicable,
			fmt.Sprintf("the server answered %d without asking for authentication", resp.HTTP().Status), resp.Frame)
	}
}

func orNone(s string) string {
	if s == "" {
		return "no scheme"
	}
	return s
}

// authSteps fills steps 7 and 8 and the HTTP findings.
func (a *analyzer) authSteps(fi int, txs []*httpTx, krbTx, ntlmTx *httpTx) {
	f := &a.res.Flows[fi]
	challenged := f.Step(StepChallenge).Status == StatusOK
	switch {
	case krbTx != nil:
		req := a.msg(krbTx.req)
		ap := a.msg(a.tokenOf(krbTx.req, decode.KindAPReq))
		var buf [192]byte
		b := append(append(buf[:0], req.HTTP().Method...), ' ')
		b = append(append(b, req.HTTP().URI...), " with Authorization: "...)
		b = append(append(b, a.authScheme(krbTx.req)...), " carrying a Kerberos AP-REQ"...)
		if tk := ap.Krb().Ticket; tk != nil && !tk.SName.Empty() {
			b = tk.SName.AppendTo(append(b, " for "...))
		}
		if n := len(b); ap.Krb().APOptions != 0 {
			if b = ap.Krb().APOptions.AppendNames(append(b, " ("...), ", "); len(b) == n+2 {
				b = b[:n] // no option with a name
			} else {
				b = append(b, ')')
			}
		}
		detail := string(b)
		f.set(StepAuthenticatedRequest, StatusOK, detail, req.Frame)
		a.acceptance(fi, txs, krbTx, true)
	case ntlmTx != nil:
		req := a.msg(ntlmTx.req)
		f.set(StepAuthenticatedRequest, StatusFailed,
			fmt.Sprintf("Authorization: %s carries NTLMSSP, not Kerberos", a.authScheme(ntlmTx.req)), req.Frame)
		last := ntlmTx
		for _, t := range txs {
			if a.tokenOf(t.req, decode.KindNTLMAuthenticate) >= 0 {
				last = t
			}
		}
		a.acceptance(fi, txs, last, false)
	default:
		var auth *httpTx
		for _, t := range txs {
			if a.authScheme(t.req) != "" {
				auth = t
				break
			}
		}
		if auth != nil {
			req := a.msg(auth.req)
			f.set(StepAuthenticatedRequest, StatusFailed,
				fmt.Sprintf("Authorization: %s carries no Kerberos token", a.authScheme(auth.req)), req.Frame)
			a.acceptance(fi, txs, auth, false)
			a.otherScheme(fi, txs, auth)
			return
		}
		if challenged {
			f.set(StepAcceptance, StatusMissing, "no authenticated request")
			if t := f.Step(StepTicketRequest).Status; t == StatusFailed || f.Step(StepTicketReply).Status == StatusFailed {
				f.set(StepAuthenticatedRequest, StatusMissing, "the client sent no Authorization: it could not get a ticket (see steps 5 and 6)")
				return
			}
			f.set(StepAuthenticatedRequest, StatusMissing, "the client never answered the challenge with an Authorization header")
			fr := []int{a.in.Frame(txs[0].req)}
			if txs[0].resp >= 0 {
				fr = append(fr, a.in.Frame(txs[0].resp))
			}
			why := ""
			if f.Step(StepTicketRequest).Status == StatusMissing && !a.httpOnly(f.Capture) {
				why = fmt.Sprintf(", and it never asked the KDC for a ticket for %s: %s", f.SPN, a.noRequestReason(fi, txs[0].host))
			}
			a.finding(fi, "HTTP_CLIENT_DID_NOT_AUTHENTICATE", fr,
				"%s offered Negotiate and %s never sent an Authorization header to it%s.", f.Server, f.Client, why)
			return
		}
		st := f.Step(StepChallenge).Status
		if st == StatusNotApplicable {
			// No challenge, no reason for a ticket: a TGS exchange the
			// client made anyway stays as it was found.
			for _, id := range []StepID{StepTicketRequest, StepTicketReply} {
				if s := f.Step(id); s.Status == StatusMissing {
					s.Status = StatusNotApplicable
					s.Detail = joinDetail(s.Detail, "the server did not ask for authentication")
				}
			}
			f.set(StepAuthenticatedRequest, StatusNotApplicable, "the server did not ask for authentication")
			f.set(StepAcceptance, StatusNotApplicable, "the server did not ask for authentication")
		}
	}
}

// acceptance fills step 8 from the response to the authenticated request t,
// one of the flow's exchanges txs.
func (a *analyzer) acceptance(fi int, txs []*httpTx, t *httpTx, kerberos bool) {
	f := &a.res.Flows[fi]
	if t.resp < 0 {
		f.set(StepAcceptance, StatusMissing, "no response to the authenticated request in the capture")
		return
	}
	resp := a.msg(t.resp)
	req := a.msg(t.req)
	st := resp.HTTP().Status
	frames := []int{resp.Frame}
	switch {
	case st == 401:
		detail := "401 again: the server rejected the authentication"
		if e := a.tokenOf(t.resp, decode.KindKRBError); e >= 0 {
			em := a.msg(e)
			detail += fmt.Sprintf(" with %s in its Negotiate token", em.Krb().ErrorCode)
			a.finding(fi, "KRB_ERROR_IN_NEGOTIATE", frames,
				"%s answered the AP-REQ of frame %d with 401 and a Kerberos error %s (%d) in WWW-Authenticate: Negotiate.",
				f.Server, req.Frame, em.Krb().ErrorCode, int32(em.Krb().ErrorCode))
			var ap []int
			if i := a.tokenOf(t.req, decode.KindAPReq); i >= 0 {
				ap = append(ap, i)
			}
			a.krbErrorFinding(fi, e, nil, ap...)
		}
		f.set(StepAcceptance, StatusFailed, detail, frames...)
		if kerberos {
			a.finding(fi, "SERVICE_REJECTED_TICKET", []int{req.Frame, resp.Frame},
				"%s answered the Kerberos AP-REQ for %s (frame %d) with 401 (frame %d).", f.Server, orSPN(f.SPN), req.Frame, resp.Frame)
		}
		a.authLoop(fi, txs, t)
	case st == 400 && req.HTTP().Authorization != nil:
		f.set(StepAcceptance, StatusFailed, fmt.Sprintf("400 %s after a %d-byte Authorization header", resp.HTTP().Reason, req.HTTP().Authorization.TokenB64Len), frames...)
		a.finding(fi, "HTTP_HEADER_TOO_LONG", []int{req.Frame, resp.Frame},
			"%s refused the request whose Authorization header holds a %d-character token with 400 %s.",
			f.Server, req.HTTP().Authorization.TokenB64Len, resp.HTTP().Reason)
	default:
		detail := fmt.Sprintf("%d %s", st, resp.HTTP().Reason)
		if rep := a.tokenOf(t.resp, decode.KindAPRep); rep >= 0 {
			detail += "; mutual authentication: AP-REP in WWW-Authenticate"
			if sp := a.tokenOf(t.resp, decode.KindSPNEGOResp); sp >= 0 && a.spnegoAt(sp) != nil {
				detail += fmt.Sprintf(" (negState %s)", a.spnegoAt(sp).NegState)
			}
		} else if kerberos {
			detail += "; no AP-REP returned"
			a.finding(fi, "HTTP_NO_MUTUAL_AUTH", frames,
				"%s accepted the Kerberos request (%d) without returning an AP-REP.", f.Server, st)
		}
		f.set(StepAcceptance, StatusOK, detail, frames...)
		if st == 403 {
			a.finding(fi, "HTTP_FORBIDDEN_AFTER_AUTH", frames,
				"%s authenticated the request of frame %d and then refused it with 403.", f.Server, req.Frame)
		}
	}
}

// authLoop reports three or more 401s to authenticated requests for the
// URI of t among the flow's exchanges txs.
func (a *analyzer) authLoop(fi int, txs []*httpTx, t *httpTx) {
	var frames []int
	uri := a.httpAt(t.req).URI
	for _, u := range txs {
		if u.resp < 0 {
			continue
		}
		if a.httpAt(u.req).URI == uri && a.authScheme(u.req) != "" && a.httpAt(u.resp).Status == 401 {
			frames = append(frames, a.in.Frame(u.resp))
		}
	}
	if len(frames) >= 3 {
		a.finding(fi, "HTTP_AUTH_LOOP", frames, "%s answered %d authenticated requests for %s with 401.",
			a.res.Flows[fi].Server, len(frames), uri)
	}
}

func orSPN(s string) string {
	if s == "" {
		return "the service"
	}
	return s
}

// whyNoKerberos explains an NTLM fallback or a Negotiate challenge that got
// no Kerberos answer, from what preceded it.
func (a *analyzer) whyNoKerberos(fi int, first, krbTx, ntlmTx *httpTx) {
	f := &a.res.Flows[fi]
	challenged := f.Step(StepChallenge).Status == StatusOK
	if krbTx != nil && ntlmTx == nil || !challenged && ntlmTx == nil {
		return
	}
	negotiate := challenged
	if ntlmTx != nil && strings.EqualFold(a.authScheme(ntlmTx.req), "Negotiate") {
		negotiate = true
	}
	if ntlmTx != nil && !negotiate {
		reason := fmt.Sprintf("the client chose the NTLM scheme itself (Authorization: %s) without a Negotiate offer in the capture", a.authScheme(ntlmTx.req))
		a.finding(fi, "HTTP_NTLM_FALLBACK", []int{a.in.Frame(ntlmTx.req)}, "%s authenticated to %s with NTLM (frame %d) because %s.",
			f.Client, f.Server, a.in.Frame(ntlmTx.req), reason)
		return
	}
	krbFrame := 0
	if krbTx != nil {
		krbFrame = a.in.Frame(krbTx.req)
	}
	fr := []int{a.in.Frame(first.req)}
	if first.resp >= 0 {
		fr = append(fr, a.in.Frame(first.resp))
	}
	if ntlmTx != nil {
		a.ntlmFallback(fi, krbFrame, a.in.Frame(ntlmTx.req), first.host, fr, "")
	}
}

// ntlmFallback reports that flow fi's client authenticated with NTLM (at
// frame ntlm) instead of Kerberos, and why, from what preceded it: a
// rejected AP-REQ (at krbFrame, 0: none), a failed TGS or AS exchange, or
// no TGS-REQ at all (then KRB_NO_TICKET_REQUEST too, citing offer, the
// frames where Kerberos was offered). via names the carrier ("" for HTTP).
func (a *analyzer) ntlmFallback(fi, krbFrame, ntlm int, host string, offer []int, via string) {
	f := &a.res.Flows[fi]
	tgs, rep := f.Step(StepTicketRequest), f.Step(StepTicketReply)
	var reason string
	var frames []int
	switch {
	case krbFrame > 0:
		reason = fmt.Sprintf("the server rejected the Kerberos AP-REQ of frame %d", krbFrame)
		frames = append(frames, krbFrame)
	case rep.Status == StatusFailed:
		reason = fmt.Sprintf("the TGS-REQ for %s failed: %s", f.SPN, rep.Detail)
		frames = append(frames, rep.Frames...)
	case tgs.Status == StatusFailed:
		reason = "the client has no TGT: " + tgs.Detail
		frames = append(frames, tgs.Frames...)
	case a.httpOnly(f.Capture):
		reason = "a HAR cannot show whether the client asked the KDC for " + f.SPN + " (klist get " + f.SPN + " on the client shows the Kerberos error)"
	default:
		why := a.noRequestReason(fi, host)
		reason = "the client never sent a TGS-REQ for " + f.SPN + ": " + why
		a.finding(fi, "KRB_NO_TICKET_REQUEST", offer, "%s offered Kerberos, but %s never asked the KDC for a ticket for %s: %s.",
			f.Server, f.Client, f.SPN, why)
	}
	frames = append(frames, ntlm)
	a.finding(fi, "HTTP_NTLM_FALLBACK", frames, "%s authenticated to %s with NTLM%s (frame %d) because %s.",
		f.Client, f.Server, via, ntlm, reason)
}

// noRequestReason guesses why no ticket was requested for host, in the
// words of the flow's service (a URL for the web, a share path for SMB2).
func (a *analyzer) noRequestReason(fi int, host string) string {
	f := &a.res.Flows[fi]
	name := a.nameReason(fi, host)
	if acct := a.localAccount(fi); acct != "" {
		// Whatever the name of the server, such a logon gets no ticket.
		local := "the client logged on with " + acct + ", an account of the client machine itself " +
			"(its NTLM domain is the client's own name), which the domain's KDC does not know: only a domain account gets Kerberos tickets"
		if name != "" {
			return local + "; besides, " + name
		}
		return local
	}
	if name != "" {
		return name
	}
	for _, t := range a.kdcOf(f.Capture, f.Client) {
		if t.client.Addr() == f.Client && a.in.Capture(t.req) == f.Capture {
			if f.Service == "http" {
				return "the site may not be in the Local intranet zone, or the client's Kerberos library refused the name"
			}
			return "the client's Kerberos library refused the name, or the server is in a realm the client does not reach"
		}
	}
	return "no Kerberos traffic from this client at all: it may have no TGT (not logged on to the domain), or its ticket cache already held one and it did not try"
}

// nameReason says why the name the client used for host gets no ticket
// (an IP address, a short name), in the words of flow fi's service, or "".
func (a *analyzer) nameReason(fi int, host string) string {
	service := a.res.Flows[fi].Service
	if _, err := netip.ParseAddr(host); err == nil {
		switch service {
		case "http":
			return "the URL names an IP address, for which there is no SPN"
		case "cifs":
			return `the client reached the share by IP address (\\` + host + `\...), for which there is no SPN`
		}
		return "the client named the server by IP address, for which there is no SPN"
	}
	if !strings.Contains(host, ".") {
		if service == "http" {
			return "the URL uses the short name " + host + ", so check that the client maps it to the realm"
		}
		return "the client used the short name " + host + ", so check that it maps it to the realm"
	}
	return ""
}

// localAccount returns `MACHINE\user` when flow fi's NTLM logon used an
// account of the client machine itself: an NTLMSSP AUTHENTICATE whose
// domain is the workstation's own name (MS-NLMP 2.2.1.3), unlike the
// domain that the server's CHALLENGE names, if any. It returns "" for any
// other flow.
func (a *analyzer) localAccount(fi int) string {
	var auth *ntlm.Message
	target := ""
	for _, i := range a.res.Flows[fi].Messages {
		n := a.in.NTLM(i)
		switch {
		case n == nil:
		case a.in.Kind(i) == decode.KindNTLMChallenge && target == "":
			target = n.TargetName
		case a.in.Kind(i) == decode.KindNTLMAuthenticate && auth == nil && n.User != "":
			auth = n
		}
	}
	if auth == nil || auth.Domain == "" || !strings.EqualFold(auth.Domain, auth.Workstation) ||
		strings.EqualFold(auth.Domain, target) {
		return ""
	}
	return auth.Domain + `\` + auth.User
}

// otherScheme explains a client that authenticated with a scheme that is
// not Negotiate, NTLM or Kerberos (Basic, Digest, Bearer): Kerberos was
// never in play, because the server did not offer it or the client did not
// take the offer.
func (a *analyzer) otherScheme(fi int, txs []*httpTx, auth *httpTx) {
	f := &a.res.Flows[fi]
	scheme := a.authScheme(auth.req)
	switch strings.ToLower(scheme) {
	case "negotiate", "ntlm", "kerberos":
		return
	}
	if f.Step(StepChallenge).Status == StatusFailed {
		return // HTTP_NEGOTIATE_NOT_OFFERED already says it
	}
	req := a.msg(auth.req)
	for _, t := range txs {
		if t.resp >= 0 && a.httpAt(t.resp).Status == 401 && offers(a.httpAt(t.resp), "Negotiate") {
			a.finding(fi, "HTTP_CLIENT_DID_NOT_AUTHENTICATE", []int{a.in.Frame(t.resp), req.Frame},
				"%s offered Negotiate (frame %d) and %s answered with %s credentials (frame %d): it did not try Kerberos.",
				f.Server, a.in.Frame(t.resp), f.Client, scheme, req.Frame)
			return
		}
	}
	a.finding(fi, "HTTP_NEGOTIATE_NOT_OFFERED", []int{req.Frame},
		"%s authenticated to %s with %s (frame %d), and no response in the capture offers Negotiate: Kerberos was never in play.",
		f.Client, f.Server, scheme, req.Frame)
}
