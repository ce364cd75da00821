package flow_test

import (
	"os"
	"path/filepath"
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
// exchanges with the server, not from its KDC exchanges alone (a TGS
// exchange of a later attempt that no flow of the server claims makes a
// ticket-only flow, as it always did).
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
				first, last := 1<<31, 0
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
