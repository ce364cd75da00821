package capture

import "encoding/binary"

// protoGRE is Generic Routing Encapsulation (RFC 2784, RFC 2890).
const protoGRE = 47

// GRE protocol types beyond the EtherTypes of IP.
const (
	greTEB      = 0x6558 // Transparent Ethernet Bridging: an Ethernet frame
	greERSPAN2  = 0x88be // ERSPAN type I (no header) or II (8-byte header)
	greERSPAN3  = 0x22eb // ERSPAN type III (12-byte header, 8 more optional)
	greFlagCsum = 0x8000
	greFlagKey  = 0x2000
	greFlagSeq  = 0x1000
)

// gre decapsulates a GRE packet as used by remote port mirroring (ERSPAN,
// transparent Ethernet bridging) and IP tunnels, returning the IP packet
// it carries.
func gre(b []byte) (netProto, []byte) {
	if len(b) < 4 {
		return netNone, nil
	}
	flags, pt := binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
	if flags&7 != 0 { // version 1 is PPTP's enhanced GRE, not handled
		return netNone, nil
	}
	n := 4
	for _, f := range []uint16{greFlagCsum, greFlagKey, greFlagSeq} {
		if flags&f != 0 {
			n += 4
		}
	}
	if n > len(b) {
		return netNone, nil
	}
	b = b[n:]
	switch pt {
	case greTEB:
		return network(linkEthernet, b)
	case greERSPAN2:
		if flags&greFlagSeq != 0 { // type II; type I has no header
			if len(b) < 8 {
				return netNone, nil
			}
			b = b[8:]
		}
		return network(linkEthernet, b)
	case greERSPAN3:
		if len(b) < 12 {
			return netNone, nil
		}
		hl := 12
		if b[11]&1 != 0 { // O bit: platform-specific subheader follows
			hl += 8
		}
		if hl > len(b) {
			return netNone, nil
		}
		return network(linkEthernet, b[hl:])
	}
	return etherType(pt, b)
}
