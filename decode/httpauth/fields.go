package httpauth

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/internal/intern"
)

// startLine parses "METHOD target HTTP/x.y" or "HTTP/x.y code [reason]"
// (RFC 9112 3, 4). The strings are interned: methods, versions, reasons, URIs and hosts
// repeat across the heads of a capture.
func (h *Head) startLine(l []byte) error {
	s, err := parseStartLine(l)
	if err != nil {
		return err
	}
	h.Request, h.Status = s.request, s.status
	h.Method, h.URI = intern.Bytes(s.method), intern.Bytes(s.target)
	h.Proto, h.Reason = intern.Bytes(s.version), intern.Bytes(s.reason)
	return nil
}

// startFields are the parts of a start line, as sub-slices of it.
type startFields struct {
	request                         bool
	method, target, version, reason []byte
	status                          int
}

// parseStartLine splits and checks a start line without allocating.
func parseStartLine(l []byte) (startFields, error) {
	if bytes.HasPrefix(l, []byte("HTTP/")) {
		return parseStatusLine(l)
	}
	method, rest, ok1 := bytes.Cut(l, []byte(" "))
	target, version, ok2 := bytes.Cut(rest, []byte(" "))
	version = bytes.TrimRight(version, " ")
	if !ok1 || !ok2 || len(method) == 0 || len(target) == 0 || !validVersion(version) {
		return startFields{}, malformed("request-line", 0, "bad request line %.40q", l)
	}
	return startFields{request: true, method: method, target: target, version: version}, nil
}

func parseStatusLine(l []byte) (startFields, error) {
	version, rest, _ := bytes.Cut(l, []byte(" "))
	code, reason, _ := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
	if !validVersion(version) || len(code) != 3 {
		return startFields{}, malformed("status-line", 0, "bad status line %.40q", l)
	}
	// Three digits, as strconv.Atoi would read them; anything else ("+99",
	// "-12", "1x0") is an error there too, or a number below 100.
	n := 0
	for _, c := range code {
		if !isDigit(c) {
			n = -1
			break
		}
		n = n*10 + int(c-'0')
	}
	if n < 100 {
		return startFields{}, malformed("status-line", 0, "bad status code %q", code)
	}
	return startFields{version: version, status: n, reason: bytes.TrimSpace(reason)}, nil
}

// validVersion accepts "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3).
func validVersion(v []byte) bool {
	return len(v) == 8 && bytes.HasPrefix(v, []byte("HTTP/")) && isDigit(v[5]) && v[6] == '.' && isDigit(v[7])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// headers applies the field lines the package cares about; names compare
// case-insensitively (RFC 9110 5.1).
//
// Only the values of the fields it keeps are turned into strings, and the
// challenge lists are collected on the stack and copied once, exactly
// sized.
func (h *Head) headers(hs []header) error {
	var err error
	var te []string
	var wbuf, pbuf [4]Challenge
	www, proxy := wbuf[:0], pbuf[:0]
	for _, f := range hs {
		v := f.value
		switch fieldKind(f.name) {
		case fieldHost:
			if h.Host == "" {
				h.Host = intern.Bytes(v)
			}
		case fieldWWWAuthenticate:
			www = appendChallenges(www, v)
		case fieldProxyAuthenticate:
			proxy = appendChallenges(proxy, v)
		case fieldAuthorization:
			h.Authorization = firstCreds(h.Authorization, v)
		case fieldProxyAuthorization:
			h.ProxyAuthorization = firstCreds(h.ProxyAuthorization, v)
		case fieldContentLength:
			if e := h.contentLengthBytes(v); e != nil && err == nil {
				err = e
			}
		case fieldTransferEncoding:
			te = append(te, string(v))
		case fieldUpgrade:
			h.Upgrade = intern.Bytes(v)
		case fieldConnection:
			h.ConnectionClose = h.ConnectionClose || hasTokenBytes(v, "close")
		}
	}
	h.WWWAuthenticate, h.ProxyAuthenticate = exact(www), exact(proxy)
	h.TransferEncoding = strings.Join(te, ", ")
	h.Chunked = lastCoding(h.TransferEncoding) == "chunked"
	return err
}

// Field names headers acts on.
const (
	fieldOther = iota
	fieldHost
	fieldWWWAuthenticate
	fieldProxyAuthenticate
	fieldAuthorization
	fieldProxyAuthorization
	fieldContentLength
	fieldTransferEncoding
	fieldUpgrade
	fieldConnection
)

// fieldKind names a field case-insensitively, without allocating for ASCII
// names; others go through strings.ToLower (which maps a few non-ASCII
// letters to ASCII ones).
func fieldKind(name []byte) int {
	var lower [maxFieldName]byte
	if len(name) > 2*len(lower) {
		return fieldOther // too long to lower-case to a name below
	}
	for i, c := range name {
		switch {
		case c >= 0x80 || i >= len(lower):
			return kindOf(strings.ToLower(string(name)))
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return kindOf(string(lower[:len(name)]))
}

func kindOf(lower string) int {
	switch lower {
	case "host":
		return fieldHost
	case "www-authenticate":
		return fieldWWWAuthenticate
	case "proxy-authenticate":
		return fieldProxyAuthenticate
	case "authorization":
		return fieldAuthorization
	case "proxy-authorization":
		return fieldProxyAuthorization
	case "content-length":
		return fieldContentLength
	case "transfer-encoding":
		return fieldTransferEncoding
	case "upgrade":
		return fieldUpgrade
	case "connection":
		return fieldConnection
	}
	return fieldOther
}

// maxFieldName is the length of the longest field name headers looks at
// ("proxy-authorization").
const maxFieldName = len("proxy-authorization")

// exact returns cs in a slice of its own with no spare capacity, nil when
// empty.
func exact(cs []Challenge) []Challenge {
	if len(cs) == 0 {
		return nil
	}
	return append(make([]Challenge, 0, len(cs)), cs...)
}

func appendChallenges(dst []Challenge, v []byte) []Challenge {
	if len(dst) >= maxChallenges {
		return dst
	}
	if c, ok := simpleChallenge(v); ok {
		return append(dst, c)
	}
	return append(dst, splitChallenges(string(v), false)...)
}

func firstCreds(cur *Challenge, v []byte) *Challenge {
	if cur != nil {
		return cur
	}
	if c, ok := simpleChallenge(v); ok {
		return &c
	}
	cs := splitChallenges(string(v), true)
	if len(cs) == 0 {
		return nil
	}
	return &cs[0]
}

// contentLengthBytes is contentLength without a string for the common
// value, a plain decimal number.
func (h *Head) contentLengthBytes(v []byte) error {
	if len(v) == 0 || len(v) > 18 {
		return h.contentLength(string(v))
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return h.contentLength(string(v))
		}
		n = n*10 + int64(c-'0')
	}
	if h.ContentLength >= 0 && h.ContentLength != n {
		h.ContentLength = -1
		return malformed("Content-Length", 0, "conflicting values %.40q", v)
	}
	h.ContentLength = n
	return nil
}

// hasTokenBytes is hasToken on the bytes of a field value.
func hasTokenBytes(list []byte, tok string) bool {
	for len(list) > 0 {
		var t []byte
		t, list, _ = bytes.Cut(list, []byte(","))
		if bytes.EqualFold(bytes.TrimSpace(t), []byte(tok)) {
			return true
		}
	}
	return false
}

// contentLength parses Content-Length (RFC 9110 8.6). A list of identical
// values ("5, 5", or repeated headers) is accepted as one (RFC 9112 6.3-5);
// anything else is malformed and the length stays unknown (-1).
func (h *Head) contentLength(v string) error {
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil || n < 0 || part[0] == '+' {
			h.ContentLength = -1
			return malformed("Content-Length", 0, "invalid value %.40q", v)
		}
		if h.ContentLength >= 0 && h.ContentLength != n {
			h.ContentLength = -1
			return malformed("Content-Length", 0, "conflicting values %.40q", v)
		}
		h.ContentLength = n
	}
	return nil
}

// hasToken reports whether a comma-separated list holds tok (any case).
func hasToken(list, tok string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}

// lastCoding returns the final transfer coding of a Transfer-Encoding list,
// lower-cased and without parameters.
func lastCoding(te string) string {
	if i := strings.LastIndexByte(te, ','); i >= 0 {
		te = te[i+1:]
	}
	if i := strings.IndexByte(te, ';'); i >= 0 {
		te = te[:i]
	}
	return strings.ToLower(strings.TrimSpace(te))
}

// methods are the request methods LooksLikeHTTP knows: RFC 9110 9, WebDAV
// (RFC 4918), RPC over HTTP (MS-RPCH) and SSTP (MS-SSTP).
var methods = []string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT",
	"RPC_IN_DATA", "RPC_OUT_DATA", "SSTP_DUPLEX_POST",
}

// LooksLikeHTTP is a cheap test of the first bytes of a stream: request is
// true when b starts with a known method and a space, response when it
// starts with "HTTP/1.".
func LooksLikeHTTP(b []byte) (request, response bool) {
	if bytes.HasPrefix(b, []byte("HTTP/1.")) {
		return false, true
	}
	for _, m := range methods {
		if len(b) > len(m) && b[len(m)] == ' ' && string(b[:len(m)]) == m {
			return true, false
		}
	}
	return false, false
}
