package decode_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
)

// Each test here floods one bound of the dissector past its value, checks
// after every handler call that the state it bounds stays within it, and
// checks that the messages after the flood are still decoded.

// probeDissect dissects frames, recording the peak of the dissector's
// state between handler calls.
func probeDissect(t *testing.T, d *decode.Dissector, frames [][]byte) (*decode.Result, decode.State) {
	t.Helper()
	var peak decode.State
	err := d.AddProbed("flood.pcap", bytes.NewReader(pcapOf(frames...)), func(s decode.State) {
		peak.Conns = max(peak.Conns, s.Conns)
		peak.Buffered = max(peak.Buffered, s.Buffered)
	})
	if err != nil {
		t.Fatal(err)
	}
	return d.Result(), peak
}

// segments cuts p into segments of 1400 bytes.
func segments(c *synthConn, fromClient bool, p []byte) [][]byte {
	var cuts []int
	for at := 1400; at < len(p); at += 1400 {
		cuts = append(cuts, at)
	}
	return c.sendSplit(fromClient, p, cuts...)
}

// kinds lists the kinds of the messages at or after frame.
func kinds(r *decode.Result, from int) []string {
	var out []string
	for _, m := range r.All() {
		if m.Frame >= from {
			out = append(out, m.Kind.String())
		}
	}
	return out
}

// anomalies says whether an anomaly contains s.
func anomaly(r *decode.Result, s string) bool {
	return slices.ContainsFunc(r.Anomalies, func(a string) bool { return strings.Contains(a, s) })
}

// TestBoundKerberosRecord: a record mark announcing 4 MiB on TCP 88, then
// 1.5 MiB of it. maxKerberosRecord (1 MiB) bounds what is buffered; the
// direction is given up with an anomaly, and an AS-REQ on the next
// connection is decoded.
func TestBoundKerberosRecord(t *testing.T) {
	flood := newSynthConn("192.0.2.101:50001", synKDC)
	big := binary.BigEndian.AppendUint32(nil, 4<<20)
	big = append(big, bytes.Repeat([]byte{0x6a}, 3<<19)...)
	next := newSynthConn("192.0.2.101:50002", synKDC)
	frames := flat(flood.handshake(), segments(flood, true, big), next.handshake())
	from := len(frames) + 1
	frames = append(frames, next.send(true, record(successBytes(t, frameASReq))))
	r, peak := probeDissect(t, decode.NewDissector(), frames)
	if limit := decode.MaxKerberosRecord + 64<<10; peak.Buffered > limit {
		t.Errorf("%d bytes buffered, bound %d (+ one chunk)", peak.Buffered, decode.MaxKerberosRecord)
	}
	if !anomaly(r, "kerberos over tcp") {
		t.Errorf("no anomaly for the oversized record: %v", r.Anomalies)
	}
	if got := kinds(r, from); !slices.Equal(got, []string{"as_req"}) {
		t.Errorf("after the flood: %v, want [as_req]", got)
	}
}

// TestBoundHTTPHead: an HTTP request head that never ends (200 KiB of
// header lines). maxHTTPHead (64 KiB) bounds what is buffered, and so the
// number of header lines parsed; the direction is given up, and a request
// on the next connection is decoded with its token.
func TestBoundHTTPHead(t *testing.T) {
	flood := newSynthConn("192.0.2.101:50003", synWeb)
	head := []byte("GET / HTTP/1.1\r\nHost: www\r\n")
	for len(head) < 200<<10 {
		head = append(head, "X-Flood: 0123456789\r\n"...)
	}
	next := newSynthConn("192.0.2.101:50004", synWeb)
	frames := flat(flood.handshake(), segments(flood, true, head), next.handshake())
	from := len(frames) + 1
	frames = append(frames, next.send(true, successBytes(t, frameGETNeg)))
	r, peak := probeDissect(t, decode.NewDissector(), frames)
	if limit := decode.MaxHTTPHead + 64<<10; peak.Buffered > limit {
		t.Errorf("%d bytes buffered, bound %d (+ one chunk)", peak.Buffered, decode.MaxHTTPHead)
	}
	if got := kinds(r, from); !slices.Equal(got, []string{"http_request", "spnego_init", "ap_req"}) {
		t.Errorf("after the flood: %v, want [http_request spnego_init ap_req]", got)
	}
}

// smbRecord returns an SMB2 message in its Direct TCP frame.
func smbRecord(msg []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(msg))), msg...)
}

// TestBoundSMB2Skip: a 3 MiB SMB2 READ response (past maxSMB2Message,
// 1 MiB) then a SESSION_SETUP response on the same connection. Records no
// one decodes are skipped unbuffered whatever their size: almost nothing
// is buffered and the SESSION_SETUP is decoded.
func TestBoundSMB2Skip(t *testing.T) {
	read := make([]byte, 64+16)
	copy(read, "\xfeSMB")
	binary.LittleEndian.PutUint16(read[4:], 64)
	binary.LittleEndian.PutUint16(read[12:], 8) // READ
	binary.LittleEndian.PutUint32(read[16:], 1) // response
	binary.LittleEndian.PutUint16(read[64:], 17)
	read = append(read, bytes.Repeat([]byte{0xab}, 3<<20)...)
	// testdata/captures/smb-rejected.pcap frame 43 (decode/smb2 vector
	// session-setup-logon-failure).
	setup, _ := hex.DecodeString("fe534d42400001006d0000c001000100110000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000090000000000000000")
	c := newSynthConn("192.0.2.101:50005", "192.0.2.30:445")
	frames := flat(c.handshake(), segments(c, false, smbRecord(read)))
	from := len(frames) + 1
	frames = append(frames, c.send(false, smbRecord(setup)))
	r, peak := probeDissect(t, decode.NewDissector(), frames)
	if peak.Buffered > 64<<10 {
		t.Errorf("%d bytes buffered for a skipped record", peak.Buffered)
	}
	if got := kinds(r, from); !slices.Equal(got, []string{"smb2_session_setup_response"}) {
		t.Errorf("after the flood: %v, want [smb2_session_setup_response]", got)
	}
	if len(r.Anomalies) > 0 {
		t.Errorf("anomalies: %v", r.Anomalies)
	}
}

// TestBoundTrackedConns: 300 HTTP connections against a bound of 100
// (maxTrackedConns, 131072, is the same code with a larger number). No
// more are tracked at once, the retired ones keep their record, a warning
// names the frame where it first happened, and the last connection's
// request is decoded.
func TestBoundTrackedConns(t *testing.T) {
	var frames [][]byte
	for i := range 300 {
		c := newSynthConn(fmt.Sprintf("192.0.2.101:%d", 20000+i), synWeb)
		frames = append(frames, c.handshake()...)
	}
	last := newSynthConn("192.0.2.101:50006", synWeb)
	frames = append(frames, last.handshake()...)
	from := len(frames) + 1
	frames = append(frames, last.send(true, successBytes(t, frameGETNeg)))
	d := decode.NewDissector()
	decode.SetMaxConns(d, 100)
	r, peak := probeDissect(t, d, frames)
	if peak.Conns > 100 {
		t.Errorf("%d connections tracked, bound 100", peak.Conns)
	}
	if len(r.Conns) != 301 {
		t.Errorf("%d connection records, want 301", len(r.Conns))
	}
	if got := kinds(r, from); !slices.Equal(got, []string{"http_request", "spnego_init", "ap_req"}) {
		t.Errorf("after the flood: %v", got)
	}
	var warnings []string
	for _, w := range r.Captures[0].Warnings {
		warnings = append(warnings, w.String())
	}
	want := []string{
		"frame 301: more than 100 TCP connections: from here on the least recently active are retired early to bound memory",
		"204 TCP connections were retired early to keep at most 100",
	}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}
}
