package pcaptest_test

import (
	"bytes"
	"reflect"
	"testing"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
)

// TestReadBytes checks the runs a synthetic capture is cut into: a
// connection with its SYN, a gap in the client's data, the server's
// answer, a second connection without SYN, and a UDP datagram.
func TestReadBytes(t *testing.T) {
	const cli, srv, other = "192.0.2.101:50000", "192.0.2.10:88", "192.0.2.102:50001"
	file := ct.PCAP(ct.LinkEthernet, ct.Frames(
		ct.Ethernet(ct.TCP(cli, srv, 100, 0, ct.SYN, nil)),                                    // 1
		ct.Ethernet(ct.TCP(srv, cli, 500, 101, ct.SYN|ct.ACK, nil)),                           // 2
		ct.Ethernet(ct.TCP(cli, srv, 101, 501, ct.ACK, []byte("abc"))),                        // 3
		ct.Ethernet(ct.TCP(cli, srv, 104, 501, ct.ACK, []byte("de"))),                         // 4
		ct.Ethernet(ct.TCP(srv, cli, 501, 112, ct.ACK, []byte("XYZ"))),                        // 5: acks the lost bytes
		ct.Ethernet(ct.TCP(cli, srv, 109, 504, ct.ACK, []byte("hij"))),                        // 6: after 3 lost bytes
		ct.Ethernet(ct.UDP("192.0.2.101:5353", "192.0.2.10:53", []byte{1, 2, 3})),             // 7
		ct.Ethernet(ct.TCP(other, srv, 7000, 900, ct.ACK, []byte("mid"))),                     // 8
		ct.Ethernet(ct.TCP(cli, srv, 112, 504, ct.FIN|ct.ACK, nil)),                           // 9
		ct.Ethernet(ct.TCP(srv, cli, 504, 113, ct.FIN|ct.ACK, nil)),                           // 10
		ct.Ethernet(ct.TCP(other, srv, 7003, 900, ct.ACK|ct.PSH, []byte("stream"))),           // 11
		ct.Ethernet(ct.UDP("192.0.2.10:88", "192.0.2.101:50002", bytes.Repeat([]byte{7}, 9))), // 12
	)...)
	c, err := pcaptest.ReadBytes(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.Info.Packets != 12 {
		t.Errorf("packets %d, want 12", c.Info.Packets)
	}
	type run struct {
		src, data     string
		syn, afterGap bool
		frames        []int
		last          int
	}
	want := []run{
		{cli, "abcde", true, false, []int{3, 4}, 4},
		{srv, "XYZ", true, false, []int{5}, 5},
		{cli, "hij", true, true, []int{6}, 6},
		{other, "midstream", false, false, []int{8, 11}, 11},
	}
	var got []run
	for _, s := range c.Streams {
		all, last := s.Frames(0, len(s.Data))
		got = append(got, run{s.Src.String(), string(s.Data), s.SYN, s.AfterGap, all, last})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("streams\n got %+v\nwant %+v", got, want)
	}
	if len(c.Datagrams) != 2 || c.Datagrams[0].Frame != 7 || c.Datagrams[1].Frame != 12 ||
		!bytes.Equal(c.Datagrams[0].Payload, []byte{1, 2, 3}) || c.Datagrams[1].Src.Port() != 88 {
		t.Errorf("datagrams %+v", c.Datagrams)
	}
	if all, last := c.Streams[3].Frames(2, 2); !reflect.DeepEqual(all, []int{8, 11}) || last != 11 {
		t.Errorf("Frames(2, 2) of %q = %v, %d; want [8 11], 11", c.Streams[3].Data, all, last)
	}
}

// TestReadBytesNotCapture checks that a file that is no capture is an error.
func TestReadBytesNotCapture(t *testing.T) {
	if _, err := pcaptest.ReadBytes([]byte("GET / HTTP/1.1\r\n\r\n")); err == nil {
		t.Error("no error for an HTTP request read as a capture")
	}
}
