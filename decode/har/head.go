package har

import (
	"net/url"
	"strconv"
	"strings"
)

// RequestHead synthesizes the HTTP/1.1 request head of the entry, as it
// would have been on the wire: the request line with the URL's path and
// query, a Host header from the URL when the HAR lists none (HTTP/2 HARs
// carry ":authority" instead), then the headers in order, without HTTP/2
// pseudo-headers. A value holding line breaks (Chrome joins repeated
// headers with "\n") becomes one header line per line. The version is the
// entry's when it is HTTP/1.0 or HTTP/1.1, HTTP/1.1 otherwise.
func (e *Entry) RequestHead() []byte {
	var b strings.Builder
	method := token(e.Request.Method, "GET")
	b.WriteString(method + " " + requestTarget(e.Request.URL) + " " + version(e.Request.HTTPVersion) + "\r\n")
	if !hasHeader(e.Request.Headers, "host") {
		if u, err := url.Parse(e.Request.URL); err == nil && u.Host != "" && clean(u.Host) == u.Host {
			b.WriteString("Host: " + u.Host + "\r\n")
		}
	}
	writeHeaders(&b, e.Request.Headers)
	b.WriteString("\r\n")
	return []byte(b.String())
}

// ResponseHead synthesizes the HTTP/1.1 response head of the entry (see
// RequestHead); nil when the entry has no response (status 0).
func (e *Entry) ResponseHead() []byte {
	if e.Response.Status <= 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(version(e.Response.HTTPVersion) + " " + strconv.Itoa(e.Response.Status%1000))
	if r := clean(e.Response.StatusText); r != "" {
		b.WriteString(" " + r)
	}
	b.WriteString("\r\n")
	writeHeaders(&b, e.Response.Headers)
	b.WriteString("\r\n")
	return []byte(b.String())
}

// requestTarget is the origin-form of the URL (path and query), "/" when
// it has none or cannot be read.
func requestTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "/"
	}
	t := u.RequestURI()
	if t == "" || strings.ContainsAny(t, " \t\r\n") {
		return "/"
	}
	return t
}

// version maps a HAR httpVersion to the version written in the head.
func version(v string) string {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "HTTP/1.0":
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// token returns s when it is a valid method token, else def.
func token(s, def string) string {
	if s == "" {
		return def
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return def
		}
	}
	return s
}

func hasHeader(hs []Header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

// writeHeaders writes the headers as lines, skipping pseudo-headers and
// names that are not tokens, splitting values on line breaks.
func writeHeaders(b *strings.Builder, hs []Header) {
	for _, h := range hs {
		if strings.HasPrefix(h.Name, ":") || token(h.Name, "") == "" {
			continue
		}
		for _, line := range strings.FieldsFunc(h.Value, func(r rune) bool { return r == '\n' || r == '\r' }) {
			b.WriteString(h.Name + ": " + clean(strings.TrimSpace(line)) + "\r\n")
		}
		if strings.TrimSpace(h.Value) == "" {
			b.WriteString(h.Name + ":\r\n")
		}
	}
}

// clean replaces control characters, which would end or break the line.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
