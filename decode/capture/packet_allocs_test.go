package capture

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"
)

// ignorePorts is a Handler that keeps nothing and asks for no Stream calls
// of the connections to port 443, as the dissector does for TLS.
type ignorePorts struct {
	countHandler
	last bool
}

func (h *ignorePorts) TCP(s *Segment) {
	h.countHandler.TCP(s)
	h.last = s.Dst.Port() == 443 || s.Src.Port() == 443
}
func (h *ignorePorts) IgnoreLast() bool { return h.last }

// ethIPv4 returns an Ethernet frame holding an IPv4 packet of protocol
// proto from src to dst with the transport bytes l4.
func ethIPv4(src, dst netip.Addr, proto byte, l4 []byte) []byte {
	b := make([]byte, 14+20, 14+20+len(l4))
	binary.BigEndian.PutUint16(b[12:], etherIPv4)
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(l4)))
	ip[8], ip[9] = 64, proto
	copy(ip[12:16], src.AsSlice())
	copy(ip[16:20], dst.AsSlice())
	return append(b, l4...)
}

// tcpBytes returns a TCP header with the given flags followed by payload.
func tcpBytes(sp, dp uint16, seq, ack uint32, flags byte, payload []byte) []byte {
	b := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(b, sp)
	binary.BigEndian.PutUint16(b[2:], dp)
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], ack)
	b[12], b[13] = 5<<4, flags
	return append(b, payload...)
}

// TestPacketAllocs checks that one more packet that kerbtrace cannot use
// costs no allocation anywhere on the record, link, IP, TCP and reassembly
// path: an in-order segment of a connection followed (bulk data on port
// 445), a segment of an ignored connection (TLS), and a UDP datagram.
func TestPacketAllocs(t *testing.T) {
	cli, srv := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	payload := make([]byte, 1400)
	const (
		syn = 0x02
		ack = 0x10
	)
	for _, c := range []struct {
		name  string
		setup [][]byte           // packets before
		next  func(i int) []byte // the i-th packet measured
	}{
		{"smb2 bulk", [][]byte{
			ethIPv4(cli, srv, protoTCP, tcpBytes(50000, 445, 100, 0, syn, nil)),
			ethIPv4(srv, cli, protoTCP, tcpBytes(445, 50000, 900, 101, syn|ack, nil)),
		}, func(i int) []byte {
			return ethIPv4(srv, cli, protoTCP, tcpBytes(445, 50000, 901+uint32(i*len(payload)), 101, ack, payload))
		}},
		{"tls", [][]byte{
			ethIPv4(cli, srv, protoTCP, tcpBytes(50001, 443, 100, 0, syn, nil)),
		}, func(i int) []byte {
			return ethIPv4(srv, cli, protoTCP, tcpBytes(443, 50001, 901+uint32(i*len(payload)), 101, ack, payload))
		}},
		{"udp", nil, func(int) []byte {
			udp := make([]byte, 8+100)
			binary.BigEndian.PutUint16(udp, 5000)
			binary.BigEndian.PutUint16(udp[2:], 6000)
			binary.BigEndian.PutUint16(udp[4:], uint16(len(udp)))
			return ethIPv4(cli, srv, protoUDP, udp)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := &ignorePorts{}
			d := newDecoder(h, Options{}.withDefaults())
			t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			feed := func(b []byte, n int) {
				d.info.Packets++
				d.rec = record{data: b, origLen: len(b), ts: t0.Add(time.Duration(n) * time.Millisecond), link: linkEthernet}
				d.record(&d.rec)
			}
			for i, p := range c.setup {
				feed(p, i)
			}
			const runs = 100
			pkts := make([][]byte, runs+1)
			for i := range pkts {
				pkts[i] = c.next(i)
			}
			i := 0
			allocs := testing.AllocsPerRun(runs, func() {
				feed(pkts[i], len(c.setup)+i)
				i++
			})
			if allocs != 0 {
				t.Errorf("%v allocations per packet, want 0", allocs)
			}
			switch c.name {
			case "smb2 bulk":
				if h.bytes < runs*len(payload) {
					t.Errorf("%d bytes delivered, want %d or more", h.bytes, runs*len(payload))
				}
			case "tls":
				if h.bytes != 0 || h.seg < runs {
					t.Errorf("%d segments, %d bytes delivered; want %d or more, 0", h.seg, h.bytes, runs)
				}
			case "udp":
				if h.udp < runs {
					t.Errorf("%d datagrams, want %d or more", h.udp, runs)
				}
			}
		})
	}
}
