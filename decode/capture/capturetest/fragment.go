package capturetest

import (
	"encoding/binary"
)

// FragmentIPv4 splits an IPv4 packet (without options) into fragments whose
// payloads hold at most size bytes (rounded down to a multiple of 8), in
// order. Checksums are left as they are: kerbtrace does not verify them.
func FragmentIPv4(pkt []byte, size int) [][]byte {
	hl := int(pkt[0]&0x0f) * 4
	payload := pkt[hl:]
	size &^= 7
	var out [][]byte
	for off := 0; off < len(payload); off += size {
		end := min(off+size, len(payload))
		f := make([]byte, hl, hl+end-off)
		copy(f, pkt[:hl])
		f = append(f, payload[off:end]...)
		binary.BigEndian.PutUint16(f[2:], uint16(len(f)))
		ff := uint16(off / 8)
		if end < len(payload) {
			ff |= 0x2000 // more fragments
		}
		binary.BigEndian.PutUint16(f[6:], ff)
		out = append(out, f)
	}
	return out
}

// FragmentIPv6 splits an IPv6 packet without extension headers into
// fragments with a Fragment header (RFC 8200 section 4.5) of identification
// id, whose fragmentable parts hold at most size bytes (rounded down to a
// multiple of 8), in order.
func FragmentIPv6(pkt []byte, size int, id uint32) [][]byte {
	const hl = 40
	next := pkt[6]
	payload := pkt[hl:]
	size &^= 7
	var out [][]byte
	for off := 0; off < len(payload); off += size {
		end := min(off+size, len(payload))
		f := make([]byte, hl+8, hl+8+end-off)
		copy(f, pkt[:hl])
		f[6] = 44 // Fragment header
		f[hl] = next
		ff := uint16(off)
		if end < len(payload) {
			ff |= 1 // M flag
		}
		binary.BigEndian.PutUint16(f[hl+2:], ff)
		binary.BigEndian.PutUint32(f[hl+4:], id)
		f = append(f, payload[off:end]...)
		binary.BigEndian.PutUint16(f[4:], uint16(len(f)-hl))
		out = append(out, f)
	}
	return out
}
