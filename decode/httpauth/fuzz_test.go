package httpauth

import (
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func inVocabulary(err error) bool {
	return err == nil || errors.Is(err, wire.ErrTruncated) || errors.Is(err, wire.ErrMalformed) || errors.Is(err, wire.ErrUnsupported)
}

func addSeeds(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.raw)
	}
	for _, m := range chunkedVectors(f) {
		f.Add(m)
	}
	f.Add([]byte("HTTP/1.1 401 X\r\nWWW-Authenticate: Basic realm=\"a, b\", Negotiate YIIBBg==\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.1\r\nAuthorization: Digest username=\"u\", response=\"ab\"\r\n\r\n"))
	f.Add([]byte("5;x\r\nhello\r\n0\r\nT: 1\r\n\r\n"))
}

// FuzzParse walks a byte stream as the dissector does: a head, then its
// body by BodyLength (chunked bodies by SkipChunked), then the next head.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := 0; i < 16 && len(b) > 0; i++ {
			h, err := ParseHead(b)
			if !inVocabulary(err) {
				t.Fatalf("error outside the vocabulary: %v", err)
			}
			if h == nil {
				return
			}
			if h.HeadLen <= 0 || h.HeadLen > len(b) {
				t.Fatalf("HeadLen %d of %d", h.HeadLen, len(b))
			}
			b = b[h.HeadLen:]
			n, chunked, untilClose := BodyLength(h)
			switch {
			case chunked:
				m, done, err := SkipChunked(b)
				if !inVocabulary(err) || m > len(b) || !done {
					return
				}
				b = b[m:]
			case untilClose:
				return
			case n > int64(len(b)):
				return
			default:
				b = b[n:]
			}
		}
	})
}

// FuzzParseHead checks that ParseHead never panics, that its errors belong
// to the vocabulary, and that a parsed head does not depend on the bytes
// after it.
func FuzzParseHead(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHead(b)
		if !inVocabulary(err) {
			t.Fatalf("error outside the vocabulary: %v", err)
		}
		if errors.Is(err, ErrNeedMore) && h != nil {
			t.Fatal("head with ErrNeedMore")
		}
		if h == nil {
			if err == nil {
				t.Fatal("nil head without error")
			}
			return
		}
		if h.HeadLen <= 0 || h.HeadLen > len(b) {
			t.Fatalf("HeadLen %d of %d", h.HeadLen, len(b))
		}
		h2, err2 := ParseHead(b[:h.HeadLen])
		if h2 == nil || h2.HeadLen != h.HeadLen || (err == nil) != (err2 == nil) {
			t.Fatalf("head depends on the bytes after it: %v / %v", err, err2)
		}
		for _, c := range append(append([]Challenge(nil), h.WWWAuthenticate...), h.ProxyAuthenticate...) {
			if c.Token != nil && !gssScheme(c.Scheme) {
				t.Fatalf("token kept for scheme %q", c.Scheme)
			}
		}
	})
}

// FuzzSkipChunked checks SkipChunked and ChunkedBody: consumption stays
// within the input, a finished body is also finished when cut right after
// it, and feeding the bytes in two pieces gives the result of one piece.
func FuzzSkipChunked(f *testing.F) {
	for _, m := range chunkedVectors(f) {
		h, _ := ParseHead(m)
		f.Add(m[h.HeadLen:], uint16(7))
	}
	f.Add([]byte("5;x\r\nhello\r\n0\r\nT: 1\r\n\r\nNEXT"), uint16(3))
	f.Add([]byte("3\nabc\n0\n\n"), uint16(1))
	f.Fuzz(func(t *testing.T, b []byte, cut uint16) {
		n, done, err := SkipChunked(b)
		if !inVocabulary(err) || n < 0 || n > len(b) {
			t.Fatalf("n=%d of %d, err %v", n, len(b), err)
		}
		if done {
			if m, done2, err2 := SkipChunked(b[:n]); !done2 || m != n || err2 != nil {
				t.Fatalf("prefix: %d %v %v", m, done2, err2)
			}
		}
		var whole ChunkedBody
		wn, wdone, werr := whole.Consume(b)
		k := int(cut) % (len(b) + 1)
		var c ChunkedBody
		n1, d1, e1 := c.Consume(b[:k])
		if e1 != nil || d1 {
			return // an error or the end inside the first piece
		}
		rest := append(append([]byte(nil), b[n1:k]...), b[k:]...)
		n2, d2, e2 := c.Consume(rest)
		if (werr == nil) != (e2 == nil) || wdone != d2 || (werr == nil && wn != n1+n2) {
			t.Fatalf("whole %d %v %v; pieces %d+%d %v %v", wn, wdone, werr, n1, n2, d2, e2)
		}
	})
}
