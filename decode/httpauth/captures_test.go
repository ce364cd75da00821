package httpauth

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/decode/ntlm"
)

// TestSharedCaptures walks every reassembled TCP stream that starts like
// HTTP in the pcap/pcapng files of ../shared/captures, head by head
// (skipping bodies by BodyLength and SkipChunked, pairing responses with
// their request's method), and decodes every NTLM token carried in an auth
// header with decode/ntlm. It skips when the directory is absent.
func TestSharedCaptures(t *testing.T) {
	var heads, challenges, ntlmTokens int
	pcaptest.Shared(t, func(name string, capt *pcaptest.Capture) {
		methods := requestMethods(capt.Streams)
		for _, s := range capt.Streams {
			if req, resp := LooksLikeHTTP(s.Data); !req && !resp {
				continue
			}
			n, c, tok := walkStream(t, name, s, methods[[2]string{s.Dst.String(), s.Src.String()}])
			heads, challenges, ntlmTokens = heads+n, challenges+c, ntlmTokens+tok
		}
	})
	t.Logf("%d heads, %d auth challenges/credentials, %d NTLM tokens", heads, challenges, ntlmTokens)
	if heads < 100 || ntlmTokens < 20 {
		t.Errorf("too few heads (%d) or NTLM tokens (%d)", heads, ntlmTokens)
	}
}

// requestMethods lists the request methods of each client->server stream,
// keyed by (client, server), to frame HEAD responses.
func requestMethods(streams []*pcaptest.Stream) map[[2]string][]string {
	out := map[[2]string][]string{}
	for _, s := range streams {
		b := s.Data
		for req, _ := LooksLikeHTTP(b); req; req, _ = LooksLikeHTTP(b) {
			h, err := ParseHead(b)
			if err != nil {
				break
			}
			k := [2]string{s.Src.String(), s.Dst.String()}
			out[k] = append(out[k], h.Method)
			b = b[h.HeadLen:]
			n, _, _ := BodyLength(h)
			if n > int64(len(b)) {
				break
			}
			b = b[n:]
		}
	}
	return out
}

func walkStream(t *testing.T, name string, s *pcaptest.Stream, methods []string) (heads, challenges, ntlmTokens int) {
	b := s.Data
	for len(b) > 0 {
		h, err := ParseHead(b)
		if errors.Is(err, ErrNeedMore) {
			return // capture ended inside a head
		}
		if h == nil && len(b) == len(s.Data) {
			// LooksLikeHTTP only checks the method: SIP ("OPTIONS sip:...
			// SIP/2.0") passes it and is then rejected here, as it should.
			t.Logf("%s %v->%v: not HTTP: %v", name, s.Src, s.Dst, err)
			return
		}
		if h == nil {
			t.Errorf("%s %v->%v at %d: %v", name, s.Src, s.Dst, len(s.Data)-len(b), err)
			return
		}
		heads++
		for _, c := range h.allAuth() {
			challenges++
			if bytes.HasPrefix(c.Token, []byte(ntlm.Signature)) {
				ntlmTokens++
				if _, err := ntlm.Parse(c.Token); err != nil {
					t.Errorf("%s: NTLM token in %s: %v", name, c.Scheme, err)
				}
			}
			if c.BadBase64 {
				t.Errorf("%s: bad base64 in %s", name, c.Scheme)
			}
		}
		b = b[h.HeadLen:]
		if h.Request && h.Upgrade != "" {
			return // the client speaks the new protocol if the server agrees
		}
		method := ""
		if !h.Request && len(methods) > 0 {
			method, methods = methods[0], methods[1:]
		}
		n, chunked, untilClose := BodyLengthFor(h, method)
		switch {
		case untilClose:
			return
		case chunked:
			m, done, err := SkipChunked(b)
			if err != nil && !errors.Is(err, wire.ErrTruncated) {
				t.Errorf("%s: chunked body: %v", name, err)
			}
			if !done {
				return
			}
			b = b[m:]
		case n > int64(len(b)):
			return // the capture ends inside the body
		default:
			b = b[n:]
		}
	}
	return
}

func (h *Head) allAuth() []Challenge {
	out := append(append([]Challenge(nil), h.WWWAuthenticate...), h.ProxyAuthenticate...)
	for _, c := range []*Challenge{h.Authorization, h.ProxyAuthorization} {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}
