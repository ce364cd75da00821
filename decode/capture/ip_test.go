package capture

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"time"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

// kdcPayload is a UDP payload large enough to need fragments.
var kdcPayload = func() []byte {
	b := make([]byte, 3000)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

func TestIPFragments(t *testing.T) {
	v4 := ct.FragmentIPv4(ct.UDP("10.0.0.2:88", "10.0.0.1:50000", kdcPayload), 1480)
	v6 := ct.FragmentIPv6(ct.UDP("[2001:db8::2]:88", "[2001:db8::1]:50000", kdcPayload), 1448, 0x1234)
	eth := func(ip [][]byte, order ...int) [][]byte {
		var out [][]byte
		for _, i := range order {
			out = append(out, ct.Ethernet(ip[i]))
		}
		return out
	}
	tests := []struct {
		name     string
		frames   [][]byte
		at       int   // frame of the datagram, 0 for none
		list     []int // its Frames
		src      string
		warnings []string
	}{
		{"IPv4 in order", eth(v4, 0, 1, 2), 3, []int{1, 2, 3}, "10.0.0.2:88", nil},
		{"IPv4 out of order", eth(v4, 2, 0, 1), 3, []int{1, 2, 3}, "10.0.0.2:88", nil},
		{"IPv4 duplicate fragment", eth(v4, 0, 0, 1, 2), 4, []int{1, 2, 3, 4}, "10.0.0.2:88", nil},
		{"IPv6 in order", eth(v6, 0, 1, 2), 3, []int{1, 2, 3}, "[2001:db8::2]:88", nil},
		{"IPv6 out of order", eth(v6, 1, 2, 0), 3, []int{1, 2, 3}, "[2001:db8::2]:88", nil},
		{"IPv4 fragment missing", eth(v4, 0, 2), 0, nil, "", []string{
			"frame 1 (offset 0x18): IPv4 datagram id 0x4b54 from 10.0.0.2 to 10.0.0.1: fragments missing (incomplete at end of capture; frames 1, 2), not delivered"}},
		{"IPv6 fragment missing", eth(v6, 1), 0, nil, "", []string{
			"frame 1 (offset 0x18): IPv6 datagram id 0x1234 from 2001:db8::2 to 2001:db8::1: fragments missing (incomplete at end of capture; frames 1), not delivered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, info := runPcap(t, ct.LinkEthernet, ct.Frames(tt.frames...), Options{})
			var warns []string
			for _, w := range info.Warnings {
				warns = append(warns, w.String())
			}
			if !slices.Equal(warns, tt.warnings) {
				t.Errorf("warnings\n got %q\nwant %q", warns, tt.warnings)
			}
			if tt.at == 0 {
				if len(rec.udp) != 0 {
					t.Errorf("datagrams delivered: %+v", rec.udp)
				}
				return
			}
			if len(rec.udp) != 1 {
				t.Fatalf("%d datagrams, want 1", len(rec.udp))
			}
			d := rec.udp[0]
			if d.Frame.Number != tt.at || !slices.Equal(d.Frames, tt.list) || d.Src.String() != tt.src ||
				!bytes.Equal(d.Payload, kdcPayload) || d.Truncated {
				t.Errorf("datagram at frame %d, frames %v, from %s, %d bytes (equal: %v), truncated %v",
					d.Frame.Number, d.Frames, d.Src, len(d.Payload), bytes.Equal(d.Payload, kdcPayload), d.Truncated)
			}
		})
	}
}

// TestFragmentTimeout checks that fragments waiting longer than the
// reorder timeout are dropped with a warning, and that the missing one
// arriving later does not complete them.
func TestFragmentTimeout(t *testing.T) {
	v4 := ct.FragmentIPv4(ct.UDP("10.0.0.2:88", "10.0.0.1:50000", kdcPayload), 1480)
	pkts := at([]time.Duration{0, time.Second, 2 * time.Minute},
		ct.Ethernet(v4[0]), ct.Ethernet(v4[1]), ct.Ethernet(v4[2]))
	rec, info := runPcap(t, ct.LinkEthernet, pkts, Options{})
	if len(rec.udp) != 0 || len(info.Warnings) != 2 ||
		!strings.Contains(info.Warnings[0].Msg, "still incomplete after 1m0s; frames 1, 2") ||
		!strings.Contains(info.Warnings[1].Msg, "incomplete at end of capture; frames 3") {
		t.Errorf("datagrams %d, warnings %v", len(rec.udp), info.Warnings)
	}
}

// TestUDPTruncated checks a datagram cut by the snapshot length.
func TestUDPTruncated(t *testing.T) {
	full := ct.Ethernet(ct.UDP("10.0.0.2:88", "10.0.0.1:50000", kdcPayload[:1000]))
	pkts := ct.Frames(full[:200])
	pkts[0].OrigLen = len(full)
	rec, _ := runPcap(t, ct.LinkEthernet, pkts, Options{})
	if len(rec.udp) != 1 || !rec.udp[0].Truncated || len(rec.udp[0].Payload) != 200-14-20-8 {
		t.Errorf("got %+v", rec.udp)
	}
}

// TestLinkTypes checks every link layer with a UDP datagram in it.
func TestLinkTypes(t *testing.T) {
	v4 := ct.UDP("192.0.2.1:1234", "192.0.2.2:88", []byte("krb"))
	v6 := ct.UDP("[2001:db8::1]:1234", "[2001:db8::2]:88", []byte("krb"))
	pppoe := func(ip []byte) []byte {
		b := ct.Ethernet(ip)
		h := []byte{0x11, 0, 0, 1, 0, 0, 0, 0x21}
		binary.BigEndian.PutUint16(h[4:], uint16(len(ip)+2))
		out := append([]byte{}, b[:12]...)
		out = append(out, 0x88, 0x64)
		out = append(out, h...)
		return append(out, ip...)
	}
	snap := func(ip []byte) []byte { // 802.3 length + LLC/SNAP
		b := append([]byte{}, ct.Ethernet(ip)[:12]...)
		b = binary.BigEndian.AppendUint16(b, uint16(8+len(ip)))
		b = append(b, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00)
		return append(b, ip...)
	}
	tests := []struct {
		name  string
		link  uint32
		frame []byte
		src   string
	}{
		{"ethernet", ct.LinkEthernet, ct.Ethernet(v4), "192.0.2.1:1234"},
		{"ethernet IPv6", ct.LinkEthernet, ct.Ethernet(v6), "[2001:db8::1]:1234"},
		{"802.1Q", ct.LinkEthernet, ct.VLAN(v4, ct.Tag{TPID: 0x8100, VID: 10}), "192.0.2.1:1234"},
		{"QinQ 802.1ad", ct.LinkEthernet, ct.VLAN(v6, ct.Tag{TPID: 0x88a8, VID: 100}, ct.Tag{TPID: 0x8100, VID: 10}), "[2001:db8::1]:1234"},
		{"QinQ 0x9100", ct.LinkEthernet, ct.VLAN(v4, ct.Tag{TPID: 0x9100, VID: 100}, ct.Tag{TPID: 0x8100, VID: 10}), "192.0.2.1:1234"},
		{"PPPoE", ct.LinkEthernet, pppoe(v4), "192.0.2.1:1234"},
		{"LLC/SNAP", ct.LinkEthernet, snap(v4), "192.0.2.1:1234"},
		{"SLL", ct.LinkSLL, ct.SLL(v4), "192.0.2.1:1234"},
		{"SLL2", ct.LinkSLL2, ct.SLL2(v6), "[2001:db8::1]:1234"},
		{"raw IPv4", ct.LinkRaw, v4, "192.0.2.1:1234"},
		{"raw IPv6", ct.LinkRaw, v6, "[2001:db8::1]:1234"},
		{"raw 14", 14, v4, "192.0.2.1:1234"},
		{"LINKTYPE_IPV4", ct.LinkIPv4, v4, "192.0.2.1:1234"},
		{"LINKTYPE_IPV6", ct.LinkIPv6, v6, "[2001:db8::1]:1234"},
		{"NULL little-endian AF_INET", ct.LinkNull, ct.Null(v4, 2, binary.LittleEndian), "192.0.2.1:1234"},
		{"NULL big-endian AF_INET6 (Darwin)", ct.LinkNull, ct.Null(v6, 30, binary.BigEndian), "[2001:db8::1]:1234"},
		{"NULL AF_INET6 (FreeBSD)", ct.LinkNull, ct.Null(v6, 28, binary.LittleEndian), "[2001:db8::1]:1234"},
		{"LOOP AF_INET6 (OpenBSD)", ct.LinkLoop, ct.Null(v6, 24, binary.BigEndian), "[2001:db8::1]:1234"},
		{"IPv4 in IPv6", ct.LinkRaw, ipInIP(v4), "192.0.2.1:1234"},
		{"ERSPAN type II", ct.LinkEthernet, ct.Ethernet(greERSPAN(ct.Ethernet(v4))), "192.0.2.1:1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, info := runPcap(t, tt.link, ct.Frames(tt.frame), Options{})
			if len(rec.udp) != 1 || rec.udp[0].Src.String() != tt.src || string(rec.udp[0].Payload) != "krb" {
				t.Errorf("datagrams %+v", rec.udp)
			}
			if len(info.LinkTypes) != 1 || info.LinkTypes[0] != linkName(tt.link) {
				t.Errorf("link types %v", info.LinkTypes)
			}
		})
	}
}

// ipInIP wraps an IPv4 packet in an IPv6 header with next header 4.
func ipInIP(v4 []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(v4)))
	h[6], h[7] = 4, 64
	h[8], h[23] = 0x20, 1
	h[24], h[39] = 0x20, 2
	return append(h, v4...)
}

// greERSPAN wraps a mirrored Ethernet frame in IPv4/GRE/ERSPAN type II.
func greERSPAN(frame []byte) []byte {
	gre := []byte{0x10, 0, 0x88, 0xbe, 0, 0, 0, 1} // S bit, ERSPAN, sequence 1
	erspan := []byte{0x10, 0x0a, 0, 1, 0, 0, 0, 0}
	payload := append(append(gre, erspan...), frame...)
	ip := make([]byte, 20)
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(payload)))
	ip[8], ip[9] = 64, 47
	copy(ip[12:], []byte{198, 51, 100, 1, 198, 51, 100, 2})
	return append(ip, payload...)
}

// TestLinkNames checks the names of link types.
func TestLinkNames(t *testing.T) {
	for lt, want := range map[uint32]string{0: "null", 1: "ethernet", 12: "raw", 14: "raw", 101: "raw",
		108: "loop", 113: "linux_sll", 228: "ipv4", 229: "ipv6", 276: "linux_sll2", 105: "ieee802_11",
		104: "linktype_104", linkNetmonWLAN: "ieee802_11_netmon", linkNetmon + 5: "netmon_5"} {
		if got := linkName(lt); got != want {
			t.Errorf("linkName(%d) = %q, want %q", lt, got, want)
		}
	}
}

// TestIPv6ExtensionHeaders checks that hop-by-hop, routing and
// destination options headers are skipped.
func TestIPv6ExtensionHeaders(t *testing.T) {
	udp := ct.UDP("[2001:db8::1]:1234", "[2001:db8::2]:88", []byte("krb"))
	ext := []byte{
		43, 0, 0, 0, 0, 0, 0, 0, // hop-by-hop, next: routing
		60, 0, 0, 0, 0, 0, 0, 0, // routing, next: destination options
		17, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // destination options (16 bytes), next: UDP
	}
	pkt := append(append(append([]byte{}, udp[:40]...), ext...), udp[40:]...)
	pkt[6] = 0
	binary.BigEndian.PutUint16(pkt[4:], uint16(len(pkt)-40))
	rec, _ := runPcap(t, ct.LinkRaw, ct.Frames(pkt), Options{})
	if len(rec.udp) != 1 || string(rec.udp[0].Payload) != "krb" {
		t.Errorf("datagrams %+v", rec.udp)
	}
}

// TestLargeSendOffload checks IPv4 and IPv6 length fields of 0, as in
// frames captured on a host sending with TCP segmentation offload: the
// frame holds the whole segment.
func TestLargeSendOffload(t *testing.T) {
	v4 := c2s(1001, 0, strings.Repeat("a", 3000))
	binary.BigEndian.PutUint16(v4[14+2:], 0)
	v6 := ct.Ethernet(ct.TCP("[2001:db8::1]:50000", "[2001:db8::2]:88", 1001, 0, ct.ACK, []byte(strings.Repeat("b", 3000))))
	binary.BigEndian.PutUint16(v6[14+4:], 0)
	rec, _ := runPcap(t, ct.LinkEthernet, ct.Frames(v4, v6), Options{})
	if len(rec.segs) != 2 || rec.segs[0].PayloadLen != 3000 || rec.segs[1].PayloadLen != 3000 {
		t.Errorf("segments %+v", rec.segs)
	}
	if len(rec.chunks) != 4 || len(rec.chunks[0].Data) != 3000 || len(rec.chunks[1].Data) != 3000 {
		t.Errorf("%d chunks", len(rec.chunks))
	}
}
