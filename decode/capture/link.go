package capture

import (
	"encoding/binary"
	"strconv"
)

// Link-layer header types (https://www.tcpdump.org/linktypes.html).
const (
	linkNull      = 0   // BSD loopback, 4-byte address family in host byte order
	linkEthernet  = 1   // IEEE 802.3 Ethernet
	linkRawAlt1   = 12  // raw IP on some BSDs (DLT_RAW)
	linkRawAlt2   = 14  // raw IP on OpenBSD (DLT_RAW)
	linkRaw       = 101 // raw IPv4 or IPv6
	linkIEEE80211 = 105 // IEEE 802.11 without radio header
	linkLoop      = 108 // OpenBSD loopback, address family in network byte order
	linkSLL       = 113 // Linux "cooked" capture v1
	linkIPv4      = 228 // raw IPv4
	linkIPv6      = 229 // raw IPv6
	linkSLL2      = 276 // Linux "cooked" capture v2
)

// linkName returns the name Info.LinkTypes uses for a link type.
func linkName(lt uint32) string {
	switch lt {
	case linkNull:
		return "null"
	case linkEthernet:
		return "ethernet"
	case linkRaw, linkRawAlt1, linkRawAlt2:
		return "raw"
	case linkLoop:
		return "loop"
	case linkSLL:
		return "linux_sll"
	case linkIPv4:
		return "ipv4"
	case linkIPv6:
		return "ipv6"
	case linkSLL2:
		return "linux_sll2"
	case linkIEEE80211:
		return "ieee802_11"
	case linkNetmonWLAN:
		return "ieee802_11_netmon"
	}
	if lt >= linkNetmon && lt <= linkNetmon+0xffff {
		return "netmon_" + strconv.FormatUint(uint64(lt-linkNetmon), 10)
	}
	return "linktype_" + strconv.FormatUint(uint64(lt), 10)
}

// netProto is the network layer found under the link layer.
type netProto uint8

const (
	netNone netProto = iota
	netIPv4
	netIPv6
)

// EtherTypes (IEEE registry) that lead to IP.
const (
	etherIPv4   = 0x0800
	etherIPv6   = 0x86dd
	etherVLAN   = 0x8100 // IEEE 802.1Q
	etherQinQ   = 0x88a8 // IEEE 802.1ad
	etherQinQ1  = 0x9100 // pre-standard QinQ
	etherQinQ2  = 0x9200 // pre-standard QinQ
	etherPPPoES = 0x8864 // PPPoE session stage (RFC 2516)
)

// maxTags bounds how many VLAN/PPPoE/SNAP headers are peeled off.
const maxTags = 8

// network returns the network-layer protocol and its bytes under the link
// layer of type lt, or netNone when it is not IP or cannot be read.
func network(lt uint32, b []byte) (netProto, []byte) {
	switch lt {
	case linkEthernet:
		if len(b) < 14 {
			return netNone, nil
		}
		return etherType(binary.BigEndian.Uint16(b[12:]), b[14:])
	case linkSLL:
		// packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
		if len(b) < 16 || binary.BigEndian.Uint16(b[2:]) == arphrdNetlink {
			return netNone, nil
		}
		return etherType(binary.BigEndian.Uint16(b[14:]), b[16:])
	case linkSLL2:
		// protocol(2) reserved(2) interface index(4) ARPHRD(2) packet type(1)
		// address length(1) address(8)
		if len(b) < 20 || binary.BigEndian.Uint16(b[8:]) == arphrdNetlink {
			return netNone, nil
		}
		return etherType(binary.BigEndian.Uint16(b), b[20:])
	case linkRaw, linkRawAlt1, linkRawAlt2:
		return rawIP(b)
	case linkIPv4:
		return netIPv4, b
	case linkIPv6:
		return netIPv6, b
	case linkNull, linkLoop:
		return loopback(b)
	case linkIEEE80211:
		return wlanFrame(b)
	case linkNetmonWLAN:
		return netmonWLANFrame(b)
	}
	return netNone, nil
}

// arphrdNetlink is the ARPHRD type of Linux netlink captures on "any",
// whose protocol field is a netlink family, not an EtherType.
const arphrdNetlink = 824

// rawIP tells IPv4 from IPv6 by the version nibble.
func rawIP(b []byte) (netProto, []byte) {
	if len(b) == 0 {
		return netNone, nil
	}
	switch b[0] >> 4 {
	case 4:
		return netIPv4, b
	case 6:
		return netIPv6, b
	}
	return netNone, nil
}

// loopback reads the 4-byte address family of BSD NULL and LOOP headers. The
// family is in the capturing host's byte order for NULL and in network order
// for LOOP, but files of both kinds exist in either, so the order is guessed
// as Wireshark does: a family never exceeds 0xffff.
func loopback(b []byte) (netProto, []byte) {
	if len(b) < 4 {
		return netNone, nil
	}
	af := binary.BigEndian.Uint32(b)
	if af&0xffff0000 != 0 {
		af = binary.LittleEndian.Uint32(b)
	}
	switch af {
	case 2: // AF_INET everywhere
		return netIPv4, b[4:]
	case 24, 28, 30: // AF_INET6 on NetBSD/OpenBSD, FreeBSD, Darwin
		return netIPv6, b[4:]
	}
	return netNone, nil
}

// etherType follows an EtherType through VLAN tags (802.1Q, 802.1ad and the
// pre-standard 0x9100/0x9200), LLC/SNAP and PPPoE sessions down to IP.
func etherType(et uint16, b []byte) (netProto, []byte) {
	for range maxTags {
		switch et {
		case etherIPv4:
			return netIPv4, b
		case etherIPv6:
			return netIPv6, b
		case etherVLAN, etherQinQ, etherQinQ1, etherQinQ2:
			// TCI(2) then the inner EtherType(2)
			if len(b) < 4 {
				return netNone, nil
			}
			et, b = binary.BigEndian.Uint16(b[2:]), b[4:]
		case etherPPPoES:
			// ver/type(1) code(1) session(2) length(2) PPP protocol(2)
			if len(b) < 8 {
				return netNone, nil
			}
			switch binary.BigEndian.Uint16(b[6:]) {
			case 0x0021:
				return netIPv4, b[8:]
			case 0x0057:
				return netIPv6, b[8:]
			}
			return netNone, nil
		default:
			// An 802.3 length field followed by LLC/SNAP with OUI 0
			// carries an EtherType (RFC 1042).
			if et > 1500 || len(b) < 8 || b[0] != 0xaa || b[1] != 0xaa || b[2] != 0x03 ||
				b[3] != 0 || b[4] != 0 || b[5] != 0 {
				return netNone, nil
			}
			et, b = binary.BigEndian.Uint16(b[6:]), b[8:]
		}
	}
	return netNone, nil
}
