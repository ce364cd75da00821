package ldap

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// TestVectors decodes the messages of testdata/vectors.txt.
func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 15 {
		t.Fatalf("only %d vectors", len(vs))
	}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			m, err := Parse(v.raw)
			gotErr := ""
			if err != nil {
				gotErr = sentinel(err)
			}
			if gotErr != v.err {
				t.Errorf("error %v (%s), want %q", err, gotErr, v.err)
			}
			if g := render(m); g != v.want {
				t.Errorf("(%s)\n got %s\nwant %s", v.source, g, v.want)
			}
			msg, n, err := SplitMessage(v.raw)
			if v.err == "" && (err != nil || n != len(v.raw) || len(msg) != n) {
				t.Errorf("SplitMessage: %d bytes of %d, %v", n, len(v.raw), err)
			}
			if v.err == "sasl" && (!errors.Is(err, ErrSASLWrapped) || !errors.Is(err, wire.ErrUnsupported) || n != len(v.raw) || msg != nil) {
				t.Errorf("SplitMessage on a SASL buffer: %d, %v", n, err)
			}
		})
	}
}

func vectorByName(t *testing.T, name string) []byte {
	t.Helper()
	for _, v := range loadVectors(t) {
		if v.name == name {
			return v.raw
		}
	}
	t.Fatalf("no vector %q", name)
	return nil
}

// password digs the simple bind password out of a BindRequest (nil when
// there is none).
func password(raw []byte) []byte {
	top, err := ber.ReadTop(raw)
	if err != nil {
		return nil
	}
	it := top.Children()
	it.Next()
	op, _ := it.Next()
	if !op.Is(ber.ClassApplication, true, 0) {
		return nil
	}
	in := op.Children()
	for c, ok := in.Next(); ok; c, ok = in.Next() {
		if c.Is(ber.ClassContext, false, 0) {
			return c.Value
		}
	}
	return nil
}

// TestSimpleBindKeepsNoPassword checks that no field of a decoded simple
// bind holds the password (pcapplusplus' "cloudshark123!" shares its start
// with the bind DN, so only the whole password is looked for).
func TestSimpleBindKeepsNoPassword(t *testing.T) {
	for _, name := range []string{"pcapplusplus-simple-bind", "simpleauth-bind"} {
		raw := vectorByName(t, name)
		pw := password(raw)
		if len(pw) == 0 {
			t.Fatal("no password in the vector")
		}
		m, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if m.Credentials != nil || m.PasswordLen != len(pw) || m.Auth != AuthSimple {
			t.Errorf("%s: credentials %x, password length %d (want %d)", name, m.Credentials, m.PasswordLen, len(pw))
		}
		fields := strings.Join([]string{m.Name, m.SASLMechanism, m.MatchedDN, m.DiagnosticMessage, m.BaseDN,
			m.Filter, m.RequestName, string(m.Credentials), string(m.ServerSASLCreds), render(m)}, "\x00")
		if strings.Contains(fields, string(pw)) {
			t.Errorf("%s: the password appears in the decoded fields", name)
		}
		// Cut anywhere, the password is never kept either.
		for n := 1; n < len(raw); n++ {
			if m, _ := Parse(raw[:n]); m != nil && m.Credentials != nil {
				t.Fatalf("%s cut at %d: credentials kept", name, n)
			}
		}
	}
}

// TestCredentialsAreSubslices checks that the GSS tokens are the bytes of
// the input (for the SPNEGO decoder) and start as SPNEGO tokens do.
func TestCredentialsAreSubslices(t *testing.T) {
	raw := vectorByName(t, "adod18-spnego-bind")
	m, _ := Parse(raw)
	if i := bytes.Index(raw, m.Credentials); i < 0 || &raw[i] != &m.Credentials[0] || m.Credentials[0] != 0x60 {
		t.Error("bind credentials are not the SPNEGO token of the input")
	}
	raw = vectorByName(t, "adod18-spnego-bind-response")
	m, _ = Parse(raw)
	if i := bytes.Index(raw, m.ServerSASLCreds); i < 0 || &raw[i] != &m.ServerSASLCreds[0] || m.ServerSASLCreds[0] != 0xa1 {
		t.Error("serverSaslCreds are not the SPNEGO token of the input")
	}
}

// TestTruncated cuts real messages at every length: Truncated and
// ErrTruncated go together, fields complete in the bytes present are kept.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"adod18-spnego-bind", "pcapplusplus-moddn-nosuchobject", "adod18-cldap-ping", "ctu-ntlm-in-progress"} {
		raw := vectorByName(t, name)
		full, _ := Parse(raw)
		for n := 1; n < len(raw); n++ {
			m, err := Parse(raw[:n])
			if !errors.Is(err, wire.ErrTruncated) || m == nil || !m.Truncated {
				t.Fatalf("%s cut at %d: %v, %+v", name, n, err, m)
			}
			if m.MessageID != 0 && m.MessageID != full.MessageID || m.Op != 0 && m.Op != full.Op {
				t.Fatalf("%s cut at %d: id %d op %v", name, n, m.MessageID, m.Op)
			}
			if m.SASLMechanism != "" && m.SASLMechanism != full.SASLMechanism ||
				m.MatchedDN != "" && m.MatchedDN != full.MatchedDN ||
				!bytes.HasPrefix(full.Credentials, m.Credentials) ||
				!bytes.HasPrefix(full.ServerSASLCreds, m.ServerSASLCreds) {
				t.Fatalf("%s cut at %d: %s", name, n, render(m))
			}
			if _, k, err := SplitMessage(raw[:n]); k != 0 || !errors.Is(err, wire.ErrTruncated) {
				t.Fatalf("%s cut at %d: SplitMessage %d, %v", name, n, k, err)
			}
		}
		// The mechanism and the message id come early: a cut in the token
		// keeps them.
		m, _ := Parse(raw[:len(raw)-1])
		if m.MessageID != full.MessageID || m.Op != full.Op {
			t.Errorf("%s cut by one byte: %s", name, render(m))
		}
	}
}

// tlv encodes a BER TLV with a definite length.
func tlv(tag byte, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	n := len(body)
	switch {
	case n < 0x80:
		return append([]byte{tag, byte(n)}, body...)
	case n < 0x100:
		return append([]byte{tag, 0x81, byte(n)}, body...)
	}
	return append([]byte{tag, 0x82, byte(n >> 8), byte(n)}, body...)
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSynthetic covers what the public captures lack. The messages are
// built by hand from RFC 4511's ASN.1 (with AD's wording for the
// diagnostic message).
func TestSynthetic(t *testing.T) {
	diag := "80090308: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, data 52e, v4563"
	cases := []struct {
		name, hex, want, err string
	}{
		{"invalidCredentials", "", "", ""}, // built below
		{"sicilyNegotiate", "30 1c 02 01 03 60 17 02 01 03 04 00 8a 10 4e 54 4c 4d 53 53 50 00 01 00 00 00 07 82 08 a2",
			"id=3 op=bindRequest version=3 auth=sicilyNegotiate creds=16:4e544c4d", ""},
		{"sicilyPackageDiscovery", "30 0c 02 01 01 60 07 02 01 03 04 00 89 00",
			"id=1 op=bindRequest version=3 auth=sicilyPackageDiscovery", ""},
		{"anonymous simple", "30 0c 02 01 01 60 07 02 01 03 04 00 80 00",
			"id=1 op=bindRequest version=3 auth=simple", ""},
		{"StartTLS request", "30 1d 02 01 01 77 18 80 16 31 2e 33 2e 36 2e 31 2e 34 2e 31 2e 31 34 36 36 2e 32 30 30 33 37",
			"id=1 op=extendedReq reqname=1.3.6.1.4.1.1466.20037", ""},
		{"StartTLS response", "30 24 02 01 01 78 1f 0a 01 00 04 00 04 00 8a 16 31 2e 33 2e 36 2e 31 2e 34 2e 31 2e 31 34 36 36 2e 32 30 30 33 37",
			"id=1 op=extendedResp result=success reqname=1.3.6.1.4.1.1466.20037", ""},
		{"strongerAuthRequired", "30 0c 02 01 01 61 07 0a 01 08 04 00 04 00",
			"id=1 op=bindResponse result=strongerAuthRequired", ""},
		{"unbind", "30 05 02 01 04 42 00", "id=4 op=unbindRequest", ""},
		{"negative id", "30 05 02 01 ff 42 00", "id=0 op=unbindRequest", "malformed"},
		{"no protocolOp", "30 03 02 01 01", "id=1 op=bindRequest", "malformed"},
		{"universal protocolOp", "30 05 02 01 01 04 00", "id=1 op=bindRequest", "malformed"},
		{"TLS", "16 03 01 00 02 01 00", "nil", "tls"},
		{"garbage", "47 45 54 20", "nil", "malformed"},
		{"short SASL", "00 00 00", "nil", "truncated"},
	}
	// The invalidCredentials response: resultCode 49 and AD's diagnostic.
	d := []byte(diag)
	body := append([]byte{0x0a, 0x01, 0x31, 0x04, 0x00, 0x04, byte(len(d))}, d...)
	op := append([]byte{0x61, byte(len(body))}, body...)
	msg := append([]byte{0x02, 0x01, 0x02}, op...)
	cases[0].hex = hex.EncodeToString(append([]byte{0x30, byte(len(msg))}, msg...))
	cases[0].want = `id=2 op=bindResponse result=invalidCredentials diag="` + diag + `"`
	// A search whose filter uses every simple choice and RFC 4515 escapes.
	filter := tlv(0xa1, // or
		tlv(0xa2, tlv(0xa3, tlv(0x04, []byte("cn")), tlv(0x04, []byte("a*()\\")))), // not
		tlv(0xa4, tlv(0x04, []byte("cn")), tlv(0x30, tlv(0x80, []byte("ab")), tlv(0x81, []byte("cd")), tlv(0x82, []byte("ef")))),
		tlv(0xa4, tlv(0x04, []byte("sn")), tlv(0x30, tlv(0x81, []byte("x")))),
		tlv(0xa5, tlv(0x04, []byte("x")), tlv(0x04, nil)),
		tlv(0xa8, tlv(0x04, []byte("y")), tlv(0x04, []byte{0xff, 0x00})),
		tlv(0x87, []byte("oc")))
	search := tlv(0x63, tlv(0x04, []byte("DC=contoso,DC=com")), tlv(0x0a, []byte{2}), tlv(0x0a, []byte{0}),
		tlv(0x02, []byte{0}), tlv(0x02, []byte{0}), tlv(0x01, []byte{0}), filter, tlv(0x30, tlv(0x04, []byte("cn"))))
	cases = append(cases, struct{ name, hex, want, err string }{"filters",
		hex.EncodeToString(tlv(0x30, tlv(0x02, []byte{5}), search)),
		`id=5 op=searchRequest base="DC=contoso,DC=com" filter="(|(!(cn=a\\2a\\28\\29\\5c))(cn=ab*cd*ef)(sn=*x*)(x>=)(y~=\\ff\\00)(oc=*))" attrs=cn`, ""})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(mustHex(t, c.hex))
			gotErr := ""
			if err != nil {
				gotErr = sentinel(err)
			}
			if gotErr != c.err || render(m) != c.want {
				t.Errorf("got %s, %v\nwant %s, %q", render(m), err, c.want, c.err)
			}
		})
	}
}

// TestSplitMessage checks the framing of streams and datagrams.
func TestSplitMessage(t *testing.T) {
	two := mustHex(t, "30 05 02 01 04 42 00 30 05 02 01 05 42 00")
	msg, n, err := SplitMessage(two)
	if err != nil || n != 7 || !bytes.Equal(msg, two[:7]) {
		t.Errorf("first of two: %x %d %v", msg, n, err)
	}
	if _, n, err := SplitMessage(mustHex(t, "30 84 00 00 00 05 02 01 04 42 00")); err != nil || n != 11 {
		t.Errorf("long-form length: %d %v", n, err)
	}
	if _, _, err := SplitMessage(mustHex(t, "30 80 02 01 04 42 00 00 00")); !errors.Is(err, wire.ErrUnsupported) {
		t.Errorf("indefinite length: %v", err)
	}
	sasl := append([]byte{0, 0, 0, 8, 0x05, 0x04, 0x06, 0xff}, make([]byte, 4)...)
	if _, n, err := SplitMessage(sasl); n != 12 || !errors.Is(err, ErrSASLWrapped) || errors.Is(err, wire.ErrTruncated) {
		t.Errorf("SASL buffer: %d %v", n, err)
	}
	if _, n, err := SplitMessage(sasl[:10]); n != 0 || !errors.Is(err, ErrSASLWrapped) || !errors.Is(err, wire.ErrTruncated) {
		t.Errorf("partial SASL buffer: %d %v", n, err)
	}
	rc4 := append([]byte{0, 0, 0, 4, 0x60, 0x02, 0x06, 0x00}, 0)
	if _, _, err := SplitMessage(rc4); !errors.Is(err, ErrSASLWrapped) {
		t.Errorf("RFC 1964 wrap token: %v", err)
	}
	if _, n, err := SplitMessage([]byte{0x17, 3, 3, 0, 1, 0xaa}); n != 6 || !errors.Is(err, ErrTLS) {
		t.Errorf("TLS record: %d %v", n, err)
	}
	if _, _, err := SplitMessage([]byte{0, 0, 0, 9, 0x30, 0, 0, 0}); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("zero-led garbage: %v", err)
	}
	if _, _, err := SplitMessage(nil); !errors.Is(err, wire.ErrTruncated) {
		t.Errorf("empty: %v", err)
	}
}

// TestBounds checks the attribute, filter and nesting bounds.
func TestBounds(t *testing.T) {
	var attrs []byte
	for i := 0; i < 3*maxAttributes; i++ {
		attrs = append(attrs, 0x04, 0x01, 'a')
	}
	seq := func(tag byte, body []byte) []byte {
		n := len(body)
		return append([]byte{tag, 0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, body...)
	}
	var or []byte
	for i := 0; i < 2*maxFilterNodes; i++ {
		or = append(or, 0x87, 0x02, 'c', 'n')
	}
	search := mustHex(t, "04 00 0a 01 00 0a 01 00 02 01 00 02 01 00 01 01 00")
	search = append(search, seq(0xa1, or)...)
	search = append(search, seq(0x30, attrs)...)
	raw := seq(0x30, append([]byte{0x02, 0x01, 0x01}, seq(0x63, search)...))
	m, err := Parse(raw)
	if err != nil || len(m.Attributes) != maxAttributes || !strings.HasSuffix(m.Filter, "...") || len(m.Filter) > maxFilterLen+3 {
		t.Errorf("%v: %d attributes, filter of %d bytes", err, len(m.Attributes), len(m.Filter))
	}
	// 40 nested NOTs: deeper than ber.MaxDepth.
	f := []byte{0x87, 0x01, 'x'}
	for i := 0; i < 40; i++ {
		f = append([]byte{0xa2, byte(len(f))}, f...)
	}
	search = append(mustHex(t, "04 00 0a 01 00 0a 01 00 02 01 00 02 01 00 01 01 00"), f...)
	raw = seq(0x30, append([]byte{0x02, 0x01, 0x01}, seq(0x63, append(search, 0x30, 0x00))...))
	if _, err := Parse(raw); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("deep filter: %v", err)
	}
}

// TestNames checks the String methods and their fallbacks.
func TestNames(t *testing.T) {
	cases := []struct{ got, want string }{
		{OpBindRequest.String(), "bindRequest"},
		{OpSearchResultEntry.String(), "searchResEntry"},
		{OpExtendedRequest.String(), "extendedReq"},
		{Op(30).String(), "op(30)"},
		{ResultSaslBindInProgress.String(), "saslBindInProgress"},
		{ResultInvalidCredentials.String(), "invalidCredentials"},
		{ResultStrongerAuthRequired.String(), "strongerAuthRequired"},
		{ResultCode(99).String(), "resultCode(99)"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
