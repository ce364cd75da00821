package decode_test

import (
	"slices"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// labMessage is what a user checks of one message in a lab capture.
type labMessage struct {
	frame  int
	kind   decode.Kind
	frames []int // nil: just the frame itself
	check  func(t *testing.T, r *decode.Result, i int)
}

// firstRequest returns what the lab's curl-after-kinit scenarios show
// first: the AS exchange with PREAUTH_REQUIRED (9-10, 19-20) and the GET
// without credentials answered by a 401 offering Negotiate and NTLM
// (32, 34), then the messages given.
func firstRequest(rest []labMessage) []labMessage {
	return append([]labMessage{
		{frame: 9, kind: decode.KindASReq, check: sname("krbtgt/KERBTRACE.TEST")},
		{frame: 10, kind: decode.KindKRBError, check: krbError(25)}, // PREAUTH_REQUIRED
		{frame: 19, kind: decode.KindASReq},
		{frame: 20, kind: decode.KindASRep, check: crealm("KERBTRACE.TEST")},
		{frame: 32, kind: decode.KindHTTPRequest, check: noAuth},
		{frame: 34, kind: decode.KindHTTPResponse, check: challenges(401, "Negotiate", "NTLM")},
	}, rest...)
}

// TestLabCaptures checks the messages kerbtrace finds at the key frames of
// the lab captures (testdata/captures/README.md), against what tshark 4.0
// shows: `tshark -r F -o tcp.desegment_tcp_streams:TRUE -Y 'kerberos ||
// dns || http || ntlmssp' -T fields -e frame.number -e kerberos.msg_type
// -e tcp.segment ...`. Every Kerberos, SPNEGO, NTLM and HTTP message of
// the capture must be listed; DNS messages are only counted.
func TestLabCaptures(t *testing.T) {
	cases := []struct {
		file string
		dns  int // DNS queries and responses: tshark -r F -Y dns | wc -l
		want []labMessage
	}{
		{"success.pcap", 32, firstRequest([]labMessage{
			{frame: 46, kind: decode.KindTGSReq, check: sname("HTTP/www.kerbtrace.test")},
			{frame: 47, kind: decode.KindTGSRep, check: ticketSName("HTTP/www.kerbtrace.test")},
			{frame: 50, kind: decode.KindHTTPRequest, check: authorization("Negotiate")},
			{frame: 50, kind: decode.KindSPNEGOInit, check: carried(decode.KindHTTPRequest, "Authorization")},
			{frame: 50, kind: decode.KindAPReq, check: all(carried(decode.KindSPNEGOInit, "Authorization"),
				inHTTP(decode.KindHTTPRequest), ticketSName("HTTP/www.kerbtrace.test"))},
			{frame: 51, kind: decode.KindHTTPResponse, check: challenges(200, "Negotiate")},
			{frame: 51, kind: decode.KindSPNEGOResp, check: all(carried(decode.KindHTTPResponse, "WWW-Authenticate"),
				negState(spnego.NegStateAcceptCompleted))},
			{frame: 51, kind: decode.KindAPRep, check: all(carried(decode.KindSPNEGOResp, "WWW-Authenticate"),
				inHTTP(decode.KindHTTPResponse))},
		})},
		// Kerberos over TCP with a 576-byte MTU: tshark's tcp.segment
		// lists 36,37 for the AS-REP, 75,76,77 for the TGS-REQ, 81,82 for
		// the TGS-REP and 90,91,92 for the GET with the AP-REQ, each shown
		// in (tcp.reassembled_in) its last frame.
		{"kdc-tcp-split.pcap", 38, []labMessage{
			{frame: 14, kind: decode.KindASReq, check: tcp88},
			{frame: 16, kind: decode.KindKRBError, check: all(tcp88, krbError(25))},
			{frame: 34, kind: decode.KindASReq, check: tcp88},
			{frame: 37, kind: decode.KindASRep, frames: []int{36, 37}, check: tcp88},
			{frame: 54, kind: decode.KindHTTPRequest},
			// The 401's head is complete in 56, its body in 57: like tshark,
			// the message is reported at 57, the frame that completed it.
			{frame: 57, kind: decode.KindHTTPResponse, frames: []int{56, 57}, check: challenges(401, "Negotiate", "NTLM")},
			{frame: 77, kind: decode.KindTGSReq, frames: []int{75, 76, 77}, check: all(tcp88, sname("HTTP/www.kerbtrace.test"))},
			{frame: 82, kind: decode.KindTGSRep, frames: []int{81, 82}, check: tcp88},
			{frame: 92, kind: decode.KindHTTPRequest, frames: []int{90, 91, 92}},
			{frame: 92, kind: decode.KindSPNEGOInit, frames: []int{90, 91, 92}},
			{frame: 92, kind: decode.KindAPReq, frames: []int{90, 91, 92}, check: inHTTP(decode.KindHTTPRequest)},
			{frame: 94, kind: decode.KindHTTPResponse, check: challenges(200, "Negotiate")},
			{frame: 94, kind: decode.KindSPNEGOResp},
			{frame: 94, kind: decode.KindAPRep, check: inHTTP(decode.KindHTTPResponse)},
		}},
		{"ntlm-fallback.pcap", 40, firstRequest([]labMessage{
			{frame: 46, kind: decode.KindTGSReq, check: sname("HTTP/noprinc.kerbtrace.test")},
			{frame: 47, kind: decode.KindKRBError, check: all(krbError(7), sname("HTTP/noprinc.kerbtrace.test"))},
			{frame: 56, kind: decode.KindTGSReq},
			{frame: 57, kind: decode.KindKRBError, check: krbError(7)},
			{frame: 60, kind: decode.KindHTTPRequest, check: authorization("Negotiate")},
			{frame: 60, kind: decode.KindSPNEGOInit},
			{frame: 60, kind: decode.KindNTLMNegotiate, check: all(carried(decode.KindSPNEGOInit, "Authorization"),
				inHTTP(decode.KindHTTPRequest))},
			{frame: 61, kind: decode.KindHTTPResponse, check: challenges(401, "Negotiate")},
			{frame: 61, kind: decode.KindSPNEGOResp, check: negState(spnego.NegStateAcceptIncomplete)},
			{frame: 61, kind: decode.KindNTLMChallenge, check: all(inHTTP(decode.KindHTTPResponse),
				ntlmField(func(r *decode.Message) string { return r.NTLM().ServerChallenge }, "d7f45a6eaee8a55b"))},
			{frame: 62, kind: decode.KindHTTPRequest, check: authorization("Negotiate")},
			{frame: 62, kind: decode.KindSPNEGOResp},
			{frame: 62, kind: decode.KindNTLMAuthenticate, check: all(inHTTP(decode.KindHTTPRequest),
				ntlmField(func(r *decode.Message) string { return r.NTLM().Domain + `\` + r.NTLM().User }, `KERBTRACE\alice`))},
			{frame: 63, kind: decode.KindHTTPResponse, check: challenges(200, "Negotiate")},
			{frame: 63, kind: decode.KindSPNEGOResp, check: negState(spnego.NegStateAcceptCompleted)},
		})},
		{"stale-key.pcap", 36, firstRequest([]labMessage{
			{frame: 46, kind: decode.KindTGSReq, check: sname("HTTP/www.kerbtrace.test")},
			{frame: 47, kind: decode.KindTGSRep},
			{frame: 50, kind: decode.KindHTTPRequest, check: authorization("Negotiate")},
			{frame: 50, kind: decode.KindSPNEGOInit},
			{frame: 50, kind: decode.KindAPReq, check: inHTTP(decode.KindHTTPRequest)},
			{frame: 51, kind: decode.KindHTTPResponse, check: challenges(401, "Negotiate")},
			{frame: 51, kind: decode.KindSPNEGOResp, check: negState(spnego.NegStateReject)},
			// KRB_AP_ERR_BADKEYVER inside the SPNEGO reject of the 401.
			{frame: 51, kind: decode.KindKRBError, check: all(krbError(44), inHTTP(decode.KindHTTPResponse),
				carried(decode.KindSPNEGOResp, "WWW-Authenticate"), sname("HTTP/www.kerbtrace.test"))},
		})},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			r := dissectLab(t, c.file)
			if len(r.Anomalies) > 0 {
				t.Errorf("anomalies: %q", r.Anomalies)
			}
			var rest []int // indexes of the non-DNS messages
			dns := 0
			for i, m := range r.All() {
				if m.DNS() != nil {
					dns++
				} else {
					rest = append(rest, i)
				}
			}
			if dns != c.dns {
				t.Errorf("%d DNS messages, want %d", dns, c.dns)
			}
			for j, w := range c.want {
				if j >= len(rest) {
					t.Errorf("missing: frame %d %s", w.frame, w.kind)
					continue
				}
				i := rest[j]
				m := new(r.Message(i))
				frames := w.frames
				if frames == nil {
					frames = []int{w.frame}
				}
				if m.Frame != w.frame || m.Kind != w.kind || !slices.Equal(m.Frames, frames) {
					t.Errorf("message %d: got %s, want frame %d %s %v", i, describe(m), w.frame, w.kind, frames)
					continue
				}
				if m.Truncated || m.Err != "" {
					t.Errorf("%s: truncated %v, err %q", describe(m), m.Truncated, m.Err)
				}
				if w.check != nil {
					w.check(t, r, i)
				}
			}
			for _, i := range rest[min(len(rest), len(c.want)):] {
				t.Errorf("unexpected: %s", describe(new(r.Message(i))))
			}
		})
	}
}

// TestLabConns checks the TCP connections of success.pcap and
// kdc-tcp-split.pcap: handshake frames as tshark shows them
// (tcp.flags.syn==1), no reset, no gap.
func TestLabConns(t *testing.T) {
	cases := []struct {
		file string
		want [][3]int // SYN, SYN-ACK, server port
	}{
		{"success.pcap", [][3]int{{29, 30, 80}}},
		{"kdc-tcp-split.pcap", [][3]int{{11, 12, 88}, {31, 32, 88}, {51, 52, 80}, {72, 73, 88}}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			r := dissectLab(t, c.file)
			var got [][3]int
			for _, cn := range r.Conns {
				if len(cn.SYN) != 1 || cn.MidStream || cn.RST != 0 || cn.Gaps != 0 || cn.FirstFrame != cn.SYN[0] {
					t.Errorf("conn %v->%v: %+v", cn.Client, cn.Server, cn)
				}
				if cn.Client.Addr().String() != "192.0.2.101" {
					t.Errorf("client %v", cn.Client)
				}
				got = append(got, [3]int{cn.SYN[0], cn.SYNACK, int(cn.Server.Port())})
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("conns %v, want %v", got, c.want)
			}
		})
	}
}

// TestLabFormats checks that the pcapng copies of the lab captures give
// the same messages as the pcap originals (editcap keeps the frames).
func TestLabFormats(t *testing.T) {
	for _, name := range []string{"success", "ntlm-fallback", "stale-key"} {
		t.Run(name, func(t *testing.T) {
			a, b := dissectLab(t, name+".pcap"), dissectLab(t, name+".pcapng")
			if !slices.Equal(describeAll(a), describeAll(b)) {
				t.Errorf("pcap and pcapng differ:\n%q\n%q", describeAll(a), describeAll(b))
			}
		})
	}
}

// TestTwoCaptures checks that messages of a second capture are numbered
// by it and sort after the first's, with parents following them.
func TestTwoCaptures(t *testing.T) {
	files := map[string][]byte{}
	for _, name := range []string{"stale-key.pcap", "success.pcap"} {
		files[name] = readLab(t, name)
	}
	r := dissectFiles(t, files, "stale-key.pcap", "success.pcap")
	if len(r.Captures) != 2 || r.Captures[0].File != "stale-key.pcap" || r.Captures[1].File != "success.pcap" {
		t.Fatalf("captures %+v", r.Captures)
	}
	one, two := dissectLab(t, "stale-key.pcap"), dissectLab(t, "success.pcap")
	if r.Len() != one.Len()+two.Len() {
		t.Fatalf("%d messages, want %d + %d", r.Len(), one.Len(), two.Len())
	}
	for i, m := range r.All() {
		wantCap, ref, off := 0, one.All(), 0
		if i >= one.Len() {
			wantCap, ref, off = 1, two.All(), one.Len()
		}
		if m.Parent >= 0 {
			m.Parent -= off
		}
		if m.Capture != wantCap || describe(&m) != describe(&ref[i-off]) {
			t.Errorf("message %d: capture %d %s, want capture %d %s", i, m.Capture, describe(&m), wantCap, describe(&ref[i-off]))
		}
	}
}

// Checks on one message, by index in the result.

func all(checks ...func(*testing.T, *decode.Result, int)) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		for _, c := range checks {
			c(t, r, i)
		}
	}
}

func sname(want string) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		if got := new(r.Message(i)).Krb().SName.String(); got != want {
			t.Errorf("%s: sname %q, want %q", describe(new(r.Message(i))), got, want)
		}
	}
}

func ticketSName(want string) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		m := new(r.Message(i))
		if m.Krb().Ticket == nil || m.Krb().Ticket.SName.String() != want || m.Krb().Ticket.Realm != "KERBTRACE.TEST" {
			t.Errorf("%s: ticket %+v, want %s@KERBTRACE.TEST", describe(m), m.Krb().Ticket, want)
		}
	}
}

func crealm(want string) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		if got := new(r.Message(i)).Krb().CRealm; got != want {
			t.Errorf("%s: crealm %q, want %q", describe(new(r.Message(i))), got, want)
		}
	}
}

func krbError(code int32) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		if got := int32(new(r.Message(i)).Krb().ErrorCode); got != code {
			t.Errorf("%s: error-code %d, want %d", describe(new(r.Message(i))), got, code)
		}
	}
}

// tcp88 checks a Kerberos message straight on TCP port 88.
func tcp88(t *testing.T, r *decode.Result, i int) {
	m := new(r.Message(i))
	if m.Transport != decode.TransportTCP || m.Carrier != decode.CarrierNone || m.Parent != -1 ||
		m.Src.Port() != 88 && m.Dst.Port() != 88 {
		t.Errorf("%s: %s %v->%v carrier %q", describe(m), m.Transport, m.Src, m.Dst, m.Carrier)
	}
}

func noAuth(t *testing.T, r *decode.Result, i int) {
	if h := new(r.Message(i)).HTTP(); h.Authorization != nil || len(h.WWWAuthenticate) > 0 {
		t.Errorf("%s: unexpected auth headers", describe(new(r.Message(i))))
	}
}

func authorization(scheme string) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		h := new(r.Message(i)).HTTP()
		if h.Method != "GET" || h.URI != "/" || h.Host != "www.kerbtrace.test" && h.Host != "noprinc.kerbtrace.test" {
			t.Errorf("%s: %s %s host %q", describe(new(r.Message(i))), h.Method, h.URI, h.Host)
		}
		if h.Authorization == nil || h.Authorization.Scheme != scheme || len(h.Authorization.Token) == 0 {
			t.Errorf("%s: Authorization %+v, want %s with a token", describe(new(r.Message(i))), h.Authorization, scheme)
		}
	}
}

// challenges checks a response's status and WWW-Authenticate schemes.
func challenges(status int, schemes ...string) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		h := new(r.Message(i)).HTTP()
		var got []string
		for _, c := range h.WWWAuthenticate {
			got = append(got, c.Scheme)
		}
		if h.Status != status || !slices.Equal(got, schemes) {
			t.Errorf("%s: status %d schemes %q, want %d %q", describe(new(r.Message(i))), h.Status, got, status, schemes)
		}
	}
}

// carried checks a token's direct carrier: its kind, the header it came
// in, the carrier http and the same endpoints.
func carried(parent decode.Kind, header string) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		m := new(r.Message(i))
		if m.Parent < 0 {
			t.Errorf("%s: no parent", describe(m))
			return
		}
		p := new(r.Message(m.Parent))
		if p.Kind != parent || m.Header != header || m.Carrier != decode.CarrierHTTP || p.Src != m.Src || p.Dst != m.Dst {
			t.Errorf("%s: parent %s, header %q, carrier %q; want parent %s, header %q, carrier http",
				describe(m), describe(p), m.Header, m.Carrier, parent, header)
		}
	}
}

// inHTTP checks that following Parent from a token reaches an HTTP head
// of the given kind (through its SPNEGO wrapper, when there is one).
func inHTTP(head decode.Kind) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		m := new(r.Message(i))
		if m.Carrier != decode.CarrierHTTP || m.Transport != decode.TransportTCP {
			t.Errorf("%s: carrier %q over %s, want http over tcp", describe(m), m.Carrier, m.Transport)
		}
		j := i
		for n := 0; n < 4 && r.Message(j).Parent >= 0; n++ {
			j = r.Message(j).Parent
		}
		if r.Message(j).Kind != head {
			t.Errorf("%s: outermost carrier %s, want %s", describe(m), describe(new(r.Message(j))), head)
		}
	}
}

func negState(want spnego.NegState) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		if got := new(r.Message(i)).SPNEGO().NegState; got != want {
			t.Errorf("%s: negState %v, want %v", describe(new(r.Message(i))), got, want)
		}
	}
}

func ntlmField(get func(*decode.Message) string, want string) func(*testing.T, *decode.Result, int) {
	return func(t *testing.T, r *decode.Result, i int) {
		if got := get(new(r.Message(i))); got != want {
			t.Errorf("%s: %q, want %q", describe(new(r.Message(i))), got, want)
		}
	}
}
