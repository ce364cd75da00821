package httpauth

import (
	"bytes"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

const proto = "httpauth"

// Limits of ParseHead.
const (
	MaxHeadLen     = 64 << 10 // bytes of a head, start line to the empty line
	MaxHeaderLines = 200      // header field lines (folded lines count)
	// maxLeadingCRLF is how many empty lines before a request line are
	// skipped (RFC 9112 2.2: a server SHOULD ignore at least one).
	maxLeadingCRLF = 4
)

// ErrNeedMore means the buffer does not yet hold a whole head: call
// ParseHead again when more bytes have arrived. It wraps wire.ErrTruncated.
var ErrNeedMore = fmt.Errorf("httpauth: need more bytes: %w", wire.ErrTruncated)

// Head is a parsed HTTP/1.x request or response head.
type Head struct {
	// Method, URI and Proto come from the request line; Proto also from
	// the status line ("HTTP/1.1").
	Method, URI, Proto string
	Status             int    // response status code
	Reason             string // response reason phrase, possibly empty
	Host               string // first Host header

	// WWWAuthenticate and ProxyAuthenticate hold every challenge of every
	// such header, in order (a header may carry several, comma-joined).
	WWWAuthenticate, ProxyAuthenticate []Challenge
	// Authorization and ProxyAuthorization are the credentials of the
	// first such header, nil when absent or empty.
	Authorization, ProxyAuthorization *Challenge

	ContentLength    int64  // -1 when absent
	TransferEncoding string // as sent, comma-joined across headers
	Request          bool   // a request, not a response (beside the other flags: a Head takes 208 bytes, not 224)
	Chunked          bool   // the final transfer coding is chunked
	ConnectionClose  bool   // a Connection header lists "close"
	// Upgrade is the Upgrade header ("websocket", ...). After a 101
	// response the connection no longer carries HTTP (RFC 9110 7.8).
	Upgrade string

	HeadLen int // bytes of the head, including the empty line
}

// header is one field line after unfolding.
type header struct{ name, value []byte }

// ParseHead parses the HTTP/1.x head at the start of b.
//
// It returns ErrNeedMore (wrapping wire.ErrTruncated) while b holds no empty
// line ending the head, and an error wrapping wire.ErrMalformed when b does
// not start with an HTTP/1.x start line, when the head exceeds MaxHeadLen or
// MaxHeaderLines, or when Content-Length is invalid (the Head is returned
// then too: only the body length is unknown).
func ParseHead(b []byte) (*Head, error) {
	start := skipLeadingCRLF(b)
	// Lines and fields are collected on the stack: only what the Head
	// keeps is allocated.
	var lineBuf [headBufLines][]byte
	lines, end, err := splitHead(b, start, lineBuf[:0])
	if err != nil {
		return nil, err
	}
	h := &Head{ContentLength: -1, HeadLen: end}
	_ = h.startLine(lines[0]) // validated by splitHead
	var fieldBuf [headBufLines]header
	return h, h.headers(unfold(lines[1:], fieldBuf[:0]))
}

// headBufLines is how many lines of a head are handled without allocating;
// longer heads grow on the heap.
const headBufLines = 40

func skipLeadingCRLF(b []byte) int {
	off := 0
	for i := 0; i < maxLeadingCRLF; i++ {
		switch {
		case bytes.HasPrefix(b[off:], []byte("\r\n")):
			off += 2
		case bytes.HasPrefix(b[off:], []byte("\n")):
			off++
		default:
			return off
		}
	}
	return off
}

func malformed(field string, off int, format string, args ...any) error {
	return wire.Errorf(proto, field, off, fmt.Errorf(format+": %w", append(args, wire.ErrMalformed)...))
}

// splitHead cuts b[start:] into lines (without CR LF) up to the empty line,
// and returns the offset after it. The start line is checked as soon as it
// is complete, so non-HTTP input fails fast instead of waiting for 64 KiB.
func splitHead(b []byte, start int, lines [][]byte) ([][]byte, int, error) {
	off := start
	for {
		nl := bytes.IndexByte(b[off:min(len(b), MaxHeadLen+start)], '\n')
		if nl < 0 {
			if len(b)-start >= MaxHeadLen {
				return nil, 0, malformed("head", start, "no end of head within %d bytes", MaxHeadLen)
			}
			if len(lines) == 0 && len(b) > start && !plausibleStart(b[start:]) {
				return nil, 0, malformed("start-line", start, "not an HTTP/1.x start line")
			}
			return nil, 0, ErrNeedMore
		}
		line := bytes.TrimSuffix(b[off:off+nl], []byte("\r"))
		off += nl + 1
		if len(lines) == 0 {
			if _, err := parseStartLine(line); err != nil {
				return nil, 0, err
			}
		}
		if len(line) == 0 {
			return lines, off, nil
		}
		if len(lines) > MaxHeaderLines {
			return nil, 0, malformed("headers", off, "more than %d header lines", MaxHeaderLines)
		}
		lines = append(lines, line)
	}
}

// plausibleStart is a cheap test that an incomplete first line p can begin
// an HTTP/1.x start line: "HTTP/", or a method token followed by a space.
func plausibleStart(p []byte) bool {
	if len(p) == 0 {
		return false
	}
	if bytes.HasPrefix(p, []byte("HTTP/")) || bytes.HasPrefix([]byte("HTTP/"), p) {
		return true
	}
	for i, c := range p {
		if c == ' ' {
			return i > 0
		}
		if !isTchar(c) || i >= 32 {
			return false
		}
	}
	return true
}

// unfold joins obsolete line folding (RFC 9112 5.2: a line starting with SP
// or HTAB continues the previous field value) and splits name from value.
// Lines without a colon are dropped. The fields are appended to hs.
func unfold(lines [][]byte, hs []header) []header {
	for _, l := range lines {
		if (l[0] == ' ' || l[0] == '\t') && len(hs) > 0 {
			last := &hs[len(hs)-1]
			v := append(append(append([]byte(nil), last.value...), ' '), bytes.TrimSpace(l)...)
			last.value = bytes.TrimSpace(v)
			continue
		}
		name, value, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			continue
		}
		hs = append(hs, header{name: trimOWSRight(name), value: trimOWS(value)})
	}
	return hs
}
