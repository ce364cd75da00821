package flow_test

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
)

// TestNormalBuiltIsNotFlagged checks the normal patterns of
// spec/findings.md that no lab scenario plays, on captures built from real
// frames: a renewal after KRB_AP_ERR_TKT_EXPIRED, and later requests on a
// keep-alive connection without Authorization (session-based Kerberos).
func TestNormalBuiltIsNotFlagged(t *testing.T) {
	cases := []struct {
		name  string
		build func(t *testing.T) []named
		// the outcome of the flow, and ids that must not appear at all
		outcome  flow.Outcome
		never    []string
		requests int // HTTP requests the capture must hold (0: not checked)
	}{
		// spn-missing's first TGS error (47) made TKT_EXPIRED: the client
		// asked again (56), which is the renewal. The later errors stay 7.
		{"renewal after TKT_EXPIRED", kdcCode(32, 47), flow.OutcomeFailed, []string{"KRB_TKT_EXPIRED"}, 0},
		{"keep-alive request without Authorization", keepAlive, flow.OutcomeKerberosOK, nil, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dec, r := analyzeBuilt(t, c.build(t)...)
			n := 0
			for _, m := range dec.All() {
				if m.Kind == decode.KindHTTPRequest {
					n++
				}
			}
			if c.requests > 0 && n != c.requests {
				t.Fatalf("the built capture holds %d HTTP requests, want %d", n, c.requests)
			}
			if len(r.Flows) != 1 || r.Flows[0].Outcome != c.outcome {
				t.Fatalf("flows %d, outcome %v; want one %s", len(r.Flows), r.Flows[0].Outcome, c.outcome)
			}
			for _, f := range r.Findings {
				if slices.Contains(c.never, f.ID) {
					t.Errorf("%s (%s) frames %v: %s", f.ID, f.Severity, f.Frames, f.Summary)
				}
				if c.outcome == flow.OutcomeKerberosOK && f.Severity >= flow.SeverityWarning {
					t.Errorf("%s (%s) frames %v on a healthy flow: %s", f.ID, f.Severity, f.Frames, f.Summary)
				}
			}
		})
	}
}

// keepAlive is success with a second request on the same connection after
// the 200 (frame 51): the anonymous GET of frame 32 again, answered by the
// 200 of frame 51 without its WWW-Authenticate (IIS authPersistNonNTLM).
// The connection's FIN and ACKs (52-54) move up in sequence space.
func keepAlive(t *testing.T) []named {
	p := labPackets(t, "success")
	get, ok200 := p[31], patched(t, p, 51, renameNegotiate(t))[50]
	gq, _ := parseIPv4(get.data)
	oq, _ := parseIPv4(ok200.data)
	reqLen, respLen := uint32(len(get.data)-gq.payloadOff), uint32(len(ok200.data)-oq.payloadOff)
	last50, last51 := p[49], p[50]
	// The new request follows the client's last data (50), the new answer the server's (51).
	cSeq := tcpField(last50.data, 4) + uint32(len(last50.data)-mustPayload(last50.data))
	sSeq := tcpField(last51.data, 4) + uint32(len(last51.data)-mustPayload(last51.data))
	req := append([]byte(nil), get.data...)
	setTCPField(req, 4, cSeq)
	setTCPField(req, 8, sSeq)
	resp := append([]byte(nil), ok200.data...)
	setTCPField(resp, 4, sSeq)
	setTCPField(resp, 8, cSeq+reqLen)
	out := append([]pkt(nil), p[:51]...)
	out = append(out, pkt{ts: p[50].ts.Add(100), data: req, orig: len(req)}, pkt{ts: p[50].ts.Add(200), data: resp, orig: len(resp)})
	for _, q := range p[51:] {
		d := append([]byte(nil), q.data...)
		ip, _ := parseIPv4(d)
		if ip.dport == 80 {
			setTCPField(d, 4, tcpField(d, 4)+reqLen)
			setTCPField(d, 8, tcpField(d, 8)+respLen)
		} else if ip.sport == 80 {
			setTCPField(d, 4, tcpField(d, 4)+respLen)
			setTCPField(d, 8, tcpField(d, 8)+reqLen)
		}
		out = append(out, pkt{ts: q.ts, data: d, orig: len(d)})
	}
	return one("keep-alive", out)
}

func mustPayload(d []byte) int {
	ip, _ := parseIPv4(d)
	return ip.payloadOff
}

// tcpField reads the 32-bit TCP header field at off (4: seq, 8: ack).
func tcpField(d []byte, off int) uint32 {
	ihl := int(d[14]&0x0f) * 4
	return binary.BigEndian.Uint32(d[14+ihl+off:])
}

func setTCPField(d []byte, off int, v uint32) {
	ihl := int(d[14]&0x0f) * 4
	binary.BigEndian.PutUint32(d[14+ihl+off:], v)
}
