package capturetest

import (
	"bytes"
	"encoding/binary"
	"time"
)

// Link-layer header types for PCAP and Interface.Link.
const (
	LinkNull     = 0
	LinkEthernet = 1
	LinkRaw      = 101
	LinkLoop     = 108
	LinkSLL      = 113
	LinkIPv4     = 228
	LinkIPv6     = 229
	LinkSLL2     = 276
)

// Base is the timestamp of packets whose Time is zero: the i-th such packet
// (from 0) gets Base + i*10ms.
var Base = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// Packet is one record of a synthetic capture.
type Packet struct {
	Time    time.Time // zero: Base + index*10ms
	Data    []byte
	OrigLen int // length on the wire; 0 means len(Data)
	Iface   int // pcapng interface index
}

// Frames makes packets of the given frames, timestamped Base + i*10ms.
func Frames(frames ...[]byte) []Packet {
	p := make([]Packet, len(frames))
	for i, f := range frames {
		p[i] = Packet{Time: Base.Add(time.Duration(i) * 10 * time.Millisecond), Data: f}
	}
	return p
}

func (p Packet) at(i int) (time.Time, int) {
	t := p.Time
	if t.IsZero() {
		t = Base.Add(time.Duration(i) * 10 * time.Millisecond)
	}
	orig := p.OrigLen
	if orig == 0 {
		orig = len(p.Data)
	}
	return t, orig
}

// PCAP returns a little-endian, microsecond pcap file with the given link
// type and packets.
func PCAP(link uint32, pkts ...Packet) []byte {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 65535)
	binary.LittleEndian.PutUint32(h[20:], link)
	b := h[:]
	for i, p := range pkts {
		t, orig := p.at(i)
		b = binary.LittleEndian.AppendUint32(b, uint32(t.Unix()))
		b = binary.LittleEndian.AppendUint32(b, uint32(t.Nanosecond()/1000))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p.Data)))
		b = binary.LittleEndian.AppendUint32(b, uint32(orig))
		b = append(b, p.Data...)
	}
	return b
}

// Interface describes a pcapng interface.
type Interface struct {
	Link uint32
	// TSResol is the if_tsresol option (0: not written, microseconds).
	TSResol uint8
	// TSOffset is the if_tsoffset option in seconds (0: not written).
	TSOffset int64
}

// units returns the timestamp units per second of the interface.
func (f Interface) units() uint64 {
	if f.TSResol == 0 {
		return 1e6
	}
	e := f.TSResol & 0x7f
	if f.TSResol&0x80 != 0 {
		return 1 << e
	}
	u := uint64(1)
	for range e {
		u *= 10
	}
	return u
}

// PCAPNG returns a little-endian pcapng file of one section with the given
// interfaces and Enhanced Packet Blocks.
func PCAPNG(ifaces []Interface, pkts ...Packet) []byte {
	var buf bytes.Buffer
	buf.Write(Block(0x0a0d0d0a, []byte{0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
	for _, f := range ifaces {
		body := make([]byte, 8)
		binary.LittleEndian.PutUint16(body, uint16(f.Link))
		binary.LittleEndian.PutUint32(body[4:], 0)
		if f.TSResol != 0 {
			body = append(body, 9, 0, 1, 0, f.TSResol, 0, 0, 0)
		}
		if f.TSOffset != 0 {
			body = append(body, 14, 0, 8, 0)
			body = binary.LittleEndian.AppendUint64(body, uint64(f.TSOffset))
		}
		if len(body) > 8 {
			body = append(body, 0, 0, 0, 0) // opt_endofopt
		}
		buf.Write(Block(1, body))
	}
	for i, p := range pkts {
		t, orig := p.at(i)
		f := ifaces[p.Iface]
		units := f.units()
		sec := uint64(t.Unix() - f.TSOffset)
		ts := sec*units + uint64(t.Nanosecond())*units/1e9
		body := make([]byte, 20, 20+len(p.Data)+3)
		binary.LittleEndian.PutUint32(body[0:], uint32(p.Iface))
		binary.LittleEndian.PutUint32(body[4:], uint32(ts>>32))
		binary.LittleEndian.PutUint32(body[8:], uint32(ts))
		binary.LittleEndian.PutUint32(body[12:], uint32(len(p.Data)))
		binary.LittleEndian.PutUint32(body[16:], uint32(orig))
		body = append(body, p.Data...)
		buf.Write(Block(6, body))
	}
	return buf.Bytes()
}

// Block returns a little-endian pcapng block of type typ around body, padded
// to 4 bytes, with both length fields.
func Block(typ uint32, body []byte) []byte {
	pad := (4 - len(body)%4) % 4
	n := 12 + len(body) + pad
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint32(b, typ)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = append(b, body...)
	b = append(b, make([]byte, pad)...)
	return binary.LittleEndian.AppendUint32(b, uint32(n))
}
