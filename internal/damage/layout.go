// Package damage makes damaged copies of capture files for tests: files cut
// off mid-write, records with absurd lengths, pcapng blocks whose lengths
// lie, Network Monitor frame tables pointing anywhere, flipped bytes and
// appended garbage, as customers' captures arrive. Each copy says which
// frame the damage starts at, so that a test can check that every message
// before it is still reported, and which frame and byte offset a reader
// must name in its warning.
//
// It reads the record layout of pcap (draft-ietf-opsawg-pcap), pcapng
// (draft-ietf-opsawg-pcapng: Section Header, Interface Description,
// Enhanced, Simple and Packet Blocks) and Network Monitor 2.x files; it
// does not decode packets, and it is deterministic: the same file and seed
// give the same copies.
package damage

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Format is a capture file format this package lays out.
type Format string

// The formats Parse knows.
const (
	Pcap   Format = "pcap"
	PcapNG Format = "pcapng"
	NetMon Format = "netmon"
)

// Record is one record (pcap record, pcapng block, Network Monitor record)
// as it lies in the file.
type Record struct {
	// Frame is the frame number the record has in Wireshark, 0 for a block
	// that is not a frame (section header, interface description,
	// statistics).
	Frame int
	// Off and Len delimit the whole record or block.
	Off, Len int
	// Data and DataLen delimit the captured packet bytes (DataLen 0 for a
	// block that is not a packet).
	Data, DataLen int
	// CapLenAt is the offset of the 32-bit captured length field, -1 when
	// there is none.
	CapLenAt int
}

// End returns the offset just after the record.
func (r Record) End() int { return r.Off + r.Len }

// Layout is the record structure of one capture file.
type Layout struct {
	Format Format
	// Order is the byte order of the file (of its first section for
	// pcapng).
	Order binary.ByteOrder
	// Header is the length of what precedes the first record (the pcap
	// file header, the first pcapng Section Header Block, the Network
	// Monitor header and its padding).
	Header int
	// Records lists the records in file order.
	Records []Record
	// TableOff and TableLen locate the Network Monitor frame table.
	TableOff, TableLen int
}

// Frames returns the records that are frames, in frame order.
func (l *Layout) Frames() []Record {
	var out []Record
	for _, r := range l.Records {
		if r.Frame > 0 {
			out = append(out, r)
		}
	}
	if l.Format == NetMon {
		// The frame table decides the order; Parse numbers by it.
		sortByFrame(out)
	}
	return out
}

func sortByFrame(rs []Record) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Frame < rs[j-1].Frame; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

var errFormat = errors.New("damage: not an undamaged pcap, pcapng or Network Monitor 2.x file")

// Parse lays out an undamaged capture file.
func Parse(b []byte) (*Layout, error) {
	if len(b) < 4 {
		return nil, errFormat
	}
	switch {
	case string(b[:4]) == "GMBU":
		return parseNetMon(b)
	case binary.BigEndian.Uint32(b) == 0x0a0d0d0a:
		return parsePcapNG(b)
	}
	return parsePcap(b)
}

func parsePcap(b []byte) (*Layout, error) {
	if len(b) < 24 {
		return nil, errFormat
	}
	l := &Layout{Format: Pcap, Header: 24}
	switch binary.BigEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		l.Order = binary.BigEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		l.Order = binary.LittleEndian
	default:
		return nil, errFormat
	}
	for off, frame := 24, 1; off < len(b); frame++ {
		if len(b)-off < 16 {
			return nil, fmt.Errorf("damage: pcap record header cut at 0x%x", off)
		}
		n := int(l.Order.Uint32(b[off+8:]))
		if n > len(b)-off-16 {
			return nil, fmt.Errorf("damage: pcap record at 0x%x cut", off)
		}
		l.Records = append(l.Records, Record{Frame: frame, Off: off, Len: 16 + n, Data: off + 16, DataLen: n, CapLenAt: off + 8})
		off += 16 + n
	}
	return l, nil
}

func parsePcapNG(b []byte) (*Layout, error) {
	l := &Layout{Format: PcapNG}
	frame := 0
	for off := 0; off < len(b); {
		if len(b)-off < 12 {
			return nil, fmt.Errorf("damage: pcapng block cut at 0x%x", off)
		}
		typ := binary.BigEndian.Uint32(b[off:])
		if typ == 0x0a0d0d0a {
			switch binary.BigEndian.Uint32(b[off+8:]) {
			case 0x1a2b3c4d:
				l.Order = binary.BigEndian
			case 0x4d3c2b1a:
				l.Order = binary.LittleEndian
			default:
				return nil, errFormat
			}
		} else {
			typ = l.Order.Uint32(b[off:])
		}
		n := int(l.Order.Uint32(b[off+4:]))
		if n < 12 || n%4 != 0 || n > len(b)-off {
			return nil, fmt.Errorf("damage: pcapng block at 0x%x has length %d", off, n)
		}
		r := Record{Off: off, Len: n, CapLenAt: -1}
		switch typ {
		case 0x0a0d0d0a:
			if off == 0 {
				l.Header = n
			}
		case 6, 2: // Enhanced Packet Block, Packet Block
			frame++
			r.Frame, r.CapLenAt, r.Data = frame, off+20, off+28
			r.DataLen = int(l.Order.Uint32(b[off+20:]))
		case 3: // Simple Packet Block
			frame++
			r.Frame, r.Data, r.DataLen = frame, off+12, n-16
		case 9, 0xbad, 0x40000bad, 0x204, 0x216, 0x221: // numbered by Wireshark
			frame++
			r.Frame = frame
		}
		if off > 0 || typ != 0x0a0d0d0a {
			l.Records = append(l.Records, r)
		}
		off += n
	}
	return l, nil
}

// Network Monitor 2.x layout (see decode/capture/netmon.go).
const (
	netmonFirstFrame = 128
	netmonRecordLen  = 16
)

func parseNetMon(b []byte) (*Layout, error) {
	if len(b) < netmonFirstFrame || b[5] != 2 {
		return nil, errFormat
	}
	le := binary.LittleEndian
	l := &Layout{Format: NetMon, Order: le, Header: netmonFirstFrame,
		TableOff: int(le.Uint32(b[24:])), TableLen: int(le.Uint32(b[28:]))}
	if l.TableOff+l.TableLen > len(b) || l.TableLen%4 != 0 {
		return nil, fmt.Errorf("damage: netmon frame table outside the file")
	}
	trailer := map[byte]int{0: 0, 1: 2, 2: 6}[b[4]]
	if b[4] >= 3 {
		trailer = 15
	}
	for i := 0; i < l.TableLen/4; i++ {
		off := int(le.Uint32(b[l.TableOff+4*i:]))
		if off+netmonRecordLen > len(b) {
			return nil, fmt.Errorf("damage: netmon frame %d outside the file", i+1)
		}
		n := int(le.Uint32(b[off+12:]))
		if off+netmonRecordLen+n+trailer > len(b) {
			return nil, fmt.Errorf("damage: netmon frame %d cut", i+1)
		}
		l.Records = append(l.Records, Record{Frame: i + 1, Off: off, Len: netmonRecordLen + n + trailer,
			Data: off + netmonRecordLen, DataLen: n, CapLenAt: off + 12})
	}
	sortByOffset(l.Records)
	if len(l.Records) > 0 && l.Records[0].Off < l.Header {
		l.Header = l.Records[0].Off // a 72-byte header, not padded
	}
	return l, nil
}

func sortByOffset(rs []Record) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Off < rs[j-1].Off; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}
