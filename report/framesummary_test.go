package report

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestSummaryLines(t *testing.T) {
	code := int32(7)
	const tm = "2026-11-25T10:13:02.493896012Z"
	cases := []struct {
		m    Message
		want string
	}{
		{Message{Kind: "dns_query", QName: "web.lab.test", QType: "A"}, "DNS Query A web.lab.test"},
		{Message{Kind: "dns_response", QName: "nope.lab.test", QType: "A", RCode: "NXDOMAIN"}, "DNS Response NXDOMAIN A nope.lab.test"},
		{Message{Kind: "dns_response", QName: "a.lab.test", QType: "A", RCode: "NOERROR", Answers: []Answer{{Name: "a.lab.test", Type: "CNAME", Data: "b.lab.test"}, {Name: "b.lab.test", Type: "A", Data: "192.0.2.9"}}},
			"DNS Response NOERROR A a.lab.test -> CNAME b.lab.test, 192.0.2.9"},
		{Message{Kind: "http_request", Method: "GET", URI: "/path", Host: "web.lab.test", Authorization: "Negotiate"}, "HTTP GET /path Host: web.lab.test Authorization: Negotiate"},
		{Message{Kind: "http_response", Status: 401, WWWAuthenticate: []string{"Negotiate", "NTLM"}}, "HTTP Response 401 WWW-Authenticate: Negotiate, NTLM"},
		{Message{Kind: "as_req", CName: "alice", Realm: "LAB.TEST", SName: "krbtgt/LAB.TEST"}, "KerberosV5 AS Request Cname: alice Realm: LAB.TEST Sname: krbtgt/LAB.TEST"},
		{Message{Kind: "tgs_req", Realm: "CONTOSO.COM", SName: "HTTP/iisserver.contoso.com"}, "KerberosV5 TGS Request Realm: CONTOSO.COM Sname: HTTP/iisserver.contoso.com"},
		{Message{Kind: "tgs_rep", CName: "alice", Realm: "LAB.TEST", TicketSName: "HTTP/web.lab.test"}, "KerberosV5 TGS Response Crealm: LAB.TEST Cname: alice Ticket[Sname: HTTP/web.lab.test]"},
		{Message{Kind: "ap_req", Realm: "LAB.TEST", TicketSName: "HTTP/web.lab.test", Carrier: "http"}, "KerberosV5 AP Request Ticket[Realm: LAB.TEST, Sname: HTTP/web.lab.test]"},
		{Message{Kind: "krb_error", ErrorCode: &code, ErrorName: "KDC_ERR_S_PRINCIPAL_UNKNOWN"}, "KerberosV5 KRB_ERROR: KDC_ERR_S_PRINCIPAL_UNKNOWN (7)"},
		{Message{Kind: "spnego_init", MechTypes: []string{"1.2.840.48018.1.2.2", "1.3.6.1.4.1.311.2.2.10", "1.2.3"}}, "SPNEGO NegTokenInit MechTypes: MS Kerberos 5, NTLMSSP, 1.2.3"},
		{Message{Kind: "spnego_resp", NegState: "reject"}, "SPNEGO NegTokenResp NegState: reject"},
		{Message{Kind: "ntlm_authenticate", Domain: "LAB", User: "alice", Workstation: "PC1"}, "NLMP NTLM AUTHENTICATE_MESSAGE Domain: LAB User: alice Workstation: PC1"},
		{Message{Kind: "ntlm_challenge", TargetName: "LAB"}, "NLMP NTLM CHALLENGE_MESSAGE Target: LAB"},
		{Message{Kind: "smb2_session_setup_response", Command: "SESSION_SETUP", SMBStatus: "STATUS_LOGON_FAILURE"}, "SMB2 SESSION_SETUP Response STATUS_LOGON_FAILURE"},
		{Message{Kind: "ldap_bind_request", BindDN: "", AuthMethod: "sasl", Mechanism: "GSS-SPNEGO"}, "LDAP bindRequest Auth: sasl GSS-SPNEGO"},
		{Message{Kind: "cldap_ping", Filter: "(&(DnsDomain=lab.test))"}, "CLDAP searchRequest (DC locator ping) Filter: (&(DnsDomain=lab.test))"},
		{Message{Kind: "as_req", CName: "bob", Truncated: true, Error: "krb: truncated"}, "KerberosV5 AS Request Cname: bob [truncated] [error: krb: truncated]"},
		{Message{Kind: "http_request", Method: "GET", URI: "/\x1b[2J"}, `HTTP GET /\x1b[2J`},
		{Message{Kind: "mystery", Transport: "udp"}, "UDP mystery"},
	}
	for _, c := range cases {
		c.m.Frame, c.m.Time, c.m.Src, c.m.Dst = 12, tm, "192.0.2.1:5000", "[2001:db8::9]:88"
		var buf bytes.Buffer
		if err := Summary(&buf, &Report{Messages: []Message{c.m}}, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		want := "12 10:13:02.4938960 192.0.2.1 -> 2001:db8::9 " + c.want + "\n"
		if buf.String() != want {
			t.Errorf("got  %q\nwant %q", buf.String(), want)
		}
	}
}

// TestSummaryMerge checks host names from DNS answers, the capture prefix
// of several captures, and the frames of --all between the messages.
func TestSummaryMerge(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	ap := func(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
	r := &Report{
		Captures: []Capture{{File: "a.pcap"}, {File: "b.pcap"}},
		Messages: []Message{
			{Capture: 0, Frame: 2, Time: timeText(at), Src: "192.0.2.10:53", Dst: "192.0.2.1:5000", Kind: "dns_response", RCode: "NOERROR", QName: "web.lab.test", QType: "A",
				Answers: []Answer{{Name: "web.lab.test.", Type: "A", Data: "192.0.2.20"}}},
			{Capture: 0, Frame: 4, Time: timeText(at), Src: "192.0.2.1:5001", Dst: "192.0.2.20:80", Kind: "http_request", Method: "GET", URI: "/"},
			{Capture: 1, Frame: 1, Time: timeText(at), Src: "192.0.2.1:5001", Dst: "192.0.2.20:80", Kind: "http_request", Method: "GET", URI: "/"},
		},
		Frames: []TransportFrame{
			NewTransportFrame(0, 1, at, ap("192.0.2.1:5000"), ap("192.0.2.10:53"), "UDP", "SrcPort: 5000, DstPort: 53, Length: 40"),
			NewTransportFrame(0, 2, at, ap("192.0.2.10:53"), ap("192.0.2.1:5000"), "UDP", "hidden: frame 2 has a message"),
			NewTransportFrame(0, 3, at, ap("192.0.2.1:5001"), ap("192.0.2.20:80"), "TCP", "Flags: ......S."),
			NewTransportFrame(1, 2, at, ap("192.0.2.20:80"), ap("192.0.2.1:5001"), "TCP", "Flags: ...A...."),
		},
	}
	var buf bytes.Buffer
	if err := Summary(&buf, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `0:1 03:04:05.1234567 192.0.2.1 -> 192.0.2.10 UDP SrcPort: 5000, DstPort: 53, Length: 40
0:2 03:04:05.1234567 192.0.2.10 -> 192.0.2.1 DNS Response NOERROR A web.lab.test -> 192.0.2.20
0:3 03:04:05.1234567 192.0.2.1 -> web.lab.test TCP Flags: ......S.
0:4 03:04:05.1234567 192.0.2.1 -> web.lab.test HTTP GET /
1:1 03:04:05.1234567 192.0.2.1 -> 192.0.2.20 HTTP GET /
1:2 03:04:05.1234567 192.0.2.20 -> 192.0.2.1 TCP Flags: ...A....
`
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func FuzzSummary(f *testing.F) {
	f.Add("dns_response", "A", "web.lab.test", "192.0.2.1", "2026-01-01T00:00:00Z", "1.2.3.4:5")
	f.Add("krb_error", "SRV", "\x1b[31m", "\xff\xfe", "", "[::1]:88")
	f.Fuzz(func(t *testing.T, kind, typ, name, data, tm, addr string) {
		r := &Report{Captures: []Capture{{}, {}}, Messages: []Message{{Kind: kind, Time: tm, Src: addr, Dst: data, QName: name, SName: name, Method: name,
			Answers: []Answer{{Name: name, Type: typ, Data: data}}, MechTypes: []string{data}, Capture: len(kind) % 3}},
			Frames: []TransportFrame{{Capture: len(name) % 3, Frame: len(data), Src: addr, Summary: name, Time: tm}}}
		var buf bytes.Buffer
		if err := Summary(&buf, r, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(buf.String(), "\n"); n < 1 || n > 2 {
			t.Fatalf("%d lines for one message and one frame: %q", n, buf.String())
		}
		if bytes.IndexByte(buf.Bytes(), 0x1b) >= 0 {
			t.Fatalf("escape byte in the summary: %q", buf.String())
		}
	})
}
