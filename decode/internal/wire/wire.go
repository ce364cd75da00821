// Package wire holds the error vocabulary and the bounds-checked byte readers
// shared by kerbtrace's protocol decoders.
//
// Every reader has the form (b, off) -> (value, next offset, error) in the
// manner of x/net/dns/dnsmessage, and checks off+n <= len(b) before it slices,
// so that no wire length or offset can make a decoder index out of range.
package wire

import (
	"errors"
	"fmt"
	"unicode/utf16"
)

// The three sentinels every decoder error wraps, so that callers can branch
// with errors.Is without knowing which protocol failed.
var (
	// ErrTruncated means the input ended before the structure did: most often
	// a snaplen cut or a token pasted short. Fields before the cut are valid.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed means the bytes contradict themselves (a length that
	// overruns its container, an impossible tag, a count above a bound).
	ErrMalformed = errors.New("malformed")
	// ErrUnsupported means the bytes are well formed but of a kind the
	// decoder does not handle.
	ErrUnsupported = errors.New("unsupported")
)

// Error is a decoder error with the protocol, the field being read and the
// byte offset where it went wrong. It unwraps to one of the sentinels.
type Error struct {
	Proto string // "ntlm", "krb", "spnego", ...
	Field string // dotted path of the field, e.g. "authenticate.NtChallengeResponse"
	Off   int    // byte offset into the decoder's input
	Err   error  // one of ErrTruncated, ErrMalformed, ErrUnsupported, or a wrapped cause
}

// Error formats as "proto: field at 0xOFF: cause".
func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: at 0x%x: %v", e.Proto, e.Off, e.Err)
	}
	return fmt.Sprintf("%s: %s at 0x%x: %v", e.Proto, e.Field, e.Off, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error.
func Errorf(proto, field string, off int, err error) *Error {
	return &Error{Proto: proto, Field: field, Off: off, Err: err}
}

// Bytes returns b[off:off+n] and the next offset, or ErrTruncated when the
// input is shorter. It never panics, whatever n and off are.
func Bytes(b []byte, off, n int) ([]byte, int, error) {
	if off < 0 || n < 0 || off > len(b) || n > len(b)-off {
		return nil, off, ErrTruncated
	}
	return b[off : off+n], off + n, nil
}

// U8 reads one byte.
func U8(b []byte, off int) (uint8, int, error) {
	if off < 0 || off >= len(b) {
		return 0, off, ErrTruncated
	}
	return b[off], off + 1, nil
}

// U16LE reads a little-endian uint16.
func U16LE(b []byte, off int) (uint16, int, error) {
	p, next, err := Bytes(b, off, 2)
	if err != nil {
		return 0, off, err
	}
	return uint16(p[0]) | uint16(p[1])<<8, next, nil
}

// U16BE reads a big-endian uint16.
func U16BE(b []byte, off int) (uint16, int, error) {
	p, next, err := Bytes(b, off, 2)
	if err != nil {
		return 0, off, err
	}
	return uint16(p[0])<<8 | uint16(p[1]), next, nil
}

// U32LE reads a little-endian uint32.
func U32LE(b []byte, off int) (uint32, int, error) {
	p, next, err := Bytes(b, off, 4)
	if err != nil {
		return 0, off, err
	}
	return uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24, next, nil
}

// U32BE reads a big-endian uint32.
func U32BE(b []byte, off int) (uint32, int, error) {
	p, next, err := Bytes(b, off, 4)
	if err != nil {
		return 0, off, err
	}
	return uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3]), next, nil
}

// U64LE reads a little-endian uint64.
func U64LE(b []byte, off int) (uint64, int, error) {
	lo, next, err := U32LE(b, off)
	if err != nil {
		return 0, off, err
	}
	hi, next, err := U32LE(b, next)
	if err != nil {
		return 0, off, err
	}
	return uint64(hi)<<32 | uint64(lo), next, nil
}

// UTF16LE decodes little-endian UTF-16 text. An odd trailing byte is ignored.
func UTF16LE(p []byte) string {
	u := make([]uint16, 0, len(p)/2)
	for i := 0; i+1 < len(p); i += 2 {
		u = append(u, uint16(p[i])|uint16(p[i+1])<<8)
	}
	return string(utf16.Decode(u))
}
