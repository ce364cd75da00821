package report

import (
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
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
