package flow_test

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/flow"
)

// trigger is a capture that must raise a finding: a lab capture, a public
// one (../shared/captures, skipped when absent) or one built here from a
// lab capture's real frames (pcapedit_test.go), and the frames the finding
// must cite (at least).
type trigger struct {
	id     string
	sev    flow.Severity
	lab    string                              // testdata/captures/<lab>.pcap
	public string                              // path under ../shared/captures
	build  func(t *testing.T) []named          // a built capture
	frames []int                               // cited, at least
	check  func(t *testing.T, f *flow.Finding) // more to check, or nil
}

// triggers is the coverage table: every catalogue id has at least one row
// (TestEveryIDHasATrigger).
var triggers = []trigger{
	// Name resolution
	{id: "DNS_NXDOMAIN", sev: flow.SeverityError, lab: "dns-nxdomain", frames: frames(23, 24, 25, 26)},
	{id: "DNS_SERVER_FAILURE", sev: flow.SeverityError, build: dnsRcode(2), frames: frames(23, 24)}, // NXDOMAIN answers made SERVFAIL
	{id: "DNS_NO_RESPONSE", sev: flow.SeverityError, build: func(t *testing.T) []named {
		return one("dns-lost", without(labPackets(t, "dns-nxdomain"), 24, 26)) // the two answers dropped
	}, frames: frames(23)},
	{id: "DNS_CNAME_ALIAS", sev: flow.SeverityWarning, lab: "cname-noncanonical", frames: frames(23, 24, 43)},
	{id: "DNS_KDC_LOCATOR_FAILED", sev: flow.SeverityError, build: func(t *testing.T) []named {
		// success's three answers to SRV _kerberos._udp (frames 4, 14, 41)
		// made NXDOMAIN (the client still reaches the KDC: _tcp answers).
		p := labPackets(t, "success")
		for _, f := range []int{4, 14, 41} {
			p = patched(t, p, f, setRcode(3))
		}
		return one("srv-nxdomain", p)
	}, frames: frames(3, 4)},
	{id: "DNS_KDC_LOCATOR_FAILED", sev: flow.SeverityError, public: "arkime/dns-wiresharkrepo.pcap"},
	// Connectivity
	{id: "TCP_CONNECT_FAILED", sev: flow.SeverityError, build: func(t *testing.T) []named {
		// success's SYN-ACK (30) made a RST-ACK; the rest of the connection dropped.
		p := patched(t, labPackets(t, "success"), 30, setTCPFlags(0x14))
		return one("refused", keep(p, func(f int, q pkt) bool {
			ip, _ := parseIPv4(q.data)
			return f <= 30 || ip.sport != 80 && ip.dport != 80
		}))
	}, frames: frames(29, 30)},
	{id: "KDC_UNREACHABLE", sev: flow.SeverityError, build: func(t *testing.T) []named {
		// spn-missing's last TGS reply (83) lost, and the capture goes on 10 s.
		return one("kdc-silent", shifted(without(labPackets(t, "spn-missing"), 83), 83, 10*time.Second))
	}, frames: frames(82)},
	{id: "KDC_TCP_FALLBACK", sev: flow.SeverityInfo, lab: "kdc-udp-too-big", frames: frames(19, 20, 30)},
	{id: "KDC_TCP_BLOCKED", sev: flow.SeverityError, build: func(t *testing.T) []named {
		// kdc-udp-too-big with every TCP/88 segment but the SYNs dropped.
		return one("tcp88-blocked", keep(labPackets(t, "kdc-udp-too-big"), func(_ int, q pkt) bool {
			ip, _ := parseIPv4(q.data)
			return ip.proto != 6 || ip.sport != 88 && ip.dport != 88 || ip.tcpFlags == 0x02
		}))
	}, frames: frames(19, 20)},
	// HTTP negotiation
	{id: "HTTP_NEGOTIATE_NOT_OFFERED", sev: flow.SeverityError, build: func(t *testing.T) []named {
		// no-negotiate's 401 (34) with its Negotiate header renamed: NTLM only.
		return one("ntlm-only", patched(t, labPackets(t, "no-negotiate"), 34, renameNegotiate(t)))
	}, frames: frames(34)},
	{id: "HTTP_CLIENT_DID_NOT_AUTHENTICATE", sev: flow.SeverityError, lab: "no-negotiate", frames: frames(32, 34)},
	{id: "HTTP_NTLM_FALLBACK", sev: flow.SeverityWarning, lab: "ntlm-fallback", frames: frames(47, 57, 60)},
	{id: "SERVICE_REJECTED_TICKET", sev: flow.SeverityError, lab: "stale-key", frames: frames(50, 51)},
	{id: "SERVICE_REJECTED_TICKET", sev: flow.SeverityError, lab: "smb-rejected", frames: frames(42, 43)},
	{id: "HTTP_FORBIDDEN_AFTER_AUTH", sev: flow.SeverityWarning, lab: "forbidden", frames: frames(51)},
	{id: "HTTP_NO_MUTUAL_AUTH", sev: flow.SeverityInfo, build: func(t *testing.T) []named {
		// success's 200 (51) with its WWW-Authenticate (the AP-REP) renamed.
		return one("no-aprep", patched(t, labPackets(t, "success"), 51, renameNegotiate(t)))
	}, frames: frames(51)},
	{id: "HTTP_AUTH_LOOP", sev: flow.SeverityError, build: authLoop, frames: frames(51)},
	{id: "HTTP_HEADER_TOO_LONG", sev: flow.SeverityError, lab: "header-too-long", frames: frames(50, 51)},
	// Kerberos errors from the KDC (spn-missing's four TGS errors recoded)
	// and from the service (stale-key's error inside Negotiate recoded).
	{id: "KRB_S_PRINCIPAL_UNKNOWN", sev: flow.SeverityError, lab: "spn-missing", frames: frames(46, 47, 56, 57, 72, 73, 82, 83)},
	{id: "KRB_C_PRINCIPAL_UNKNOWN", sev: flow.SeverityError, lab: "unknown-user", frames: frames(9, 10)},
	{id: "KRB_PREAUTH_FAILED", sev: flow.SeverityError, lab: "wrong-password", frames: frames(19, 20)},
	{id: "KRB_CLIENT_REVOKED", sev: flow.SeverityError, lab: "locked-account", frames: frames(9, 10)},
	{id: "KRB_CLIENT_REVOKED", sev: flow.SeverityError, lab: "disabled-account", frames: frames(9, 10)},
	{id: "KRB_KEY_EXPIRED", sev: flow.SeverityError, lab: "expired-password", frames: frames(9, 10)},
	{id: "KRB_NAME_EXP", sev: flow.SeverityError, lab: "expired-account", frames: frames(9, 10)},
	{id: "KRB_ETYPE_NOSUPP", sev: flow.SeverityError, lab: "etype-nosupp", frames: frames(9, 10)},
	{id: "KRB_SKEW", sev: flow.SeverityError, lab: "skew-client", frames: frames(19, 20), check: says("is within 1 s of the capture's clock; the client's clock must be the one that is off")},
	{id: "KRB_SKEW", sev: flow.SeverityError, lab: "skew-server", frames: frames(50, 51), check: says("is 599 s ahead of the capture's clock")},
	{id: "KRB_AP_MODIFIED", sev: flow.SeverityError, lab: "wrong-key", frames: frames(50, 51)},
	{id: "KRB_AP_MODIFIED", sev: flow.SeverityError, build: serviceCode(41), frames: frames(50, 51)},
	{id: "KRB_TKT_EXPIRED", sev: flow.SeverityWarning, build: kdcCode(32, 83), frames: frames(82, 83)},
	{id: "KRB_BADOPTION", sev: flow.SeverityError, build: kdcCode(13, 47, 57, 73, 83), frames: frames(46, 47, 82, 83)},
	{id: "KRB_WRONG_REALM", sev: flow.SeverityWarning, build: kdcCode(68, 47, 57, 73, 83), frames: frames(46, 47)},
	{id: "KRB_POLICY", sev: flow.SeverityError, build: kdcCode(12, 47, 57, 73, 83), frames: frames(46, 47)},
	{id: "KRB_PRINCIPAL_NOT_UNIQUE", sev: flow.SeverityError, build: kdcCode(8, 47, 57, 73, 83), frames: frames(46, 47)},
	{id: "KRB_AP_NOT_US", sev: flow.SeverityError, build: serviceCode(35), frames: frames(50, 51)},
	{id: "KRB_AP_REPEAT", sev: flow.SeverityError, build: serviceCode(34), frames: frames(50, 51)},
	{id: "KRB_AP_BADKEYVER", sev: flow.SeverityError, lab: "stale-key", frames: frames(50, 51), check: says("key version 2")},
	{id: "KRB_ERROR_IN_NEGOTIATE", sev: flow.SeverityError, lab: "stale-key", frames: frames(51), check: says("KRB_AP_ERR_BADKEYVER (44)")},
	{id: "KRB_ERROR_OTHER", sev: flow.SeverityError, lab: "skew-server-behind", frames: frames(50, 51), check: says("KRB_AP_ERR_TKT_NYV")},
	{id: "KRB_ERROR_OTHER", sev: flow.SeverityError, build: kdcCode(60, 47, 57, 73, 83), frames: frames(46, 47), check: says("KRB_ERR_GENERIC")},
	{id: "KRB_PREAUTH_REQUIRED", sev: flow.SeverityInfo, lab: "success", frames: frames(9, 10, 19)},
	{id: "KRB_NO_TICKET_REQUEST", sev: flow.SeverityError, build: func(t *testing.T) []named {
		// ntlm-fallback without its TGS exchanges (46/47, 56/57): NTLM with no TGS-REQ at all.
		return one("no-tgs", without(labPackets(t, "ntlm-fallback"), 46, 47, 56, 57))
	}, frames: frames(32, 34)},
	{id: "KRB_NO_TICKET_REQUEST", sev: flow.SeverityError, public: "arkime/ntlm_synthetic.pcap"},
	{id: "KRB_TICKET_FROM_CACHE", sev: flow.SeverityInfo, lab: "cached-ticket", frames: frames(20)},
	{id: "KRB_SPN_HOST_MISMATCH", sev: flow.SeverityInfo, lab: "cname-canonical", frames: frames(32, 46)},
	{id: "KRB_SPN_HOST_MISMATCH", sev: flow.SeverityWarning, build: func(t *testing.T) []named {
		// success with the Host header of both requests (32, 50) naming
		// wwx.kerbtrace.test: the SPN HTTP/www is not the host browsed.
		p := labPackets(t, "success")
		for _, f := range []int{32, 50} {
			p = patched(t, p, f, func(d []byte) []byte {
				return replaceOnce(t, d, []byte("Host: www.kerbtrace.test"), []byte("Host: wwx.kerbtrace.test"))
			})
		}
		return one("other-host", p)
	}, frames: frames(32, 46)},
	{id: "KRB_SPN_HOST_MISMATCH", sev: flow.SeverityWarning, build: func(t *testing.T) []named {
		// spn-missing with its requests (32, 60) browsing port 81 (the
		// User-Agent shortened by the three bytes ":81" takes): the TGS-REQs
		// for HTTP/noprinc.kerbtrace.test without a port fail.
		p := labPackets(t, "spn-missing")
		for _, f := range []int{32, 60} {
			p = patched(t, p, f, func(d []byte) []byte {
				d = replaceOnce(t, d, []byte("Host: noprinc.kerbtrace.test\r\nUser-Agent: curl/7.88.1"),
					[]byte("Host: noprinc.kerbtrace.test:81\r\nUser-Agent: curl/7.8"))
				return d
			})
		}
		return one("port", p)
	}, frames: frames(32, 82), check: says("without the port")},
	{id: "KRB_WEAK_ETYPE", sev: flow.SeverityWarning, build: func(t *testing.T) []named {
		// success's TGS-REP (47) with its ticket's etype 18 (kvno 2) made 23 (rc4-hmac).
		return one("rc4", patched(t, labPackets(t, "success"), 47, func(d []byte) []byte {
			return replaceOnce(t, d, []byte{0xa0, 3, 2, 1, 18, 0xa1, 3, 2, 1, 2}, []byte{0xa0, 3, 2, 1, 23, 0xa1, 3, 2, 1, 2})
		}))
	}, frames: frames(47)},
	{id: "KRB_WEAK_ETYPE", sev: flow.SeverityWarning, lab: "rc4-service", frames: frames(47), check: says("ticket for HTTP/rc4.kerbtrace.test issued in frame 47 is encrypted with rc4-hmac")},
	{id: "KRB_WEAK_ETYPE", sev: flow.SeverityWarning, public: "ndpi/kerberos-login.pcap"},
	// Capture quality
	{id: "CAPTURE_TRUNCATED", sev: flow.SeverityWarning, build: func(t *testing.T) []named {
		p := labPackets(t, "success")
		p[50].data = p[50].data[:200] // frame 51, the 200 + AP-REP, cut by a snaplen
		return one("snaplen", p)
	}, frames: frames(51)},
	{id: "CAPTURE_STARTED_MID_FLOW", sev: flow.SeverityInfo, build: func(t *testing.T) []named {
		return one("late-start", without(labPackets(t, "success"), 29, 30, 31)) // the handshake
	}, frames: frames(29)}, // frames renumber: the first frame of the connection is now 29
	{id: "CAPTURE_PACKET_LOSS", sev: flow.SeverityWarning, build: func(t *testing.T) []named {
		return one("lost-401", without(labPackets(t, "success"), 34)) // the 401, never retransmitted
	}},
	{id: "CAPTURE_NO_AUTH_TRAFFIC", sev: flow.SeverityWarning, build: func(t *testing.T) []named {
		return one("arp-only", labPackets(t, "success")[:2])
	}},
	{id: "CAPTURE_ONE_DIRECTION", sev: flow.SeverityWarning, build: func(t *testing.T) []named {
		// success without a single packet from the web server.
		return one("one-way", keep(labPackets(t, "success"), func(_ int, q pkt) bool {
			ip, ok := parseIPv4(q.data)
			return !ok || ip.src != netip.MustParseAddr("192.0.2.20")
		}))
	}, frames: frames(29)},
	{id: "CAPTURE_MERGED", sev: flow.SeverityInfo, build: func(t *testing.T) []named {
		all := labPackets(t, "success")
		return []named{{"client.pcap", vantage(all, "192.0.2.101")}, {"server.pcap", shifted(vantage(all, "192.0.2.20"), 1, time.Second)}}
	}},
}

// TestFindingTriggers checks each row: the capture raises the finding with
// its severity, citing the frames.
func TestFindingTriggers(t *testing.T) {
	for _, tr := range triggers {
		name := tr.id + "/" + tr.lab + tr.public
		if tr.build != nil {
			name = tr.id + "/built"
		}
		t.Run(name, func(t *testing.T) {
			r := tr.result(t)
			var got []string
			for i := range r.Findings {
				f := &r.Findings[i]
				if f.ID == tr.id && f.Severity == tr.sev && containsAll(f.Frames, tr.frames) {
					if tr.check != nil {
						tr.check(t, f)
					}
					return
				}
				got = append(got, f.ID+"("+f.Severity.String()+")")
			}
			t.Errorf("no %s (%s) citing %v; findings: %v", tr.id, tr.sev, tr.frames, got)
			for i := range r.Findings {
				t.Logf("%s %v: %s", r.Findings[i].ID, r.Findings[i].Frames, r.Findings[i].Summary)
			}
		})
	}
}

func (tr trigger) result(t *testing.T) *flow.Result {
	t.Helper()
	switch {
	case tr.lab != "":
		return labCapture(t, tr.lab+".pcap").res
	case tr.public != "":
		return sharedCapture(t, tr.public)
	}
	_, r := analyzeBuilt(t, tr.build(t)...)
	return r
}

// TestEveryIDHasATrigger: no catalogue id without a capture that raises it.
func TestEveryIDHasATrigger(t *testing.T) {
	have := map[string]bool{}
	for _, tr := range triggers {
		if tr.lab != "" || tr.build != nil {
			have[tr.id] = true // public captures may be absent: they do not count
		}
	}
	for _, id := range flow.IDs() {
		if !have[id] {
			t.Errorf("%s has no lab or built capture in the triggers table", id)
		}
	}
}

func one(name string, p []pkt) []named { return []named{{name + ".pcap", p}} }

// says checks that the summary holds one of the texts.
func says(texts ...string) func(t *testing.T, f *flow.Finding) {
	return func(t *testing.T, f *flow.Finding) {
		t.Helper()
		for _, s := range texts {
			if bytes.Contains([]byte(f.Summary), []byte(s)) {
				return
			}
		}
		t.Errorf("%s summary %q says none of %q", f.ID, f.Summary, texts)
	}
}

// kdcCode recodes spn-missing's KRB-ERRORs at the frames (S_PRINCIPAL_UNKNOWN
// to TGS-REQs 46, 56, 72, 82) as code.
func kdcCode(code byte, at ...int) func(t *testing.T) []named {
	return func(t *testing.T) []named {
		p := labPackets(t, "spn-missing")
		for _, f := range at {
			p = patched(t, p, f, krbErrorCode(t, code))
		}
		return one("spn-missing-recoded", p)
	}
}

// serviceCode recodes the KRB-ERROR stale-key's web server returned in its
// 401 (frame 51) to the AP-REQ of frame 50.
func serviceCode(code byte) func(t *testing.T) []named {
	return func(t *testing.T) []named {
		return one("stale-key-recoded", patched(t, labPackets(t, "stale-key"), 51, negotiateErrorCode(t, code)))
	}
}

// dnsRcode gives dns-nxdomain's NXDOMAIN answers (24, 26) another rcode.
func dnsRcode(rcode byte) func(t *testing.T) []named {
	return func(t *testing.T) []named {
		p := labPackets(t, "dns-nxdomain")
		for _, f := range []int{24, 26} {
			p = patched(t, p, f, setRcode(rcode))
		}
		return one("dns-rcode", p)
	}
}

// setRcode sets the rcode of the DNS message in a UDP frame.
func setRcode(rcode byte) func([]byte) []byte {
	return func(d []byte) []byte {
		ip, _ := parseIPv4(d)
		d[ip.payloadOff+3] = d[ip.payloadOff+3]&0xf0 | rcode
		return d
	}
}

// setTCPFlags sets the flags of the TCP segment in a frame.
func setTCPFlags(flags byte) func([]byte) []byte {
	return func(d []byte) []byte {
		ihl := int(d[14]&0x0f) * 4
		d[14+ihl+13] = flags
		return d
	}
}

// renameNegotiate hides a response's WWW-Authenticate: Negotiate header
// under another name of the same length.
func renameNegotiate(t *testing.T) func([]byte) []byte {
	return func(d []byte) []byte {
		return replaceOnce(t, d, []byte("WWW-Authenticate: Negotiate"), []byte("X-Ignored-Header: Negotiate"))
	}
}

// authLoop is stale-key with its rejected request (50) and 401 (51) sent
// twice more, each on a new connection: three 401s to authenticated
// requests for /.
func authLoop(t *testing.T) []named {
	p := labPackets(t, "stale-key")
	req, resp := p[49], p[50]
	rq, _ := parseIPv4(req.data)
	rs, _ := parseIPv4(resp.data)
	reqBody, respBody := req.data[rq.payloadOff:], resp.data[rs.payloadOff:]
	ts := p[len(p)-1].ts
	for i, port := range []string{"50001", "50002"} {
		c, s := "192.0.2.101:"+port, "192.0.2.20:80"
		seq := uint32(1000 * (i + 1))
		segs := [][]byte{
			capturetest.TCP(c, s, seq, 0, capturetest.SYN, nil),
			capturetest.TCP(s, c, 5000, seq+1, capturetest.SYN|capturetest.ACK, nil),
			capturetest.TCP(c, s, seq+1, 5001, capturetest.ACK, nil),
			capturetest.TCP(c, s, seq+1, 5001, capturetest.PSH|capturetest.ACK, reqBody),
			capturetest.TCP(s, c, 5001, seq+1+uint32(len(reqBody)), capturetest.PSH|capturetest.ACK, respBody),
		}
		for _, seg := range segs {
			ts = ts.Add(time.Millisecond)
			f := capturetest.Ethernet(seg)
			p = append(p, pkt{ts: ts, data: f, orig: len(f)})
		}
	}
	return one("auth-loop", p)
}

// TestTriggersCoverEveryLabFinding: each finding a lab capture raises has
// a row, so that the table stays the map from ids to captures.
func TestTriggersCoverEveryLabFinding(t *testing.T) {
	rows := map[string]bool{}
	for _, tr := range triggers {
		if tr.lab != "" {
			rows[tr.id+"|"+tr.lab] = true
		}
	}
	ids := map[string][]string{}
	for _, file := range labCaptureFiles(t, ".pcap") {
		name := file[:len(file)-len(".pcap")]
		for _, f := range labCapture(t, file).res.Findings {
			if !slices.Contains(ids[f.ID], name) {
				ids[f.ID] = append(ids[f.ID], name)
			}
		}
	}
	for id, caps := range ids {
		found := false
		for _, c := range caps {
			found = found || rows[id+"|"+c]
		}
		if !found {
			t.Errorf("%s is raised by lab captures %v but no row names one of them", id, caps)
		}
	}
}
