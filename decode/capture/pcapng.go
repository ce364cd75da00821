package capture

import (
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// pcapng block types (draft-ietf-opsawg-pcapng section 11.1).
const (
	blockSHB     = 0x0a0d0d0a // Section Header Block
	blockIDB     = 0x00000001 // Interface Description Block
	blockPB      = 0x00000002 // Packet Block (obsolete)
	blockSPB     = 0x00000003 // Simple Packet Block
	blockEPB     = 0x00000006 // Enhanced Packet Block
	blockJournal = 0x00000009 // systemd Journal Export Block
	blockCustom  = 0x00000bad // Custom Block that may be copied
	blockCustomN = 0x40000bad // Custom Block not to be copied
	blockSysdig  = 0x00000204 // Sysdig Event Block
	blockSysdig2 = 0x00000216 // Sysdig Event Block v2
	blockSysdigL = 0x00000221 // Sysdig Event Block v2 large
)

// isOtherRecord tells the block types that Wireshark numbers as frames
// although they hold no packet: kerbtrace counts them so that its frame
// numbers stay equal to Wireshark's, and skips their content.
func isOtherRecord(typ uint32) bool {
	switch typ {
	case blockJournal, blockCustom, blockCustomN, blockSysdig, blockSysdig2, blockSysdigL:
		return true
	}
	return false
}

// maxBlock bounds the blocks that are read into memory (packets and
// interface descriptions); other blocks are skipped whatever their length.
const maxBlock = 16 << 20

// ngIface is what a packet block needs from its Interface Description Block.
type ngIface struct {
	link    uint32
	snaplen uint32
	units   uint64 // timestamp units per second (if_tsresol)
	offset  int64  // seconds added to timestamps (if_tsoffset)
}

// pcapngSource reads pcapng (draft-ietf-opsawg-pcapng): sections, each a
// Section Header Block with its byte order, Interface Description Blocks
// (link type, timestamp resolution and offset per interface) and packet
// blocks. Blocks of other types are skipped.
type pcapngSource struct {
	in     *input
	endian // the section's byte order
	ifaces []ngIface
	// warn reports a problem that does not stop reading.
	warn func(off int64, msg string)
}

// maxIfaces bounds the interfaces of a section (each costs a few bytes).
const maxIfaces = 1 << 16

func newPcapngSource(in *input, warn func(int64, string)) (*pcapngSource, error) {
	s := &pcapngSource{in: in, warn: warn}
	hb, err := in.bytes(8)
	if err != nil {
		return nil, wire.Errorf("capture", "pcapng section header", 0, wire.ErrTruncated)
	}
	var h [8]byte
	copy(h[:], hb)
	if d := s.sectionHeader(0, h); d != nil {
		return nil, wire.Errorf("capture", "pcapng section header", 0,
			errors.Join(wire.ErrMalformed, errors.New(d.msg)))
	}
	return s, nil
}

func (s *pcapngSource) next(rec *record) error {
	for {
		off := s.in.off
		hb, err := s.in.bytes(8)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return damagef(off, "block truncated: the file ends inside a block header")
			}
			return err
		}
		// Copy: the next read may reuse the buffer hb points into.
		var h [8]byte
		copy(h[:], hb)
		if binary.BigEndian.Uint32(h[:]) == blockSHB {
			if d := s.sectionHeader(off, h); d != nil {
				return d
			}
			continue
		}
		typ, length := s.u32(h[:]), s.u32(h[4:])
		if length < 12 || length%4 != 0 {
			return damagef(off, "bad pcapng block length %d (block type 0x%x)", length, typ)
		}
		switch {
		case isOtherRecord(typ):
			if err := s.skipBlock(off, length); err != nil {
				return err
			}
			*rec = record{offset: off, link: noLink}
			return nil
		case typ != blockIDB && typ != blockEPB && typ != blockSPB && typ != blockPB:
			if err := s.skipBlock(off, length); err != nil {
				return err
			}
			continue
		}
		body, err := s.blockBody(off, typ, length)
		if err != nil {
			return err
		}
		if typ == blockIDB {
			if d := s.interfaceDescription(off, body); d != nil {
				return d
			}
			continue
		}
		return s.packet(off, typ, body, rec)
	}
}

// blockBody reads the body of a block whose 8-byte header is consumed, and
// checks the trailing copy of the length.
func (s *pcapngSource) blockBody(off int64, typ, length uint32) ([]byte, error) {
	if length > maxBlock {
		return nil, damagef(off, "bad pcapng block length %d (block type 0x%x): larger than %d", length, typ, maxBlock)
	}
	b, err := s.in.bytes(int(length) - 8)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, damagef(off, "record truncated: block of %d bytes (type 0x%x) but the file ends first", length, typ)
		}
		return nil, err
	}
	body := b[:len(b)-4]
	if trail := s.u32(b[len(b)-4:]); trail != length {
		return nil, damagef(off, "bad pcapng block length: %d at the start, %d at the end (block type 0x%x)", length, trail, typ)
	}
	return body, nil
}

// skipBlock skips a block of a type kerbtrace does not read.
func (s *pcapngSource) skipBlock(off int64, length uint32) error {
	if err := s.in.skip(int64(length) - 12); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return damagef(off, "block truncated: block of %d bytes but the file ends first", length)
		}
		return err
	}
	t, err := s.in.bytes(4)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return damagef(off, "block truncated: block of %d bytes but the file ends first", length)
		}
		return err
	}
	if trail := s.u32(t); trail != length {
		return damagef(off, "bad pcapng block length: %d at the start, %d at the end", length, trail)
	}
	return nil
}

// sectionHeader reads a Section Header Block whose first 8 bytes are h:
// byte order, version, and forgets the interfaces of the previous section.
func (s *pcapngSource) sectionHeader(off int64, h [8]byte) *damage {
	bom, err := s.in.bytes(4)
	if err != nil {
		return damagef(off, "section header truncated")
	}
	switch binary.BigEndian.Uint32(bom) {
	case 0x1a2b3c4d:
		s.be = true
	case 0x4d3c2b1a:
		s.be = false
	default:
		return damagef(off, "bad byte-order magic % x in section header", bom)
	}
	length := s.u32(h[4:])
	if length < 28 || length%4 != 0 || length > maxBlock {
		return damagef(off, "bad pcapng block length %d (section header)", length)
	}
	b, err := s.in.bytes(int(length) - 12)
	if err != nil {
		return damagef(off, "section header truncated")
	}
	if trail := s.u32(b[len(b)-4:]); trail != length {
		return damagef(off, "bad pcapng block length: %d at the start, %d at the end (section header)", length, trail)
	}
	major, minor := s.u16(b), s.u16(b[2:])
	// Wireshark reads versions 1.0, 1.1 and 1.2 and stops at any other.
	if major != 1 || minor > 2 {
		return damagef(off, "unsupported pcapng section version %d.%d", major, minor)
	}
	s.ifaces = s.ifaces[:0]
	return nil
}

// interfaceDescription reads an Interface Description Block body.
func (s *pcapngSource) interfaceDescription(off int64, b []byte) *damage {
	if len(b) < 8 {
		return damagef(off, "interface description block too short (%d bytes)", len(b))
	}
	if len(s.ifaces) >= maxIfaces {
		return damagef(off, "more than %d interfaces in one section", maxIfaces)
	}
	ifc := ngIface{link: uint32(s.u16(b)), snaplen: s.u32(b[4:]), units: 1e6}
	s.options(b[8:], func(code uint16, v []byte) {
		switch {
		case code == 9 && len(v) >= 1: // if_tsresol
			if u, ok := tsUnits(v[0]); ok {
				ifc.units = u
			} else {
				s.warn(off, "interface timestamp resolution 0x"+hex2(v[0])+" out of range, microseconds assumed")
			}
		case code == 14 && len(v) >= 8: // if_tsoffset, seconds
			ifc.offset = int64(s.u64(v))
		}
	})
	s.ifaces = append(s.ifaces, ifc)
	return nil
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// options calls f for each option of an options list; a list that runs past
// its block ends there.
func (s *pcapngSource) options(b []byte, f func(code uint16, v []byte)) {
	for len(b) >= 4 {
		code, n := s.u16(b), int(s.u16(b[2:]))
		if code == 0 {
			return
		}
		b = b[4:]
		if n > len(b) {
			return
		}
		f(code, b[:n])
		pad := (n + 3) &^ 3
		if pad > len(b) {
			return
		}
		b = b[pad:]
	}
}

// tsUnits converts an if_tsresol value to units per second: 10^v, or 2^(v&0x7f)
// when the top bit is set.
func tsUnits(v byte) (uint64, bool) {
	if v&0x80 != 0 {
		e := v & 0x7f
		if e > 63 {
			return 0, false
		}
		return 1 << e, true
	}
	if v > 19 {
		return 0, false
	}
	u := uint64(1)
	for range v {
		u *= 10
	}
	return u, true
}

// timestamp converts a 64-bit pcapng timestamp of interface ifc.
func timestamp(ifc *ngIface, ts uint64) time.Time {
	sec, frac := ts/ifc.units, ts%ifc.units
	// frac*1e9/units without overflow: hi < units because frac < units.
	hi, lo := bits.Mul64(frac, 1e9)
	ns, _ := bits.Div64(hi, lo, ifc.units)
	return time.Unix(int64(sec)+ifc.offset, int64(ns)).UTC()
}

// packet fills rec from the body of an EPB, SPB or PB.
func (s *pcapngSource) packet(off int64, typ uint32, b []byte, rec *record) error {
	rec.offset = off
	if typ == blockSPB {
		if len(b) < 4 {
			return damagef(off, "simple packet block too short (%d bytes)", len(b))
		}
		if len(s.ifaces) == 0 {
			return damagef(off, "simple packet block before any interface description")
		}
		ifc := &s.ifaces[0]
		orig := s.u32(b)
		n := min(uint64(orig), uint64(len(b)-4))
		if ifc.snaplen != 0 {
			n = min(n, uint64(ifc.snaplen))
		}
		rec.data, rec.origLen, rec.ts, rec.link = b[4:4+n], int(orig), time.Time{}, ifc.link
		return nil
	}
	if len(b) < 20 {
		return damagef(off, "packet block too short (%d bytes)", len(b))
	}
	var id uint32
	if typ == blockPB {
		id = uint32(s.u16(b))
	} else {
		id = s.u32(b)
	}
	if id >= uint32(len(s.ifaces)) {
		return damagef(off, "packet of interface %d but the section describes %d", id, len(s.ifaces))
	}
	ifc := &s.ifaces[id]
	ts := uint64(s.u32(b[4:]))<<32 | uint64(s.u32(b[8:]))
	caplen, orig := s.u32(b[12:]), s.u32(b[16:])
	if caplen > maxCaplen {
		return damagef(off, "absurd captured length %d (more than %d): file damaged", caplen, maxCaplen)
	}
	if uint64(caplen) > uint64(len(b)-20) {
		return damagef(off, "captured length %d runs past the end of its block (%d bytes)", caplen, len(b)-20)
	}
	rec.data, rec.origLen, rec.ts, rec.link = b[20:20+caplen], int(orig), timestamp(ifc, ts), ifc.link
	return nil
}
