package report

import (
	"strconv"
	"testing"
	"unsafe"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// TestShortSummaryDroppedToken checks that a challenge whose token bytes
// the dissector let go of (decode.Dissector.DropTokens) is still shown
// with its token.
func TestShortSummaryDroppedToken(t *testing.T) {
	h, err := httpauth.ParseHead([]byte("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate YIIBhgYGKwYBBQUC\r\nWWW-Authenticate: NTLM\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := &decode.Message{Kind: decode.KindHTTPResponse, Body: h}
	const want = "401 Unauthorized WWW-Authenticate: Negotiate <token>, NTLM"
	if got := ShortSummary(m); got != want {
		t.Fatalf("before DropToken: %q, want %q", got, want)
	}
	h.WWWAuthenticate[0].DropToken()
	if got := ShortSummary(m); got != want {
		t.Errorf("after DropToken: %q, want %q", got, want)
	}
}

// TestShortSummaryKerberos checks the one-line summaries of Kerberos
// messages, whose parts come and go with the fields present: a name with
// no components and an absent ticket add nothing, a KRB-ERROR gives its
// code by name and number.
func TestShortSummaryKerberos(t *testing.T) {
	svc := krb.Principal{NameType: 2, Components: []string{"HTTP", "web.lab.test"}}
	tkt := &krb.Ticket{Realm: "LAB.TEST", SName: svc, Etype: krb.EtypeAES256SHA1, Kvno: 2}
	cases := []struct {
		kind  decode.Kind
		msg   krb.Message
		trunc bool
		want  string
	}{
		{decode.KindASReq, krb.Message{
			Type:    krb.MsgASReq,
			Realm:   "LAB.TEST",
			CName:   krb.Principal{Components: []string{"alice"}},
			SName:   krb.Principal{Components: []string{"krbtgt", "LAB.TEST"}},
			ReqBody: &krb.ReqBody{},
		}, false,
			"AS-REQ Realm: LAB.TEST Cname: alice Sname: krbtgt/LAB.TEST"},
		{decode.KindTGSReq, krb.Message{Type: krb.MsgTGSReq, CName: krb.Principal{Components: []string{"alice"}}, SName: svc, ReqBody: &krb.ReqBody{}}, false,
			"TGS-REQ Sname: HTTP/web.lab.test"},
		{decode.KindTGSReq, krb.Message{Type: krb.MsgTGSReq, Realm: "LAB.TEST", SName: krb.Principal{Components: []string{""}}, ReqBody: &krb.ReqBody{}}, true,
			"TGS-REQ Realm: LAB.TEST [truncated]"},
		{decode.KindTGSRep, krb.Message{Type: krb.MsgTGSRep, CName: krb.Principal{Components: []string{"alice"}}, Ticket: tkt}, false,
			"TGS-REP Cname: alice Ticket: HTTP/web.lab.test (aes256-cts-hmac-sha1-96)"},
		{decode.KindASRep, krb.Message{Type: krb.MsgASRep}, false, "AS-REP"},
		{decode.KindAPReq, krb.Message{Type: krb.MsgAPReq, Ticket: tkt, APOptions: krb.APOptions(0x20000000)}, false,
			"AP-REQ Ticket: HTTP/web.lab.test Realm: LAB.TEST (aes256-cts-hmac-sha1-96) mutual-required"},
		{decode.KindAPRep, krb.Message{Type: krb.MsgAPRep, EncPartEtype: krb.EtypeAES256SHA1}, false, "AP-REP (aes256-cts-hmac-sha1-96)"},
		{decode.KindAPRep, krb.Message{Type: krb.MsgAPRep}, false, "AP-REP"},
		{decode.KindKRBError, krb.Message{
			Type:  krb.MsgKRBError,
			SName: svc,
			ErrorInfo: &krb.ErrorInfo{
				ErrorCode: krb.ErrSkew,
				EData:     &krb.EData{NTStatus: krb.StatusAccountDisabled, HasNTStatus: true},
			},
		}, false,
			"KRB-ERROR KRB_AP_ERR_SKEW (37) Sname: HTTP/web.lab.test NTSTATUS: STATUS_ACCOUNT_DISABLED"},
		{decode.KindKRBError, krb.Message{Type: krb.MsgKRBError, ErrorInfo: &krb.ErrorInfo{ErrorCode: krb.ErrSkew}}, false, "KRB-ERROR KRB_AP_ERR_SKEW (37)"},
	}
	for _, c := range cases {
		m := &decode.Message{Kind: c.kind, Body: &c.msg, Truncated: c.trunc}
		if got := ShortSummary(m); got != c.want {
			t.Errorf("%v: %q, want %q", c.kind, got, c.want)
		}
		if got := string(appendShortSummary([]byte("x > "), m)); got != "x > "+c.want {
			t.Errorf("%v appended: %q", c.kind, got)
		}
	}
}

// TestShortSummaryHTTP checks the summaries of HTTP heads: a request
// with and without credentials, a response with its challenges.
func TestShortSummaryHTTP(t *testing.T) {
	for _, c := range []struct{ head, want string }{
		{"GET /app/ HTTP/1.1\r\nHost: web.lab.test\r\nAuthorization: Negotiate YIIB\r\n\r\n", "GET /app/ Host: web.lab.test Authorization: Negotiate"},
		{"GET / HTTP/1.0\r\n\r\n", "GET / (no Authorization)"},
		{"HTTP/1.1 200 OK\r\n\r\n", "200 OK"},
		{"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n\r\n", "401 Unauthorized WWW-Authenticate: Negotiate, NTLM"},
	} {
		h, err := httpauth.ParseHead([]byte(c.head))
		if err != nil {
			t.Fatal(err)
		}
		if got := ShortSummary(&decode.Message{Body: h}); got != c.want {
			t.Errorf("%q: %q, want %q", c.head, got, c.want)
		}
	}
}

// TestTokenSummaryMemo checks that the builder's token summaries are
// TokenSummary's, that equal ones are one string, and that the memo stays
// within maxTokenTexts.
func TestTokenSummaryMemo(t *testing.T) {
	seen := 0
	for name, r := range labResults(t) {
		b := newBuilder(Options{}, r.d.Len())
		first := map[string]string{}
		for i := range r.d.Len() {
			if r.d.Kind(i) != decode.KindHTTPRequest && r.d.Kind(i) != decode.KindHTTPResponse {
				continue
			}
			got, want := b.tokenSummary(r.d, i), TokenSummary(r.d, i)
			if got != want {
				t.Fatalf("%s message %d: %q, want %q", name, i, got, want)
			}
			if got == "" {
				continue
			}
			seen++
			if s, ok := first[got]; ok && unsafe.StringData(s) != unsafe.StringData(got) {
				t.Errorf("%s message %d: %q made again", name, i, got)
			}
			first[got] = got
		}
	}
	if seen == 0 {
		t.Fatal("no lab message carries a token")
	}
}

// TestTokenSummaryAllocs pins what the memo saves: the summary of a token
// the builder has summarised before costs no allocation, where it made a
// string and its parts for every message.
func TestTokenSummaryAllocs(t *testing.T) {
	r := labResults(t)["success.pcap"]
	i := -1
	for j := range r.d.Len() {
		if r.d.Kind(j) == decode.KindHTTPRequest && TokenSummary(r.d, j) != "" {
			i = j
			break
		}
	}
	if i < 0 {
		t.Fatal("success.pcap has no request with a token")
	}
	b := newBuilder(Options{}, r.d.Len())
	want := b.tokenSummary(r.d, i)
	if n := testing.AllocsPerRun(100, func() {
		if b.tokenSummary(r.d, i) != want {
			t.Fatal("the memo gave another text")
		}
	}); n != 0 {
		t.Errorf("a token summarised before: %v allocations, want 0", n)
	}
}

// TestTextMemo checks that a textMemo gives one string for equal texts
// and holds no more than its bound.
func TestTextMemo(t *testing.T) {
	m := textMemo{max: 8}
	if m.text(nil) != "" {
		t.Error("an empty text is not empty")
	}
	a := m.text([]byte("AP-REQ"))
	if b := m.text([]byte("AP-REQ")); unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("the same text was made twice")
	}
	for i := range 100 {
		s := strconv.Itoa(i)
		if got := m.text([]byte(s)); got != s {
			t.Fatalf("text(%q) = %q", s, got)
		}
		if len(m.m) > m.max {
			t.Fatalf("the memo holds %d texts, over %d", len(m.m), m.max)
		}
	}
}
