package ntlm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

const proto = "ntlm"

// Signature is the 8-byte ASCII signature every NTLM message starts with.
const Signature = "NTLMSSP\x00"

// HasSignature reports whether b starts with the NTLMSSP signature, the
// cheap test a dispatcher uses before calling Parse.
func HasSignature(b []byte) bool { return bytes.HasPrefix(b, []byte(Signature)) }

// Parse decodes one NTLM message.
//
// b must start with "NTLMSSP\x00" (else an error wrapping wire.ErrMalformed
// and a nil Message). Unknown message types return the Message with only
// Type set and an error wrapping wire.ErrUnsupported. When a security buffer
// or a header field lies past the end of b, the Message is returned with
// Truncated set, every field inside b filled, and an error wrapping
// wire.ErrTruncated. An AV pair list that overruns its buffer yields an error
// wrapping wire.ErrMalformed with the pairs before it kept. The first error
// met is the one returned.
func Parse(b []byte) (*Message, error) {
	if len(b) < len(Signature) {
		if bytes.HasPrefix([]byte(Signature), b) {
			return &Message{Truncated: true}, wire.Errorf(proto, "Signature", 0, wire.ErrTruncated)
		}
		return nil, wire.Errorf(proto, "Signature", 0, fmt.Errorf("no NTLMSSP signature: %w", wire.ErrMalformed))
	}
	if !HasSignature(b) {
		return nil, wire.Errorf(proto, "Signature", 0, fmt.Errorf("no NTLMSSP signature: %w", wire.ErrMalformed))
	}
	p := &parser{b: b, m: &Message{}}
	t, _, err := wire.U32LE(b, 8)
	if err != nil {
		p.fail("MessageType", 8, err)
		return p.finish()
	}
	p.m.Type = MsgType(t)
	switch p.m.Type {
	case Negotiate:
		p.negotiate()
	case Challenge:
		p.challenge()
	case Authenticate:
		p.authenticate()
	default:
		p.fail("MessageType", 8, fmt.Errorf("message type %d: %w", t, wire.ErrUnsupported))
	}
	return p.finish()
}

// parser carries the input, the message being filled and the first error.
type parser struct {
	b   []byte
	m   *Message
	err error
}

func (p *parser) fail(field string, off int, err error) {
	if p.err == nil {
		p.err = wire.Errorf(proto, field, off, err)
	}
}

func (p *parser) finish() (*Message, error) {
	if errors.Is(p.err, wire.ErrTruncated) {
		p.m.Truncated = true
	}
	return p.m, p.err
}

// u32 reads a fixed little-endian field; ok is false (and the error recorded)
// when it lies past the end of the input.
func (p *parser) u32(field string, at int) (uint32, bool) {
	v, _, err := wire.U32LE(p.b, at)
	if err != nil {
		p.fail(field, at, err)
		return 0, false
	}
	return v, true
}

// secBuf is a security buffer header (Len, MaxLen, Offset; MS-NLMP 2.2.1):
// where a variable field lies in the payload. MaxLen is ignored, as Windows
// does.
type secBuf struct {
	field    string
	at       int // offset of the 8-byte header itself
	len, off int
}

// readSecBuf reads the 8-byte security buffer header at at.
func (p *parser) readSecBuf(field string, at int) (secBuf, bool) {
	h, _, err := wire.Bytes(p.b, at, 8)
	if err != nil {
		p.fail(field, at, err)
		return secBuf{}, false
	}
	n := int(h[0]) | int(h[1])<<8
	// The offset is a uint32; int(uint32) is non-negative on 64-bit and may
	// wrap negative on 32-bit, which wire.Bytes rejects either way.
	off := int(uint32(h[4]) | uint32(h[5])<<8 | uint32(h[6])<<16 | uint32(h[7])<<24)
	return secBuf{field: field, at: at, len: n, off: off}, true
}

// data returns the bytes a security buffer points at, or nil (and records
// ErrTruncated) when they are not all inside the input. An empty buffer
// returns nil without error, whatever its offset.
func (p *parser) data(sb secBuf) []byte {
	if sb.len == 0 {
		return nil
	}
	d, _, err := wire.Bytes(p.b, sb.off, sb.len)
	if err != nil {
		p.fail(strings.TrimSuffix(sb.field, "Fields"), sb.at, fmt.Errorf("buffer [0x%x,+%d) past end of %d-byte message: %w", sb.off, sb.len, len(p.b), err))
		return nil
	}
	return d
}

// present returns the part of a security buffer that lies inside the input
// (possibly shorter than sb.len), for AV pairs that can be read up to a
// cut; the caller records the truncation itself with data.
func (p *parser) present(sb secBuf) []byte {
	if sb.len == 0 || sb.off < 0 || sb.off >= len(p.b) {
		return nil
	}
	end := len(p.b)
	if sb.len <= end-sb.off {
		end = sb.off + sb.len
	}
	return p.b[sb.off:end]
}

// dataStart is where the payload begins: the smallest offset of a non-empty
// buffer, or len(b) when every buffer is empty. Optional header fields
// (Version, MIC, the later security buffers of old message forms) are only
// present when they end at or before it — the test Windows and Wireshark use.
func (p *parser) dataStart(bufs ...secBuf) int {
	start := len(p.b)
	for _, sb := range bufs {
		if sb.len > 0 && sb.off >= 0 && sb.off < start {
			start = sb.off
		}
	}
	return start
}

// version reads the VERSION structure at at when NTLMSSP_NEGOTIATE_VERSION is
// set and the header has room for it before the payload.
func (p *parser) version(at, start int) {
	if !p.m.Flags.Has(FlagVersion) || at+8 > start {
		return
	}
	v, _, err := wire.Bytes(p.b, at, 8)
	if err != nil {
		p.fail("Version", at, err)
		return
	}
	p.m.Version = &Version{Major: v[0], Minor: v[1], Build: uint16(v[2]) | uint16(v[3])<<8, NTLMRevision: v[7]}
}

// text decodes a string field as UTF-16LE when NTLMSSP_NEGOTIATE_UNICODE is
// set, else as OEM text.
func (p *parser) text(sb secBuf) string {
	d := p.data(sb)
	if p.m.Flags.Has(FlagUnicode) {
		return trimNUL(wire.UTF16LE(d))
	}
	return trimNUL(oemString(d))
}

// trimNUL drops trailing NUL characters, which some implementations count
// in a name's length (Wireshark shows the name without them too).
func trimNUL(s string) string { return strings.TrimRight(s, "\x00") }

// oemString decodes OEM-codepage text. The codepage is not on the wire, so
// ASCII is kept and any other byte is read as Latin-1, which keeps every byte
// visible instead of producing invalid UTF-8.
func oemString(d []byte) string {
	ascii := true
	for _, c := range d {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(d)
	}
	r := make([]rune, len(d))
	for i, c := range d {
		r[i] = rune(c)
	}
	return string(r)
}

func hexString(d []byte) string { return hex.EncodeToString(d) }
