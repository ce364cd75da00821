package httpauth

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
)

// fastPathValues are header values around the shapes simpleChallenge
// takes, and just outside them.
var fastPathValues = []string{
	"Negotiate", "NTLM", "Kerberos", "negotiate", "nEgOtIaTe", "Basic", "Digest", "Bearer",
	"Negotiate YIIBBg==", "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAPRlAAAADw==",
	"Negotiate oYG3MIG0oAMKAQCh", "Negotiate YII", "Negotiate Y\tII", "Negotiate  YIIBBg== ",
	"Negotiate\tYIIBBg==", "Negotiate =abc", "Negotiate abc=def", "Negotiate abc, NTLM",
	"Negotiate abc ,", "Negotiate, NTLM", "Negotiate realm=\"x\"", "Basic dXNlcjpwYXNz",
	"Bearer abc", "Negotiate !!!!", "Negotiate ====", "Negotiate a", "Negotiate ab", "Negotiate abc",
	"Negotiate abcd", "Negotiate ab=", "Negotiate ab==", "Negotiate abc=", "Negotiate a===",
	"Foo", "Foo bar", "Negotiat", "Negotiatex YII=", "NTLM\x80", "Kerberos ~~~~", "Negotiate a/b+c",
	" Negotiate abc", ",Negotiate", "Negotiate/x", "Negotiate x y", "", "=",
	// Around decodedToken68: padding, trailing white space, line breaks
	// and token68 characters outside base64.
	"Negotiate YIIBBg==  ", "Negotiate YIIBBg==\t", "Negotiate YIIBBg=", "Negotiate YIIBBg===",
	"Negotiate YII\rBBg==", "Negotiate YIIB\nBg==", "Negotiate YIIB-Bg==", "NTLM TlRM_TVNT", "NTLM TlRM.TVNT~",
	"Negotiate YIIBBg== x", "Negotiate YIIBBg==,", "Negotiate Y=IIBBg==", "Negotiate  \t ",
}

// TestSimpleChallengeAgrees checks the fast path against splitChallenges.
func TestSimpleChallengeAgrees(t *testing.T) {
	for _, v := range fastPathValues {
		checkSimpleChallenge(t, v)
	}
}

func checkSimpleChallenge(t *testing.T, v string) {
	t.Helper()
	c, ok := simpleChallenge([]byte(v))
	if !ok {
		return
	}
	for _, creds := range []bool{false, true} {
		cs := splitChallenges(v, creds)
		if len(cs) != 1 || !reflect.DeepEqual(normToken(c), normToken(cs[0])) {
			t.Errorf("%q (creds %v): fast path %+v, splitChallenges %+v", v, creds, c, cs)
		}
	}
}

// normToken makes an empty decoded token compare equal whatever its
// capacity.
func normToken(c Challenge) Challenge {
	if c.Token != nil && len(c.Token) == 0 {
		c.Token = []byte{}
	}
	return c
}

func FuzzSimpleChallenge(f *testing.F) {
	for _, v := range fastPathValues {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if strings.ContainsAny(v, "\r\n") {
			return
		}
		checkSimpleChallenge(t, v)
	})
}

// TestDecodedToken68 checks which tokens simpleChallenge takes by decoding
// them, without looking at each byte first, and that what it then returns
// is what splitChallenges gives (checkSimpleChallenge, as
// TestSimpleChallengeAgrees and FuzzSimpleChallenge).
func TestDecodedToken68(t *testing.T) {
	kerberos := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x60, 0x82, 0x07}, 700))
	for _, tc := range []struct {
		t      string
		ok     bool
		b64Len int
	}{
		{kerberos, true, len(kerberos)},
		{kerberos + " \t", true, len(kerberos)},
		{"YIIBBg==", true, 8},
		{"TlRMTVNTUAABAAAAB4IIog", true, 22}, // unpadded
		{"YIIBBg=", false, 0},                // bad padding: the byte-by-byte look says so
		{"YIIB-Bg==", false, 0},              // a token68, not base64
		{"YIIB\nBg==", false, 0},             // base64 with a line break, not a token68
		{"YIIB\rBg==", false, 0},
		{"=YIIBBg==", false, 0},
		{"YIIBBg== x", false, 0},
		{"", false, 0},
		{" \t", false, 0},
	} {
		c, ok := decodedToken68("Negotiate", []byte(tc.t))
		if ok != tc.ok || ok && (c.TokenB64Len != tc.b64Len || c.BadBase64 || len(c.Token) == 0) {
			t.Errorf("decodedToken68(%.20q...) = %v, %d bytes of base64, bad %v; want %v, %d", tc.t, ok, c.TokenB64Len, c.BadBase64, tc.ok, tc.b64Len)
		}
		checkSimpleChallenge(t, "Negotiate "+tc.t)
	}
}

// TestFieldKind checks the allocation-free field-name match against
// strings.ToLower, non-ASCII letters that lower-case to ASCII included.
func TestFieldKind(t *testing.T) {
	for _, name := range []string{
		"Host", "HOST", "host", "WWW-Authenticate", "www-authenticate", "Proxy-Authenticate",
		"Authorization", "AUTHORIZATION", "Proxy-Authorization", "Content-Length", "Transfer-Encoding",
		"Upgrade", "Connection", "X-Host", "Hostx", "", "Authoriz\u0130ation", "Authorİzation",
		"Content-Length-Extra-Long-Name", "\u212Aost", "Proxy-Authorization\u0130",
		strings.Repeat("a", 40) + "\u0130",
	} {
		if got, want := fieldKind([]byte(name)), kindOf(strings.ToLower(name)); got != want {
			t.Errorf("fieldKind(%q) = %d, want %d", name, got, want)
		}
	}
}
