package smb2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// headerLen is the size of the SMB2 sync and async headers (2.2.1).
const headerLen = 64

// maxCompound bounds the messages of one compounded chain. Windows clients
// compound at most a handful (CREATE+QUERY_INFO+CLOSE).
const maxCompound = 32

// Header flags (MS-SMB2 2.2.1.2).
const (
	flagServerToRedir = 0x00000001
	flagAsync         = 0x00000002
	flagSigned        = 0x00000008
)

// ErrEncrypted is returned (wrapped) for an SMB 3 encrypted message, which
// starts with the transform header 0xFD 'S' 'M' 'B' (MS-SMB2 2.2.41). It
// wraps wire.ErrUnsupported.
var ErrEncrypted = fmt.Errorf("smb2: encrypted message (transform header): %w", wire.ErrUnsupported)

// ErrSMB1 is returned (wrapped) for an SMB 1 message (0xFF 'S' 'M' 'B',
// MS-CIFS 2.2.3.1), such as the multi-protocol NEGOTIATE a client opens
// with. It wraps wire.ErrUnsupported.
var ErrSMB1 = fmt.Errorf("smb2: SMB1 message: %w", wire.ErrUnsupported)

var (
	magicSMB2       = []byte{0xFE, 'S', 'M', 'B'}
	magicSMB1       = []byte{0xFF, 'S', 'M', 'B'}
	magicTransform  = []byte{0xFD, 'S', 'M', 'B'}
	magicCompressed = []byte{0xFC, 'S', 'M', 'B'}
)

// Parse decodes the SMB2 messages of one NBSS payload (see SplitFrame): one
// message, or several compounded with NextCommand (MS-SMB2 3.2.4.1.4).
//
// On error the messages decoded so far are returned, the last one possibly
// partial. When the input ends inside a message, that message has Truncated
// set and the error wraps wire.ErrTruncated. Encrypted and SMB 1 messages
// return ErrEncrypted and ErrSMB1; anything else that is not an SMB2
// header wraps wire.ErrMalformed.
func Parse(b []byte) ([]Message, error) {
	var msgs []Message
	off := 0
	for i := 0; ; i++ {
		if i == maxCompound {
			return msgs, errAt("header.NextCommand", off,
				fmt.Errorf("more than %d compounded messages: %w", maxCompound, wire.ErrMalformed))
		}
		if err := checkMagic(b[off:], off); err != nil {
			return msgs, err
		}
		end, last, err := chainEnd(b, off)
		if err != nil {
			return msgs, err
		}
		m, err := parseMessage(b[off:end], off, last)
		msgs = append(msgs, m)
		if err != nil || end == len(b) {
			return msgs, err
		}
		off = end
	}
}

// checkMagic tells an SMB2 header from the other protocol identifiers.
func checkMagic(b []byte, off int) error {
	p := b[:min(len(b), 4)]
	switch {
	case len(p) < 4 && prefixOf(p, magicSMB2):
		return errAt("header.ProtocolId", off, wire.ErrTruncated)
	case prefixOf(magicSMB2, p):
		return nil
	case prefixOf(magicSMB1, p):
		cmd := ""
		if len(b) > 4 {
			cmd = fmt.Sprintf(" (command 0x%02x)", b[4])
		}
		return fmt.Errorf("smb2: at 0x%x%s: %w", off, cmd, ErrSMB1)
	case prefixOf(magicTransform, p):
		return fmt.Errorf("smb2: at 0x%x: %w", off, ErrEncrypted)
	case prefixOf(magicCompressed, p):
		return errAt("header.ProtocolId", off,
			fmt.Errorf("compressed message (compression transform header): %w", wire.ErrUnsupported))
	}
	return errAt("header.ProtocolId", off, fmt.Errorf("% x is not an SMB2 header: %w", p, wire.ErrMalformed))
}

// prefixOf reports whether p is a prefix of whole.
func prefixOf(whole, p []byte) bool {
	return len(p) <= len(whole) && string(whole[:len(p)]) == string(p)
}

// chainEnd returns the end of the message at off: its NextCommand offset,
// or the end of b for the last message of the chain (last is then true).
func chainEnd(b []byte, off int) (end int, last bool, err error) {
	next, _, err := wire.U32LE(b, off+20)
	if err != nil || next == 0 {
		return len(b), true, nil // a short header is reported by parseMessage
	}
	switch {
	case next < headerLen || next%8 != 0:
		return 0, false, errAt("header.NextCommand", off+20,
			fmt.Errorf("offset %d not an 8-byte aligned offset past the header: %w", next, wire.ErrMalformed))
	case int64(next) >= int64(len(b)-off):
		// The next message starts past the end: this one is cut (or the
		// next one is missing entirely).
		return len(b), true, nil
	}
	return off + int(next), false, nil
}

// parseMessage decodes the header and the interesting bodies of one message
// b, which starts at offset base of the input. last says b ends where the
// input ends, so that overruns are truncations rather than malformations.
func parseMessage(b []byte, base int, last bool) (Message, error) {
	var m Message
	if err := parseHeader(b, base, &m); err != nil {
		m.Truncated = errors.Is(err, wire.ErrTruncated)
		return m, err
	}
	p := &bodyParser{b: b, base: base, last: last, m: &m}
	p.parse()
	if p.err != nil {
		m.Truncated = errors.Is(p.err, wire.ErrTruncated)
	}
	return m, p.err
}

// parseHeader fills m from the SMB2 header (2.2.1.1, 2.2.1.2), as far as b
// holds it.
func parseHeader(b []byte, base int, m *Message) error {
	var h [headerLen]byte
	n := copy(h[:], b)
	le := binary.LittleEndian
	if n >= 6 && le.Uint16(h[4:]) != headerLen {
		return errAt("header.StructureSize", base+4,
			fmt.Errorf("%d, want %d: %w", le.Uint16(h[4:]), headerLen, wire.ErrMalformed))
	}
	flags := le.Uint32(h[16:])
	if n >= 14 {
		m.Command = Command(le.Uint16(h[12:]))
	}
	if n >= 20 {
		m.Response = flags&flagServerToRedir != 0
		m.Signed = flags&flagSigned != 0
		if m.Response {
			m.Status = Status(le.Uint32(h[8:]))
		}
	}
	if n >= 32 {
		m.MessageID = le.Uint64(h[24:])
	}
	if n >= 40 && flags&flagAsync == 0 {
		m.TreeID = le.Uint32(h[36:])
	}
	if n >= 48 {
		m.SessionID = le.Uint64(h[40:])
	}
	if n < headerLen {
		return errAt("header", base+n, fmt.Errorf("%d of %d bytes: %w", n, headerLen, wire.ErrTruncated))
	}
	return nil
}

// bodyParser decodes the body after the header of one message.
type bodyParser struct {
	b    []byte // the message, from its header
	base int    // offset of b in the input
	last bool   // b ends where the input ends
	m    *Message
	err  error
}

func (p *bodyParser) parse() {
	m := p.m
	if m.Response && m.Status.IsError() &&
		!(m.Command == CmdSessionSetup && m.Status == StatusMoreProcessingRequired) {
		p.errorResponse()
		return
	}
	switch {
	case m.Command == CmdNegotiate && m.Response:
		p.negotiateResponse()
	case m.Command == CmdSessionSetup && !m.Response:
		p.m.SecurityBlob = p.buffer("session_setup_request", 12, 14)
	case m.Command == CmdSessionSetup && m.Response:
		p.sessionSetupResponse()
	case m.Command == CmdTreeConnect && !m.Response:
		p.treeConnectRequest()
	}
}

// negotiateResponse reads DialectRevision and the security buffer (2.2.4).
func (p *bodyParser) negotiateResponse() {
	d, ok := p.u16("negotiate_response.DialectRevision", 4)
	if !ok {
		return
	}
	p.m.Dialect = d
	p.m.SecurityBlob = p.buffer("negotiate_response", 56, 58)
}

// sessionSetupResponse reads SessionFlags and the security buffer (2.2.6).
func (p *bodyParser) sessionSetupResponse() {
	f, ok := p.u16("session_setup_response.SessionFlags", 2)
	if !ok {
		return
	}
	p.m.SessionFlags = f
	p.m.SecurityBlob = p.buffer("session_setup_response", 4, 6)
}

// errorResponse handles the SMB2 ERROR response body (2.2.2), which carries
// no security token. A failed SESSION_SETUP is the exception some servers
// make: its body keeps the SESSION_SETUP layout with a security buffer
// right after it (offset 0x48) holding, for example, a SPNEGO reject. That
// layout is taken when its buffer fields point exactly there and fit.
func (p *bodyParser) errorResponse() {
	if p.m.Command != CmdSessionSetup || len(p.b) < headerLen+8 {
		return
	}
	body := p.b[headerLen:]
	off := binary.LittleEndian.Uint16(body[4:])
	n := int(binary.LittleEndian.Uint16(body[6:]))
	if off == headerLen+8 && n > 0 && n <= len(p.b)-int(off) {
		p.m.SessionFlags = binary.LittleEndian.Uint16(body[2:])
		p.m.SecurityBlob = p.b[off : int(off)+n : int(off)+n]
	}
}

// treeConnectRequest reads the share path (2.2.9). With
// SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT the path offset still counts
// from the header.
func (p *bodyParser) treeConnectRequest() {
	path := p.buffer("tree_connect_request.Path", 4, 6)
	p.m.TreePath = strings.TrimRight(wire.UTF16LE(path), "\x00")
}

// u16 reads the little-endian uint16 at body offset off.
func (p *bodyParser) u16(field string, off int) (uint16, bool) {
	v, _, err := wire.U16LE(p.b, headerLen+off)
	if err != nil {
		p.fail(field, headerLen+off, fmt.Errorf("body of %d bytes: %w", len(p.b)-headerLen, p.overrun()))
		return 0, false
	}
	return v, true
}

// buffer returns the variable part described by the uint16 offset (from the
// header) and length at body offsets offField and lenField. An empty buffer
// is nil whatever its offset. A buffer running past the message returns
// the bytes present and records the overrun.
func (p *bodyParser) buffer(name string, offField, lenField int) []byte {
	off, ok := p.u16(name+".BufferOffset", offField)
	if !ok {
		return nil
	}
	n, ok := p.u16(name+".BufferLength", lenField)
	if !ok || n == 0 {
		return nil
	}
	o, l := int(off), int(n)
	if o < headerLen {
		p.fail(name+".BufferOffset", headerLen+offField,
			fmt.Errorf("offset %d inside the header: %w", o, wire.ErrMalformed))
		return nil
	}
	if o > len(p.b) || l > len(p.b)-o {
		p.fail(name, min(o, len(p.b)), fmt.Errorf("%d bytes at 0x%x overrun the message of %d bytes: %w",
			l, o, len(p.b), p.overrun()))
		if o > len(p.b) || !p.last {
			return nil
		}
		return p.b[o:len(p.b):len(p.b)]
	}
	return p.b[o : o+l : o+l]
}

// overrun is the sentinel for a field running past the message: the input
// was cut when the message is the last one, otherwise the field overruns
// the next compounded message.
func (p *bodyParser) overrun() error {
	if p.last {
		return wire.ErrTruncated
	}
	return wire.ErrMalformed
}

// fail records the first error.
func (p *bodyParser) fail(field string, off int, err error) {
	if p.err == nil {
		p.err = errAt(field, p.base+off, err)
	}
}

func errAt(field string, off int, err error) error {
	return wire.Errorf("smb2", field, off, err)
}
