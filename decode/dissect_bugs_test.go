package decode_test

import (
	"slices"
	"strings"
	"testing"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

// The tests in this file show defects of the dissector found while
// writing its tests. Each is skipped with the reason until the code is
// fixed; remove the t.Skip line to see it fail.

// checkMessages compares the described messages of a synthetic capture.
func checkMessages(t *testing.T, name string, frames [][]byte, want []string) {
	t.Helper()
	r := dissect(t, name, pcapOf(frames...))
	if got := describeAll(r); !slices.Equal(got, want) {
		t.Errorf("messages:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// TestOutOfOrderCompletingFrame: a Kerberos record in two segments whose
// second segment is captured first is completed by the later frame, 5.
// Message.Frame is documented as "the frame that completed the message
// (Wireshark's number)", and tshark -o tcp.reassemble_out_of_order:TRUE
// shows this TGS-REQ in frame 5 (tcp.segment 5,4). The dissector reports
// frame 4, the frame of the record's last byte: streamBuf.frames
// (decode/conn.go) takes the frame of the last span, not the highest
// frame among the spans as capture.Chunk.Frame does.
func TestOutOfOrderCompletingFrame(t *testing.T) {
	c := newSynthConn(synCli, synKDC)
	rec := record(successBytes(t, frameTGSReq))
	hs := c.handshake()
	first := c.send(true, rec[:300])
	second := c.send(true, rec[300:])
	checkMessages(t, "out of order", flat(hs, second, first), []string{"5 tgs_req [4 5]"})
}

// TestPortReuseNewConn: after a connection is closed, the client opens a
// new one from the same port (a SYN with a new initial sequence number,
// which decode/capture treats as a new connection) and the server answers
// with a reset. The dissector keeps one Conn per address pair for the
// whole capture (connFor in decode/conn.go finds the old state), so the
// failed connection shows as SYN [1 9] with the first connection's
// SYN-ACK: the flow layer, which looks for SYNs without SYN-ACK, never
// sees that the second connection was refused.
func TestPortReuseNewConn(t *testing.T) {
	c := newSynthConn(synCli, synWeb)
	frames := flat(c.handshake(), // 1-3
		c.send(true, successBytes(t, frameGET)),  // 4
		c.send(false, successBytes(t, frame401)), // 5
		c.fin(true), c.fin(false),                // 6, 7
		c.segment(true, ct.ACK, nil)) // 8
	again := newSynthConn(synCli, synWeb)
	again.next[0] = 900000
	syn := again.segment(true, ct.SYN, nil) // 9
	again.next[0]++
	frames = flat(frames, syn, again.segment(false, ct.RST|ct.ACK, nil)) // 10
	r := dissect(t, "port reuse", pcapOf(frames...))
	var got []string
	for i := range r.Conns {
		got = append(got, describeConn(&r.Conns[i]))
	}
	want := []string{
		"192.0.2.101:50000->192.0.2.20:80 syn=[1] synack=2 rst=0 first=1",
		"192.0.2.101:50000->192.0.2.20:80 syn=[9] synack=0 rst=10 from-server first=9",
	}
	if !slices.Equal(got, want) {
		t.Errorf("conns:\n got %q\nwant %q", got, want)
	}
}

// TestGapCutMessage: a message whose end was never captured (here a
// snapshot length of 300 bytes cuts the frame carrying a TGS-REQ) is
// dropped without a trace: Dissector.Stream (decode/dissect.go) resets
// the direction's buffer on a gap. The package documents that "a message
// cut short is reported with the fields it has and Truncated set", which
// is what happens to the same record at the end of a stream (endDir) and
// to a cut UDP datagram; across a gap the TGS-REQ, with its sname, is lost.
func TestGapCutMessage(t *testing.T) {
	c := newSynthConn(synCli, synKDC)
	rec := record(successBytes(t, frameTGSReq))
	pk := ct.Frames(flat(c.handshake(), c.send(true, rec), c.send(true, rec))...)
	pk[3].OrigLen, pk[3].Data = len(pk[3].Data), pk[3].Data[:300]
	r := dissect(t, "snaplen", ct.PCAP(ct.LinkEthernet, pk...))
	want := []string{"4 tgs_req [4] truncated", "5 tgs_req [5]"}
	if got := describeAll(r); !slices.Equal(got, want) {
		t.Errorf("messages:\n got %q\nwant %q", got, want)
	}
}

// TestHTTPHeadCutAtEnd: a request whose head the capture cuts off (the
// capture ends inside its Authorization header) gives only an anomaly,
// although endDir (decode/stream.go) says that "an HTTP head cut short
// still yields every field its bytes hold": httpauth.ParseHead returns no
// Head with ErrNeedMore, so httpHead (decode/http.go) has nothing to
// report. The user does not see that a GET with a Negotiate token was
// sent.
func TestHTTPHeadCutAtEnd(t *testing.T) {
	c := newSynthConn(synCli, synWeb)
	neg := successBytes(t, frameGETNeg)
	r := dissect(t, "cut head", pcapOf(flat(c.handshake(), c.send(true, neg[:700]))...))
	const want = "4 http_request [4] GET / truncated"
	if r.Len() == 0 || describe(new(r.Message(0))) != want {
		t.Errorf("messages %q, want first %q (anomalies %q)", describeAll(r), want, r.Anomalies)
	}
}

// TestDNSTCPZeroLength: a DNS-over-TCP message with a zero length prefix,
// then a real query. dns.SplitTCP returns n = 2 for it "so the caller can
// skip it", but parseDNSTCP (decode/stream.go) marks the direction dead
// on any error but ErrTruncated, without an anomaly: the query after it,
// and every later message of the connection, are lost without a trace.
func TestDNSTCPZeroLength(t *testing.T) {
	c := newSynthConn(synCli, synDNS)
	q := dnsTCP(successBytes(t, frameDNSQuery))
	checkMessages(t, "zero length", flat(c.handshake(), c.send(true, cat([]byte{0, 0}, q))),
		[]string{"4 dns_query [4]"})
}
