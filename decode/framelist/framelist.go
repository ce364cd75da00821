// Package framelist lists the UDP datagrams and TCP segments of a capture,
// one line per frame, in the manner of Network Monitor's frame summaries
// ("TCP Flags: ...A..S., SrcPort: 80, DstPort: 59860, PayloadLen: 0,
// Seq: 1, Ack: 2"), for 'kerbtrace analyze --format summary --all', which
// shows them between the decoded messages.
//
// It is a capture.Handler: it reads what decode/capture reports (RFC 768
// UDP, RFC 9293 TCP headers) and nothing else. It does not list frames
// that are not IPv4 or IPv6 UDP or TCP (ARP, ICMP, link-layer control),
// nor the earlier fragments of a fragmented datagram (the datagram is
// listed at the frame that completed it), and it does not know the TCP
// window or the PSH, URG, ECE and CWR flags, which decode/capture does not
// report.
package framelist

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/capture"
)

// DefaultMaxLines bounds a List made by New with max <= 0.
const DefaultMaxLines = 1 << 20

// Line is one frame's summary.
type Line struct {
	Frame    int
	Time     time.Time
	Src, Dst netip.AddrPort
	// Protocol is "UDP" or "TCP".
	Protocol string
	// Summary is the header summary, e.g. "SrcPort: 53, DstPort: 40000, Length: 120".
	Summary string
}

// List collects the lines of one capture, in capture order. It is a
// capture.Handler; it is not safe for concurrent use.
type List struct {
	// Lines are the frames seen, at most the bound given to New.
	Lines []Line
	// Dropped counts the frames past the bound.
	Dropped int
	max     int
}

// New returns an empty List that keeps at most max lines
// (DefaultMaxLines when max <= 0).
func New(max int) *List {
	if max <= 0 {
		max = DefaultMaxLines
	}
	return &List{max: max}
}

func (l *List) add(line Line) {
	if len(l.Lines) >= l.max {
		l.Dropped++
		return
	}
	l.Lines = append(l.Lines, line)
}

// UDP lists a datagram at the frame that completed it.
func (l *List) UDP(d *capture.Datagram) {
	s := fmt.Sprintf("SrcPort: %d, DstPort: %d, Length: %d", d.Src.Port(), d.Dst.Port(), len(d.Payload)+8)
	if d.Truncated {
		s += " [truncated]"
	}
	if len(d.Frames) > 1 {
		s += fmt.Sprintf(" [%d fragments]", len(d.Frames))
	}
	l.add(Line{Frame: d.Frame.Number, Time: d.Frame.Time, Src: d.Src, Dst: d.Dst, Protocol: "UDP", Summary: s})
}

// TCP lists a segment.
func (l *List) TCP(s *capture.Segment) {
	sum := fmt.Sprintf("Flags: %s, SrcPort: %d, DstPort: %d, PayloadLen: %d, Seq: %d, Ack: %d",
		Flags(s), s.Src.Port(), s.Dst.Port(), s.PayloadLen, s.Seq, s.Ack)
	l.add(Line{Frame: s.Frame.Number, Time: s.Frame.Time, Src: s.Src, Dst: s.Dst, Protocol: "TCP", Summary: sum})
}

// Stream ignores the reassembled bytes: the lines are per segment.
func (l *List) Stream(*capture.Chunk) {}

// Flags writes a segment's flags as Network Monitor does, one position
// each for CWR, ECE, URG, ACK, PSH, RST, SYN and FIN, "." when not set or
// not known (CWR, ECE, URG and PSH are not reported by decode/capture):
// "...A..S." is a SYN-ACK.
func Flags(s *capture.Segment) string {
	b := []byte("........")
	set := func(i int, on bool, c byte) {
		if on {
			b[i] = c
		}
	}
	set(3, s.ACK, 'A')
	set(5, s.RST, 'R')
	set(6, s.SYN, 'S')
	set(7, s.FIN, 'F')
	return string(b)
}
