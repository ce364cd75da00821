package dns

import (
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// SplitTCP takes the first DNS message off a DNS-over-TCP byte stream, where
// each message is preceded by its length as a 2-byte big-endian integer
// (RFC 1035 4.2.2, RFC 7766 8). It returns the message (a sub-slice of b)
// and n, the bytes consumed including the prefix.
//
// When b does not yet hold the prefix and the whole message, it returns
// n = 0 and an error wrapping wire.ErrTruncated: feed more bytes and call
// again. A zero length prefix returns n = 2 and an error wrapping
// wire.ErrMalformed, so the caller can skip it.
func SplitTCP(b []byte) (msg []byte, n int, err error) {
	l, _, err := wire.U16BE(b, 0)
	if err != nil {
		return nil, 0, wire.Errorf(proto, "tcp.length", 0, err)
	}
	if l == 0 {
		return nil, 2, wire.Errorf(proto, "tcp.length", 0, fmt.Errorf("zero-length message: %w", wire.ErrMalformed))
	}
	msg, n, err = wire.Bytes(b, 2, int(l))
	if err != nil {
		return nil, 0, wire.Errorf(proto, "tcp.message", 2, fmt.Errorf("%d of %d bytes: %w", len(b)-2, l, err))
	}
	return msg, n, nil
}
