package decode

import (
	"reflect"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/httpauth"
)

// TestChallengeShare checks that equal lists without tokens share the
// first one kept, and that a list with a token, or one that differs in any
// field, keeps its own.
func TestChallengeShare(t *testing.T) {
	mk := func() []httpauth.Challenge {
		return []httpauth.Challenge{{Scheme: "Negotiate"}, {Scheme: "NTLM"}, {Scheme: "Basic", Params: `realm="lab"`}}
	}
	var s challengeShare
	first := s.share(mk())
	if got := s.share(mk()); &got[0] != &first[0] {
		t.Errorf("an equal list was not shared")
	}
	withToken := mk()
	withToken[0].Token = []byte{0x60, 0x01}
	if got := s.share(withToken); &got[0] != &withToken[0] {
		t.Errorf("a list with a token was shared")
	}
	dropped := mk()
	dropped[0].Token = []byte{0x60}
	dropped[0].DropToken()
	if got := s.share(dropped); &got[0] != &dropped[0] {
		t.Errorf("a list whose token was dropped was shared")
	}
	for _, change := range []func(c *httpauth.Challenge){
		func(c *httpauth.Challenge) { c.Scheme = "Kerberos" },
		func(c *httpauth.Challenge) { c.Params = `realm="other"` },
		func(c *httpauth.Challenge) { c.User = "u" },
		func(c *httpauth.Challenge) { c.TokenB64Len = 4 },
		func(c *httpauth.Challenge) { c.BadBase64 = true },
	} {
		other := mk()
		change(&other[2])
		if got := s.share(other); &got[0] != &other[0] || &got[0] == &first[0] {
			t.Errorf("a list that differs was shared: %+v", other[2])
		}
	}
	if got := s.share(nil); got != nil {
		t.Errorf("share(nil) = %v", got)
	}
	// sameChallenges compares every field: a new one must be added there.
	if n := reflect.TypeFor[httpauth.Challenge]().NumField(); n != 7 {
		t.Errorf("httpauth.Challenge has %d fields, sameChallenges knows 7", n)
	}
}
