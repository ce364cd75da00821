package flow

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// errorIDs maps Kerberos error codes to catalogue ids; codes not listed are
// KRB_ERROR_OTHER, except the benign ones handled in krbErrorFinding.
var errorIDs = map[int32]string{
	1: "KRB_NAME_EXP", 2: "KRB_NAME_EXP",
	6: "KRB_C_PRINCIPAL_UNKNOWN", 7: "KRB_S_PRINCIPAL_UNKNOWN", 8: "KRB_PRINCIPAL_NOT_UNIQUE",
	12: "KRB_POLICY", 13: "KRB_BADOPTION", 14: "KRB_ETYPE_NOSUPP",
	18: "KRB_CLIENT_REVOKED", 23: "KRB_KEY_EXPIRED", 24: "KRB_PREAUTH_FAILED",
	31: "KRB_AP_MODIFIED", 41: "KRB_AP_MODIFIED", 32: "KRB_TKT_EXPIRED",
	34: "KRB_AP_REPEAT", 35: "KRB_AP_NOT_US", 37: "KRB_SKEW", 44: "KRB_AP_BADKEYVER",
	68: "KRB_WRONG_REALM",
}

// kdcFindings reports every KDC exchange's error or silence. Repeats of
// the same error for the same request (clients retry, with and without
// canonicalize) become one finding listing every frame.
func (a *analyzer) kdcFindings() {
	var errs []int // the KRB-ERRORs found in groups, below
	for i, t := range a.kdc {
		if t.rep >= 0 && a.in.Kind(t.rep) != decode.KindKRBError {
			continue // most exchanges: decided without building a message
		}
		fi := int(t.flow)
		if t.rep < 0 {
			req := a.msg(t.req)
			if !a.answeredLater(i) && !a.endsSoonAfter(t.req) {
				spn, what := req.Krb().SName.String(), withArticle(kindName(req.Kind))
				if spn != "" { // a request cut short may name none
					what += " for " + spn
				}
				if fd := a.findingAs(fi, "KDC_UNREACHABLE", SeverityError, spn, []int{req.Frame},
					"%s sent %s to the KDC %s over %s and got no reply.", t.client.Addr(), what, req.Dst, req.Transport); fd != nil && fi < 0 {
					fd.Client = t.client.Addr().String()
				}
			}
			continue
		}
		switch a.krbAt(t.rep).ErrorCode {
		case 25, 52, 32:
			a.krbErrorFinding(fi, t.rep, []int{i})
			continue
		}
		errs = append(errs, i)
	}
	a.errorGroups(errs)
}

// errorGroups makes one finding (krbErrorFinding) for each group of the
// KDC exchanges errs (indices into a.kdc, each answered by a KRB-ERROR)
// with the same flow, error code, kind of request, service name, client,
// KDC and capture, in the order of their first exchanges.
func (a *analyzer) errorGroups(errs []int) {
	// The service names, one string for each different one.
	snames := make([]string, len(errs))
	texts := map[string]string{}
	var buf []byte
	for k, i := range errs {
		buf = a.krbAt(a.kdc[i].req).SName.AppendTo(buf[:0])
		s, ok := texts[string(buf)]
		if !ok {
			s = string(buf)
			texts[s] = s
		}
		snames[k] = s
	}
	type key struct {
		flow    int32
		code    int32
		kind    decode.Kind
		capture int
		client  netip.Addr
		kdc     netip.Addr
	}
	keys := make([]key, len(errs))
	for k, i := range errs {
		t := a.kdc[i]
		_, kdc := a.in.Addrs(t.req)
		keys[k] = key{t.flow, int32(a.krbAt(t.rep).ErrorCode), a.in.Kind(t.req), a.in.Capture(t.req), t.client.Addr(), kdc.Addr()}
	}
	items, ends := orderedGroups(len(errs), func(k int) uint64 {
		x := &keys[k]
		h := hashUint(fnvOffset, uint64(x.flow)<<32|uint64(uint32(x.code)))
		h = hashUint(h, uint64(x.kind)<<32|uint64(uint32(x.capture)))
		return hashString(hashAddr(hashAddr(h, x.client), x.kdc), snames[k])
	}, func(k, l int) int {
		x, y := &keys[k], &keys[l]
		return cmp.Or(cmp.Compare(x.flow, y.flow), cmp.Compare(x.code, y.code), cmp.Compare(x.kind, y.kind),
			cmp.Compare(x.capture, y.capture), x.client.Compare(y.client), x.kdc.Compare(y.kdc), strings.Compare(snames[k], snames[l]))
	})
	var txs []int
	start := int32(0)
	for _, end := range ends {
		txs = txs[:0]
		for _, k := range items[start:end] {
			txs = append(txs, errs[k])
		}
		start = end
		a.krbErrorFinding(int(a.kdc[txs[0]].flow), a.kdc[txs[0]].rep, txs)
	}
}

// answeredLater reports whether the same client got a reply to a later
// request of the same kind and for the same name (a retry that worked).
func (a *analyzer) answeredLater(i int) bool {
	t := a.kdc[i]
	req := a.msg(t.req)
	for _, u := range a.kdcAfter(i) {
		r := a.msg(u.req)
		if r.Capture == req.Capture && u.client.Addr() == t.client.Addr() && r.Kind == req.Kind &&
			r.Krb().SName.String() == req.Krb().SName.String() && u.rep >= 0 {
			return true
		}
	}
	return false
}

// followUp returns the next KDC request of the same client and kind after
// exchange i, or nil.
func (a *analyzer) followUp(i int) *kdcTx {
	t := a.kdc[i]
	capture, kind := a.in.Capture(t.req), a.in.Kind(t.req)
	for _, u := range a.kdcAfter(i) {
		if a.in.Capture(u.req) == capture && u.client.Addr() == t.client.Addr() && a.in.Kind(u.req) == kind {
			return u
		}
	}
	return nil
}

// krbErrorFinding reports the KRB-ERROR at message e. txs are the KDC
// exchanges answered with it (one or several repeats), or nil for an error
// a service returned inside Negotiate, then apreq is the AP-REQ message.
func (a *analyzer) krbErrorFinding(fi, e int, txs []int, apreq ...int) {
	em := a.msg(e)
	code := int32(em.Krb().ErrorCode)
	// The text and the frames are made in the analyzer's scratch buffers,
	// and the text copied once: tens of thousands of errors each made four
	// or five strings on the way (a tenth of the analysis's garbage at
	// 20,000 flows, late in it).
	frames := a.errFrames[:0]
	b := a.textBuf[:0]
	switch {
	case len(txs) > 0:
		req := a.msg(a.kdc[txs[0]].req)
		for _, i := range txs {
			frames = append(frames, a.in.Frame(a.kdc[i].req))
		}
		for _, i := range txs {
			frames = append(frames, a.in.Frame(a.kdc[i].rep))
		}
		reqFrames, repFrames := frames[:len(txs)], frames[len(txs):]
		// "The KDC %s answered %s from %s[ for %s] (%s %s) with %s (%d) in %s %s"
		b = append(b, "The KDC "...)
		b = appendAddr(b, em.Src.Addr())
		b = append(b, " answered "...)
		if len(txs) > 1 {
			b = fmt.Appendf(b, "%d %ss", len(txs), kindName(req.Kind))
		} else {
			b = append(append(b, "the "...), kindName(req.Kind)...)
		}
		b = append(b, " from "...)
		b = appendAddr(b, req.Src.Addr())
		if sn := req.Krb().SName; !sn.Empty() {
			b = append(b, " for "...)
			b = sn.AppendTo(b)
		}
		b = append(append(append(b, " ("...), plural(len(reqFrames), "frame", "frames")...), ' ')
		b = appendFrames(b, reqFrames)
		b = append(append(b, ") with "...), em.Krb().ErrorCode.String()...)
		b = strconv.AppendInt(append(b, " ("...), int64(code), 10)
		b = append(append(append(b, ") in "...), plural(len(repFrames), "frame", "frames")...), ' ')
		b = appendFrames(b, repFrames)
	default:
		frames = append(frames, em.Frame)
		b = fmt.Appendf(b, "The service %s answered", em.Src.Addr())
		if len(apreq) > 0 {
			ap := a.msg(apreq[0])
			b = fmt.Appendf(b, " the AP-REQ of frame %d", ap.Frame)
			frames = append(frames, ap.Frame)
			if tk := ap.Krb().Ticket; tk != nil && (code == 31 || code == 41 || code == 44 || code == 45) {
				b = fmt.Appendf(b, " (ticket for %s encrypted with %s", tk.SName, tk.Etype)
				if tk.Kvno >= 0 {
					b = fmt.Appendf(b, ", key version %d", tk.Kvno)
				}
				b = append(b, ')')
			}
		}
		b = fmt.Appendf(b, " with %s (%d) in frame %d", em.Krb().ErrorCode, code, em.Frame)
	}
	if et := em.Krb().EText; et != "" {
		b = strconv.AppendQuote(append(b, ", e-text "...), et) // as %q
	}
	if ed := em.Krb().EData; ed != nil && ed.HasNTStatus {
		b = fmt.Appendf(b, ", NTSTATUS %s", ed.NTStatus)
	}
	txi := -1
	if len(txs) > 0 {
		txi = txs[len(txs)-1]
	}
	defer func() { a.textBuf, a.errFrames = b, frames }()
	switch code {
	case 25: // KDC_ERR_PREAUTH_REQUIRED
		if txi >= 0 {
			if u := a.followUp(txi); u != nil && hasPreauth(a.krbAt(u.req)) {
				frames = append(frames, a.in.Frame(u.req))
				b = append(b, "; the client then sent a pre-authenticated AS-REQ (frame "...)
				b = append(strconv.AppendInt(b, int64(a.in.Frame(u.req)), 10), "). This is normal."...)
				a.findingText(fi, "KRB_PREAUTH_REQUIRED", frames, b)
				return
			}
		}
		b = append(b, " and no pre-authenticated AS-REQ followed: the client gave up (no password or key)."...)
		a.findingText(fi, "KRB_PREAUTH_REQUIRED", frames, b)
		return
	case 52: // KRB_ERR_RESPONSE_TOO_BIG
		if txi >= 0 {
			if u := a.followUp(txi); u != nil && a.msg(u.req).Transport == decode.TransportTCP {
				frames = append(frames, a.in.Frame(u.req))
				b = append(b, "; the client retried over TCP (frame "...)
				b = append(strconv.AppendInt(b, int64(a.in.Frame(u.req)), 10), ")."...)
				a.findingText(fi, "KDC_TCP_FALLBACK", frames, b)
				return
			}
		}
		b = append(b, " and no TCP retry followed."...)
		a.findingText(fi, "KDC_TCP_BLOCKED", frames, b)
		return
	case 32: // KRB_AP_ERR_TKT_EXPIRED
		if txi >= 0 && a.followUp(txi) != nil {
			return // renewed: normal
		}
	}
	id, ok := errorIDs[code]
	if code == 31 && len(txs) > 0 && a.in.Kind(a.kdc[txs[0]].req) == decode.KindASReq {
		// MIT answers a wrong password under encrypted-timestamp or FAST
		// pre-authentication with BAD_INTEGRITY: no service key is involved.
		id = "KRB_PREAUTH_FAILED"
	}
	if !ok {
		id = "KRB_ERROR_OTHER"
		b = append(append(b, ": "...), em.Krb().ErrorCode.Meaning()...)
	}
	if code == 37 || code == 33 {
		b = append(append(b, ". "...), skewText(&em, len(txs) > 0)...)
	}
	sev, spn := catalogue[id].sev, ""
	if len(txs) > 0 {
		// The finding is about the service the request named (a TGS-REQ,
		// or an AS-REQ for a service ticket), not the flow's.
		if req := a.msg(a.kdc[txs[0]].req); req.Kind == decode.KindTGSReq || !isTGT(req.Krb().SName) {
			spn = req.Krb().SName.String()
		}
	}
	if id == "KRB_PREAUTH_FAILED" && txi >= 0 {
		if u := a.laterTGT(txi); u != nil {
			sev = SeverityWarning
			b = fmt.Appendf(b, "; the client got a TGT later (frame %d), so the right password was used then, but a wrong or stale one was tried first (each try counts towards lockout)",
				a.in.Frame(u.rep))
		}
	}
	if code == 7 && txi >= 0 {
		if u := a.recoveredTGS(fi, txi); u != nil {
			// The client tried another name (MIT's dns_canonicalize_hostname =
			// fallback, a referral) and got its ticket: a detour, not the failure.
			sev = SeverityInfo
			b = fmt.Appendf(b, "; the client then asked for %s and got a ticket (frame %d), so this only cost a round trip",
				a.krbAt(u.req).SName, a.in.Frame(u.rep))
		}
	}
	fd := a.newFinding(fi, id, sev, spn, frames)
	if fd == nil {
		return
	}
	b = append(b, '.')
	fd.Summary = string(b)
	if r, ok := otherRemedies[code]; ok && id == "KRB_ERROR_OTHER" {
		fd.Remedy = r
	}
	if fi < 0 && len(txs) > 0 {
		fd.Client, fd.SPN = a.kdc[txs[0]].client.Addr().String(), a.krbAt(a.kdc[txs[0]].req).SName.String()
	}
}

// otherRemedies are what to check for the Kerberos errors without an id of
// their own (spec/kerberos-errors.md): KRB_ERROR_OTHER carries the code's
// own advice rather than "look it up".
var otherRemedies = map[int32]string{
	16: "The client offered pre-authentication the KDC does not support (PKINIT, smart card): check the KDC's PKINIT configuration and certificates.",
	33: "Ticket not yet valid: a clock difference. Synchronise time on the client, the KDC and the service (w32tm /resync /rediscover, chrony); compare with the offset measured here.",
	36: "Ticket and authenticator do not match: the TGS-REQ went to a KDC of another realm, or the S4U configuration mixes accounts. Check which DC answered and the realm.",
	38: "The ticket holds addresses and the request came through NAT or a proxy: request tickets without addresses (noaddresses = true).",
	40: "A message of the wrong type: for user-to-user over UDP, force Kerberos over TCP; otherwise check the client implementation.",
	45: "The service has no key for the ticket's realm or encryption type: compare the keytab's etypes and kvno with the account's (klist -ket).",
	60: "KRB_ERR_GENERIC: often an oversized PAC (too many groups), an SPN that is too long, or a password change not yet replicated; the e-text or NTSTATUS says which.",
}

// isTGT reports whether an SPN names the ticket-granting service.
func isTGT(p krb.Principal) bool {
	class := spnClass(p)
	return class == "krbtgt"
}

// laterTGT returns a later AS exchange of the same client and principal
// that got a TGT, or nil.
func (a *analyzer) laterTGT(i int) *kdcTx {
	t := a.kdc[i]
	req := a.msg(t.req)
	for _, u := range a.kdcAfter(i) {
		r := a.msg(u.req)
		if r.Capture == req.Capture && u.client.Addr() == t.client.Addr() && r.Kind == decode.KindASReq && u.rep >= 0 &&
			strings.EqualFold(r.Krb().CName.String(), req.Krb().CName.String()) && isTGT(r.Krb().SName) && a.in.Kind(u.rep) == decode.KindASRep {
			return u
		}
	}
	return nil
}

// recoveredTGS returns a later TGS exchange of the same client (and flow,
// when fi >= 0) for the same service class that got a ticket, or nil.
func (a *analyzer) recoveredTGS(fi, i int) *kdcTx {
	t := a.kdc[i]
	req := a.msg(t.req)
	class := spnClass(req.Krb().SName)
	if fi >= 0 {
		// Only the flow's own exchanges count: the first after t of
		// those, not a scan of all the client's exchanges after t (a
		// busy client makes thousands).
		var first *kdcTx
		for _, u := range a.flowKDC[fi] {
			if u.frame < t.frame || u == t || a.in.Capture(u.req) != req.Capture || u.client.Addr() != t.client.Addr() ||
				a.in.Kind(u.req) != decode.KindTGSReq || u.rep < 0 || u.pos < t.pos {
				continue
			}
			if c := spnClass(a.krbAt(u.req).SName); c == class && a.in.Kind(u.rep) == decode.KindTGSRep &&
				(first == nil || u.pos < first.pos) {
				first = u
			}
		}
		return first
	}
	for _, u := range a.kdcAfter(i) {
		r := a.msg(u.req)
		if r.Capture != req.Capture || u.client.Addr() != t.client.Addr() || r.Kind != decode.KindTGSReq || u.rep < 0 {
			continue
		}
		if c := spnClass(r.Krb().SName); c == class && a.in.Kind(u.rep) == decode.KindTGSRep {
			return u
		}
	}
	return nil
}

func hasPreauth(m *krb.Message) bool {
	for _, p := range m.PAData {
		switch int32(p) {
		case 2, 136, 16, 17: // ENC-TIMESTAMP, FX-FAST, PK-AS-REQ(_OLD)
			return true
		}
	}
	return false
}

func kindName(k decode.Kind) string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return strings.ToUpper(strings.ReplaceAll(k.String(), "_", "-"))
}

// kindNames are the kindName of every kind, made once.
var kindNames = func() []string {
	var out []string
	for i := range 256 {
		s := decode.Kind(i).String()
		if strings.HasPrefix(s, "kind(") { // past the last known kind
			break
		}
		out = append(out, strings.ToUpper(strings.ReplaceAll(s, "_", "-")))
	}
	return out
}()

// skewText states the clock offsets a KRB_AP_ERR_SKEW lets us measure: the
// error's stime against the capture clock, and the client's ctime against
// stime when the error echoes it. fromKDC says a KDC (not a service) sent it.
func skewText(em *decode.Message, fromKDC bool) string {
	var parts []string
	d := 0.0
	stime, ctime := em.Krb().STime.Time(), em.Krb().CTime.Time()
	if !stime.IsZero() {
		d = stime.Sub(em.Time).Seconds()
		parts = append(parts, fmt.Sprintf("Measured: the clock of %s (stime %s) is %s the capture's clock",
			em.Src.Addr(), stime.Format("2006-01-02T15:04:05Z"), offset(d)))
	}
	switch {
	case !ctime.IsZero() && !stime.IsZero():
		parts = append(parts, fmt.Sprintf("the client's clock (ctime %s) is %s it",
			ctime.Format("2006-01-02T15:04:05Z"), offset(ctime.Sub(stime).Seconds())))
	case fromKDC && math.Abs(d) < 60:
		parts = append(parts, "the client's clock must be the one that is off: its time travels encrypted (PA-ENC-TIMESTAMP, authenticator), so compare it with the KDC directly (w32tm /stripchart /computer:<dc>)")
	case !fromKDC && math.Abs(d) >= 60:
		parts = append(parts, "the service's clock is the one that is off, if the capture's clock is right")
	default:
		parts = append(parts, "the client's time travels encrypted, so compare its clock with the server's directly (w32tm /stripchart /computer:<server>)")
	}
	return strings.Join(parts, "; ")
}

// anonymousHTTP returns the web servers of the flows whose server answered
// without asking for authentication, in flow order, and the frames of
// those answers.
func (a *analyzer) anonymousHTTP() (servers []string, frames []int) {
	for i := range a.res.Flows {
		f := &a.res.Flows[i]
		if f.Service != "http" {
			continue
		}
		if s := f.Step(StepChallenge); s.Status == StatusNotApplicable && len(s.Frames) > 0 {
			servers = appendUniq(servers, f.Server)
			frames = append(frames, s.Frames...)
		}
	}
	return servers, sortInts(frames)
}

// offset words a clock difference in whole seconds.
func offset(sec float64) string {
	s := int64(math.Round(sec))
	switch {
	case s > 0:
		return fmt.Sprintf("%d s ahead of", s)
	case s < 0:
		return fmt.Sprintf("%d s behind", -s)
	}
	return "within 1 s of"
}

// captureFindings reports on the capture itself.
func (a *analyzer) captureFindings() {
	if !a.scan.authSeen && len(a.dns) == 0 {
		summary := "The capture holds no DNS, HTTP authentication or Kerberos message."
		servers, frames := a.anonymousHTTP()
		if len(servers) > 0 {
			summary += fmt.Sprintf(" It does hold HTTP: %s answered without asking for authentication (%s %s), "+
				"so these requests needed none and there was none to capture; if they should, check that the site "+
				"does not allow anonymous access.", strings.Join(servers, ", "), plural(len(frames), "frame", "frames"), joinFrames(frames))
		}
		a.finding(-1, "CAPTURE_NO_AUTH_TRAFFIC", frames, "%s", summary)
	}
	for ci, c := range a.in.Captures {
		var frames []int
		var what []string
		for _, w := range c.Warnings {
			frames = append(frames, w.Frame)
			what = append(what, w.String())
		}
		for _, i := range a.scan.truncated {
			if m := a.msg(int(i)); m.Capture == ci {
				frames = append(frames, m.Frame)
			}
		}
		if len(frames) > 0 {
			s := fmt.Sprintf("%s: %d %s cut short", c.File, len(frames), plural(len(frames), "frame or message was", "frames or messages were"))
			if len(what) > 0 {
				s += " (" + strings.Join(what, "; ") + ")"
			}
			a.finding(-1, "CAPTURE_TRUNCATED", frames, "%s.", s)
		}
	}
	for i := range a.in.Conns {
		c := &a.in.Conns[i]
		if c.Gaps > 0 {
			a.finding(a.flowOfConn(c), "CAPTURE_PACKET_LOSS", c.GapFrames,
				"%d bytes of the connection %s -> %s were never captured.", c.Gaps, c.Client, c.Server)
		}
	}
}

// flowOfConn finds the flow whose messages travelled on connection c, or
// -1: the first flow holding a TCP message between its two ends.
func (a *analyzer) flowOfConn(c *decode.Conn) int {
	if a.idx.connFlow == nil {
		a.idx.connFlow = make(map[tcpDir]int)
		for fi := range a.res.Flows {
			for _, i := range a.res.Flows[fi].Messages {
				m := a.msg(i)
				if m.Transport != decode.TransportTCP {
					continue
				}
				for _, k := range [2]tcpDir{{m.Capture, m.Src, m.Dst}, {m.Capture, m.Dst, m.Src}} {
					if _, ok := a.idx.connFlow[k]; !ok {
						a.idx.connFlow[k] = fi
					}
				}
			}
		}
	}
	if fi, ok := a.idx.connFlow[tcpDir{c.Capture, c.Client, c.Server}]; ok {
		return fi
	}
	return -1
}

// endsSoonAfter reports whether the capture of message i ends within a few
// seconds of it, too soon to tell a lost reply from one not yet sent.
func (a *analyzer) endsSoonAfter(i int) bool {
	m := a.msg(i)
	last := a.in.Captures[m.Capture].Last
	return last.Sub(m.Time).Seconds() < 3
}

// withArticle puts "a" or "an" before a message name ("an AS-REQ").
func withArticle(s string) string {
	if s != "" && strings.ContainsRune("AEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
