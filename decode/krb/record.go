package krb

import (
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// MaxRecord is the largest TCP record SplitRecord accepts. Windows' default
// MaxTokenSize is 48 KiB and tickets with huge PACs stay well under 1 MiB.
const MaxRecord = 1 << 20

// recordReserved is the high bit of the record mark, reserved for
// extensions (RFC 4120 7.2.2; RFC 5021 uses it to negotiate).
const recordReserved = 0x80000000

// SplitRecord takes the first Kerberos-over-TCP record from b: a 4-byte
// big-endian length, the "record mark" of RFC 4120 7.2.2, then that many
// bytes of message. It returns the message, a sub-slice of b, and n, the
// number of bytes of b the record takes.
//
// When b holds less than a whole record the error wraps wire.ErrTruncated
// and n is 0 (the caller waits for more bytes); a mark with the reserved
// high bit set or a length above MaxRecord wraps wire.ErrMalformed.
func SplitRecord(b []byte) (msg []byte, n int, err error) {
	mark, _, err := wire.U32BE(b, 0)
	if err != nil {
		return nil, 0, wire.Errorf("krb", "record-mark", 0, err)
	}
	if mark&recordReserved != 0 {
		return nil, 0, wire.Errorf("krb", "record-mark", 0, fmt.Errorf("reserved bit set (0x%08x): %w", mark, wire.ErrMalformed))
	}
	if mark > MaxRecord {
		return nil, 0, wire.Errorf("krb", "record-mark", 0, fmt.Errorf("length %d above %d: %w", mark, MaxRecord, wire.ErrMalformed))
	}
	msg, next, err := wire.Bytes(b, 4, int(mark))
	if err != nil {
		return nil, 0, wire.Errorf("krb", "record", 4, fmt.Errorf("%d of %d bytes: %w", len(b)-4, mark, err))
	}
	return msg, next, nil
}
