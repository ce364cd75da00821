package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
)

func redactSample() *Report {
	code := int32(7)
	flow := 1
	return &Report{
		Version:  SchemaVersion,
		Captures: []Capture{{File: "/home/eng/cases/contoso-dc1.pcapng.gz", Format: "pcapng", Warnings: []string{"frame 3: from 10.1.2.3"}}},
		Messages: []Message{
			{Frame: 1, Src: "10.1.2.3:50000", Dst: "10.1.2.10:53", Kind: "dns_query", QName: "web.lab.test", QType: "A"},
			{Frame: 2, Src: "10.1.2.10:53", Dst: "10.1.2.3:50000", Kind: "dns_response", QName: "web.lab.test", QType: "A", RCode: "NOERROR",
				Answers: []Answer{{Name: "web.lab.test", Type: "CNAME", Data: "iis01.lab.test"}, {Name: "iis01.lab.test", Type: "A", Data: "10.1.2.20"}}},
			{Frame: 3, Src: "10.1.2.10:53", Dst: "10.1.2.3:50001", Kind: "dns_response", QName: "_kerberos._tcp.LAB.TEST", QType: "SRV",
				Answers: []Answer{{Name: "_kerberos._tcp.LAB.TEST", Type: "SRV", Data: "0 100 88 dc1.lab.test"}}},
			{Frame: 4, Src: "[fe80::1%eth0]:50002", Dst: "[2001:db8:1::10]:88", Kind: "as_req", Realm: "LAB.TEST", CName: "alice", SName: "krbtgt/LAB.TEST"},
			{Frame: 5, Src: "10.1.2.3:50003", Dst: "10.1.2.10:88", Kind: "tgs_req", Realm: "LAB.TEST", SName: "HTTP/web.lab.test:8080"},
			{Frame: 6, Src: "10.1.2.10:88", Dst: "10.1.2.3:50003", Kind: "krb_error", ErrorCode: &code, ErrorName: "KDC_ERR_S_PRINCIPAL_UNKNOWN",
				SName: "HTTP/web.lab.test:8080", Realm: "WELLKNOWN:ANONYMOUS", EText: "no HTTP/web.lab.test@LAB.TEST"},
			{Frame: 7, Src: "10.1.2.3:50004", Dst: "10.1.2.20:80", Kind: "http_request", Method: "GET", URI: "http://web.lab.test/u/alice", Host: "Web.Lab.Test",
				Token: "SPNEGO NegTokenResp > NTLMSSP AUTHENTICATE User: LAB\\alice Workstation: PC1 (NTLMv2)", RawToken: "TlRMTVNTUAAD"},
			{Frame: 8, Kind: "ntlm_authenticate", Domain: "LAB", User: "alice", Workstation: "PC1"},
			{Frame: 9, Kind: "ntlm_challenge", TargetName: "LAB", NTLMFlags: []string{"NTLMSSP_TARGET_TYPE_DOMAIN"}},
			{Frame: 10, Kind: "ldap_bind_request", BindDN: "CN=Alice,OU=Sales,CN=Users,DC=lab,DC=test"},
			{Frame: 11, Kind: "cldap_ping", Filter: "(&(DnsDomain=lab.test)(Host=PC1)(NtVer=\\06\\00\\00\\00))"},
			{Frame: 12, Kind: "smb2_session_setup_request", TreePath: `\\fs.lab.test\share`},
			{Frame: 13, Kind: "dns_query", QName: "20.2.1.10.in-addr.arpa", QType: "PTR"},
			{Frame: 14, Kind: "as_req", CName: "PC1$", Realm: "LAB.TEST", SName: "kadmin/changepw"},
		},
		Flows: []Flow{{Client: "10.1.2.3", User: "alice@LAB.TEST", Server: "web.lab.test:8080", Service: "http", SPN: "HTTP/web.lab.test:8080",
			Steps: []Step{{Detail: "A web.lab.test -> 10.1.2.20; TCP 10.1.2.3:50004 -> 10.1.2.20:80, realm LAB.TEST."}}}},
		Findings: []Finding{{ID: "X", Client: "10.1.2.3", Server: "web.lab.test", SPN: "HTTP/web.lab.test", Flow: &flow,
			Summary: "alice@LAB.TEST could not get HTTP/web.lab.test from 10.1.2.10 (frames 5, 6).", Cause: "No SPN.",
			Remedy: "setspn -Q HTTP/web.lab.test; klist; Resolve-DnsName web.lab.test; nltest /dsgetdc:lab.test"}},
		Anomalies: []string{"/home/eng/cases/contoso-dc1.pcapng.gz: frame 9: kerberos: truncated at 10.1.2.3"},
		Frames:    []TransportFrame{{Frame: 15, Src: "10.1.2.3:1", Dst: "[2001:db8:1::10]:2", Protocol: "UDP", Summary: "SrcPort: 1, DstPort: 2"}},
	}
}

func TestRedact(t *testing.T) {
	r := redactSample()
	mapping := Redact(r)
	doc, _ := json.Marshal(r)
	for _, orig := range []string{"alice", "Alice", "lab.test", "LAB.TEST", "web.lab", "iis01", "dc1", "PC1", "fs.lab", "10.1.2",
		"fe80", "2001:db8:1::10", "contoso", "/home", "Sales", "TlRMTVNTUAAD", `LAB\`, "DC=lab", "1.10.in-addr"} {
		if bytes.Contains(doc, []byte(orig)) {
			t.Errorf("redacted report still holds %q:\n%s", orig, doc)
		}
	}
	m, f := r.Messages, r.Flows[0]
	checks := []struct{ name, got, want string }{
		{"file", r.Captures[0].File, "capture1.pcapng.gz"},
		{"src", m[0].Src, "192.0.2.1:50000"},
		{"dst", m[0].Dst, "192.0.2.2:53"},
		{"qname", m[0].QName, "host1.realm1.example"},
		{"cname data", m[1].Answers[0].Data, "host2.realm1.example"},
		{"a data", m[1].Answers[1].Data, "192.0.2.3"},
		{"srv name", m[2].QName, "_kerberos._tcp.REALM1.EXAMPLE"},
		{"srv data", m[2].Answers[0].Data, "0 100 88 host3.realm1.example"},
		{"v6 src", m[3].Src, "[2001:db8::1]:50002"},
		{"v6 dst", m[3].Dst, "[2001:db8::2]:88"},
		{"realm", m[3].Realm, "REALM1.EXAMPLE"},
		{"cname", m[3].CName, "user1"},
		{"krbtgt", m[3].SName, "krbtgt/REALM1.EXAMPLE"},
		{"spn port", m[4].SName, "HTTP/host1.realm1.example:8080"},
		{"wellknown realm", m[5].Realm, "WELLKNOWN:ANONYMOUS"},
		{"e-text", m[5].EText, "no HTTP/host1.realm1.example@REALM1.EXAMPLE"},
		{"uri", m[6].URI, "http://host1.realm1.example/u/user1"},
		{"host mixed case", m[6].Host, "host1.realm1.example"},
		{"token", m[6].Token, "SPNEGO NegTokenResp > NTLMSSP AUTHENTICATE User: REALM1\\user1 Workstation: HOST4 (NTLMv2)"},
		{"raw token", m[6].RawToken, ""},
		{"netbios domain", m[7].Domain, "REALM1"},
		{"workstation", m[7].Workstation, "HOST4"},
		{"target", m[8].TargetName, "REALM1"},
		{"dn", m[9].BindDN, "CN=user1,OU=ou1,CN=Users,DC=realm1,DC=example"},
		{"filter", m[10].Filter, "(&(DnsDomain=realm1.example)(Host=HOST4)(NtVer=\\06\\00\\00\\00))"},
		{"tree", m[11].TreePath, `\\host5.realm1.example\share`},
		{"ptr", m[12].QName, "3.2.0.192.in-addr.arpa"},
		{"machine", m[13].CName, "HOST4$"},
		{"kadmin", m[13].SName, "kadmin/changepw"},
		{"flow user", f.User, "user1@REALM1.EXAMPLE"},
		{"flow server", f.Server, "host1.realm1.example:8080"},
		{"detail", f.Steps[0].Detail, "A host1.realm1.example -> 192.0.2.3; TCP 192.0.2.1:50004 -> 192.0.2.3:80, realm REALM1.EXAMPLE."},
		{"summary", r.Findings[0].Summary, "user1@REALM1.EXAMPLE could not get HTTP/host1.realm1.example from 192.0.2.2 (frames 5, 6)."},
		{"remedy", r.Findings[0].Remedy, "setspn -Q HTTP/host1.realm1.example; klist; Resolve-DnsName host1.realm1.example; nltest /dsgetdc:realm1.example"},
		{"anomaly", r.Anomalies[0], "capture1.pcapng.gz: frame 9: kerberos: truncated at 192.0.2.1"},
		{"warning", r.Captures[0].Warnings[0], "frame 3: from 192.0.2.1"},
		{"frame dst", r.Frames[0].Dst, "[2001:db8::2]:2"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	want := map[string]string{"alice": "user1", "lab.test": "realm1.example", "web.lab.test": "host1.realm1.example",
		"10.1.2.3": "192.0.2.1", "/home/eng/cases/contoso-dc1.pcapng.gz": "capture1.pcapng.gz", "fe80::1": "2001:db8::1", "LAB": "REALM1"}
	got := map[string]string{}
	for _, p := range mapping {
		if _, dup := got[p.Original]; dup {
			t.Errorf("%q listed twice in the mapping", p.Original)
		}
		got[p.Original] = p.Pseudonym
	}
	for o, p := range want {
		if got[o] != p {
			t.Errorf("mapping[%q] = %q, want %q", o, got[o], p)
		}
	}
}

// TestRedactDeterministic checks that redaction depends only on the report.
func TestRedactDeterministic(t *testing.T) {
	var first []byte
	for range 5 {
		r := redactSample()
		Redact(r)
		b, _ := json.Marshal(r)
		if first == nil {
			first = b
		} else if !bytes.Equal(first, b) {
			t.Fatal("two redactions of the same report differ")
		}
	}
}

func TestPseudoAddresses(t *testing.T) {
	cases := []struct {
		n    int
		want string
	}{{1, "192.0.2.1"}, {254, "192.0.2.254"}, {255, "198.51.100.1"}, {509, "203.0.113.1"}, {762, "203.0.113.254"}, {763, "198.18.0.1"}, {1 << 20, "198.19.255.254"}}
	for _, c := range cases {
		if got := pseudoIPv4(c.n).String(); got != c.want {
			t.Errorf("pseudoIPv4(%d) = %s, want %s", c.n, got, c.want)
		}
	}
	if got := pseudoIPv6(300).String(); got != "2001:db8::12c" {
		t.Errorf("pseudoIPv6(300) = %s", got)
	}
}

func TestRedactKeeps(t *testing.T) {
	r := &Report{Messages: []Message{{Src: "0.0.0.0:68", Dst: "255.255.255.255:67", Kind: "as_req", CName: "WELLKNOWN/ANONYMOUS",
		SName: "krbtgt/WELLKNOWN:ANONYMOUS", Realm: "WELLKNOWN:ANONYMOUS", User: "Administrator"},
		{Src: "[ff02::fb]:5353", Dst: "224.0.0.251:5353"}}}
	if m := Redact(r); len(m) != 0 {
		t.Errorf("mapping = %v, want empty", m)
	}
	m := r.Messages[0]
	if m.Src != "0.0.0.0:68" || m.Dst != "255.255.255.255:67" || m.CName != "WELLKNOWN/ANONYMOUS" || m.User != "Administrator" || r.Messages[1].Src != "[ff02::fb]:5353" {
		t.Errorf("well-known values changed: %+v", m)
	}
}

func TestReplaceFold(t *testing.T) {
	if got := replaceFold("Domain Users and DOMAIN USERS", "domain users", "group1"); got != "group1 and GROUP1" {
		t.Errorf("got %q", got)
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("10.0.0.1:88", "alice@LAB.TEST", "web.lab.test:80", "A web.lab.test -> 10.0.0.2 CN=x,DC=lab,DC=test", "(&(Host=a)(User=b$))")
	f.Add("[::1]:1", "HTTP/a.b/c.d@E", "_x._tcp.a.b", "1.0.0.10.in-addr.arpa", "((((=")
	f.Add("", "@@/", ":::", "\\\\\x00\xff.", "(DnsDomain=)")
	f.Fuzz(func(t *testing.T, addr, princ, host, text, filter string) {
		r := &Report{Captures: []Capture{{File: text}}, Messages: []Message{{Src: addr, Dst: host, QName: host, CName: princ, SName: princ,
			Realm: host, BindDN: text, Filter: filter, Domain: princ, User: princ, Workstation: host, TargetName: text, URI: text, Token: text,
			Answers: []Answer{{Name: host, Type: "SRV", Data: text}, {Name: host, Type: "A", Data: addr}, {Name: text, Type: "PTR", Data: host}}}},
			Flows:    []Flow{{Client: addr, User: princ, Server: host, SPN: princ, Steps: []Step{{Detail: text}}}},
			Findings: []Finding{{Client: addr, Server: host, SPN: princ, Summary: text}}, Anomalies: []string{text}}
		done := make(chan bool)
		go func() { Redact(r); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second): // under a loaded fuzzer; the a.. recursion took forever
			t.Fatalf("HANG %q %q %q %q %q", addr, princ, host, text, filter)
		}
		var buf bytes.Buffer
		if err := Summary(&buf, r, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if strings.Count(buf.String(), "\n") != 1 {
			t.Fatalf("summary of one message is not one line: %q", buf.String())
		}
	})
}

// TestRedactTrailingDots is a regression test: "a.." once made a short
// host stand for itself, recursing without end.
func TestRedactTrailingDots(t *testing.T) {
	r := &Report{Messages: []Message{{QName: "a..", Workstation: "a.", Domain: "B..", Realm: "b.", Host: "a"}}}
	Redact(r)
	m := r.Messages[0]
	if m.QName != m.Workstation || m.Host != m.QName || strings.Contains(m.QName, "a") {
		t.Errorf("a.., a. and a: %q %q %q", m.QName, m.Workstation, m.Host)
	}
}

// TestRedactDecrypted covers what --keytab decryption adds (ticket.go).
func TestRedactDecrypted(t *testing.T) {
	r := &Report{Messages: []Message{{Kind: "ap_req", Realm: "LAB.TEST",
		Ticket: &TicketInfo{Keytab: []KeyEntry{{Principal: "HTTP/web.lab.test@LAB.TEST", File: "/etc/keys/web.keytab"}},
			Decrypted: &DecryptedTicket{Client: "alice@LAB.TEST", Addresses: []string{"10.9.9.9"}, Transited: "OTHER.TEST",
				PAC: &PACInfo{
					LogonInfo: &PACLogonInfo{User: "alice", FullName: "Alice Liddell", LogonDomain: "LAB", LogonServer: "DC1",
						UserSID: "S-1-5-21-1004336348-1177238915-682003330-1105", PrimaryGroupSID: "S-1-5-21-1004336348-1177238915-682003330-513",
						GroupSIDs: []string{"S-1-5-32-544", "S-1-1-0"}},
					ClientInfo: &PACClientInfo{Name: "alice"},
					UPNDNS:     &PACUPNDNS{UPN: "alice@lab.test", DNSDomain: "LAB.TEST", SAMName: "alice", SID: "S-1-5-21-1004336348-1177238915-682003330"}}}},
		Authenticator: &AuthenticatorInfo{CName: "alice@LAB.TEST"},
		EncPart:       &EncPartInfo{Server: "HTTP/web.lab.test@LAB.TEST"}}},
		Findings: []Finding{{Summary: "Alice Liddell (S-1-5-21-1004336348-1177238915-682003330-1105) on DC1"}}}
	Redact(r)
	doc, _ := json.Marshal(r)
	for _, orig := range []string{"alice", "Alice", "Liddell", "lab.test", "LAB", "DC1", "1004336348", "10.9.9.9", "/etc", "web"} {
		if bytes.Contains(doc, []byte(orig)) {
			t.Errorf("redacted report still holds %q:\n%s", orig, doc)
		}
	}
	l := r.Messages[0].Ticket.Decrypted.PAC.LogonInfo
	if l.UserSID != "S-1-5-21-0-0-1-1105" || l.PrimaryGroupSID != "S-1-5-21-0-0-1-513" || l.GroupSIDs[0] != "S-1-5-32-544" {
		t.Errorf("SIDs %q %q %q", l.UserSID, l.PrimaryGroupSID, l.GroupSIDs)
	}
	if got := r.Findings[0].Summary; got != "user2 (S-1-5-21-0-0-1-1105) on HOST2" {
		t.Errorf("summary %q", got)
	}
	if f := r.Messages[0].Ticket.Keytab[0].File; f != "keytab1.keytab" {
		t.Errorf("keytab file %q", f)
	}
}

// TestRedactAccountFlow checks that the server of a flow for a ticket to an
// account (and of its findings) takes the account's pseudonym, the one its
// SPN and user get, not a host name's.
func TestRedactAccountFlow(t *testing.T) {
	fi := 0
	r := &Report{
		Version: SchemaVersion,
		Flows: []Flow{{Client: "10.1.2.3", User: "WEB01$@LAB.TEST", Server: "WEB01$", Service: flow.ServiceAccount, SPN: "WEB01$",
			Steps: []Step{{Detail: "the client asked for a ticket to its own account WEB01$"}}}},
		Findings: []Finding{{ID: "X", Server: "WEB01$", SPN: "WEB01$", Flow: &fi, Summary: "A ticket for WEB01$."}},
	}
	Redact(r)
	f, x := r.Flows[0], r.Findings[0]
	if f.Server != f.SPN || x.Server != f.SPN || x.SPN != f.SPN || !strings.HasPrefix(f.User, f.SPN+"@") {
		t.Errorf("flow server %q, SPN %q, user %q; finding server %q, SPN %q: want one pseudonym", f.Server, f.SPN, f.User, x.Server, x.SPN)
	}
	if strings.Contains(f.Server, "WEB01") || !strings.Contains(f.Steps[0].Detail, f.SPN) {
		t.Errorf("server %q, detail %q", f.Server, f.Steps[0].Detail)
	}
}

// TestRedactLeavesAnalysis: redacting a report rewrites its own texts, not
// the flow.Result it was built from (the frames' "file#frame" refs were
// shared between the two).
func TestRedactLeavesAnalysis(t *testing.T) {
	const file = "/home/eng/cases/contoso-client.pcapng"
	const ref = file + "#7"
	fr := &flow.Result{
		Flows:    []flow.Flow{{Client: netip.MustParseAddr("10.1.2.3"), Server: "web.lab.test", Service: "http"}},
		Findings: []flow.Finding{{ID: "KRB_SKEW", Severity: flow.SeverityError, Client: "10.1.2.3", Frames: []int{7}, Refs: []string{ref}}},
	}
	fr.Flows[0].Steps[0] = flow.Step{ID: flow.StepNameResolution, Status: flow.StatusOK, Frames: []int{7}}
	fr.Flows[0].StepRefs = [][]string{{ref}}
	r := Build(&decode.Result{Captures: []decode.CaptureInfo{{File: file}, {File: "/home/eng/cases/contoso-server.pcapng"}}}, fr, Options{})
	Redact(r)
	if got := r.Flows[0].Steps[0].Refs[0]; got == ref {
		t.Fatalf("the report's step ref was not redacted: %q", got)
	}
	if got := fr.Flows[0].StepRefs[0][0]; got != ref {
		t.Errorf("redacting the report changed the analysis' step ref to %q", got)
	}
	if got := fr.Findings[0].Refs[0]; got != ref {
		t.Errorf("redacting the report changed the analysis' finding ref to %q", got)
	}
}

// TestRedactMemo checks that a remembered rewriting is given again only
// while the tables stay as they were: a text naming a host under a domain
// not yet known stays as it is, and once the domain is registered the
// same text is rewritten anew, not taken from the memo; and a rewriting
// that registered something is not remembered.
func TestRedactMemo(t *testing.T) {
	rd := newRedactor()
	const text = "connect to web.corp.test now"
	if got := rd.rewrite(obsText, text); got != text {
		t.Fatalf("with no domain known, %q became %q", text, got)
	}
	if got := rd.rewrite(obsText, text); got != text {
		t.Fatalf("remembered: %q became %q", text, got)
	}
	rd.domain("corp.test")
	want := "connect to host1.realm1.example now"
	if got := rd.rewrite(obsText, text); got != want {
		t.Fatalf("once corp.test is known, %q became %q, want %q", text, got, want)
	}
	if n := len(rd.order); n != 2 {
		t.Fatalf("%d entries, want the domain and the host the text registered", n)
	}
	if m := rd.memo[observation{obsText, text}]; m.entries == len(rd.order) {
		t.Errorf("a rewriting that registered a host was remembered: %+v", m)
	}
	if got := rd.rewrite(obsText, text); got != want {
		t.Fatalf("again: %q became %q, want %q", text, got, want)
	}
	if m := rd.memo[observation{obsText, text}]; m != (memoized{want, 2, 0}) {
		t.Errorf("a rewriting that registered nothing was remembered as %+v", m)
	}
}
