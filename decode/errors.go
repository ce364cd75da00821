package decode

import "github.com/kerbtrace/kerbtrace/decode/internal/wire"

// The decoders' shared error vocabulary, re-exported so that callers
// outside decode can branch with errors.Is and read where decoding stopped.
var (
	// ErrTruncated: the input ended before the structure did.
	ErrTruncated = wire.ErrTruncated
	// ErrMalformed: the bytes contradict themselves.
	ErrMalformed = wire.ErrMalformed
	// ErrUnsupported: well formed, of a kind the decoders do not handle.
	ErrUnsupported = wire.ErrUnsupported
)

// Error is a decoder error naming the protocol, the field path and the byte
// offset where decoding stopped ("krb: ap-req.ticket.sname at 0x4f: truncated").
type Error = wire.Error
