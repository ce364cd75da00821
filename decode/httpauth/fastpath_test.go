package httpauth

import (
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
