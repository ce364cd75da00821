package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// fuzzSeeds returns synthetic captures exercising every path.
func fuzzSeeds() [][]byte {
	v4 := ct.FragmentIPv4(ct.UDP("10.0.0.2:88", "10.0.0.1:50000", kdcPayload[:2000]), 1480)
	v6 := ct.FragmentIPv6(ct.UDP("[2001:db8::2]:88", "[2001:db8::1]:50000", kdcPayload[:2000]), 1448, 7)
	tcp := append(handshake(), c2s(1004, 0, "defg"), c2s(1001, 0, "abc"), c2s(1001, 0, "abcd"),
		c2s(1020, 0, "xyz"), s2c(5001, 1025, ct.PSH, "ok"), c2s(1030, ct.FIN, "end"), c2s(1033, ct.RST, ""))
	seeds := [][]byte{
		ct.PCAP(ct.LinkEthernet, ct.Frames(tcp...)...),
		ct.PCAP(ct.LinkEthernet, ct.Frames(ct.Ethernet(v4[1]), ct.Ethernet(v4[0]), ct.Ethernet(v6[0]), ct.Ethernet(v6[1]))...),
		ct.PCAP(ct.LinkSLL2, ct.Frames(ct.SLL2(ct.UDP("[2001:db8::1]:1", "[2001:db8::2]:88", []byte("k"))))...),
		ct.PCAP(ct.LinkNull, ct.Frames(ct.Null(ct.UDP("10.0.0.1:1", "10.0.0.2:88", []byte("k")), 2, binary.LittleEndian))...),
		ct.PCAP(ct.LinkEthernet, ct.Frames(ct.Ethernet(greERSPAN(ct.Ethernet(v4[0]))))...),
		ct.PCAPNG([]ct.Interface{{Link: ct.LinkEthernet}, {Link: ct.LinkRaw, TSResol: 9, TSOffset: 10}},
			ct.Packet{Data: ct.Ethernet(v4[0])}, ct.Packet{Data: v4[1], Iface: 1}),
		threePackets()[:0x64+20],
		[]byte("GMBU"),
		{0x1f, 0x8b, 8, 0},
		[]byte("not a capture\n"),
	}
	return append(seeds, netmonSeeds()...)
}

// FuzzRead reads arbitrary bytes as a capture file: no panic (not even one
// Read recovers), every error of the shared vocabulary, chunks consistent.
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := Read(bytes.NewReader(b), &checker{t: t}, Options{MaxBufferedPerConn: 1 << 16, MaxBufferedTotal: 1 << 20})
		if err != nil && !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrUnsupported) {
			t.Errorf("error outside the vocabulary: %v", err)
		}
		for _, w := range info.Warnings {
			if strings.Contains(w.Msg, "internal error") {
				t.Errorf("recovered panic: %s", w)
			}
		}
	})
}

// checker is a Handler that only checks invariants, without keeping data.
type checker struct {
	t    *testing.T
	last int
}

func (c *checker) UDP(d *Datagram) {
	if len(d.Frames) == 0 || d.Frames[len(d.Frames)-1] != d.Frame.Number {
		c.t.Errorf("datagram frame %d, frames %v", d.Frame.Number, d.Frames)
	}
}
func (c *checker) TCP(s *Segment) {}
func (c *checker) Stream(ch *Chunk) {
	checkSpans(c.t, ch)
	if ch.Gap < 0 {
		c.t.Errorf("negative gap %d", ch.Gap)
	}
}

// fuzzLinks are the link types FuzzFrames chooses from.
var fuzzLinks = []uint32{ct.LinkEthernet, ct.LinkSLL, ct.LinkSLL2, ct.LinkRaw, ct.LinkNull, ct.LinkLoop, ct.LinkIPv4, ct.LinkIPv6,
	linkIEEE80211, linkNetmonWLAN}

// packFrames encodes frames for FuzzFrames: each as a 2-byte big-endian
// length and its bytes.
func packFrames(frames ...[]byte) []byte {
	var b []byte
	for _, f := range frames {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f)))
		b = append(b, f...)
	}
	return b
}

// FuzzFrames wraps fuzzed frames in a valid pcap, so that the mutations go
// to the link, IP, TCP and UDP headers and to reassembly rather than to the
// file format. Frames are spaced 20 s apart to exercise the timeouts too.
func FuzzFrames(f *testing.F) {
	v4 := ct.FragmentIPv4(ct.UDP("10.0.0.2:88", "10.0.0.1:50000", kdcPayload[:2000]), 1480)
	v6 := ct.FragmentIPv6(ct.UDP("[2001:db8::2]:88", "[2001:db8::1]:50000", kdcPayload[:2000]), 1448, 7)
	f.Add(uint8(0), packFrames(append(handshake(), c2s(1004, 0, "defg"), c2s(1001, 0, "abc"),
		s2c(5001, 1010, 0, "x"), c2s(1010, ct.FIN, "z"))...))
	f.Add(uint8(0), packFrames(ct.Ethernet(v4[1]), ct.Ethernet(v6[1]), ct.Ethernet(v4[0]), ct.Ethernet(v6[0])))
	f.Add(uint8(3), packFrames(v4[0], v6[0], ct.TCP(cli, srv, 1, 2, ct.ACK, []byte("abc"))))
	f.Add(uint8(2), packFrames(ct.SLL2(ct.UDP("[2001:db8::1]:1", "[2001:db8::2]:88", []byte("k")))))
	f.Add(uint8(0), packFrames(ct.Ethernet(greERSPAN(ct.Ethernet(v4[0]))), ct.VLAN(v6[0], ct.Tag{TPID: 0x88a8, VID: 1})))
	f.Add(uint8(8), packFrames(wlan80211(v4[0], true, 0x03), wlan80211(v6[1], false, 0x01)))
	f.Add(uint8(9), packFrames(withNetmonHeader(wlan80211(ct.TCP(cli, srv, 1, 2, ct.ACK, []byte("abc")), true, 0x01))))
	f.Fuzz(func(t *testing.T, link uint8, b []byte) {
		var pkts []ct.Packet
		for i := 0; len(b) >= 2 && i < 64; i++ {
			n := min(int(binary.BigEndian.Uint16(b)), len(b)-2)
			pkts = append(pkts, ct.Packet{Time: ct.Base.Add(time.Duration(i) * 20 * time.Second), Data: b[2 : 2+n]})
			b = b[2+n:]
		}
		file := ct.PCAP(fuzzLinks[int(link)%len(fuzzLinks)], pkts...)
		info, err := Read(bytes.NewReader(file), &checker{t: t}, Options{MaxBufferedPerConn: 4096, MaxBufferedTotal: 1 << 16})
		if err != nil || info.Packets != len(pkts) {
			t.Errorf("err %v, %d records of %d", err, info.Packets, len(pkts))
		}
		for _, w := range info.Warnings {
			if strings.Contains(w.Msg, "internal error") {
				t.Errorf("recovered panic: %s", w)
			}
		}
	})
}
