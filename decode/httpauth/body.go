package httpauth

import (
	"bytes"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// BodyLength tells how the body after h is delimited (RFC 9112 6.3):
// chunked, n bytes, or until the connection closes (responses only). A
// response with status 1xx (but 101), 204 or 304 has no body. After a 101
// Switching Protocols the rest of the connection is another protocol, which
// is reported as untilClose. Use BodyLengthFor when the request method is
// known (responses to HEAD have no body either).
//
// n is -1 when chunked or untilClose is true.
func BodyLength(h *Head) (n int64, chunked bool, untilClose bool) {
	return BodyLengthFor(h, "")
}

// BodyLengthFor is BodyLength for a response to a request with method
// reqMethod ("" when unknown): HEAD responses have no body, and a 2xx
// answer to CONNECT turns the connection into a tunnel, reported like a 101
// as untilClose.
func BodyLengthFor(h *Head, reqMethod string) (n int64, chunked bool, untilClose bool) {
	if !h.Request {
		switch {
		case h.Status == 101, reqMethod == "CONNECT" && h.Status >= 200 && h.Status < 300:
			return -1, false, true
		case reqMethod == "HEAD", h.Status < 200, h.Status == 204, h.Status == 304:
			return 0, false, false
		}
	}
	switch {
	case h.Chunked:
		return -1, true, false
	case h.TransferEncoding != "" && !h.Request:
		// A final coding other than chunked: the body runs to the close.
		return -1, false, true
	case h.ContentLength >= 0:
		return h.ContentLength, false, false
	case h.Request:
		return 0, false, false // a request without framing has no body
	}
	return -1, false, true
}

// Bounds of the chunked-body parser.
const (
	maxChunkLine = 4096    // a chunk-size line with extensions, or a trailer line
	maxTrailers  = 200     // trailer field lines
	maxChunkSize = 1 << 62 // keeps offsets well inside int64
)

// SkipChunked consumes a chunked body (RFC 9112 7.1), trailers included,
// from the start of b. done is true when the last chunk and the trailer
// section were consumed; n is then the body length. When b ends first,
// done is false and n is the bytes of whole chunks consumed so far: drop
// them and call again with more bytes. A malformed chunk returns an error
// wrapping wire.ErrMalformed. Use ChunkedBody to consume chunks partially.
func SkipChunked(b []byte) (n int, done bool, err error) {
	var c ChunkedBody
	n, done, err = c.Consume(b)
	if done || err != nil {
		return n, done, err
	}
	return c.safe, false, nil
}

// ChunkedBody consumes a chunked body across calls, keeping the position
// inside a chunk, so a large chunk need not be buffered. The zero value is
// ready at the start of a body.
type ChunkedBody struct {
	state  chunkState
	left   int64 // data bytes left in the current chunk
	safe   int   // end of the last whole chunk within the current call
	trails int   // trailer lines seen
}

type chunkState uint8

const (
	stSize    chunkState = iota // expecting a chunk-size line
	stData                      // inside chunk data
	stDataEnd                   // expecting the CRLF after chunk data
	stTrailer                   // expecting a trailer line or the final CRLF
	stDone
)

// Consume consumes as much of b as it can and returns the bytes consumed;
// the caller drops them and calls again with what follows plus new bytes.
// done reports the end of the body (the bytes after it belong to the next
// message).
func (c *ChunkedBody) Consume(b []byte) (n int, done bool, err error) {
	off := 0
	c.safe = 0
	for c.state != stDone {
		var adv int
		var ok bool
		switch c.state {
		case stSize:
			adv, ok, err = c.sizeLine(b[off:], off)
		case stData:
			adv, ok = c.data(b[off:])
		case stDataEnd:
			adv, ok, err = c.dataEnd(b[off:], off)
		case stTrailer:
			adv, ok, err = c.trailer(b[off:], off)
		}
		off += adv
		if c.state == stSize {
			c.safe = off // a whole chunk ends here
		}
		if err != nil || !ok {
			return off, false, err
		}
	}
	return off, true, nil
}

// line returns the length of the next line including LF, or ok=false when
// b holds no LF yet (an error once it is longer than maxChunkLine).
func line(b []byte, off int, field string) (n int, ok bool, err error) {
	i := bytes.IndexByte(b[:min(len(b), maxChunkLine)], '\n')
	if i < 0 {
		if len(b) >= maxChunkLine {
			return 0, false, malformed(field, off, "line longer than %d bytes", maxChunkLine)
		}
		return 0, false, nil
	}
	return i + 1, true, nil
}

func (c *ChunkedBody) sizeLine(b []byte, off int) (int, bool, error) {
	n, ok, err := line(b, off, "chunk-size")
	if !ok {
		return 0, false, err
	}
	size, err := parseChunkSize(b[:n])
	if err != nil {
		return 0, false, wire.Errorf(proto, "chunk-size", off, err)
	}
	if size == 0 {
		c.state = stTrailer
	} else {
		c.state, c.left = stData, size
	}
	return n, true, nil
}

// parseChunkSize reads "HEX [; ext] [CR] LF".
func parseChunkSize(l []byte) (int64, error) {
	l = bytes.TrimRight(l, "\r\n")
	if i := bytes.IndexByte(l, ';'); i >= 0 {
		l = l[:i]
	}
	l = bytes.TrimRight(l, " \t")
	if len(l) == 0 {
		return 0, fmt.Errorf("empty chunk size: %w", wire.ErrMalformed)
	}
	var size int64
	for _, c := range l {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fmt.Errorf("bad chunk size %.20q: %w", l, wire.ErrMalformed)
		}
		if size > (maxChunkSize-int64(d))/16 {
			return 0, fmt.Errorf("chunk size %.20q too large: %w", l, wire.ErrMalformed)
		}
		size = size*16 + int64(d)
	}
	return size, nil
}

func (c *ChunkedBody) data(b []byte) (int, bool) {
	if int64(len(b)) < c.left {
		c.left -= int64(len(b))
		return len(b), false
	}
	n := int(c.left)
	c.left, c.state = 0, stDataEnd
	return n, true
}

// dataEnd expects CRLF (or a bare LF) after chunk data.
func (c *ChunkedBody) dataEnd(b []byte, off int) (int, bool, error) {
	switch {
	case len(b) == 0 || (len(b) == 1 && b[0] == '\r'):
		return 0, false, nil
	case b[0] == '\n':
		c.state = stSize
		return 1, true, nil
	case b[0] == '\r' && b[1] == '\n':
		c.state = stSize
		return 2, true, nil
	}
	return 0, false, malformed("chunk-data", off, "no CRLF after chunk data")
}

// trailer consumes one trailer field line, or the empty line ending the
// body.
func (c *ChunkedBody) trailer(b []byte, off int) (int, bool, error) {
	n, ok, err := line(b, off, "trailer")
	if !ok {
		return 0, false, err
	}
	if len(bytes.TrimRight(b[:n], "\r\n")) == 0 {
		c.state = stDone
		return n, true, nil
	}
	if c.trails++; c.trails > maxTrailers {
		return 0, false, malformed("trailer", off, "more than %d trailer lines", maxTrailers)
	}
	return n, true, nil
}
