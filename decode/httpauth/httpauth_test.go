package httpauth

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func vec(tb testing.TB, name string) []byte {
	tb.Helper()
	for _, v := range loadVectors(tb) {
		if v.name == name {
			return v.raw
		}
	}
	tb.Fatalf("no vector %q", name)
	return nil
}

// head builds a response head with the given header lines.
func head(lines ...string) []byte {
	return []byte("HTTP/1.1 401 Unauthorized\r\n" + strings.Join(lines, "\r\n") + "\r\n\r\n")
}

func TestChallenges(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		www  []Challenge
		auth *Challenge
	}{
		{
			name: "comma-joined challenges",
			in:   head("WWW-Authenticate: Negotiate, NTLM"),
			www:  []Challenge{{Scheme: "Negotiate"}, {Scheme: "NTLM"}},
		},
		{
			name: "quoted commas",
			in:   head(`WWW-Authenticate: Basic realm="a, b", Negotiate`),
			www:  []Challenge{{Scheme: "Basic", Params: `realm="a, b"`}, {Scheme: "Negotiate"}},
		},
		{
			name: "params with commas, escaped quote, then a token challenge",
			in:   head(`WWW-Authenticate: Digest realm="x\", y", qop="auth,auth-int", nonce=abc,Negotiate YIIBBg==`),
			www: []Challenge{
				{Scheme: "Digest", Params: `realm="x\", y", qop="auth,auth-int", nonce=abc`},
				{Scheme: "Negotiate", Token: []byte{0x60, 0x82, 0x01, 0x06}, TokenB64Len: 8},
			},
		},
		{
			name: "lower-case scheme",
			in:   head("www-authenticate: negotiate YIIBBg==", "authorization: ntlm TlRMTVNTUAA="),
			www:  []Challenge{{Scheme: "Negotiate", Token: []byte{0x60, 0x82, 0x01, 0x06}, TokenB64Len: 8}},
			auth: &Challenge{Scheme: "NTLM", Token: []byte("NTLMSSP\x00"), TokenB64Len: 12},
		},
		{
			name: "unpadded base64",
			in:   head("WWW-Authenticate: Kerberos YIIBBg"),
			www:  []Challenge{{Scheme: "Kerberos", Token: []byte{0x60, 0x82, 0x01, 0x06}, TokenB64Len: 6}},
		},
		{
			name: "bad base64",
			in:   head("WWW-Authenticate: Negotiate Y===", "WWW-Authenticate: NTLM A"),
			www:  []Challenge{{Scheme: "Negotiate", TokenB64Len: 4, BadBase64: true}, {Scheme: "NTLM", TokenB64Len: 1, BadBase64: true}},
		},
		{
			name: "header without value",
			in:   head("WWW-Authenticate:", "Authorization:   "),
		},
		{
			name: "several headers keep their order",
			in:   head("WWW-Authenticate: Negotiate", "Server: x", "WWW-Authenticate: NTLM, Basic realm=\"r\""),
			www:  []Challenge{{Scheme: "Negotiate"}, {Scheme: "NTLM"}, {Scheme: "Basic", Params: `realm="r"`}},
		},
		{
			name: "Basic credentials keep the user, not the password",
			in:   head("Authorization: Basic dXNlcjpwYXNz"),
			auth: &Challenge{Scheme: "Basic", TokenB64Len: 12, User: "user", Params: `user="user" password=<4 bytes>`},
		},
		{
			name: "Basic credentials without colon",
			in:   head("Authorization: BASIC dXNlcg=="),
			auth: &Challenge{Scheme: "Basic", TokenB64Len: 8, User: "user", Params: `user="user" password=absent`},
		},
		{
			name: "Basic credentials with bad base64",
			in:   head("Authorization: Basic %%%"),
			auth: &Challenge{Scheme: "Basic"},
		},
		{
			name: "Digest credentials hide the response hash",
			in:   head(`Authorization: Digest username="bob", realm="r", response="6629fae49393a05397450978507c4ef1", nc=1`),
			auth: &Challenge{Scheme: "Digest", User: "bob",
				Params: `username="bob", realm="r", response=<32 chars>, nc=1`},
		},
		{
			name: "Bearer token is only a length",
			in:   head("Authorization: Bearer mF_9.B5f-4.1JqM"),
			auth: &Challenge{Scheme: "Bearer", TokenB64Len: 15},
		},
		{
			name: "first Authorization wins",
			in:   head("Authorization: Negotiate", "Authorization: NTLM"),
			auth: &Challenge{Scheme: "Negotiate"},
		},
		{
			name: "obsolete line folding",
			in:   head("WWW-Authenticate: Basic", "\trealm=\"folded\""),
			www:  []Challenge{{Scheme: "Basic", Params: `realm="folded"`}},
		},
		{
			name: "param before any scheme is dropped",
			in:   head(`WWW-Authenticate: realm="x", Negotiate`),
			www:  []Challenge{{Scheme: "Negotiate"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := ParseHead(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h.WWWAuthenticate, c.www) {
				t.Errorf("WWWAuthenticate\n got %+v\nwant %+v", h.WWWAuthenticate, c.www)
			}
			if !reflect.DeepEqual(h.Authorization, c.auth) {
				t.Errorf("Authorization\n got %+v\nwant %+v", h.Authorization, c.auth)
			}
			if strings.Contains(fmt.Sprintf("%+v", h), "pass\"") || strings.Contains(fmt.Sprintf("%+v", h), "6629fae4") {
				t.Error("a secret leaked into the head")
			}
		})
	}
}

func TestProxyHeaders(t *testing.T) {
	h, err := ParseHead([]byte("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\nProxy-Authenticate: NTLM\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.ProxyAuthenticate) != 2 || h.ProxyAuthenticate[1].Scheme != "NTLM" || h.WWWAuthenticate != nil || h.Status != 407 {
		t.Errorf("%+v", h)
	}
	h, err = ParseHead([]byte("CONNECT srv:443 HTTP/1.1\r\nHost: srv:443\r\nPROXY-AUTHORIZATION: Negotiate YIIBBg==\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if h.ProxyAuthorization == nil || len(h.ProxyAuthorization.Token) != 4 || h.Method != "CONNECT" || h.URI != "srv:443" {
		t.Errorf("%+v", h)
	}
}

func TestHeadEdgeCases(t *testing.T) {
	many := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString("GET / HTTP/1.1\r\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "X-H%d: v\r\n", i)
		}
		b.WriteString("\r\n")
		return b.Bytes()
	}
	cases := []struct {
		name    string
		in      []byte
		wantErr error
		check   func(t *testing.T, h *Head)
	}{
		{name: "empty", in: nil, wantErr: ErrNeedMore},
		{name: "leftover CRLF only", in: []byte("\r\n"), wantErr: ErrNeedMore},
		{name: "partial start line", in: []byte("GET /index.ht"), wantErr: ErrNeedMore},
		{name: "huge header count", in: many(MaxHeaderLines + 1), wantErr: wire.ErrMalformed},
		{name: "200 header lines are fine", in: many(MaxHeaderLines)},
		{
			name: "head larger than 64 KiB", wantErr: wire.ErrMalformed,
			in: []byte("GET / HTTP/1.1\r\nX-Big: " + strings.Repeat("a", MaxHeadLen) + "\r\n\r\n"),
		},
		{
			name: "64 KiB without an end is malformed, not need-more", wantErr: wire.ErrMalformed,
			in: []byte("GET / HTTP/1.1\r\nX-Big: " + strings.Repeat("a", MaxHeadLen)),
		},
		{name: "TLS is not HTTP", in: []byte("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), wantErr: wire.ErrMalformed},
		{name: "SSH banner is not HTTP", in: []byte("SSH-2.0-OpenSSH_8.9\r\n"), wantErr: wire.ErrMalformed},
		{name: "HTTP/0.9 request", in: []byte("GET /\r\n\r\n"), wantErr: wire.ErrMalformed},
		{name: "bad status code", in: []byte("HTTP/1.1 2x0 OK\r\n\r\n"), wantErr: wire.ErrMalformed},
		{
			name: "bare LF line ends",
			in:   []byte("HTTP/1.0 401 Unauthorized\nWWW-Authenticate: NTLM\nContent-Length: 5\n\nhello"),
			check: func(t *testing.T, h *Head) {
				if h.HeadLen != 68 || h.ContentLength != 5 || len(h.WWWAuthenticate) != 1 || h.Proto != "HTTP/1.0" {
					t.Errorf("%+v", h)
				}
			},
		},
		{
			name: "leading CRLF before the request line",
			in:   []byte("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
			check: func(t *testing.T, h *Head) {
				if h.HeadLen != 31 || h.Host != "a" || h.Method != "GET" {
					t.Errorf("%+v", h)
				}
			},
		},
		{
			name: "status line without reason",
			in:   []byte("HTTP/1.1 204\r\n\r\n"),
			check: func(t *testing.T, h *Head) {
				if h.Status != 204 || h.Reason != "" || h.Request {
					t.Errorf("%+v", h)
				}
			},
		},
		{
			name: "header names in any case, connection close, te list",
			in:   []byte("HTTP/1.1 200 OK\r\nCONNECTION: keep-alive, Close\r\ntransfer-encoding: gzip\r\nTransfer-Encoding: Chunked\r\nhOsT: x\r\n\r\n"),
			check: func(t *testing.T, h *Head) {
				if !h.ConnectionClose || !h.Chunked || h.TransferEncoding != "gzip, Chunked" || h.Host != "x" {
					t.Errorf("%+v", h)
				}
			},
		},
		{
			name: "same Content-Length twice",
			in:   []byte("HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n"),
			check: func(t *testing.T, h *Head) {
				if h.ContentLength != 7 {
					t.Errorf("%+v", h)
				}
			},
		},
		{
			name: "conflicting Content-Length", wantErr: wire.ErrMalformed,
			in: []byte("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 8\r\nWWW-Authenticate: NTLM\r\n\r\n"),
			check: func(t *testing.T, h *Head) {
				if h.ContentLength != -1 || len(h.WWWAuthenticate) != 1 {
					t.Errorf("%+v", h)
				}
			},
		},
		{name: "negative Content-Length", in: []byte("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), wantErr: wire.ErrMalformed},
		{name: "huge Content-Length", in: []byte("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"), wantErr: wire.ErrMalformed},
		{
			name: "line without colon is ignored",
			in:   []byte("HTTP/1.1 200 OK\r\nnonsense\r\nHost: h\r\n\r\n"),
			check: func(t *testing.T, h *Head) {
				if h.Host != "h" {
					t.Errorf("%+v", h)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := ParseHead(c.in)
			if c.wantErr == nil && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "httpauth: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if c.check != nil {
				if h == nil {
					t.Fatal("nil head")
				}
				c.check(t, h)
			}
		})
	}
}

// TestHeadSplitAcrossBuffers feeds a real head (MS-RMSOD frame 72, a
// Negotiate AUTHENTICATE over HTTP/1.0) one prefix at a time: every prefix
// is ErrNeedMore, the whole is parsed.
func TestHeadSplitAcrossBuffers(t *testing.T) {
	full := vec(t, "MS_RMSOD_Example2_Win2016_X64_Win10_X64__72")
	for n := 0; n < 1114; n++ {
		h, err := ParseHead(full[:n])
		if !errors.Is(err, ErrNeedMore) || !errors.Is(err, wire.ErrTruncated) || h != nil {
			t.Fatalf("prefix %d: %v", n, err)
		}
	}
	h, err := ParseHead(full)
	if err != nil {
		t.Fatal(err)
	}
	if h.HeadLen != 1114 || h.Authorization == nil || !bytes.HasPrefix(h.Authorization.Token, []byte("NTLMSSP\x00\x03")) {
		t.Errorf("%+v", h)
	}
}

func TestBodyLength(t *testing.T) {
	resp := func(status int, hdr string) *Head {
		h, err := ParseHead([]byte(fmt.Sprintf("HTTP/1.1 %d X\r\n%s\r\n", status, hdr)))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	req, err := ParseHead([]byte("POST / HTTP/1.1\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		h          *Head
		method     string
		n          int64
		chunked    bool
		untilClose bool
	}{
		{"401 with Content-Length", resp(401, "Content-Length: 341\r\n"), "", 341, false, false},
		{"chunked response", resp(200, "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), "", -1, true, false},
		{"response without framing", resp(200, ""), "", -1, false, true},
		{"gzip without chunked", resp(200, "Transfer-Encoding: gzip\r\n"), "", -1, false, true},
		{"204", resp(204, "Content-Length: 10\r\n"), "", 0, false, false},
		{"304", resp(304, "Content-Length: 10\r\n"), "", 0, false, false},
		{"100 Continue", resp(100, ""), "", 0, false, false},
		{"HEAD response", resp(200, "Content-Length: 10\r\n"), "HEAD", 0, false, false},
		{"CONNECT 200 is a tunnel", resp(200, ""), "CONNECT", -1, false, true},
		{"101 switches protocols", resp(101, "Upgrade: websocket\r\n"), "", -1, false, true},
		{"request without body", req, "", 0, false, false},
	}
	for _, c := range cases {
		n, ch, uc := BodyLengthFor(c.h, c.method)
		if n != c.n || ch != c.chunked || uc != c.untilClose {
			t.Errorf("%s: got %d %v %v", c.name, n, ch, uc)
		}
	}
	if n, _, _ := BodyLength(resp(401, "Content-Length: 341\r\n")); n != 341 {
		t.Errorf("BodyLength = %d", n)
	}
}

// chunkedVectors returns the two chunked responses of testdata/chunked.hex.
func chunkedVectors(tb testing.TB) [][]byte {
	tb.Helper()
	data, err := os.ReadFile("testdata/chunked.hex")
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		b, err := hex.DecodeString(l)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestSkipChunkedReal(t *testing.T) {
	for i, msg := range chunkedVectors(t) {
		h, err := ParseHead(msg)
		if err != nil {
			t.Fatal(err)
		}
		if _, chunked, _ := BodyLength(h); !chunked {
			t.Fatalf("message %d not chunked", i)
		}
		body := msg[h.HeadLen:]
		next := []byte("HTTP/1.1 200 OK\r\n")
		n, done, err := SkipChunked(append(append([]byte(nil), body...), next...))
		if err != nil || !done || n != len(body) {
			t.Fatalf("message %d: n=%d of %d done=%v err=%v", i, n, len(body), done, err)
		}
	}
}

// TestChunkedBodySplit splits a real chunked body at every point: the
// stateless SkipChunked consumes only whole chunks, ChunkedBody consumes
// everything and resumes.
func TestChunkedBodySplit(t *testing.T) {
	msg := chunkedVectors(t)[0]
	h, _ := ParseHead(msg)
	body := msg[h.HeadLen:]
	for k := 0; k < len(body); k++ {
		n, done, err := SkipChunked(body[:k])
		if err != nil || done || n > k {
			t.Fatalf("SkipChunked(%d bytes): n=%d done=%v err=%v", k, n, done, err)
		}
		rest := append(append([]byte(nil), body[n:k]...), body[k:]...)
		m, done, err := SkipChunked(rest)
		if err != nil || !done || n+m != len(body) {
			t.Fatalf("resume at %d after %d: m=%d done=%v err=%v", k, n, m, done, err)
		}

		var c ChunkedBody
		n1, done, err := c.Consume(body[:k])
		if err != nil || done {
			t.Fatalf("Consume(%d bytes): done=%v err=%v", k, done, err)
		}
		pending := append(append([]byte(nil), body[n1:k]...), body[k:]...)
		n2, done, err := c.Consume(pending)
		if err != nil || !done || n1+n2 != len(body) {
			t.Fatalf("Consume resume at %d: n1=%d n2=%d done=%v err=%v", k, n1, n2, done, err)
		}
	}
}

func TestSkipChunkedCases(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		n       int
		done    bool
		wantErr error
	}{
		{name: "with trailers and extension", in: "5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT", n: 35, done: true},
		{name: "bare LF", in: "3\nabc\n0\n\nNEXT", n: 9, done: true},
		{name: "upper-case hex", in: "A\r\n0123456789\r\n0\r\n\r\n", n: 20, done: true},
		{name: "incomplete size line", in: "5\r\nhello\r\n1", n: 10},
		{name: "incomplete trailers", in: "5\r\nhello\r\n0\r\nX-T: 1\r\n", n: 10},
		{name: "bad hex", in: "zz\r\n", wantErr: wire.ErrMalformed},
		{name: "empty size", in: "\r\n", wantErr: wire.ErrMalformed},
		{name: "no CRLF after data", in: "2\r\nabXY", wantErr: wire.ErrMalformed},
		{name: "size overflow", in: "fffffffffffffffffff\r\n", wantErr: wire.ErrMalformed},
		{name: "size line too long", in: "1;" + strings.Repeat("x", maxChunkLine), wantErr: wire.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, done, err := SkipChunked([]byte(c.in))
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("error %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil || n != c.n || done != c.done {
				t.Errorf("n=%d done=%v err=%v, want n=%d done=%v", n, done, err, c.n, c.done)
			}
		})
	}
}

func TestLooksLikeHTTP(t *testing.T) {
	cases := []struct {
		in        string
		req, resp bool
	}{
		{"GET / HTTP/1.1\r\n", true, false},
		{"PROPFIND /webdav HTTP/1.1", true, false},
		{"RPC_IN_DATA /rpc/rpcproxy.dll", true, false},
		{"HTTP/1.1 401 Unauthorized", false, true},
		{"HTTP/1.0 200", false, true},
		{"HTTP/2", false, false},
		{"GET", false, false},
		{"GETX /", false, false},
		{"get / HTTP/1.1", false, false},
		{"\x16\x03\x01", false, false},
	}
	for _, c := range cases {
		req, resp := LooksLikeHTTP([]byte(c.in))
		if req != c.req || resp != c.resp {
			t.Errorf("LooksLikeHTTP(%q) = %v %v", c.in, req, resp)
		}
	}
}

// TestDropToken checks that DropToken lets go of a token's bytes and that
// HasToken still tells a challenge that had one from one that had none.
func TestDropToken(t *testing.T) {
	for _, tc := range []struct {
		value string
		has   bool
	}{
		{"Negotiate YIIBhgYGKwYBBQUC", true},
		{"Negotiate", false},
		{"NTLM abcde", false}, // not base64: no token decoded
		{"Basic dXNlcjpwYXNz", false},
	} {
		h, err := ParseHead([]byte("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: " + tc.value + "\r\n\r\n"))
		if err != nil || len(h.WWWAuthenticate) != 1 {
			t.Fatalf("%q: %v, %d challenges", tc.value, err, len(h.WWWAuthenticate))
		}
		c := h.WWWAuthenticate[0]
		if c.HasToken() != tc.has {
			t.Errorf("%q: HasToken %v before DropToken, want %v", tc.value, c.HasToken(), tc.has)
		}
		c.DropToken()
		if c.Token != nil || c.HasToken() != tc.has {
			t.Errorf("%q: after DropToken Token %x, HasToken %v, want nil and %v", tc.value, c.Token, c.HasToken(), tc.has)
		}
	}
}

// TestHeadSize pins the size of a Head: a big capture keeps tens of
// thousands of them, and 208 is an allocation size class (216 took 224).
func TestHeadSize(t *testing.T) {
	if n := unsafe.Sizeof(Head{}); n > 208 {
		t.Errorf("Head is %d bytes, want <= 208", n)
	}
}
