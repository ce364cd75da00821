package dns

import (
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/intern"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

const (
	// maxNameLen is the longest name on the wire, length octets included
	// (RFC 1035 2.3.4).
	maxNameLen = 255
	// maxNameText is the longest name in presentation form: every byte
	// escaped as \DDD.
	maxNameText = maxNameLen * 4
	// maxPtrHops bounds the compression pointers followed for one name. A
	// legitimate name needs at most one per label (127); more means a loop.
	maxPtrHops = 128
)

var (
	errPtrLoop   = fmt.Errorf("more than %d compression pointers (loop): %w", maxPtrHops, wire.ErrMalformed)
	errNameLong  = fmt.Errorf("name longer than %d bytes: %w", maxNameLen, wire.ErrMalformed)
	errLabelType = fmt.Errorf("reserved label type 0x40/0x80: %w", wire.ErrMalformed)
	errPtrRange  = fmt.Errorf("compression pointer past the message: %w", wire.ErrMalformed)
)

// readName decodes the (possibly compressed) domain name at off and returns
// it in presentation form without the trailing dot, and the offset after
// its bytes in place (after the first pointer, if any). b is the whole
// message, since pointers are offsets from its start. The text is built on
// the stack and interned: the same name in many messages (the common case
// in a capture) shares one string.
func readName(b []byte, off int) (string, int, error) {
	var buf [maxNameText]byte
	out, next, err := appendName(buf[:0], b, off)
	if err != nil {
		return "", next, err
	}
	return intern.Bytes(out), next, nil
}

// appendName appends the presentation form of the name at off to out; see
// readName. On error it returns out unchanged and off.
func appendName(out, b []byte, off int) ([]byte, int, error) {
	start := len(out)
	next := -1 // offset after the name in place, set at the first pointer
	wireLen := 1
	for hops, p0 := 0, off; ; {
		l, p, err := wire.U8(b, off)
		if err != nil {
			return out[:start], p0, err
		}
		switch l & 0xC0 {
		case 0x00:
			if l == 0 {
				if next < 0 {
					next = p
				}
				return out, next, nil
			}
			label, q, err := wire.Bytes(b, p, int(l))
			if err != nil {
				return out[:start], p0, err
			}
			if wireLen += int(l) + 1; wireLen > maxNameLen {
				return out[:start], p0, errNameLong
			}
			if len(out) > start {
				out = append(out, '.')
			}
			out = appendLabel(out, label)
			off = q
		case 0xC0:
			lo, q, err := wire.U8(b, p)
			if err != nil {
				return out[:start], p0, err
			}
			if next < 0 {
				next = q
			}
			if hops++; hops > maxPtrHops {
				return out[:start], p0, errPtrLoop
			}
			ptr := int(l&0x3F)<<8 | int(lo)
			if ptr >= len(b) {
				return out[:start], p0, errPtrRange
			}
			off = ptr
		default:
			return out[:start], p0, errLabelType
		}
	}
}

// skipName returns the offset after the name at off in place (labels up to
// the root or the first pointer), without decoding it; ok is false when the
// bytes end first or a label type is reserved.
func skipName(b []byte, off int) (int, bool) {
	for off < len(b) {
		l := int(b[off])
		switch l & 0xC0 {
		case 0x00:
			if l == 0 {
				return off + 1, true
			}
			off += 1 + l
		case 0xC0:
			return off + 2, off+2 <= len(b)
		default:
			return off, false
		}
	}
	return off, false
}

// appendLabel appends a label in presentation form, escaping '.', '\' and
// bytes outside printable ASCII (RFC 4343 2.1) so that the text is
// unambiguous and safe to print.
func appendLabel(out, label []byte) []byte {
	for _, c := range label {
		switch {
		case c == '.' || c == '\\':
			out = append(out, '\\', c)
		case c < '!' || c > '~':
			out = append(out, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
		default:
			out = append(out, c)
		}
	}
	return out
}
