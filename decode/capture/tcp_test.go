package capture

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

// Endpoints of the synthetic TCP connections.
const (
	cli = "10.0.0.1:50000"
	srv = "10.0.0.2:88"
)

// handshake returns SYN, SYN-ACK, ACK with client ISN 1000, server ISN 5000:
// client data starts at 1001, server data at 5001.
func handshake() [][]byte {
	return [][]byte{
		ct.Ethernet(ct.TCP(cli, srv, 1000, 0, ct.SYN, nil)),
		ct.Ethernet(ct.TCP(srv, cli, 5000, 1001, ct.SYN|ct.ACK, nil)),
		ct.Ethernet(ct.TCP(cli, srv, 1001, 5001, ct.ACK, nil)),
	}
}

// c2s is a client-to-server segment with an ACK of the server's ISN+1.
func c2s(seq uint32, flags ct.Flags, data string) []byte {
	return ct.Ethernet(ct.TCP(cli, srv, seq, 5001, flags|ct.ACK, []byte(data)))
}

// s2c is a server-to-client segment acknowledging ack.
func s2c(seq, ack uint32, flags ct.Flags, data string) []byte {
	return ct.Ethernet(ct.TCP(srv, cli, seq, ack, flags|ct.ACK, []byte(data)))
}

// at places packets at the given offsets from capturetest.Base.
func at(offsets []time.Duration, frames ...[]byte) []ct.Packet {
	p := ct.Frames(frames...)
	for i := range p {
		if i < len(offsets) {
			p[i].Time = ct.Base.Add(offsets[i])
		}
	}
	return p
}

func runPcap(t *testing.T, link uint32, pkts []ct.Packet, opt Options) (*recorder, Info) {
	t.Helper()
	rec := newRecorder(t)
	info, err := Read(bytes.NewReader(ct.PCAP(link, pkts...)), rec, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rec, info
}

type chunkWant struct {
	summary string
	data    string
	spans   []Span // nil: not checked
}

func TestTCPReassembly(t *testing.T) {
	tests := []struct {
		name     string
		pkts     []ct.Packet
		opt      Options
		src      string // direction checked
		want     []chunkWant
		warnings int
	}{{
		name: "in order",
		pkts: ct.Frames(append(handshake(),
			c2s(1001, ct.PSH, "abc"), c2s(1004, ct.PSH, "defg"), c2s(1008, ct.FIN, ""))...),
		src: cli,
		want: []chunkWant{
			{"frame 4: 3 bytes", "abc", []Span{{Frame: 4, Off: 0, Len: 3}}},
			{"frame 5: 4 bytes", "defg", []Span{{Frame: 5, Off: 0, Len: 4}}},
			{"frame 6: end", "", nil},
		},
	}, {
		name: "data with FIN",
		pkts: ct.Frames(append(handshake(), c2s(1001, ct.PSH|ct.FIN, "abc"))...),
		src:  cli,
		want: []chunkWant{{"frame 4: 3 bytes, end", "abc", []Span{{Frame: 4, Off: 0, Len: 3}}}},
	}, {
		name: "out of order",
		pkts: ct.Frames(append(handshake(), c2s(1004, ct.PSH, "defg"), c2s(1001, 0, "abc"))...),
		src:  cli,
		want: []chunkWant{
			{"frame 5: 7 bytes", "abcdefg", []Span{{Frame: 5, Off: 0, Len: 3}, {Frame: 4, Off: 3, Len: 4}}},
			{"frame 5: end", "", nil}, // flushed at end of file
		},
	}, {
		name: "retransmission",
		pkts: ct.Frames(append(handshake(),
			c2s(1001, 0, "abc"), c2s(1001, 0, "abc"), c2s(1004, 0, "defg"))...),
		src: cli,
		want: []chunkWant{
			{"frame 4: 3 bytes", "abc", nil},
			{"frame 6: 4 bytes", "defg", []Span{{Frame: 6, Off: 0, Len: 4}}},
			{"frame 6: end", "", nil},
		},
	}, {
		name: "overlap with delivered data",
		pkts: ct.Frames(append(handshake(), c2s(1001, 0, "abcd"), c2s(1003, 0, "cdefg"))...),
		src:  cli,
		want: []chunkWant{
			{"frame 4: 4 bytes", "abcd", nil},
			{"frame 5: 3 bytes", "efg", []Span{{Frame: 5, Off: 0, Len: 3}}},
			{"frame 5: end", "", nil},
		},
	}, {
		name: "overlaps in the queue",
		pkts: ct.Frames(append(handshake(),
			c2s(1005, 0, "efg"), c2s(1003, 0, "cdef"), c2s(1001, 0, "ab"))...),
		src: cli,
		want: []chunkWant{
			{"frame 6: 7 bytes", "abcdefg", []Span{{Frame: 6, Off: 0, Len: 2}, {Frame: 5, Off: 2, Len: 4}, {Frame: 4, Off: 6, Len: 1}}},
			{"frame 6: end", "", nil},
		},
	}, {
		name: "gap flushed at end of file",
		pkts: ct.Frames(append(handshake(),
			c2s(1001, 0, "abc"), c2s(1011, 0, "hij"), c2s(1014, ct.FIN, ""))...),
		src: cli,
		want: []chunkWant{
			{"frame 4: 3 bytes", "abc", nil},
			{"frame 5: 3 bytes, end after a gap of 7", "hij", []Span{{Frame: 5, Off: 0, Len: 3}}},
		},
	}, {
		name: "gap acknowledged by the peer",
		pkts: ct.Frames(append(handshake(),
			c2s(1001, 0, "abc"), c2s(1011, 0, "hij"), s2c(5001, 1014, 0, ""), c2s(1014, 0, "k"))...),
		src: cli,
		want: []chunkWant{
			{"frame 4: 3 bytes", "abc", nil},
			{"frame 5: 3 bytes after a gap of 7", "hij", nil},
			{"frame 7: 1 bytes", "k", nil},
			{"frame 7: end", "", nil},
		},
	}, {
		name: "start not captured",
		pkts: ct.Frames(c2s(7000, 0, "abc"), c2s(7003, 0, "def"), s2c(9000, 7006, 0, "ok")),
		src:  cli,
		want: []chunkWant{
			{"frame 1: 3 bytes", "abc", nil},
			{"frame 2: 3 bytes", "def", nil},
			{"frame 2: end", "", nil},
		},
	}, {
		name: "reset",
		pkts: ct.Frames(append(handshake(), c2s(1001, 0, "abc"), c2s(1004, ct.RST, ""))...),
		src:  cli,
		want: []chunkWant{{"frame 4: 3 bytes", "abc", nil}, {"frame 5: end", "", nil}},
	}, {
		name: "reorder timeout",
		pkts: at([]time.Duration{0, 1, 2, 3, 4, 70 * time.Second},
			append(handshake(), c2s(1001, 0, "abc"), c2s(1011, 0, "hij"),
				ct.Ethernet(ct.UDP("10.0.0.9:53", "10.0.0.8:53", []byte("x"))))...),
		src: cli,
		want: []chunkWant{
			{"frame 4: 3 bytes", "abc", nil},
			{"frame 5: 3 bytes after a gap of 7", "hij", nil},
			{"frame 5: end", "", nil},
		},
	}, {
		name: "idle timeout",
		pkts: at([]time.Duration{0, 1, 2, 3, 11 * time.Minute, 11*time.Minute + 1},
			append(handshake(), c2s(1001, 0, "abc"),
				ct.Ethernet(ct.UDP("10.0.0.9:53", "10.0.0.8:53", []byte("x"))),
				c2s(1004, 0, "def"))...),
		src: cli,
		want: []chunkWant{
			{"frame 4: 3 bytes", "abc", nil},
			{"frame 4: end", "", nil}, // ended when frame 5 moved the clock
			{"frame 6: 3 bytes", "def", nil},
			{"frame 6: end", "", nil},
		},
	}, {
		name: "same endpoints, new connection",
		pkts: ct.Frames(append(handshake(), c2s(1001, 0, "abc"),
			ct.Ethernet(ct.TCP(cli, srv, 9000, 0, ct.SYN, nil)),
			ct.Ethernet(ct.TCP(cli, srv, 9001, 0, ct.ACK, []byte("new"))))...),
		src: cli,
		want: []chunkWant{
			{"frame 4: 3 bytes", "abc", nil},
			{"frame 4: end", "", nil}, // before frame 5 starts the new one
			{"frame 6: 3 bytes", "new", nil},
			{"frame 6: end", "", nil},
		},
	}, {
		name: "buffer limit",
		pkts: ct.Frames(append(handshake(),
			c2s(1001, 0, "abc"), c2s(1011, 0, "0123456"), c2s(1021, 0, "abcdef"), c2s(1004, 0, "defghij"))...),
		opt: Options{MaxBufferedPerConn: 10},
		src: cli,
		want: []chunkWant{
			{"frame 4: 3 bytes", "abc", nil},
			// frame 6 makes 13 bytes wait: the first run goes with its gap
			{"frame 5: 7 bytes after a gap of 7", "0123456", nil},
			// frame 7 brings bytes given up already; the rest is flushed
			{"frame 6: 6 bytes after a gap of 3", "abcdef", nil},
			{"frame 7: end", "", nil},
		},
	}, {
		name: "IPv6",
		pkts: ct.Frames(
			ct.Ethernet(ct.TCP("[2001:db8::1]:50000", "[2001:db8::2]:88", 1000, 0, ct.SYN, nil)),
			ct.Ethernet(ct.TCP("[2001:db8::1]:50000", "[2001:db8::2]:88", 1004, 0, ct.ACK, []byte("def"))),
			ct.Ethernet(ct.TCP("[2001:db8::1]:50000", "[2001:db8::2]:88", 1001, 0, ct.ACK, []byte("abc"))),
		),
		src: "[2001:db8::1]:50000",
		want: []chunkWant{
			{"frame 3: 6 bytes", "abcdef", []Span{{Frame: 3, Off: 0, Len: 3}, {Frame: 2, Off: 3, Len: 3}}},
			{"frame 3: end", "", nil},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, info := runPcap(t, ct.LinkEthernet, tt.pkts, tt.opt)
			if len(info.Warnings) != tt.warnings {
				t.Errorf("warnings: %v", info.Warnings)
			}
			var got []chunkWant
			for _, c := range rec.chunks {
				if c.Src.String() == tt.src {
					got = append(got, chunkWant{chunkSummary(c), string(c.Data), withoutTimes(c.Spans)})
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("chunks\n got %v\nwant %v", got, tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.summary != w.summary || g.data != w.data || (w.spans != nil && !slices.Equal(g.spans, w.spans)) {
					t.Errorf("chunk %d: got %q %q %v, want %q %q %v", i, g.summary, g.data, g.spans, w.summary, w.data, w.spans)
				}
			}
		})
	}
}

// TestTCPSegments checks the segment headers handed to the handler.
func TestTCPSegments(t *testing.T) {
	rec, _ := runPcap(t, ct.LinkEthernet, ct.Frames(append(handshake(), c2s(1001, ct.PSH|ct.FIN, "abc"))...), Options{})
	var got []string
	for _, s := range rec.segs {
		got = append(got, strings.Join([]string{s.Src.String(), s.Dst.String(),
			flagString(s), itoa(int(s.Seq)), itoa(int(s.Ack)), itoa(s.PayloadLen)}, " "))
	}
	want := []string{
		"10.0.0.1:50000 10.0.0.2:88 S 1000 0 0",
		"10.0.0.2:88 10.0.0.1:50000 SA 5000 1001 0",
		"10.0.0.1:50000 10.0.0.2:88 A 1001 5001 0",
		"10.0.0.1:50000 10.0.0.2:88 AF 1001 5001 3",
	}
	if !slices.Equal(got, want) {
		t.Errorf("segments\n got %q\nwant %q", got, want)
	}
}

func flagString(s Segment) string {
	var b strings.Builder
	for _, f := range []struct {
		on bool
		c  byte
	}{{s.SYN, 'S'}, {s.ACK, 'A'}, {s.RST, 'R'}, {s.FIN, 'F'}} {
		if f.on {
			b.WriteByte(f.c)
		}
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestTCPSnaplen checks a segment cut by the snapshot length: its captured
// bytes come, then the next segment after a gap of the bytes not captured.
func TestTCPSnaplen(t *testing.T) {
	full := c2s(1001, 0, strings.Repeat("x", 100))
	pkts := ct.Frames(append(handshake(), full[:54+20], c2s(1101, 0, "next"))...)
	pkts[3].OrigLen = len(full)
	rec, _ := runPcap(t, ct.LinkEthernet, pkts, Options{})
	var got []string
	for _, c := range rec.chunks {
		if c.Src.String() == cli {
			got = append(got, chunkSummary(c))
		}
	}
	want := []string{"frame 4: 20 bytes", "frame 5: 4 bytes after a gap of 80", "frame 5: end"}
	if !slices.Equal(got, want) {
		t.Errorf("chunks\n got %q\nwant %q", got, want)
	}
	if s, _ := rec.segmentAt(4); s.PayloadLen != 100 {
		t.Errorf("frame 4 payload length %d, want 100", s.PayloadLen)
	}
}

// TestTCPSequenceWrap checks reassembly across the wrap of sequence
// numbers, out of order.
func TestTCPSequenceWrap(t *testing.T) {
	const isn = 0xfffffff8
	pkts := ct.Frames(
		ct.Ethernet(ct.TCP(cli, srv, isn, 0, ct.SYN, nil)),
		ct.Ethernet(ct.TCP(cli, srv, 0, 0, ct.ACK, []byte("world"))),       // after the wrap
		ct.Ethernet(ct.TCP(cli, srv, isn+1, 0, ct.ACK, []byte("hello, "))), // 0xfffffff9..0xffffffff
	)
	rec, _ := runPcap(t, ct.LinkEthernet, pkts, Options{})
	s := rec.stream(cli, srv)
	if string(s.data) != "hello, world" || !slices.Equal(s.framesOf(0, 7), []int{3}) || !slices.Equal(s.framesOf(7, 5), []int{2}) {
		t.Errorf("stream %q from frames %v", s.data, s.framesOf(0, len(s.data)))
	}
}

// withoutTimes returns spans with their times zeroed, for comparing with
// literals.
func withoutTimes(spans []Span) []Span {
	out := slices.Clone(spans)
	for i := range out {
		out[i].Time = time.Time{}
	}
	return out
}
