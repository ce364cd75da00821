// Package capturetest builds small synthetic captures in memory for the
// tests of kerbtrace's capture layer and of the packages above it, in the
// manner of net/http/httptest.
//
// IP, TCP, UDP, Ethernet and 802.1Q headers are serialised with gopacket's
// SerializeLayers; the headers gopacket v1.1.19 cannot write (IPv6
// Fragment, Linux SLL and SLL2, BSD loopback in network order) are written
// here. The files themselves are written by hand: pcapgo's Writer would do
// for pcap, but pcapgo does not build with this module's go.sum (it imports
// golang.org/x/net/bpf for live capture) and its v1.1.19 link type is a
// uint8, too small for SLL2 (276).
//
// Every builder panics on impossible arguments (a bad address literal):
// they are meant for tests, where that is a bug in the test.
package capturetest

import (
	"encoding/binary"
	"net"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Flags are TCP header flags.
type Flags uint8

// TCP flags, combinable with |.
const (
	FIN Flags = 1 << iota
	SYN
	RST
	PSH
	ACK
)

// TCP returns an IP packet (IPv4 or IPv6, by the addresses) holding a TCP
// segment from src to dst ("addr:port").
func TCP(src, dst string, seq, ack uint32, flags Flags, payload []byte) []byte {
	s, d := netip.MustParseAddrPort(src), netip.MustParseAddrPort(dst)
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(s.Port()),
		DstPort: layers.TCPPort(d.Port()),
		Seq:     seq,
		Ack:     ack,
		FIN:     flags&FIN != 0,
		SYN:     flags&SYN != 0,
		RST:     flags&RST != 0,
		PSH:     flags&PSH != 0,
		ACK:     flags&ACK != 0,
		Window:  65535,
	}
	ip := ipLayer(s.Addr(), d.Addr(), layers.IPProtocolTCP)
	if err := tcp.SetNetworkLayerForChecksum(ip.(gopacket.NetworkLayer)); err != nil {
		panic(err)
	}
	return serialize(ip, tcp, gopacket.Payload(payload))
}

// UDP returns an IP packet (IPv4 or IPv6, by the addresses) holding a UDP
// datagram from src to dst ("addr:port").
func UDP(src, dst string, payload []byte) []byte {
	s, d := netip.MustParseAddrPort(src), netip.MustParseAddrPort(dst)
	udp := &layers.UDP{SrcPort: layers.UDPPort(s.Port()), DstPort: layers.UDPPort(d.Port())}
	ip := ipLayer(s.Addr(), d.Addr(), layers.IPProtocolUDP)
	if err := udp.SetNetworkLayerForChecksum(ip.(gopacket.NetworkLayer)); err != nil {
		panic(err)
	}
	return serialize(ip, udp, gopacket.Payload(payload))
}

// ipLayer returns an IPv4 or IPv6 header layer.
func ipLayer(src, dst netip.Addr, proto layers.IPProtocol) gopacket.SerializableLayer {
	if src.Is4() {
		return &layers.IPv4{Version: 4, TTL: 64, Id: 0x4b54, Protocol: proto,
			SrcIP: net.IP(src.AsSlice()), DstIP: net.IP(dst.AsSlice())}
	}
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto,
		SrcIP: net.IP(src.AsSlice()), DstIP: net.IP(dst.AsSlice())}
}

// serialize writes layers with lengths and checksums fixed.
func serialize(l ...gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, l...); err != nil {
		panic(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// etherTypeOf tells the EtherType of an IP packet by its version nibble.
func etherTypeOf(ip []byte) layers.EthernetType {
	if len(ip) > 0 && ip[0]>>4 == 6 {
		return layers.EthernetTypeIPv6
	}
	return layers.EthernetTypeIPv4
}

var (
	macA = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0a}
	macB = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0b}
)

// Ethernet wraps an IP packet in an Ethernet II frame.
func Ethernet(ip []byte) []byte {
	return serialize(&layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: etherTypeOf(ip)},
		gopacket.Payload(ip))
}

// Tag is one VLAN tag: its TPID (0x8100, 0x88a8, 0x9100) and VLAN ID.
type Tag struct {
	TPID uint16
	VID  uint16
}

// VLAN wraps an IP packet in an Ethernet frame with the given VLAN tags,
// outermost first.
func VLAN(ip []byte, tags ...Tag) []byte {
	if len(tags) == 0 {
		return Ethernet(ip)
	}
	l := []gopacket.SerializableLayer{&layers.Ethernet{SrcMAC: macA, DstMAC: macB,
		EthernetType: layers.EthernetType(tags[0].TPID)}}
	for i, t := range tags {
		next := etherTypeOf(ip)
		if i+1 < len(tags) {
			next = layers.EthernetType(tags[i+1].TPID)
		}
		l = append(l, &layers.Dot1Q{VLANIdentifier: t.VID, Type: next})
	}
	return serialize(append(l, gopacket.Payload(ip))...)
}

// Null wraps an IP packet in a BSD loopback header (link types 0 and 108)
// whose address family af (2 for IPv4; 24, 28 or 30 for IPv6) is written in
// the given byte order.
func Null(ip []byte, af uint32, order binary.ByteOrder) []byte {
	b := make([]byte, 4, 4+len(ip))
	order.PutUint32(b, af)
	return append(b, ip...)
}

// SLL wraps an IP packet in a Linux cooked capture v1 header (link type
// 113), as a packet sent by the capturing host.
func SLL(ip []byte) []byte {
	b := make([]byte, 16, 16+len(ip))
	binary.BigEndian.PutUint16(b[0:], 4) // sent by us
	binary.BigEndian.PutUint16(b[2:], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(b[4:], 6)
	copy(b[6:], macA)
	binary.BigEndian.PutUint16(b[14:], uint16(etherTypeOf(ip)))
	return append(b, ip...)
}

// SLL2 wraps an IP packet in a Linux cooked capture v2 header (link type
// 276), as a packet received by the capturing host on interface 2.
func SLL2(ip []byte) []byte {
	b := make([]byte, 20, 20+len(ip))
	binary.BigEndian.PutUint16(b[0:], uint16(etherTypeOf(ip)))
	binary.BigEndian.PutUint32(b[4:], 2) // interface index
	binary.BigEndian.PutUint16(b[8:], 1) // ARPHRD_ETHER
	b[10] = 0                            // to us
	b[11] = 6
	copy(b[12:], macB)
	return append(b, ip...)
}
