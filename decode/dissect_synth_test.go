package decode_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
)

// Endpoints of the synthetic captures.
const (
	synCli  = "192.0.2.101:50000"
	synWeb  = "192.0.2.20:80"
	synKDC  = "192.0.2.10:88"
	synDNS  = "192.0.2.10:53"
	synCli6 = "[2001:db8:1::106]:50002"
	synWeb6 = "[2001:db8:1::20]:80"
)

// describeConn renders a connection for the tables below.
func describeConn(c *decode.Conn) string {
	s := fmt.Sprintf("%v->%v syn=%v synack=%d rst=%d", c.Client, c.Server, c.SYN, c.SYNACK, c.RST)
	if c.RST != 0 && c.RSTFromServer {
		s += " from-server"
	}
	if c.MidStream {
		s += " midstream"
	}
	if c.Gaps > 0 {
		s += fmt.Sprintf(" gaps=%d at %v", c.Gaps, c.GapFrames)
	}
	return s + fmt.Sprintf(" first=%d", c.FirstFrame)
}

// synthCase is a small capture built from real bytes of success.pcap
// (requests, responses, Kerberos and DNS messages), cut and arranged to
// exercise the dissector's framing, with what it must find.
type synthCase struct {
	name  string
	build func(t testing.TB) [][]byte // Ethernet frames
	want  []string                    // describe of each message
	conns []string                    // describeConn of each connection; nil: not checked
}

// pipelined returns a connection on which the client sends a GET and a
// GET with a Negotiate token in one segment (frame 4), and the server
// answers with resp, cut at the given offsets (frames 5 on).
func pipelined(t testing.TB, resp []byte, cuts ...int) [][]byte {
	c := newSynthConn(synCli, synWeb)
	req := cat(successBytes(t, frameGET), successBytes(t, frameGETNeg))
	return flat(c.handshake(), c.send(true, req), c.sendSplit(false, resp, cuts...))
}

// withRequests returns the messages of the requests of pipelined, then
// those given.
func withRequests(rest ...string) []string {
	return append([]string{
		"4 http_request [4] GET /",
		"4 http_request [4] GET /",
		"4 spnego_init [4] <1",
		"4 ap_req [4] <2",
	}, rest...)
}

// synthCases returns the cases of TestSynthetic, which also seed the fuzz
// targets.
func synthCases() []synthCase {
	get := func(t testing.TB) []byte { return successBytes(t, frameGET) }
	getNeg := func(t testing.TB) []byte { return successBytes(t, frameGETNeg) }
	r401 := func(t testing.TB) []byte { return successBytes(t, frame401) }
	r200 := func(t testing.TB) []byte { return successBytes(t, frame200) }
	return []synthCase{{
		name: "two requests pipelined in one segment",
		build: func(t testing.TB) [][]byte {
			return pipelined(t, cat(r401(t), r200(t)), len(r401(t))) // 4; 5, 6
		},
		want: withRequests(
			"5 http_response [5] 401",
			"6 http_response [6] 200",
			"6 spnego_resp [6] <5",
			"6 ap_rep [6] <6",
		),
		conns: []string{"192.0.2.101:50000->192.0.2.20:80 syn=[1] synack=2 rst=0 first=1"},
	}, {
		name: "head split over three segments",
		build: func(t testing.TB) [][]byte {
			c := newSynthConn(synCli, synWeb)
			// The cuts fall inside the request line and the token.
			return flat(c.handshake(), c.sendSplit(true, getNeg(t), 7, 600)) // 4, 5, 6
		},
		want: []string{
			"6 http_request [4 5 6] GET /",
			"6 spnego_init [4 5 6] <0",
			"6 ap_req [4 5 6] <1",
		},
	}, {
		name: "chunked body then a second response",
		build: func(t testing.TB) [][]byte {
			// The chunk holds a whole response: it must be skipped, not read.
			inner := r200(t)
			head := []byte("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n")
			chunked := cat(head, []byte(fmt.Sprintf("%x;ext=1\r\n", len(inner))), inner,
				[]byte("\r\n0\r\nTrailer: x\r\n\r\n"))
			resp := cat(chunked, r200(t))
			// Cuts: inside the chunk-size line, inside the trailer, and
			// inside the next status line.
			return pipelined(t, resp, len(head)+2, len(chunked)-9, len(chunked)+10) // 4; 5, 6, 7, 8
		},
		want: withRequests(
			"7 http_response [5 6 7] 401", // completed by its last chunk, as tshark reports it
			"8 http_response [7 8] 200",
			"8 spnego_resp [7 8] <5",
			"8 ap_rep [7 8] <6",
		),
	}, {
		name: "content-length body skipped",
		build: func(t testing.TB) [][]byte {
			// A 401 whose body is a whole 200 with a token, then the real
			// 200; the body and the next head share a segment.
			inner := r200(t)
			first := cat([]byte(fmt.Sprintf("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"+
				"Content-Length: %d\r\n\r\n", len(inner))), inner)
			resp := cat(first, r200(t))
			return pipelined(t, resp, len(first)-len(inner)+10, len(first)+20) // 4; 5, 6, 7
		},
		want: withRequests(
			"6 http_response [5 6] 401", // completed by the end of its body, as tshark reports it
			"7 http_response [6 7] 200",
			"7 spnego_resp [6 7] <5",
			"7 ap_rep [6 7] <6",
		),
	}, {
		name: "gap in a request, resynchronised on the next",
		build: func(t testing.TB) [][]byte {
			c := newSynthConn(synCli, synWeb)
			neg := getNeg(t)
			frames := flat(c.handshake(),
				c.send(true, get(t)),   // 4
				c.send(false, r401(t))) // 5
			c.lose(true, 500) // the start of the request with the token
			return flat(frames,
				c.send(true, cat(neg[500:], get(t))), // 6
				c.send(false, nil),                   // 7: acknowledges the lost bytes
				c.send(false, r401(t)),               // 8
				c.send(false, r401(t)))               // 9
		},
		want: []string{
			"4 http_request [4] GET /",
			"5 http_response [5] 401",
			"6 http_request [6] GET /",
			"8 http_response [8] 401",
			"9 http_response [9] 401",
		},
		conns: []string{"192.0.2.101:50000->192.0.2.20:80 syn=[1] synack=2 rst=0 gaps=500 at [6] first=1"},
	}, {
		// The bytes after a hole wait for the ACK that proves them lost,
		// then go out together: the hole is shown at the first of them, as
		// Wireshark's "previous segment not captured", not at the last.
		name: "gap before two segments delivered together",
		build: func(t testing.TB) [][]byte {
			c := newSynthConn(synCli, synWeb)
			neg := getNeg(t)
			frames := flat(c.handshake(),
				c.send(true, get(t)),   // 4
				c.send(false, r401(t))) // 5
			c.lose(true, 500)
			return flat(frames,
				c.sendSplit(true, cat(neg[500:], get(t)), 100), // 6, 7: queued behind the hole
				c.send(false, nil),     // 8: acknowledges the lost bytes
				c.send(false, r401(t)), // 9
				c.send(false, r401(t))) // 10
		},
		want: []string{
			"4 http_request [4] GET /",
			"5 http_response [5] 401",
			"7 http_request [7] GET /",
			"9 http_response [9] 401",
			"10 http_response [10] 401",
		},
		conns: []string{"192.0.2.101:50000->192.0.2.20:80 syn=[1] synack=2 rst=0 gaps=500 at [6] first=1"},
	}, {
		name: "two kerberos records in one segment",
		build: func(t testing.TB) [][]byte {
			c := newSynthConn(synCli, synKDC)
			return flat(c.handshake(),
				c.send(true, cat(record(successBytes(t, frameASReq)), record(successBytes(t, frameTGSReq)))),  // 4
				c.send(false, cat(record(successBytes(t, frameASRep)), record(successBytes(t, frameTGSRep)))), // 5
				c.fin(true), c.fin(false)) // 6, 7
		},
		want: []string{
			"4 as_req [4]",
			"4 tgs_req [4]",
			"5 as_rep [5]",
			"5 tgs_rep [5]",
		},
		conns: []string{"192.0.2.101:50000->192.0.2.10:88 syn=[1] synack=2 rst=0 first=1"},
	}, {
		name: "kerberos record split over segments",
		build: func(t testing.TB) [][]byte {
			c := newSynthConn(synCli, synKDC)
			return flat(c.handshake(),
				c.send(true, record(successBytes(t, frameTGSReq))),               // 4
				c.sendSplit(false, record(successBytes(t, frameTGSRep)), 2, 400)) // 5, 6, 7: the first cut is in the record mark
		},
		want: []string{
			"4 tgs_req [4]",
			"7 tgs_rep [5 6 7]",
		},
	}, {
		name: "connection without its SYN",
		build: func(t testing.TB) [][]byte {
			c := newSynthConn(synCli6, synWeb6)
			// The first frame is the server's: the client is still the
			// side not on port 80.
			return flat(c.send(false, r401(t)), c.send(true, getNeg(t)), c.send(false, r200(t)))
		},
		want: []string{
			"1 http_response [1] 401",
			"2 http_request [2] GET /",
			"2 spnego_init [2] <1",
			"2 ap_req [2] <2",
			"3 http_response [3] 200",
			"3 spnego_resp [3] <4",
			"3 ap_rep [3] <5",
		},
		conns: []string{"[2001:db8:1::106]:50002->[2001:db8:1::20]:80 syn=[] synack=0 rst=0 midstream first=1"},
	}, {
		name: "SYN retransmitted then answered by RST",
		build: func(t testing.TB) [][]byte {
			c := newSynthConn(synCli, "192.0.2.21:80")
			syn := c.segment(true, 2, nil) // ct.SYN
			c.next[0]++
			return flat(syn, syn, c.segment(false, 4|16, nil)) // RST|ACK
		},
		conns: []string{"192.0.2.101:50000->192.0.2.21:80 syn=[1 2] synack=0 rst=3 from-server first=1"},
	}, {
		name: "dns over tcp",
		build: func(t testing.TB) [][]byte {
			c := newSynthConn(synCli, synDNS)
			q, a := dnsTCP(successBytes(t, frameDNSQuery)), dnsTCP(successBytes(t, frameDNSResponse))
			return flat(c.handshake(),
				c.sendSplit(true, q, 1), // 4, 5: the cut is in the length
				c.send(false, cat(a, a)))
		},
		want: []string{
			"5 dns_query [4 5]",
			"6 dns_response [6]",
			"6 dns_response [6]",
		},
		conns: []string{"192.0.2.101:50000->192.0.2.10:53 syn=[1] synack=2 rst=0 first=1"},
	}}
}

// TestSynthetic dissects the synthetic cases: each message must be found
// once, at the frame that completed it, listing every frame that carried
// it, and each connection must show its handshake, reset and gaps.
func TestSynthetic(t *testing.T) {
	for _, c := range synthCases() {
		t.Run(c.name, func(t *testing.T) {
			r := dissect(t, c.name, pcapOf(c.build(t)...))
			if got := describeAll(r); !slices.Equal(got, c.want) {
				t.Errorf("messages:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(c.want, "\n     "))
			}
			if len(r.Anomalies) > 0 {
				t.Errorf("anomalies: %q", r.Anomalies)
			}
			for _, m := range r.All() {
				if m.Transport != decode.TransportTCP {
					t.Errorf("%s: transport %q", describe(&m), m.Transport)
				}
			}
			if c.conns != nil {
				var got []string
				for i := range r.Conns {
					got = append(got, describeConn(&r.Conns[i]))
				}
				if !slices.Equal(got, c.conns) {
					t.Errorf("conns:\n got %q\nwant %q", got, c.conns)
				}
			}
		})
	}
}
