package decode

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/capture"
)

// TestDissectorPacketAllocs checks that the dissector spends no allocation
// on one more packet that cannot matter: a segment of SMB2 READ data after
// the session setup (skipped unbuffered), a TLS segment (connection
// ignored), a UDP datagram on no port decoded here.
func TestDissectorPacketAllocs(t *testing.T) {
	cli := netip.MustParseAddrPort("10.0.0.1:50000")
	smb := netip.MustParseAddrPort("10.0.0.2:445")
	tls := netip.MustParseAddrPort("10.0.0.2:443")
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	frame := func(n int) capture.Frame {
		return capture.Frame{Number: n, Time: t0.Add(time.Duration(n) * time.Millisecond)}
	}
	data := make([]byte, 1400)
	// An SMB2 READ response of 1 MiB: Direct TCP header, then the SMB2
	// header with command READ (8).
	read := make([]byte, 4+64+100)
	binary.BigEndian.PutUint32(read, 1<<20)
	copy(read[4:], "\xfeSMB")
	read[4+4] = 64
	read[4+12] = 8
	read[4+16] = 1 // response

	d := NewDissector()
	d.conns = make(map[connKey]*connState)
	n := 0
	seg := func(src, dst netip.AddrPort, syn, ack bool) {
		n++
		d.TCP(&capture.Segment{Frame: frame(n), Src: src, Dst: dst, SYN: syn, ACK: ack})
		_ = d.IgnoreLast()
	}
	// The capture reader reuses its Chunk and spans: so does the test, so
	// that only the dissector's allocations count.
	ch := &capture.Chunk{Spans: make([]capture.Span, 1)}
	chunk := func(src, dst netip.AddrPort, b []byte) {
		ch.Frame, ch.Src, ch.Dst, ch.Data = frame(n), src, dst, b
		ch.Spans[0] = capture.Span{Frame: n, Len: len(b), Time: frame(n).Time}
		d.Stream(ch)
		_ = d.IgnoreLast()
	}
	seg(cli, smb, true, false)
	seg(smb, cli, true, true)
	seg(smb, cli, false, true)
	chunk(smb, cli, read)
	seg(cli, tls, true, false)

	udp := &capture.Datagram{Src: netip.MustParseAddrPort("10.0.0.1:5000"),
		Dst: netip.MustParseAddrPort("10.0.0.2:6000"), Payload: data, Frames: []int{1}}
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"smb2 read data", func() { seg(smb, cli, false, true); chunk(smb, cli, data) }},
		{"tls", func() { seg(tls, cli, false, true) }},
		{"udp", func() { n++; udp.Frame = frame(n); d.UDP(udp) }},
	} {
		if a := testing.AllocsPerRun(100, c.f); a != 0 {
			t.Errorf("%s: %v allocations per packet, want 0", c.name, a)
		}
	}
	if cs := d.conns[makeConnKey(cli, smb)]; cs == nil || cs.ignored || cs.toClient.skipLeft == 0 {
		t.Error("the SMB2 connection is not skipping READ data")
	}
	if cs := d.conns[makeConnKey(cli, tls)]; cs == nil || !cs.ignored {
		t.Error("the TLS connection is not ignored")
	}
	if d.msgs.len() != 0 || len(d.res.Anomalies) != 0 {
		t.Errorf("%d messages, anomalies %q; want none", d.msgs.len(), d.res.Anomalies)
	}
}
