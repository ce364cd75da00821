package httpauth

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// TestBoundChallenges checks maxChallenges: a WWW-Authenticate value of
// 10000 challenges (in less than MaxHeadLen) keeps the first
// maxChallenges, and the head is still decoded.
func TestBoundChallenges(t *testing.T) {
	v := strings.Repeat("a, ", 9999) + "NTLM"
	h, err := ParseHead([]byte("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: " + v + "\r\nContent-Length: 0\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != 401 || len(h.WWWAuthenticate) != maxChallenges {
		t.Fatalf("status %d, %d challenges", h.Status, len(h.WWWAuthenticate))
	}
}

// TestBoundTrailers checks maxTrailers: a chunked body with more trailer
// lines is refused as malformed, one with maxTrailers is consumed.
func TestBoundTrailers(t *testing.T) {
	body := func(n int) []byte {
		return []byte("5\r\nhello\r\n0\r\n" + strings.Repeat("X-T: 1\r\n", n) + "\r\n")
	}
	if n, done, err := SkipChunked(body(maxTrailers)); err != nil || !done || n != len(body(maxTrailers)) {
		t.Fatalf("%d trailers: %d %v %v", maxTrailers, n, done, err)
	}
	if _, _, err := SkipChunked(body(100 * maxTrailers)); !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("%d trailers: %v", 100*maxTrailers, err)
	}
}
