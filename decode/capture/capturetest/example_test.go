package capturetest_test

import (
	"bytes"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/capture"
	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

type printer struct{}

func (printer) UDP(d *capture.Datagram) {
	fmt.Printf("frame %d: UDP %s -> %s, %d bytes, frames %v\n", d.Frame.Number, d.Src, d.Dst, len(d.Payload), d.Frames)
}
func (printer) TCP(s *capture.Segment) {}
func (printer) Stream(c *capture.Chunk) {
	var spans []string
	for _, s := range c.Spans {
		spans = append(spans, fmt.Sprintf("{%d %d %d}", s.Frame, s.Off, s.Len))
	}
	fmt.Printf("frame %d: %s -> %s %q spans %v end %v\n", c.Frame.Number, c.Src, c.Dst, c.Data, spans, c.End)
}

// Example builds a capture with a fragmented Kerberos datagram and a TCP
// exchange out of order, and reads it back.
func Example() {
	frags := ct.FragmentIPv4(ct.UDP("192.0.2.10:88", "192.0.2.20:51000", make([]byte, 2000)), 1480)
	file := ct.PCAP(ct.LinkEthernet, ct.Frames(
		ct.Ethernet(frags[1]),
		ct.Ethernet(frags[0]),
		ct.Ethernet(ct.TCP("192.0.2.20:51001", "192.0.2.10:88", 100, 0, ct.SYN, nil)),
		ct.Ethernet(ct.TCP("192.0.2.20:51001", "192.0.2.10:88", 104, 0, ct.ACK, []byte("def"))),
		ct.Ethernet(ct.TCP("192.0.2.20:51001", "192.0.2.10:88", 101, 0, ct.ACK, []byte("abc"))),
		ct.Ethernet(ct.TCP("192.0.2.20:51001", "192.0.2.10:88", 107, 0, ct.FIN|ct.ACK, nil)),
	)...)
	info, err := capture.Read(bytes.NewReader(file), printer{}, capture.Options{})
	fmt.Println(info.Format, info.Packets, info.LinkTypes, err)
	// Output:
	// frame 2: UDP 192.0.2.10:88 -> 192.0.2.20:51000, 2000 bytes, frames [1 2]
	// frame 5: 192.0.2.20:51001 -> 192.0.2.10:88 "abcdef" spans [{5 0 3} {4 3 3}] end false
	// frame 6: 192.0.2.20:51001 -> 192.0.2.10:88 "" spans [] end true
	// pcap 6 [ethernet] <nil>
}
