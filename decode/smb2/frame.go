package smb2

import (
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// NetBIOS session service packet types (RFC 1002 4.3.1).
const (
	nbssMessage   = 0x00
	nbssRequest   = 0x81
	nbssPositive  = 0x82
	nbssNegative  = 0x83
	nbssRetarget  = 0x84
	nbssKeepalive = 0x85
)

// frameHeaderLen is the size of the Direct TCP / NBSS header.
const frameHeaderLen = 4

// SplitFrame cuts the first Direct TCP (MS-SMB2 2.1) or NetBIOS session
// service (RFC 1002 4.3.1) packet off a TCP byte stream. The 4-byte header
// is a type byte and a 24-bit big-endian length (Direct TCP sends a zero
// byte and 3 length bytes; RFC 1002's 17-bit length is the same for
// lengths under 128 KiB).
//
// For a session message (type 0x00) msg is its payload (the SMB message,
// a sub-slice of b); for session requests, responses and keepalives
// (0x81-0x85) msg is nil. n is the number of bytes consumed, 4 plus the
// length, in both cases. When b does not hold the whole packet, SplitFrame
// returns an error wrapping wire.ErrTruncated and n = 0: feed it more
// bytes. Any other type byte means the stream is not NBSS (or is out of
// step) and returns an error wrapping wire.ErrMalformed.
func SplitFrame(b []byte) (msg []byte, n int, err error) {
	if len(b) < frameHeaderLen {
		return nil, 0, errAt("nbss", 0,
			fmt.Errorf("%d of %d header bytes: %w", len(b), frameHeaderLen, wire.ErrTruncated))
	}
	typ := b[0]
	switch typ {
	case nbssMessage, nbssRequest, nbssPositive, nbssNegative, nbssRetarget, nbssKeepalive:
	default:
		return nil, 0, errAt("nbss.type", 0,
			fmt.Errorf("unknown packet type 0x%02x: %w", typ, wire.ErrMalformed))
	}
	l := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if l > len(b)-frameHeaderLen {
		return nil, 0, errAt("nbss", frameHeaderLen,
			fmt.Errorf("%d of %d payload bytes: %w", len(b)-frameHeaderLen, l, wire.ErrTruncated))
	}
	n = frameHeaderLen + l
	if typ != nbssMessage {
		return nil, n, nil
	}
	return b[frameHeaderLen:n:n], n, nil
}
