package flow_test

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// replayed decodes the lab captures named, replayed one after the other
// (10 s apart) from the same client address, as a browser left open or a
// terminal server's users would make them.
func replayed(t *testing.T, names ...string) *decode.Result {
	t.Helper()
	var tpls [][]byte
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", n))
		if err != nil {
			t.Skip(err)
		}
		tpls = append(tpls, data)
	}
	return decodeSynth(t, capturetest.Synth{Templates: tpls, Copies: len(tpls), Interval: 10 * time.Second, Clients: 1})
}

// exchangeFlows returns the flows of service built from the client's
// exchanges with the server, not from its KDC exchanges alone (a KDC
// exchange that no flow claims makes a ticket-only flow).
func exchangeFlows(r *flow.Result, service string) []int {
	var out []int
	for i := range r.Flows {
		f := &r.Flows[i]
		if f.Service == service && f.Step(flow.StepAuthenticatedRequest).Status != flow.StatusNotApplicable {
			out = append(out, i)
		}
	}
	return out
}

// TestRepeatedAttempts: a client that authenticates to one web host (or
// sets up sessions with one file server) three times, the second time
// rejected (the service's key changed), gets a flow per change of outcome,
// each with the frames of its own attempt; the failure is not hidden
// behind the first success. Attempts that end alike stay in one flow.
func TestRepeatedAttempts(t *testing.T) {
	type flowWant struct {
		outcome flow.Outcome
		steps   string
		finding string // a finding of the flow, "" for none required
	}
	for _, c := range []struct {
		name     string
		service  string
		captures []string
		want     []flowWant
	}{
		{"ok, rejected, ok", "http", []string{"success.pcap", "stale-key.pcap", "success.pcap"}, []flowWant{
			{flow.OutcomeKerberosOK, "ok ok ok ok ok ok ok ok", ""},
			{flow.OutcomeFailed, "ok ok ok ok ok ok ok failed", "SERVICE_REJECTED_TICKET"},
			{flow.OutcomeKerberosOK, "ok ok ok ok ok ok ok ok", ""},
		}},
		{"ok three times", "http", []string{"success.pcap", "success.pcap", "success.pcap"}, []flowWant{
			{flow.OutcomeKerberosOK, "ok ok ok ok ok ok ok ok", ""},
		}},
		{"SMB2 sessions: ok, rejected, ok", "cifs", []string{"smb-success.pcap", "smb-rejected.pcap", "smb-success.pcap"}, []flowWant{
			{flow.OutcomeKerberosOK, "ok ok ok ok ok ok ok ok", ""},
			{flow.OutcomeFailed, "ok ok ok ok ok ok ok failed", "SERVICE_REJECTED_TICKET"},
			{flow.OutcomeKerberosOK, "ok ok ok ok ok ok ok ok", ""},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := replayed(t, c.captures...)
			r := flow.Analyze(in)
			web := exchangeFlows(r, c.service)
			if len(web) != len(c.want) {
				for _, i := range web {
					t.Logf("flow %d: %s %s", i, r.Flows[i].Outcome, stepStatuses(&r.Flows[i]))
				}
				t.Fatalf("%d %s flows, want %d", len(web), c.service, len(c.want))
			}
			prevLast := 0
			for k, i := range web {
				f, w := &r.Flows[i], c.want[k]
				if f.Outcome != w.outcome || stepStatuses(f) != w.steps {
					t.Errorf("flow %d: %s, steps %s; want %s, %s", k, f.Outcome, stepStatuses(f), w.outcome, w.steps)
				}
				// Each flow's evidence lies within its own attempt: after
				// the previous flow's last frame.
				first, last := math.MaxInt, 0
				for _, s := range f.Steps {
					for _, fr := range s.Frames {
						first, last = min(first, fr), max(last, fr)
					}
				}
				if first <= prevLast {
					t.Errorf("flow %d cites frame %d, at or before frame %d of the flow before", k, first, prevLast)
				}
				prevLast = last
				if w.finding != "" {
					found := false
					for _, fd := range findingsOf(r, i) {
						found = found || fd.ID == w.finding
					}
					if !found {
						t.Errorf("flow %d: no %s finding", k, w.finding)
					}
				}
			}
		})
	}
}

// TestRepeatedAttemptsNames: the client resolves the name once; a later
// flow to the host cites that lookup as its name resolution.
func TestRepeatedAttemptsNames(t *testing.T) {
	in := replayed(t, "success.pcap", "stale-key.pcap")
	r := flow.Analyze(in)
	var steps []*flow.Step
	for _, i := range exchangeFlows(r, "http") {
		steps = append(steps, r.Flows[i].Step(flow.StepNameResolution))
	}
	if len(steps) != 2 {
		t.Fatalf("%d web flows, want 2", len(steps))
	}
	for k, s := range steps {
		if s.Status != flow.StatusOK || len(s.Frames) == 0 || !strings.Contains(s.Detail, "www.kerbtrace.test") {
			t.Errorf("flow %d name resolution: %s %v %q", k, s.Status, s.Frames, s.Detail)
		}
	}
}

// TestRepeatedSessionsNegotiate: a later SMB2 flow on a connection of its
// own whose NEGOTIATE the capture lacks does not cite the NEGOTIATE of the
// earlier flow's connection.
func TestRepeatedSessionsNegotiate(t *testing.T) {
	ok := pcapBytes(labPackets(t, "smb-success"))
	rejected := pcapBytes(without(labPackets(t, "smb-rejected"), 30, 31, 32)) // its NEGOTIATE
	in := decodeSynth(t, capturetest.Synth{Templates: [][]byte{ok, rejected}, Copies: 2, Interval: 10 * time.Second, Clients: 1})
	r := flow.Analyze(in)
	fl := exchangeFlows(r, "cifs")
	if len(fl) != 2 {
		t.Fatalf("%d cifs flows, want 2", len(fl))
	}
	first, second := &r.Flows[fl[0]], &r.Flows[fl[1]]
	if s := first.Step(flow.StepAnonymousRequest); s.Status != flow.StatusOK || len(s.Frames) != 1 {
		t.Errorf("first flow: step 3 %s %v, want its NEGOTIATE", s.Status, s.Frames)
	}
	if s := second.Step(flow.StepAnonymousRequest); s.Status != flow.StatusMissing || len(s.Frames) != 0 {
		t.Errorf("second flow: step 3 %s %v, want missing: its connection's NEGOTIATE is not in the capture", s.Status, s.Frames)
	}
	if second.Outcome != flow.OutcomeFailed || second.Step(flow.StepAcceptance).Status != flow.StatusFailed {
		t.Errorf("second flow: %s, acceptance %s; want failed", second.Outcome, second.Step(flow.StepAcceptance).Status)
	}
}

// TestParallelAttempts: attempts on parallel connections interleave (a
// browser authenticates each of its connections; here three NTLM logons
// 42 ms apart from one address, so that each one's anonymous request and
// its 401 fall between the NEGOTIATE round and the AUTHENTICATE of the
// one before). Attempts are told apart by connection, so the interleaving
// splits nothing: one flow, as each logon alone gives.
func TestParallelAttempts(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "ntlm-fallback.pcap"))
	if err != nil {
		t.Skip(err)
	}
	in := decodeSynth(t, capturetest.Synth{Templates: [][]byte{data}, Copies: 3, Interval: 42 * time.Millisecond, Clients: 1})
	r := flow.Analyze(in)
	web := exchangeFlows(r, "http")
	if len(web) != 1 {
		for _, i := range web {
			t.Logf("flow %d: %s %s", i, r.Flows[i].Outcome, stepStatuses(&r.Flows[i]))
		}
		t.Fatalf("%d web flows, want 1", len(web))
	}
	if f := &r.Flows[web[0]]; f.Outcome != flow.OutcomeNTLMFallback || f.Step(flow.StepAcceptance).Status != flow.StatusOK {
		t.Errorf("flow: %s, acceptance %s; want ntlm_fallback, ok", f.Outcome, f.Step(flow.StepAcceptance).Status)
	}
}

// TestSecondSessionOnConnection: a client sets up a second SMB2 session on
// a connection it negotiated before (smb-success with its SESSION_SETUP,
// frames 42 and 43, sent again after frame 67 and refused with
// STATUS_LOGON_FAILURE). The refused session is a flow of its own, and it
// cites the connection's NEGOTIATE (frames 30 and 32) and handshake.
func TestSecondSessionOnConnection(t *testing.T) {
	pkts := labPackets(t, "smb-success")
	tcp := func(p pkt) (data []byte, l4, payload int) {
		ip, ok := parseIPv4(p.data)
		if !ok || ip.proto != 6 {
			t.Fatal("not a TCP frame")
		}
		return append([]byte(nil), p.data...), 14 + int(p.data[14]&0x0f)*4, ip.payloadOff
	}
	seqAck := func(data []byte, l4 int, seq, ack uint32) {
		binary.BigEndian.PutUint32(data[l4+4:], seq)
		binary.BigEndian.PutUint32(data[l4+8:], ack)
	}
	req, reqL4, reqPay := tcp(pkts[41])
	resp, respL4, respPay := tcp(pkts[42])
	// After frame 67 the client's next byte is the sequence number of its
	// FIN (frame 68), and the server's that of its FIN (frame 69).
	_, finL4, _ := tcp(pkts[67])
	cliSeq := binary.BigEndian.Uint32(pkts[67].data[finL4+4:])
	srvSeq := binary.BigEndian.Uint32(pkts[68].data[finL4+4:])
	reqLen, respLen := uint32(len(req)-reqPay), uint32(len(resp)-respPay)
	seqAck(req, reqL4, cliSeq, srvSeq)
	seqAck(resp, respL4, srvSeq, cliSeq+reqLen)
	// The SMB2 header's status, after the 4-byte NetBIOS length.
	if binary.LittleEndian.Uint32(resp[respPay+12:]) != 0 {
		t.Fatal("frame 43 is not STATUS_SUCCESS")
	}
	binary.LittleEndian.PutUint32(resp[respPay+12:], 0xc000006d)
	at := pkts[66].ts
	built := append(append([]pkt(nil), pkts[:67]...),
		pkt{ts: at.Add(time.Millisecond), data: req, orig: len(req)},
		pkt{ts: at.Add(2 * time.Millisecond), data: resp, orig: len(resp)})
	for k, p := range pkts[67:] { // the FINs and the last ACK, moved on
		d, l4, _ := tcp(p)
		seq, ack := binary.BigEndian.Uint32(d[l4+4:]), binary.BigEndian.Uint32(d[l4+8:])
		if k == 1 { // the server's FIN
			seq, ack = seq+respLen, ack+reqLen
		} else {
			seq, ack = seq+reqLen, ack+respLen
		}
		seqAck(d, l4, seq, ack)
		built = append(built, pkt{ts: p.ts.Add(3 * time.Millisecond), data: d, orig: len(d)})
	}
	_, r := analyzeBuilt(t, named{"second-session.pcap", built})
	fl := exchangeFlows(r, "cifs")
	if len(fl) != 2 {
		for _, i := range fl {
			t.Logf("flow %d: %s %s", i, r.Flows[i].Outcome, stepStatuses(&r.Flows[i]))
		}
		t.Fatalf("%d cifs flows, want 2", len(fl))
	}
	for k, w := range []struct {
		outcome  flow.Outcome
		accepted flow.Status
		frame    int
	}{{flow.OutcomeKerberosOK, flow.StatusOK, 43}, {flow.OutcomeFailed, flow.StatusFailed, 69}} {
		f := &r.Flows[fl[k]]
		if s := f.Step(flow.StepAcceptance); f.Outcome != w.outcome || s.Status != w.accepted || !reflect.DeepEqual(s.Frames, []int{w.frame}) {
			t.Errorf("flow %d: %s, acceptance %s %v; want %s, %s [%d]", k, f.Outcome, s.Status, s.Frames, w.outcome, w.accepted, w.frame)
		}
		if s := f.Step(flow.StepAnonymousRequest); s.Status != flow.StatusOK || !reflect.DeepEqual(s.Frames, []int{30}) {
			t.Errorf("flow %d: step 3 %s %v, want ok [30] (the connection's NEGOTIATE)", k, s.Status, s.Frames)
		}
		if s := f.Step(flow.StepConnect); s.Status != flow.StatusOK || !reflect.DeepEqual(s.Frames, []int{27, 28}) {
			t.Errorf("flow %d: step 2 %s %v, want ok [27 28]", k, s.Status, s.Frames)
		}
	}
}

// TestLaterAttemptsTickets: a client that authenticates to one web host
// three times alike, fetching a fresh ticket each time (the first expired,
// or was purged), gets one flow, and the later TGS exchanges are the
// flow's, not ticket-only flows of their own.
func TestLaterAttemptsTickets(t *testing.T) {
	in := replayed(t, "success.pcap", "success.pcap", "success.pcap")
	r := flow.Analyze(in)
	for i := range r.Flows {
		f := &r.Flows[i]
		t.Logf("flow %d: %s %s %s %s", i, f.Service, f.SPN, f.Outcome, stepStatuses(f))
	}
	if len(r.Flows) != 1 {
		t.Fatalf("%d flows, want 1", len(r.Flows))
	}
	var tgs, as []int
	for _, m := range r.Flows[0].Messages {
		switch in.Kind(m) {
		case decode.KindTGSReq:
			tgs = append(tgs, in.Frame(m))
		case decode.KindASReq:
			as = append(as, in.Frame(m))
		}
	}
	if len(tgs) != 3 || len(as) != 6 {
		t.Errorf("the flow has the TGS-REQs of frames %v and the AS-REQs of frames %v, want a TGS-REQ and two AS-REQs (PREAUTH_REQUIRED, then the AS-REP) per attempt", tgs, as)
	}
	if st := r.Flows[0].Step(flow.StepTicketRequest); len(st.Frames) == 0 || len(tgs) > 0 && st.Frames[len(st.Frames)-1] > tgs[0] {
		t.Errorf("ticket_request cites frames %v: want the first attempt's only (first TGS-REQ at %v)", st.Frames, tgs)
	}
}
