package flow

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
)

// notApplicable marks the listed steps of flow fi as not applicable.
func (f *Flow) notApplicable(detail string, ids ...StepID) {
	for _, id := range ids {
		f.set(id, StatusNotApplicable, detail)
	}
}

// nameOf returns a name the client resolved to addr, or the address itself.
func (a *analyzer) nameOf(capture int, client netip.Addr, addr netip.Addr) string {
	for _, i := range a.dnsOf(capture, client) {
		t := &a.dns[i]
		if a.txClients[t.client] != client || int(t.capture) != capture {
			continue
		}
		for _, x := range a.resolved(t) {
			if x == addr {
				return a.txNames[t.name]
			}
		}
	}
	return addr.String()
}

// failedConnectFlows builds flows for connections that never opened.
func (a *analyzer) failedConnectFlows() {
	done := map[clientServer]int{}
	direct := a.directSMB()
	for i := range a.in.Conns {
		c := &a.in.Conns[i]
		if len(c.SYN) == 0 || c.SYNACK != 0 || a.oneSided(c) {
			continue
		}
		if c.Server.Port() == 139 && raced(direct[clientServer{c.Capture, c.Client.Addr(), netip.AddrPortFrom(c.Server.Addr(), 445)}], c.FirstTime) {
			continue
		}
		if c.RST == 0 && a.in.Captures[c.Capture].Last.Sub(c.FirstTime).Seconds() < 3 {
			continue // the capture ended before the SYN could be answered or retried
		}
		k := clientServer{c.Capture, c.Client.Addr(), c.Server}
		frames := append([]int(nil), c.SYN...)
		if c.RST != 0 {
			frames = append(frames, c.RST)
		}
		how := "no answer to the SYN"
		if c.RST != 0 && c.RSTFromServer {
			how = "the SYN was answered by a reset"
		}
		if c.Server.Port() == 88 {
			a.clientFinding(c.Client.Addr(), "KDC_TCP_BLOCKED", frames, "%s could not open TCP 88 to the KDC %s: %s.", c.Client.Addr(), c.Server, how)
			continue
		}
		if fi, ok := done[k]; ok {
			s := a.res.Flows[fi].Step(StepConnect)
			s.Frames = sortInts(append(s.Frames, frames...))
			continue
		}
		name := a.nameOf(c.Capture, c.Client.Addr(), c.Server.Addr())
		service := "http"
		switch c.Server.Port() {
		case 445, 139:
			service = "cifs"
		case 389, 3268:
			service = "ldap"
		}
		fi := a.addFlow(newFlow(c.Capture, c.Client.Addr(), name, service))
		done[k] = fi
		f := &a.res.Flows[fi]
		f.SPN = spnFor(service, name)
		a.nameResolution(fi, name, c.FirstFrame)
		f = &a.res.Flows[fi]
		f.set(StepConnect, StatusFailed, fmt.Sprintf("TCP %s -> %s: %s", c.Client, c.Server, how), frames...)
		for _, id := range Steps[2:] {
			f.set(id, StatusMissing, "no connection")
		}
		f.Outcome = OutcomeFailed
		a.finding(fi, "TCP_CONNECT_FAILED", frames, "%s could not connect to %s (%s): %s.", c.Client.Addr(), c.Server, name, how)
	}
}

// clientServer names the connections of a client address to a server in a
// capture.
type clientServer struct {
	capture int
	client  netip.Addr
	server  netip.AddrPort
}

// smbRace is how far apart a Windows client opens its two SMB transports
// to a server: it tries TCP 445 (direct hosting) and 139 (NetBIOS) at once
// and keeps the first that answers, resetting or dropping the other.
const smbRace = 5 * time.Second

// directSMB returns the times at which each client opened a connection to
// TCP 445 of a server, by capture, client address and server.
func (a *analyzer) directSMB() map[clientServer][]time.Time {
	out := map[clientServer][]time.Time{}
	for i := range a.in.Conns {
		c := &a.in.Conns[i]
		if c.Server.Port() == 445 && c.SYNACK != 0 {
			k := clientServer{c.Capture, c.Client.Addr(), c.Server}
			out[k] = append(out[k], c.FirstTime)
		}
	}
	return out
}

// raced reports whether a connection to TCP 139 opened at t was the losing
// half of the race of a client's two SMB transports: one of the times at
// which it connected to 445 of the same server is within smbRace.
func raced(direct []time.Time, t time.Time) bool {
	for _, d := range direct {
		if diff := d.Sub(t); diff < smbRace && diff > -smbRace {
			return true
		}
	}
	return false
}

// ignoredNames are lookups Windows makes on its own; their failure says
// nothing about the site the user opened.
var ignoredNames = []string{"wpad", "isatap", "_ldap", "_kerberos", "_msdcs", "_gc", "_kpasswd"}

// dnsFailureFlows builds flows for host names that never resolved and were
// therefore never contacted, and reports failed KDC locator lookups.
func (a *analyzer) dnsFailureFlows() {
	a.locatorFailures()
	domains := a.knownDomains()
	type key struct {
		capture int
		client  netip.Addr
		base    string
	}
	done := map[key]bool{}
	for i := range a.dns {
		t := &a.dns[i]
		if t.qtype == 33 { // SRV: see locatorFailures
			continue
		}
		name, client := a.txNames[t.name], a.txClients[t.client]
		if !isAddressQuery(t.qtype) || len(a.resolved(t)) > 0 || ignored(name) {
			continue
		}
		base := baseName(name, domains)
		k := key{int(t.capture), client, base}
		if done[k] || !inDomains(base, domains) || a.everResolved(int(t.capture), client, base) || a.hasFlowFor(int(t.capture), client, base) {
			continue
		}
		done[k] = true
		fi := a.addFlow(newFlow(int(t.capture), client, base, "unknown"))
		a.nameResolution(fi, base, 0)
		f := &a.res.Flows[fi]
		for _, id := range Steps[1:] {
			f.set(id, StatusMissing, "the name never resolved, so nothing followed")
		}
		f.Outcome = OutcomeFailed
	}
}

func ignored(name string) bool {
	first := name
	if i := strings.IndexByte(name, '.'); i >= 0 {
		first = name[:i]
	}
	for _, n := range ignoredNames {
		if first == n {
			return true
		}
	}
	return false
}

// knownDomains returns the DNS domains of the capture's Kerberos realms,
// lower case: a failed lookup outside them (telemetry, update checks) says
// nothing about the authentication being diagnosed.
func (a *analyzer) knownDomains() []string {
	return a.scan.realms // scanMessages collects them
}

// baseName strips a search suffix appended twice ("a.example.com.example.com").
func baseName(name string, domains []string) string {
	for _, d := range domains {
		if strings.HasSuffix(name, "."+d+"."+d) {
			return strings.TrimSuffix(name, "."+d)
		}
	}
	return name
}

func inDomains(name string, domains []string) bool {
	for _, d := range domains {
		if strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// everResolved reports whether client resolved name, or name with a suffix,
// or a prefix of it, successfully.
func (a *analyzer) everResolved(capture int, client netip.Addr, name string) bool {
	for _, i := range a.dnsOf(capture, client) {
		t := &a.dns[i]
		if a.txClients[t.client] != client || int(t.capture) != capture || len(a.resolved(t)) == 0 {
			continue
		}
		if tn := a.txNames[t.name]; tn == name || strings.HasPrefix(tn, name+".") || strings.HasPrefix(name, tn+".") {
			return true
		}
	}
	return false
}

func (a *analyzer) hasFlowFor(capture int, client netip.Addr, host string) bool {
	for i := a.firstFlowOf(capture, client); i >= 0; i = int(a.idx.flowNext[i]) {
		f := &a.res.Flows[i]
		if f.Capture == capture && f.Client == client && strings.HasPrefix(f.Server, host) {
			return true
		}
	}
	return false
}

// locatorFailures reports the failed KDC/DC SRV lookups that never
// succeeded, one finding per client and name with every retry's frames.
func (a *analyzer) locatorFailures() {
	type key struct {
		client netip.Addr
		name   string
	}
	frames := map[key][]int{}
	how := map[key]string{}
	var order []key
	for i := range a.dns {
		t := &a.dns[i]
		name, client := a.txNames[t.name], a.txClients[t.client]
		if t.qtype != 33 || !isLocatorName(name) || a.srvAnswered(client, name) {
			continue
		}
		k := key{client, name}
		if _, ok := frames[k]; !ok {
			order = append(order, k)
			how[k] = "no answer"
		}
		frames[k] = append(frames[k], int(t.qframe))
		if t.r >= 0 {
			frames[k] = append(frames[k], a.in.Frame(int(t.r)))
			how[k] = a.dnsAt(int(t.r)).RCode.String()
			if how[k] == "NOERROR" {
				how[k] = "no SRV record"
			}
		}
	}
	for _, k := range order {
		a.clientFinding(k.client, "DNS_KDC_LOCATOR_FAILED", frames[k], "%s looked up %s SRV: %s.", k.client, k.name, how[k])
	}
}

// isLocatorName reports whether a SRV name is one the KDC or DC locator uses.
func isLocatorName(name string) bool {
	return strings.HasPrefix(name, "_kerberos.") || strings.HasPrefix(name, "_kerberos-master.") ||
		strings.HasPrefix(name, "_ldap._tcp.dc._msdcs.")
}

// srvAnswered reports whether client ever got records for name, a locator
// name, in any capture. It looks through the client's own lookups (a few
// tens) rather than keep a set of every client's answered names: that set
// was the analysis's largest after its transactions (9.5 MB at 20,000
// clients).
func (a *analyzer) srvAnswered(client netip.Addr, name string) bool {
	for c := range a.dnsCaptures {
		for _, j := range a.dnsOf(c, client) {
			if t := &a.dns[j]; t.locatorOK && a.txNames[t.name] == name {
				return true
			}
		}
	}
	return false
}

// unclaimed groups the KDC exchanges of one kind that no flow claimed by
// capture, client address and the name name returns ("" skips one), in
// order of first appearance.
func (a *analyzer) unclaimed(kind decode.Kind, name func(m *decode.Message) string) [][]*kdcTx {
	type key struct {
		capture int
		client  netip.Addr
		name    string
	}
	groups := map[key]int{}
	var out [][]*kdcTx
	for _, t := range a.kdc {
		if t.claimed() || a.in.Kind(t.req) != kind {
			continue
		}
		m := a.msg(t.req)
		n := name(&m)
		if n == "" {
			continue
		}
		k := key{m.Capture, t.client.Addr(), n}
		i, ok := groups[k]
		if !ok {
			i = len(out)
			groups[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], t)
	}
	return out
}

// kerberosOnlyFlows builds flows for service tickets no other flow claimed:
// services whose carrier is not decoded, or not in the capture.
func (a *analyzer) kerberosOnlyFlows() {
	groups := a.unclaimed(decode.KindTGSReq, func(m *decode.Message) string {
		if class := spnClass(m.Krb().SName); class == "krbtgt" || class == "" {
			return ""
		}
		return strings.ToLower(m.Krb().SName.String())
	})
	for _, txs := range groups {
		m := a.msg(txs[0].req)
		sname := m.Krb().SName
		class, host, _ := spnHost(sname)
		server, service := host, class
		account := len(sname.Components) == 1
		if account {
			// A ticket for an account, not for a service on a host: a
			// ticket to self, user-to-user, S4U2Self.
			server, service = sname.Components[0], ServiceAccount
		}
		fi := a.addFlow(newFlow(m.Capture, txs[0].client.Addr(), server, service))
		for _, t := range txs {
			a.claim(fi, t)
		}
		as := a.asFor(fi, 0, m.Frame)
		for _, t := range as {
			a.claim(fi, t)
		}
		asDetail, asFrames := "", []int(nil)
		if len(as) > 0 {
			asDetail, asFrames, _, _ = a.asSummary(as)
		}
		switch {
		case account:
			a.res.Flows[fi].set(StepNameResolution, StatusNotApplicable, "the ticket names an account, not a host")
		case host != "":
			a.nameResolution(fi, host, m.Frame)
		default:
			a.res.Flows[fi].set(StepNameResolution, StatusNotApplicable, "the SPN names no host")
		}
		f := &a.res.Flows[fi]
		rest := fmt.Sprintf("no %s exchange with this service that kerbtrace decodes is in the capture", strings.ToUpper(class))
		if account {
			rest = accountDetail(sname.String(), a.replyCName(txs))
		}
		f.notApplicable(rest, StepConnect, StepAnonymousRequest, StepChallenge, StepAuthenticatedRequest, StepAcceptance)
		a.tgsSteps(fi, txs, asDetail, asFrames, nil, false)
		a.userOf(fi)
		f = &a.res.Flows[fi]
		switch {
		case f.Step(StepTicketReply).Status == StatusFailed:
			f.Outcome = OutcomeFailed
		case account && f.Step(StepTicketReply).Status == StatusOK:
			f.Outcome = OutcomeKerberosOK // the ticket was the whole exchange
		default:
			f.Outcome = OutcomeIncomplete
		}
	}
}

// accountDetail says why a flow for a ticket to the account sname has no
// exchange with a service; cname is the client's name in the request, when
// it gave one.
func accountDetail(sname, cname string) string {
	if cname != "" && strings.EqualFold(sname, cname) {
		return fmt.Sprintf("the client asked for a ticket to its own account %s (a ticket to self): there is no service to connect to", sname)
	}
	return fmt.Sprintf("the ticket is for the account %s, not for a service on a host (user-to-user or S4U2Self): there is no service to connect to", sname)
}

// replyCName returns the client name of the first reply to txs that names
// one (a TGS-REQ carries it only inside its encrypted TGT), or "".
func (a *analyzer) replyCName(txs []*kdcTx) string {
	for _, t := range txs {
		if t.rep < 0 {
			continue
		}
		if r := a.krbAt(t.rep); r != nil && len(r.CName.Components) > 0 {
			return r.CName.String()
		}
	}
	return ""
}

// asOnlyFlows builds flows for AS exchanges no other flow claimed: a logon
// or kinit with nothing after it in the capture.
func (a *analyzer) asOnlyFlows() {
	groups := a.unclaimed(decode.KindASReq, func(m *decode.Message) string {
		// One flow per client principal and service asked for: kinit -S
		// (a service ticket straight from the AS) is not the TGT's flow.
		return strings.ToLower(m.Krb().CName.String() + "@" + m.Krb().Realm + "|" + m.Krb().SName.String())
	})
	for _, txs := range groups {
		m := a.msg(txs[0].req)
		fi := a.addFlow(newFlow(m.Capture, txs[0].client.Addr(), m.Krb().Realm, "krbtgt"))
		for _, t := range txs {
			a.claim(fi, t)
		}
		f := &a.res.Flows[fi]
		f.SPN = m.Krb().SName.String()
		detail, frames, got, lastErr := a.asSummary(txs)
		f.notApplicable("an AS exchange only: the client asked for a TGT and no service ticket",
			StepNameResolution, StepConnect, StepAnonymousRequest, StepChallenge, StepAuthenticatedRequest, StepAcceptance)
		f.set(StepTicketRequest, StatusOK, fmt.Sprintf("AS-REQ for %s from %s", orSPN(f.SPN), m.Krb().CName), a.frameOf(txs, true)...)
		switch {
		case got:
			f.set(StepTicketReply, StatusOK, detail, a.frameOf(txs, false)...)
			f.Outcome = OutcomeKerberosOK
		case lastErr != nil && int32(lastErr.Krb().ErrorCode) == 25:
			// The client never answered the pre-authentication request (a
			// probe, a cancelled prompt): nothing failed, the exchange stopped.
			f.set(StepTicketReply, StatusMissing, detail+": the client did not continue with a pre-authenticated AS-REQ", a.frameOf(txs, false)...)
			f.Outcome = OutcomeIncomplete
		case lastErr != nil:
			f.set(StepTicketReply, StatusFailed, detail, a.frameOf(txs, false)...)
			f.Outcome = OutcomeFailed
		default:
			f.set(StepTicketReply, StatusMissing, detail, frames...)
			f.Outcome = OutcomeIncomplete
		}
		a.userOf(fi)
	}
}

// frameOf lists the request (or reply) frames of KDC exchanges.
func (a *analyzer) frameOf(txs []*kdcTx, requests bool) []int {
	var out []int
	for _, t := range txs {
		if requests {
			out = append(out, a.in.Frame(t.req))
		} else if t.rep >= 0 {
			out = append(out, a.in.Frame(t.rep))
		}
	}
	return out
}

// oneSided reports a connection whose SYN got no answer in the capture
// although the client went on sending data on it: the connection did open,
// the capture just holds one direction (asymmetric routing, a one-way
// mirror port or filter).
func (a *analyzer) oneSided(c *decode.Conn) bool {
	if c.SYNACK != 0 || c.RST != 0 {
		return false
	}
	return a.tcpSent(c.Capture, c.Client, c.Server)
}
