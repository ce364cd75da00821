package har

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func readVector(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/success.har")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseSuccess checks the entries read from the HAR made of
// success.pcap's HTTP exchanges (testdata/README.md).
func TestParseSuccess(t *testing.T) {
	l, err := Parse(readVector(t))
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != "1.2" || len(l.Entries) != 2 || l.Truncated || l.Dropped != 0 {
		t.Fatalf("log %+v", l)
	}
	cases := []struct {
		status  int
		started string
		time    time.Duration
		auth    string // prefix of the Authorization value
		www     []string
	}{
		{401, "2026-11-25T10:13:02.634Z", 2149 * time.Microsecond, "", []string{"Negotiate", "NTLM"}},
		{200, "2026-11-25T10:13:02.645Z", 3271 * time.Microsecond, "Negotiate YIIDBwYGKwYBBQUCoIIC+zCC", []string{"Negotiate oYG3MIG0oAMKAQChCwYJKoZIhvcSAQICooGfBIGc"}},
	}
	for i, c := range cases {
		e := &l.Entries[i]
		started, _ := time.Parse(time.RFC3339Nano, c.started)
		if e.Number != i+1 || e.Response.Status != c.status || !e.Started.Equal(started) || e.Time != c.time {
			t.Errorf("entry %d: number %d status %d started %v time %v", i+1, e.Number, e.Response.Status, e.Started, e.Time)
		}
		if e.Server() != netip.MustParseAddrPort("192.0.2.20:80") || e.Connection != "0" || e.PageRef != "page_1" {
			t.Errorf("entry %d: server %v connection %q page %q", i+1, e.Server(), e.Connection, e.PageRef)
		}
		req, err := httpauth.ParseHead(e.RequestHead())
		if err != nil || req.Method != "GET" || req.URI != "/" || req.Host != "www.kerbtrace.test" {
			t.Fatalf("entry %d request head %+v: %v", i+1, req, err)
		}
		if got := authValue(e.Request.Headers); !strings.HasPrefix(got, c.auth) || (c.auth == "") != (req.Authorization == nil) {
			t.Errorf("entry %d Authorization %.30q, parsed %v", i+1, got, req.Authorization != nil)
		}
		resp, err := httpauth.ParseHead(e.ResponseHead())
		if err != nil || resp.Status != c.status || len(resp.WWWAuthenticate) != len(c.www) {
			t.Fatalf("entry %d response head %+v: %v", i+1, resp, err)
		}
		head := string(e.ResponseHead())
		for _, w := range c.www {
			if !strings.Contains(head, "\r\nWWW-Authenticate: "+w) {
				t.Errorf("entry %d: no WWW-Authenticate %.40q", i+1, w)
			}
		}
	}
	ports := l.ClientPorts()
	if ports[0] != ports[1] || ports[0].Addr() != ClientAddr {
		t.Errorf("client ports %v: one connection should have one port", ports)
	}
}

func authValue(hs []Header) string {
	for _, h := range hs {
		if h.Name == "Authorization" {
			return h.Value
		}
	}
	return ""
}

// TestParseShapes covers the variants browsers write and broken input.
func TestParseShapes(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		errKind error
		entries int
		check   func(t *testing.T, l *Log)
	}{
		{"not json object", `[1,2]`, wire.ErrMalformed, -1, nil},
		{"no log", `{"x": {"entries": []}}`, wire.ErrMalformed, -1, nil},
		{"empty", ``, wire.ErrTruncated, -1, nil},
		{"empty log", `{"log": {}}`, nil, 0, nil},
		{"cut in entries", `{"log": {"entries": [{"request": {"method": "GET", "url": "http://a/"}}, {"request": `, wire.ErrTruncated, 1,
			func(t *testing.T, l *Log) {
				if !l.Truncated {
					t.Error("not Truncated")
				}
			}},
		{"syntax error", `{"log": {"entries": [{"request": {"method": "GET"}}, {x}]}}`, wire.ErrMalformed, 1, nil},
		{"chrome h2 and numbers as strings", `{"log": {"entries": [{"connection": 1234, "time": "12.5", "serverIPAddress": "[2001:db8::1]",
			"request": {"method": "GET", "url": "https://h.example:8443/p?q=1", "httpVersion": "http/2.0",
			  "headers": [{"name": ":authority", "value": "h.example:8443"}, {"name": "authorization", "value": "Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw=="}]},
			"response": {"status": "401", "statusText": "", "headers": [{"name": "www-authenticate", "value": "Negotiate\nNTLM"}]}}]}}`, nil, 1,
			func(t *testing.T, l *Log) {
				e := &l.Entries[0]
				if e.Connection != "1234" || e.Time != 12500*time.Microsecond || e.Server() != netip.MustParseAddrPort("[2001:db8::1]:8443") {
					t.Errorf("entry %+v", e)
				}
				req, err := httpauth.ParseHead(e.RequestHead())
				if err != nil || req.URI != "/p?q=1" || req.Host != "h.example:8443" || req.Proto != "HTTP/1.1" || req.Authorization == nil {
					t.Errorf("request %+v: %v\n%s", req, err, e.RequestHead())
				}
				resp, err := httpauth.ParseHead(e.ResponseHead())
				if err != nil || resp.Status != 401 || len(resp.WWWAuthenticate) != 2 {
					t.Errorf("response %+v: %v", resp, err)
				}
			}},
		{"header injection and no response", `{"log": {"entries": [{"request": {"method": "GET\r\nX: y", "url": "http://a/b c",
			"headers": [{"name": "X-A", "value": "1\r\nAuthorization: Basic eA=="}, {"name": "bad name", "value": "v"}]},
			"response": {"status": 0}}]}}`, nil, 1,
			func(t *testing.T, l *Log) {
				e := &l.Entries[0]
				req, err := httpauth.ParseHead(e.RequestHead())
				if err != nil || req.Method != "GET" || bytes.Contains(e.RequestHead(), []byte("bad name")) {
					t.Errorf("request %+v: %v\n%q", req, err, e.RequestHead())
				}
				if e.ResponseHead() != nil {
					t.Error("status 0 gave a response")
				}
			}},
		{"wrong types", `{"log": {"entries": [{"startedDateTime": 5, "request": {"headers": "x"}, "response": {"status": true}}]}}`, nil, 1,
			func(t *testing.T, l *Log) {
				if l.Entries[0].Err == "" {
					t.Error("no Err for a field of the wrong type")
				}
			}},
		{"bad date and address", `{"log": {"entries": [{"startedDateTime": "yesterday", "serverIPAddress": "x"}]}}`, nil, 1,
			func(t *testing.T, l *Log) {
				if e := l.Entries[0]; e.Err != "har: bad startedDateTime, bad serverIPAddress" || e.ServerIP.IsValid() {
					t.Errorf("entry %+v", e)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := Parse([]byte(c.in))
			if c.errKind == nil && err != nil || c.errKind != nil && !errors.Is(err, c.errKind) {
				t.Fatalf("err %v, want %v", err, c.errKind)
			}
			if c.entries < 0 {
				if l != nil {
					t.Errorf("log %+v, want nil", l)
				}
				return
			}
			if l == nil || len(l.Entries) != c.entries {
				t.Fatalf("log %+v, want %d entries", l, c.entries)
			}
			if c.check != nil {
				c.check(t, l)
			}
		})
	}
}

// TestBounds checks the header and value bounds.
func TestBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"log": {"entries": [{"request": {"method": "GET", "url": "http://a/", "headers": [`)
	for i := 0; i < MaxHeaders+10; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"name": "X", "value": "v"}`)
	}
	b.WriteString(`, {"name": "Y", "value": "` + strings.Repeat("a", MaxValue+1) + `"}]}}]}}`)
	l, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if e := l.Entries[0]; len(e.Request.Headers) != MaxHeaders || !e.Truncated {
		t.Errorf("%d headers kept, truncated %v", len(e.Request.Headers), e.Truncated)
	}
}

// FuzzParse checks that Parse never panics, that errors carry the shared
// kinds, and that the synthesized heads always parse.
func FuzzParse(f *testing.F) {
	f.Add(readVector(f))
	f.Add([]byte(`{"log": {"entries": [{"connection": 1, "request": {"url": "https://x:1/", "headers": [{"name": ":path", "value": "/"}]}, "response": {"status": 401, "headers": [{"name": "WWW-Authenticate", "value": "Negotiate\nNTLM"}]}}]}}`))
	f.Add([]byte(`{"log": {"entries": [{"request": `))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(b)
		if err != nil && !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrUnsupported) {
			t.Fatalf("error of no shared kind: %v", err)
		}
		if l == nil {
			return
		}
		l.ClientPorts()
		for i := range l.Entries {
			e := &l.Entries[i]
			e.Server()
			if h, err := httpauth.ParseHead(e.RequestHead()); h == nil || !h.Request {
				t.Fatalf("request head %q: %v", e.RequestHead(), err)
			}
			if head := e.ResponseHead(); head != nil {
				if h, err := httpauth.ParseHead(head); h == nil || h.Request {
					t.Fatalf("response head %q: %v", head, err)
				}
			}
		}
	})
}
