package httpauth

import (
	"bytes"
	"strconv"
	"strings"
)

// startLine parses "METHOD target HTTP/x.y" or "HTTP/x.y code [reason]"
// (RFC 9112 3, 4).
func (h *Head) startLine(l []byte) error {
	if bytes.HasPrefix(l, []byte("HTTP/")) {
		return h.statusLine(l)
	}
	method, rest, ok1 := bytes.Cut(l, []byte(" "))
	target, version, ok2 := bytes.Cut(rest, []byte(" "))
	version = bytes.TrimRight(version, " ")
	if !ok1 || !ok2 || len(method) == 0 || len(target) == 0 || !validVersion(version) {
		return malformed("request-line", 0, "bad request line %.40q", l)
	}
	h.Request = true
	h.Method, h.URI, h.Proto = string(method), string(target), string(version)
	return nil
}

func (h *Head) statusLine(l []byte) error {
	version, rest, _ := bytes.Cut(l, []byte(" "))
	code, reason, _ := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
	if !validVersion(version) || len(code) != 3 {
		return malformed("status-line", 0, "bad status line %.40q", l)
	}
	n, err := strconv.Atoi(string(code))
	if err != nil || n < 100 {
		return malformed("status-line", 0, "bad status code %q", code)
	}
	h.Proto, h.Status, h.Reason = string(version), n, string(bytes.TrimSpace(reason))
	return nil
}

// validVersion accepts "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3).
func validVersion(v []byte) bool {
	return len(v) == 8 && bytes.HasPrefix(v, []byte("HTTP/")) && isDigit(v[5]) && v[6] == '.' && isDigit(v[7])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// headers applies the field lines the package cares about; names compare
// case-insensitively (RFC 9110 5.1).
func (h *Head) headers(hs []header) error {
	var err error
	var te []string
	for _, f := range hs {
		v := string(f.value)
		switch strings.ToLower(string(f.name)) {
		case "host":
			if h.Host == "" {
				h.Host = v
			}
		case "www-authenticate":
			h.WWWAuthenticate = appendChallenges(h.WWWAuthenticate, v)
		case "proxy-authenticate":
			h.ProxyAuthenticate = appendChallenges(h.ProxyAuthenticate, v)
		case "authorization":
			h.Authorization = firstCreds(h.Authorization, v)
		case "proxy-authorization":
			h.ProxyAuthorization = firstCreds(h.ProxyAuthorization, v)
		case "content-length":
			if e := h.contentLength(v); e != nil && err == nil {
				err = e
			}
		case "transfer-encoding":
			te = append(te, v)
		case "upgrade":
			h.Upgrade = v
		case "connection":
			h.ConnectionClose = h.ConnectionClose || hasToken(v, "close")
		}
	}
	h.TransferEncoding = strings.Join(te, ", ")
	h.Chunked = lastCoding(h.TransferEncoding) == "chunked"
	return err
}

func appendChallenges(dst []Challenge, v string) []Challenge {
	if len(dst) >= maxChallenges {
		return dst
	}
	return append(dst, splitChallenges(v, false)...)
}

func firstCreds(cur *Challenge, v string) *Challenge {
	if cur != nil {
		return cur
	}
	cs := splitChallenges(v, true)
	if len(cs) == 0 {
		return nil
	}
	return &cs[0]
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
