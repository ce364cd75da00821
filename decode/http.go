package decode

import (
	"bytes"
	"errors"
	"time"

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
			d.skipBody(ds, int(n))
			if ds.bodyLeft == 0 {
				d.finishHTTP(cs, ds)
			}
		case ds.chunked:
			n, done, err := httpauth.SkipChunked(b)
			if err != nil {
				d.finishHTTP(cs, ds)
				ds.dead = true
				ds.buf.reset()
				return
			}
			d.skipBody(ds, n)
			if !done {
				return
			}
			ds.chunked = false
			d.finishHTTP(cs, ds)
		case ds.untilClose:
			d.skipBody(ds, len(b))
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
	if h == nil && atEnd && errors.Is(err, httpauth.ErrNeedMore) {
		// The stream ended inside the head: decode the lines it has.
		cut := append(append(make([]byte, 0, len(b)+4), b...), "\r\n\r\n"...)
		if h, _ = httpauth.ParseHead(cut); h != nil {
			h.HeadLen = len(b)
		}
	}
	if h == nil {
		m := d.base(cs, ds, 0, len(b))
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
	m := d.base(cs, ds, 0, n)
	m.Truncated = err != nil
	idx := d.emitHead(m, h, err)
	ds.buf.consume(n)
	d.bodyState(cs, ds, h)
	if ds.bodyLeft > 0 || ds.chunked || ds.untilClose {
		ds.pendStart, ds.pendEnd, ds.pendFrames = idx, d.msgs.len(), ds.pendFrames[:0]
		ds.pendLast, ds.pendLastTime = 0, time.Time{}
	}
	return true
}

// skipBody consumes n body bytes, remembering the frames that carried them.
func (d *Dissector) skipBody(ds *dirState, n int) {
	if ds.pendEnd > ds.pendStart {
		var last int
		var t time.Time
		ds.pendFrames, last, t = ds.buf.appendFrames(ds.pendFrames, 0, n)
		if last > ds.pendLast {
			ds.pendLast, ds.pendLastTime = last, t
		}
	}
	ds.buf.consume(n)
}

// finishHTTP completes the HTTP message whose body was skipped: like
// Wireshark, it is reported at the frame that brought its last byte.
func (d *Dissector) finishHTTP(cs *connState, ds *dirState) {
	if ds.pendEnd <= ds.pendStart {
		return
	}
	for i := ds.pendStart; i < ds.pendEnd && i < d.msgs.len(); i++ {
		m := d.msgs.get(i)
		d.scratch = append(append(d.scratch[:0], m.Frames...), ds.pendFrames...)
		sortUniq(&d.scratch)
		m.Frames = d.frameArena.clone(d.scratch)
		if ds.pendLast > m.Frame {
			m.Frame = ds.pendLast
			m.Time = ds.pendLastTime
		}
		d.msgs.put(i, &m)
	}
	ds.pendStart, ds.pendEnd, ds.pendFrames = 0, 0, ds.pendFrames[:0]
	ds.pendLast, ds.pendLastTime = 0, time.Time{}
}

// emitHead emits an HTTP head as a request or response message, then the
// messages of the authentication tokens it carries; it returns the head's index.
func (d *Dissector) emitHead(m Message, h *httpauth.Head, err error) int {
	m.Body = h
	m.Kind = KindHTTPResponse
	if h.Request {
		m.Kind = KindHTTPRequest
	}
	if err != nil {
		m.Err = err.Error()
	}
	idx := d.emit(m)
	d.httpTokens(idx)
	return idx
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
	m := d.msgs.get(idx)
	h := m.HTTP()
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
	h.WWWAuthenticate = d.challenges.share(h.WWWAuthenticate)
	h.ProxyAuthenticate = d.challenges.share(h.ProxyAuthenticate)
}
