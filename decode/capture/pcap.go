package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// pcapSource reads the classic libpcap format
// (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/): a 24-byte
// file header, then records of a 16-byte header and the captured bytes.
type pcapSource struct {
	in     *input
	endian      // the file's byte order
	nanos  bool // timestamps in nanoseconds rather than microseconds
	link   uint32
}

func newPcapSource(in *input) (*pcapSource, error) {
	h, err := in.bytes(24)
	if err != nil {
		return nil, wire.Errorf("capture", "pcap file header", 0, wire.ErrTruncated)
	}
	s := &pcapSource{in: in}
	switch binary.BigEndian.Uint32(h) {
	case 0xa1b2c3d4:
		s.be = true
	case 0xd4c3b2a1:
	case 0xa1b23c4d:
		s.be, s.nanos = true, true
	case 0x4d3cb2a1:
		s.nanos = true
	default:
		return nil, wire.Errorf("capture", "pcap magic", 0, wire.ErrMalformed)
	}
	if major := s.u16(h[4:]); major != 2 {
		return nil, wire.Errorf("capture", "pcap version", 4,
			fmt.Errorf("major version %d: %w", major, wire.ErrUnsupported))
	}
	// The link type field also carries FCS information in its upper bits
	// (draft-ietf-opsawg-pcap section 4); the type proper is the low 16.
	s.link = s.u32(h[20:]) & 0xffff
	return s, nil
}

// endian reads the integers of a file (a pcapng section) in its byte
// order: a method on a flag rather than a binary.ByteOrder, which is a
// call through an interface for every field of every record, and makes
// every header escape to the heap.
type endian struct {
	be bool // big-endian
}

func (e endian) u16(b []byte) uint16 {
	if e.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (e endian) u32(b []byte) uint32 {
	if e.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (e endian) u64(b []byte) uint64 {
	if e.be {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

func (s *pcapSource) next(rec *record) error {
	off := s.in.off
	h, err := s.in.bytes(16)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return damagef(off, "record truncated: the file ends inside a record header")
		}
		return err
	}
	sec, frac := s.u32(h), s.u32(h[4:])
	caplen, origlen := s.u32(h[8:]), s.u32(h[12:])
	// Wireshark reads records whose captured length exceeds the file's
	// snapshot length or the original length, so no check against those;
	// only a length no capture tool writes means the file is damaged.
	if caplen > maxCaplen {
		return damagef(off, "absurd captured length %d (more than %d): file damaged", caplen, maxCaplen)
	}
	data, err := s.in.bytes(int(caplen))
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return damagef(off, "record truncated: %d bytes captured but the file ends first", caplen)
		}
		return err
	}
	ns := int64(frac)
	if !s.nanos {
		ns *= 1000
	}
	rec.data = data
	rec.origLen = int(origlen)
	rec.ts = time.Unix(int64(sec), ns).UTC()
	rec.link = s.link
	rec.offset = off
	return nil
}
