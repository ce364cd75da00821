package flow_test

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/flow"
)

// labCase is what a support engineer reads off the report of one lab
// capture (testdata/captures/README.md), written down from the scenario,
// tshark's view of the capture and spec/flow.md + spec/findings.md, not
// from kerbtrace's own output.
type labCase struct {
	name   string
	known  string // a known issue: the subtest is skipped with this reason until flow is fixed
	flows  []wantFlow
	global []want // capture-wide findings (FlowOf() == -1)
}

// wantFlow is one expected flow, in the order of the Result.
type wantFlow struct {
	client, server, service, spn, user string
	outcome                            flow.Outcome
	steps                              string // the eight step statuses
	// Key frames of steps 4 to 8. Step 5 must list at least ticketReq (it
	// also lists the AS exchange); the others exactly these (nil: none).
	challenge, ticketReq, ticketRep, authReq, final []int
	findings                                        []want
}

// The lab's names (testdata/captures/README.md).
const (
	client1 = "192.0.2.101"
	client2 = "192.0.2.102"
	client6 = "2001:db8:1::106"
	www     = "www.kerbtrace.test"
	wwwSPN  = "HTTP/www.kerbtrace.test"
	alice   = "alice@KERBTRACE.TEST"

	allOK = "ok ok ok ok ok ok ok ok"
	// The AS exchange failed: no TGT, so no TGS-REQ and no Authorization.
	noTGT = "ok ok ok ok failed missing missing missing"
	// The TGS exchange failed: no ticket, so no Authorization.
	noTicket = "ok ok ok ok ok failed missing missing"
	// The service answered the AP-REQ with 401.
	rejected = "ok ok ok ok ok ok ok failed"
)

// preauth is the KDC_ERR_PREAUTH_REQUIRED (frame 10) to the first AS-REQ
// (9) of kinit, followed by the pre-authenticated AS-REQ (19): normal, info.
var preauth = infoF("KRB_PREAUTH_REQUIRED", 9, 10, 19)

// webFlow is client1 -> www.kerbtrace.test as alice, the lab's usual flow.
func webFlow() wantFlow {
	return wantFlow{client: client1, server: www, service: "http", spn: wwwSPN, user: alice}
}

// asFailure is the flow of a browse after kinit got a KRB-ERROR for its
// first AS-REQ (9 -> 10): DNS 13-16, GET 22, 401 24, GET 26, 401 27.
func asFailure(user, id string) wantFlow {
	f := webFlow()
	f.user = user
	f.outcome = flow.OutcomeFailed
	f.steps = noTGT
	f.challenge = frames(24)
	f.ticketReq = frames(9, 10)
	f.findings = []want{errorF(id, 9, 10)}
	return f
}

// serviceError is the flow where www answered the AP-REQ of frame 50 with
// 401 and a KRB-ERROR inside the SPNEGO reject of frame 51.
func serviceError(id string) wantFlow {
	f := webFlow()
	f.outcome = flow.OutcomeFailed
	f.steps = rejected
	f.challenge, f.ticketReq, f.ticketRep, f.authReq, f.final = frames(34), frames(46), frames(47), frames(50), frames(51)
	f.findings = []want{
		errorF(id, 50, 51),
		errorF("SERVICE_REJECTED_TICKET", 50, 51),
		errorF("KRB_ERROR_IN_NEGOTIATE", 51),
		preauth,
	}
	return f
}

// webOK is the success flow with the usual frames: 401 34, TGS 46/47,
// GET+AP-REQ 50, 200+AP-REP 51.
func webOK() wantFlow {
	f := webFlow()
	f.outcome = flow.OutcomeKerberosOK
	f.steps = allOK
	f.challenge, f.ticketReq, f.ticketRep, f.authReq, f.final = frames(34), frames(46), frames(47), frames(50), frames(51)
	f.findings = []want{preauth}
	return f
}

func with(f wantFlow, edit func(*wantFlow)) wantFlow {
	edit(&f)
	return f
}

var labCases = []labCase{
	{name: "cached-ticket", flows: []wantFlow{with(webFlow(), func(f *wantFlow) {
		f.user = "" // no AS/TGS exchange: the AP-REQ names the client only inside encrypted parts
		f.outcome = flow.OutcomeKerberosOK
		f.steps = "ok ok ok ok skipped skipped ok ok"
		f.challenge, f.authReq, f.final = frames(14), frames(20), frames(21)
		f.findings = []want{infoF("KRB_TICKET_FROM_CACHE", 20)}
	})}},
	{name: "cname-canonical", flows: []wantFlow{with(webOK(), func(f *wantFlow) {
		f.server = "intranet.kerbtrace.test" // the CNAME the user browsed; the SPN names its target
		// GET / at 32 for intranet, TGS-REQ for HTTP/www at 46: it worked, worth knowing only
		f.findings = []want{infoF("KRB_SPN_HOST_MISMATCH", 32, 46), preauth}
	})}},
	{name: "cname-fallback", flows: []wantFlow{with(webFlow(), func(f *wantFlow) {
		f.server = "intranet.kerbtrace.test"
		f.outcome = flow.OutcomeKerberosOK
		f.steps = allOK
		f.challenge, f.ticketReq, f.ticketRep, f.authReq, f.final = frames(34), frames(42, 52, 66), frames(43, 53, 67), frames(70), frames(71)
		f.findings = []want{
			infoF("KRB_S_PRINCIPAL_UNKNOWN", 42, 43, 52, 53), // the client recovered: HTTP/www worked
			warnF("DNS_CNAME_ALIAS").citing(25, 26, 43, 53),  // the CNAME answers and the failed TGS
			preauth,
		}
	})}},
	{name: "cname-noncanonical", flows: []wantFlow{with(webFlow(), func(f *wantFlow) {
		f.server, f.spn = "intranet.kerbtrace.test", "HTTP/intranet.kerbtrace.test"
		f.outcome = flow.OutcomeFailed
		f.steps = noTicket
		f.challenge, f.ticketReq, f.ticketRep = frames(34), frames(42, 52, 64, 74), frames(43, 53, 65, 75)
		f.findings = []want{
			errorF("KRB_S_PRINCIPAL_UNKNOWN", 42, 43, 52, 53, 64, 65, 74, 75),
			warnF("DNS_CNAME_ALIAS").citing(25, 26, 43),
			preauth,
		}
	})}},
	{name: "disabled-account", flows: []wantFlow{asFailure("erin@KERBTRACE.TEST", "KRB_CLIENT_REVOKED")}},
	{name: "dns-nxdomain", flows: []wantFlow{
		{ // kinit alone
			client: client1, server: "KERBTRACE.TEST", service: "krbtgt", spn: "krbtgt/KERBTRACE.TEST", user: alice,
			outcome:   flow.OutcomeKerberosOK,
			steps:     "not_applicable not_applicable not_applicable not_applicable ok ok not_applicable not_applicable",
			ticketReq: frames(9, 19), ticketRep: frames(10, 20),
			findings: []want{preauth},
		},
		{ // the browse that never got an address
			client: client1, server: "nosuch.kerbtrace.test", service: "unknown",
			outcome:  flow.OutcomeFailed,
			steps:    "failed missing missing missing missing missing missing missing",
			findings: []want{errorF("DNS_NXDOMAIN", 23, 24, 25, 26)},
		},
	}},
	{name: "etype-nosupp", flows: []wantFlow{asFailure(alice, "KRB_ETYPE_NOSUPP")}},
	{name: "expired-account", flows: []wantFlow{asFailure("frank@KERBTRACE.TEST", "KRB_NAME_EXP")}},
	{name: "expired-password", flows: []wantFlow{with(asFailure("dave@KERBTRACE.TEST", "KRB_KEY_EXPIRED"), func(f *wantFlow) {
		// then kinit's AS exchange for kadmin/changepw: 19 -> 25 at 20, 27 -> AS-REP 28
		f.challenge = frames(40)
		f.findings = append(f.findings, infoF("KRB_PREAUTH_REQUIRED", 19, 20, 27))
	})}},
	{name: "forbidden", flows: []wantFlow{with(webOK(), func(f *wantFlow) {
		// 403 after an accepted AP-REQ is a successful Kerberos logon (spec/flow.md step 8)
		f.findings = []want{warnF("HTTP_FORBIDDEN_AFTER_AUTH", 51), preauth}
	})}},
	{name: "header-too-long", flows: []wantFlow{with(webOK(), func(f *wantFlow) {
		f.server = "www.kerbtrace.test:8080"
		f.outcome = flow.OutcomeFailed
		f.steps = rejected
		f.findings = []want{errorF("HTTP_HEADER_TOO_LONG", 50, 51), preauth}
	})}},
	{name: "ipv6", flows: []wantFlow{with(webOK(), func(f *wantFlow) { f.client = client6 })}},
	{
		name: "kdc-tcp-split",
		flows: []wantFlow{with(webOK(), func(f *wantFlow) {
			f.challenge, f.ticketReq, f.ticketRep, f.authReq, f.final = frames(57), frames(77), frames(82), frames(92), frames(94)
			f.findings = []want{infoF("KRB_PREAUTH_REQUIRED", 14, 16, 34)}
		})},
	},
	{name: "kdc-udp-too-big", flows: []wantFlow{with(webOK(), func(f *wantFlow) {
		f.challenge, f.ticketReq, f.ticketRep, f.authReq, f.final = frames(50), frames(62, 73), frames(63, 75), frames(80), frames(83)
		f.findings = []want{
			preauth,
			infoF("KDC_TCP_FALLBACK", 19, 20, 30), // AS-REQ over UDP, RESPONSE_TOO_BIG, AS-REQ over TCP
			infoF("KDC_TCP_FALLBACK", 62, 63, 73), // the same for the TGS-REQ
		}
	})}},
	{name: "locked-account", flows: []wantFlow{asFailure("carol@KERBTRACE.TEST", "KRB_CLIENT_REVOKED")}},
	{name: "no-negotiate", flows: []wantFlow{with(webFlow(), func(f *wantFlow) {
		f.outcome = flow.OutcomeFailed // the user got the 401 page
		f.steps = "ok ok ok ok missing missing missing missing"
		f.challenge = frames(34)
		f.findings = []want{errorF("HTTP_CLIENT_DID_NOT_AUTHENTICATE", 32, 34), preauth}
	})}},
	{name: "ntlm-fallback", flows: []wantFlow{with(webFlow(), func(f *wantFlow) {
		f.server, f.spn = "noprinc.kerbtrace.test", "HTTP/noprinc.kerbtrace.test"
		f.outcome = flow.OutcomeNTLMFallback
		f.steps = "ok ok ok ok ok failed failed ok"
		f.challenge, f.ticketReq, f.ticketRep, f.authReq, f.final = frames(34), frames(46, 56), frames(47, 57), frames(60), frames(63)
		f.findings = []want{
			errorF("KRB_S_PRINCIPAL_UNKNOWN", 46, 47, 56, 57),
			warnF("HTTP_NTLM_FALLBACK", 47, 57, 60), // why (the TGS errors) and the NTLMSSP NEGOTIATE
			preauth,
		}
	})}},
	{name: "preemptive", flows: []wantFlow{with(webOK(), func(f *wantFlow) {
		f.steps = "ok ok skipped skipped ok ok ok ok"
		f.challenge, f.ticketReq, f.ticketRep, f.authReq, f.final = nil, frames(42), frames(43), frames(46), frames(48)
	})}},
	// HTTP/rc4 has an rc4-hmac key only: it works, with a weak ticket (TGS-REP 47).
	{name: "rc4-service", flows: []wantFlow{with(webOK(), func(f *wantFlow) {
		f.server, f.spn = "rc4.kerbtrace.test", "HTTP/rc4.kerbtrace.test"
		f.findings = []want{warnF("KRB_WEAK_ETYPE", 47), preauth}
	})}},
	{name: "skew-client", flows: []wantFlow{with(webFlow(), func(f *wantFlow) {
		f.outcome = flow.OutcomeFailed
		f.steps = noTGT
		f.challenge, f.ticketReq = frames(34), frames(19, 20)
		f.findings = []want{errorF("KRB_SKEW", 19, 20), preauth}
	})}},
	{name: "skew-client-tgs", flows: []wantFlow{with(webFlow(), func(f *wantFlow) {
		f.outcome = flow.OutcomeFailed
		f.steps = noTicket
		f.challenge, f.ticketReq, f.ticketRep = frames(34), frames(46, 56, 72, 82), frames(47, 57, 73, 83)
		f.findings = []want{errorF("KRB_SKEW", 46, 47, 56, 57, 72, 73, 82, 83), preauth}
	})}},
	{name: "skew-client-timesync", flows: []wantFlow{webOK()}},
	{name: "skew-server", flows: []wantFlow{serviceError("KRB_SKEW")}},
	// KRB_AP_ERR_TKT_NYV (33) has no id of its own in spec/findings.md.
	{name: "skew-server-behind", flows: []wantFlow{serviceError("KRB_ERROR_OTHER")}},
	// STATUS_LOGON_FAILURE to the SESSION_SETUP carrying the AP-REQ, no Kerberos error token.
	{name: "smb-rejected", flows: []wantFlow{smbFlow(flow.OutcomeFailed, rejected, errorF("SERVICE_REJECTED_TICKET", 42, 43), preauth)}},
	{name: "smb-success", flows: []wantFlow{smbFlow(flow.OutcomeKerberosOK, allOK, preauth)}},
	{name: "spn-missing", flows: []wantFlow{with(webFlow(), func(f *wantFlow) {
		f.server, f.spn = "noprinc.kerbtrace.test", "HTTP/noprinc.kerbtrace.test"
		f.outcome = flow.OutcomeFailed
		f.steps = noTicket
		f.challenge, f.ticketReq, f.ticketRep = frames(34), frames(46, 56, 72, 82), frames(47, 57, 73, 83)
		f.findings = []want{errorF("KRB_S_PRINCIPAL_UNKNOWN", 46, 47, 56, 57, 72, 73, 82, 83), preauth}
	})}},
	{name: "stale-key", flows: []wantFlow{serviceError("KRB_AP_BADKEYVER")}},
	{name: "success", flows: []wantFlow{webOK()}},
	{name: "two-clients", flows: []wantFlow{
		with(webOK(), func(f *wantFlow) {
			f.challenge, f.ticketReq, f.ticketRep, f.authReq, f.final = frames(56), frames(68), frames(69), frames(72), frames(73)
		}),
		with(webFlow(), func(f *wantFlow) {
			f.client, f.user = client2, "bob@KERBTRACE.TEST"
			f.outcome = flow.OutcomeFailed
			f.steps = noTGT
			f.challenge, f.ticketReq = frames(88), frames(41, 42)
			f.findings = []want{errorF("KRB_PREAUTH_FAILED", 41, 42), infoF("KRB_PREAUTH_REQUIRED", 31, 32, 41)}
		}),
	}},
	{name: "unknown-user", flows: []wantFlow{asFailure("mallory@KERBTRACE.TEST", "KRB_C_PRINCIPAL_UNKNOWN")}},
	// MIT 1.20 reports a wrong service key as BAD_INTEGRITY (31): KRB_AP_MODIFIED.
	{name: "wrong-key", flows: []wantFlow{serviceError("KRB_AP_MODIFIED")}},
	{name: "wrong-password", flows: []wantFlow{with(webFlow(), func(f *wantFlow) {
		f.outcome = flow.OutcomeFailed
		f.steps = noTGT
		f.challenge, f.ticketReq = frames(34), frames(19, 20)
		f.findings = []want{errorF("KRB_PREAUTH_FAILED", 19, 20), preauth}
	})}},
}

// smbFlow is smbclient -> fs.kerbtrace.test: NEGOTIATE 30/32 (steps 3 and
// 4: the response's SPNEGO hint offers Kerberos), TGS 40/41, SESSION_SETUP
// with the AP-REQ 42 and its answer 43.
func smbFlow(outcome flow.Outcome, steps string, findings ...want) wantFlow {
	return wantFlow{
		client: client1, server: "fs.kerbtrace.test", service: "cifs", spn: "cifs/fs.kerbtrace.test", user: alice,
		outcome: outcome, steps: steps,
		challenge: frames(32), ticketReq: frames(40), ticketRep: frames(41), authReq: frames(42), final: frames(43),
		findings: findings,
	}
}

// runKnown (go test ./flow -run TestLabCaptures -known) runs the known-issue
// subtests, to see what still differs.
var runKnown = flag.Bool("known", false, "run the lab subtests of known issues instead of skipping them")

// TestLabCaptures checks every lab capture (and its pcapng and Network
// Monitor copies, which hold the same frames) against labCases.
func TestLabCaptures(t *testing.T) {
	for _, c := range labCases {
		for _, ext := range []string{".pcap", ".pcapng", ".cap"} {
			file := c.name + ext
			if ext != ".pcap" && !slices.Contains(labCaptureFiles(t, ext), file) {
				continue
			}
			t.Run(file, func(t *testing.T) {
				if c.known != "" && !*runKnown {
					t.Skip("known issue: " + c.known)
				}
				checkCapture(t, labCapture(t, file).res, c)
			})
		}
	}
}

// TestLabCasesCoverEveryCapture makes a new capture need its row.
func TestLabCasesCoverEveryCapture(t *testing.T) {
	rows := map[string]bool{}
	for _, c := range labCases {
		if rows[c.name] {
			t.Errorf("two rows for %s", c.name)
		}
		rows[c.name] = true
	}
	files := labCaptureFiles(t, ".pcap")
	for _, f := range files {
		if name := strings.TrimSuffix(f, ".pcap"); !rows[name] {
			t.Errorf("testdata/captures/%s has no row in labCases", f)
		}
		delete(rows, strings.TrimSuffix(f, ".pcap"))
	}
	for name := range rows {
		t.Errorf("labCases row %s has no capture", name)
	}
}

func checkCapture(t *testing.T, r *flow.Result, c labCase) {
	t.Helper()
	if len(r.Flows) != len(c.flows) {
		for i := range r.Flows {
			f := &r.Flows[i]
			t.Logf("flow %d: %s -> %s (%s) %s", i+1, f.Client, f.Server, f.Service, f.Outcome)
		}
		t.Fatalf("%d flows, want %d", len(r.Flows), len(c.flows))
	}
	for i, w := range c.flows {
		checkFlow(t, r, i, w)
	}
	checkFindings(t, "capture-wide", findingsOf(r, -1), c.global)
}

func checkFlow(t *testing.T, r *flow.Result, fi int, w wantFlow) {
	t.Helper()
	f := &r.Flows[fi]
	name := fmt.Sprintf("flow %d", fi+1)
	eq := func(what, got, want string) {
		if got != want {
			t.Errorf("%s: %s = %q, want %q", name, what, got, want)
		}
	}
	eq("client", f.Client.String(), w.client)
	eq("server", f.Server, w.server)
	eq("service", f.Service, w.service)
	eq("SPN", f.SPN, w.spn)
	eq("user", f.User, w.user)
	eq("outcome", string(f.Outcome), string(w.outcome))
	want := statuses(t, w.steps)
	for i, s := range f.Steps {
		if s.Status != want[i] {
			t.Errorf("%s: step %d %s is %s (%s), want %s", name, i+1, s.ID, s.Status, s.Detail, want[i])
		}
	}
	exact := func(id flow.StepID, wantFr []int) {
		if got := f.Step(id).Frames; !slices.Equal(got, wantFr) && len(got)+len(wantFr) > 0 {
			t.Errorf("%s: step %s frames %v, want %v", name, id, got, wantFr)
		}
	}
	exact(flow.StepChallenge, w.challenge)
	if got := f.Step(flow.StepTicketRequest).Frames; !containsAll(got, w.ticketReq) {
		t.Errorf("%s: step %s frames %v, want them to include %v", name, flow.StepTicketRequest, got, w.ticketReq)
	}
	exact(flow.StepTicketReply, w.ticketRep)
	exact(flow.StepAuthenticatedRequest, w.authReq)
	exact(flow.StepAcceptance, w.final)
	checkFindings(t, name, findingsOf(r, fi), w.findings)
}
