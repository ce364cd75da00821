package decode

import (
	"bytes"
	"errors"

	"github.com/kerbtrace/kerbtrace/decode/httpauth"
)

// parseHTTP frames HTTP/1.x heads and skips bodies.
func (d *Dissector) parseHTTP(cs *connState, ds *dirState) {
	for {
		b := ds.buf.bytes()
		if len(b) == 0 {
			return
		}
		switch {
		case ds.afterGap:
			if !d.resyncHTTP(ds) {
				return
			}
		case ds.bodyLeft > 0:
			n := int64(len(b))
			if n > ds.bodyLeft {
				n = ds.bodyLeft
			}
			ds.bodyLeft -= n
			ds.buf.consume(int(n))
		case ds.chunked:
			n, done, err := httpauth.SkipChunked(b)
			if err != nil {
				ds.dead = true
				ds.buf.reset()
				return
			}
			ds.buf.consume(n)
			if !done {
				return
			}
			ds.chunked = false
		case ds.untilClose:
			ds.buf.consume(len(b))
		default:
			if !d.httpHead(cs, ds, false) {
				return
			}
		}
	}
}

// resyncHTTP drops bytes up to the next line that starts an HTTP message,
// after a gap in the capture. It reports whether one was found.
func (d *Dissector) resyncHTTP(ds *dirState) bool {
	b := ds.buf.bytes()
	for i := 0; i < len(b); i++ {
		if i > 0 && b[i-1] != '\n' {
			continue
		}
		if req, resp := httpauth.LooksLikeHTTP(b[i:]); (req && ds.fromClient) || (resp && !ds.fromClient) {
			ds.buf.consume(i)
			ds.afterGap = false
			ds.bodyLeft, ds.chunked, ds.untilClose = 0, false, false
			return true
		}
	}
	if keep := 16; len(b) > keep {
		ds.buf.consume(len(b) - keep)
	}
	return false
}

// httpHead decodes one head at the start of the buffer, emits it with the
// authentication tokens it carries, and sets up body skipping. atEnd says
// the stream is over, so an incomplete head is decoded as far as it goes.
// It reports whether a head was consumed.
func (d *Dissector) httpHead(cs *connState, ds *dirState, atEnd bool) bool {
	b := ds.buf.bytes()
	h, err := httpauth.ParseHead(b)
	if err != nil && errors.Is(err, httpauth.ErrNeedMore) && !atEnd {
		if len(b) > maxHTTPHead {
			ds.dead = true
			ds.buf.reset()
		}
		return false
	}
	if h == nil {
		m := cs.base(ds, 0, len(b))
		d.anomaly(m.Frame, "http: %v", err)
		ds.afterGap = true // look for the next message
		if atEnd {
			ds.buf.reset()
		}
		return !atEnd && d.resyncSkipOne(ds)
	}
	n := h.HeadLen
	if n <= 0 || n > len(b) {
		n = len(b)
	}
	m := cs.base(ds, 0, n)
	m.HTTP = h
	m.Kind = KindHTTPResponse
	if h.Request {
		m.Kind = KindHTTPRequest
	}
	if err != nil {
		m.Truncated = true
		m.Err = err.Error()
	}
	idx := d.emit(m)
	d.httpTokens(idx)
	ds.buf.consume(n)
	d.bodyState(cs, ds, h)
	return true
}

// resyncSkipOne moves past the first byte so that resynchronisation does not
// find the same broken head again.
func (d *Dissector) resyncSkipOne(ds *dirState) bool {
	b := ds.buf.bytes()
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		ds.buf.consume(len(b))
		return false
	}
	ds.buf.consume(i + 1)
	return true
}

// bodyState sets up skipping of the body that follows head h.
func (d *Dissector) bodyState(cs *connState, ds *dirState, h *httpauth.Head) {
	method := ""
	if h.Request {
		cs.methods = append(cs.methods, h.Method)
		method = h.Method
	} else if h.Status >= 200 || h.Status < 100 {
		if len(cs.methods) > 0 {
			method = cs.methods[0]
			cs.methods = cs.methods[1:]
		}
	}
	n, chunked, untilClose := httpauth.BodyLengthFor(h, method)
	ds.bodyLeft, ds.chunked, ds.untilClose = n, chunked, untilClose
	if h.Request {
		ds.untilClose = false // a request without length has no body (RFC 9112 6.3)
	}
}

// httpTokens decodes the tokens in the authentication headers of the HTTP
// message at index idx.
func (d *Dissector) httpTokens(idx int) {
	m := d.res.Messages[idx]
	h := m.HTTP
	if h.Authorization != nil {
		d.authToken(m, idx, "Authorization", h.Authorization)
	}
	if h.ProxyAuthorization != nil {
		d.authToken(m, idx, "Proxy-Authorization", h.ProxyAuthorization)
	}
	for i := range h.WWWAuthenticate {
		d.authToken(m, idx, "WWW-Authenticate", &h.WWWAuthenticate[i])
	}
	for i := range h.ProxyAuthenticate {
		d.authToken(m, idx, "Proxy-Authenticate", &h.ProxyAuthenticate[i])
	}
}
