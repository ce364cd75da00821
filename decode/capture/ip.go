package capture

import (
	"encoding/binary"
	"net/netip"
)

// IP protocol numbers (IANA) that matter here.
const (
	protoHopByHop = 0
	protoIPIP     = 4 // IPv4 in IP (RFC 2003)
	protoTCP      = 6
	protoUDP      = 17
	protoIPv6     = 41 // IPv6 in IP (RFC 4213)
	protoRouting  = 43
	protoFragment = 44
	protoAH       = 51
	protoDestOpts = 60
	protoMobility = 135
	protoHIP      = 139
	protoShim6    = 140
)

// ipPacket is what the network layer tells the transport layer.
type ipPacket struct {
	v6       bool
	src, dst netip.Addr
	proto    uint8  // upper-layer protocol (for a fragment: of the whole datagram)
	payload  []byte // upper-layer bytes as captured, trimmed to the IP length
	wireLen  int    // upper-layer length according to the IP header(s)
	frag     bool   // a fragment (not an atomic one)
	fragOff  int    // byte offset of the fragment
	more     bool   // more fragments follow
	id       uint32 // identification of the fragmented datagram
}

// parseIPv4 reads an IPv4 header (RFC 791). It reports false when the bytes
// are not a usable IPv4 packet.
func parseIPv4(b []byte, p *ipPacket) bool {
	if len(b) < 20 || b[0]>>4 != 4 {
		return false
	}
	hl := int(b[0]&0x0f) * 4
	if hl < 20 || hl > len(b) {
		return false
	}
	total := int(binary.BigEndian.Uint16(b[2:]))
	if total == 0 {
		// A total length of 0 is what TCP segmentation offload leaves in
		// frames captured on the sending host: the frame holds it all.
		total = len(b)
	}
	if total < hl {
		return false
	}
	ff := binary.BigEndian.Uint16(b[6:])
	// Zeroed, then field by field: a composite literal is built aside and
	// copied whole, and that copy reads back its one-byte stores (a stall
	// on every packet).
	*p = ipPacket{}
	p.src, p.dst = netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20]))
	p.proto = b[9]
	p.payload, p.wireLen = b[hl:min(total, len(b))], total-hl
	p.fragOff, p.more = int(ff&0x1fff)*8, ff&0x2000 != 0
	p.id = uint32(binary.BigEndian.Uint16(b[4:]))
	p.frag = p.more || p.fragOff != 0
	return true
}

// maxExtHeaders bounds the IPv6 extension header chain walked.
const maxExtHeaders = 16

// parseIPv6 reads an IPv6 header (RFC 8200) and its extension headers up to
// the upper layer or to a Fragment header.
func parseIPv6(b []byte, p *ipPacket) bool {
	if len(b) < 40 || b[0]>>4 != 6 {
		return false
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	if plen == 0 {
		// A jumbogram (RFC 2675), or, far more often, a large send offload
		// frame captured on the sending host: the frame holds it all.
		plen = len(b) - 40
	}
	*p = ipPacket{} // then field by field, as in parseIPv4
	p.v6 = true
	p.src, p.dst = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40]))
	p.payload, p.wireLen = b[40:min(40+plen, len(b))], plen
	return p.extensions(b[6])
}

// extensions walks IPv6 extension headers starting with next header nh over
// p.payload, stopping at the upper layer or after a Fragment header (whose
// fragmentable part is the rest). It reports false if the chain cannot be
// followed in the captured bytes.
func (p *ipPacket) extensions(nh uint8) bool {
	for range maxExtHeaders {
		b := p.payload
		n := 0
		switch nh {
		case protoHopByHop, protoRouting, protoDestOpts, protoMobility, protoHIP, protoShim6:
			if len(b) < 2 {
				return false
			}
			n = (int(b[1]) + 1) * 8
		case protoAH:
			if len(b) < 2 {
				return false
			}
			n = (int(b[1]) + 2) * 4
		case protoFragment:
			if len(b) < 8 {
				return false
			}
			ff := binary.BigEndian.Uint16(b[2:])
			p.fragOff = int(ff &^ 7)
			p.more = ff&1 != 0
			p.id = binary.BigEndian.Uint32(b[4:])
			p.payload, p.wireLen = b[8:], p.wireLen-8
			if p.more || p.fragOff != 0 {
				p.frag, p.proto = true, b[0]
				return true
			}
			// An atomic fragment (RFC 6946) is a whole datagram.
			nh = b[0]
			continue
		default:
			p.proto = nh
			return true
		}
		if n > len(b) {
			return false
		}
		nh = b[0]
		p.payload, p.wireLen = b[n:], p.wireLen-n
	}
	return false
}

// addrPort joins an address and a big-endian port.
func addrPort(a netip.Addr, port []byte) netip.AddrPort {
	return netip.AddrPortFrom(a, binary.BigEndian.Uint16(port))
}
