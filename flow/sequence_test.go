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

// TestRepeatedAttempts: a client that authenticates to one web host three
// times, the second time rejected (the service's key changed), gets a flow
// per change of outcome, each with the frames of its own attempt; the
// failure is not hidden behind the first success. Attempts that end alike
// stay in one flow.
func TestRepeatedAttempts(t *testing.T) {
	type flowWant struct {
		outcome flow.Outcome
		steps   string
		finding string // a finding of the flow, "" for none required
	}
	for _, c := range []struct {
		name     string
		captures []string
		want     []flowWant
	}{
		{"ok, rejected, ok", []string{"success.pcap", "stale-key.pcap", "success.pcap"}, []flowWant{
			{flow.OutcomeKerberosOK, "ok ok ok ok ok ok ok ok", ""},
			{flow.OutcomeFailed, "ok ok ok ok ok ok ok failed", "SERVICE_REJECTED_TICKET"},
			{flow.OutcomeKerberosOK, "ok ok ok ok ok ok ok ok", ""},
		}},
		{"ok three times", []string{"success.pcap", "success.pcap", "success.pcap"}, []flowWant{
			{flow.OutcomeKerberosOK, "ok ok ok ok ok ok ok ok", ""},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := replayed(t, c.captures...)
			r := flow.Analyze(in)
			var web []int
			for i := range r.Flows {
				if r.Flows[i].Service == "http" {
					web = append(web, i)
				}
			}
			if len(web) != len(c.want) {
				for _, i := range web {
					t.Logf("flow %d: %s %s", i, r.Flows[i].Outcome, stepStatuses(&r.Flows[i]))
				}
				t.Fatalf("%d web flows, want %d", len(web), len(c.want))
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
	for i := range r.Flows {
		if r.Flows[i].Service == "http" {
			steps = append(steps, r.Flows[i].Step(flow.StepNameResolution))
		}
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
