package flow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/flow"
)

// vantage emulates, from the lab's bridge capture of success, what a
// capture on one machine holds: the packets to or from its address.
func vantage(pkts []pkt, addr string) []pkt {
	return keep(pkts, func(_ int, p pkt) bool { return touches(p.data, addr) })
}

// TestMergeClientAndServerCaptures: the success flow captured on the client
// (everything 192.0.2.101 sent or received) and on the web server (its HTTP
// only, its clock 3.7 s ahead) is one flow, with each message cited once by
// its own file and frame, and the clock offset stated.
func TestMergeClientAndServerCaptures(t *testing.T) {
	all := labPackets(t, "success")
	client := vantage(all, "192.0.2.101")
	server := shifted(vantage(all, "192.0.2.20"), 1, 3700*time.Millisecond)
	alone := labCapture(t, "success.pcap").res

	cases := []struct {
		name           string
		client, server []pkt
	}{
		{"both complete", client, server},
		// The client capture lost the 200 + AP-REP (success frame 51): the
		// server's copy completes the flow.
		{"client lost the answer", keep(client, func(_ int, p pkt) bool { return !bytes200(p) }), server},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dec, r := analyzeBuilt(t, named{"client.pcap", c.client}, named{"server.pcap", c.server})
			if len(dec.Captures) != 2 {
				t.Fatalf("%d captures", len(dec.Captures))
			}
			if len(r.Flows) != 1 {
				for _, f := range r.Flows {
					t.Logf("flow %s -> %s %s", f.Client, f.Server, f.Outcome)
				}
				t.Fatalf("%d flows, want 1 (one conversation seen from two sides)", len(r.Flows))
			}
			f := &r.Flows[0]
			want := &alone.Flows[0]
			if f.Outcome != flow.OutcomeKerberosOK || f.SPN != want.SPN || f.User != want.User {
				t.Errorf("outcome %s SPN %s user %s", f.Outcome, f.SPN, f.User)
			}
			for i, s := range f.Steps {
				if s.Status != want.Steps[i].Status {
					t.Errorf("step %s %s, alone %s", s.ID, s.Status, want.Steps[i].Status)
				}
				if len(f.Refs(i)) != len(s.Frames) {
					t.Errorf("step %s: %d refs for %d frames", s.ID, len(f.Refs(i)), len(s.Frames))
				}
			}
			// The authenticated request is in both files: cited in both.
			refs := f.Refs(int(flow.StepAuthenticatedRequest) - 1)
			if len(refs) != 2 || !strings.HasPrefix(refs[0], "client.pcap#") || !strings.HasPrefix(refs[1], "server.pcap#") {
				t.Errorf("authenticated request refs %v, want one in client.pcap then one in server.pcap", refs)
			}
			// The KDC exchange only in the client's.
			for _, ref := range f.Refs(int(flow.StepTicketReply) - 1) {
				if !strings.HasPrefix(ref, "client.pcap#") {
					t.Errorf("ticket reply cited in %s", ref)
				}
			}
			var merged *flow.Finding
			for i := range r.Findings {
				if r.Findings[i].ID == "CAPTURE_MERGED" {
					merged = &r.Findings[i]
				}
				if r.Findings[i].Severity >= flow.SeverityWarning {
					t.Errorf("%s %s: %s", r.Findings[i].ID, r.Findings[i].Severity, r.Findings[i].Summary)
				}
			}
			// Texts cite frames by file too: the merged timeline's own numbers never show.
			for _, fd := range r.Findings {
				if fd.ID == "KRB_PREAUTH_REQUIRED" && !strings.Contains(fd.Summary, "(frame client.pcap#") {
					t.Errorf("summary without file#frame: %s", fd.Summary)
				}
			}
			if merged == nil || !strings.Contains(merged.Summary, "server.pcap's clock is 3.70") {
				t.Fatalf("no CAPTURE_MERGED stating the 3.7 s offset: %v", findingIDs(r))
			}
			t.Log(merged.Summary)
		})
	}
}

// bytes200 reports the frame that carries "HTTP/1.1 200".
func bytes200(p pkt) bool {
	return strings.Contains(string(p.data), "HTTP/1.1 200")
}

// TestUnrelatedCapturesAreNotMerged: two captures with no message in
// common keep their own flows.
func TestUnrelatedCapturesAreNotMerged(t *testing.T) {
	_, r := analyzeBuilt(t, named{"a.pcap", labPackets(t, "success")}, named{"b.pcap", labPackets(t, "spn-missing")})
	caps := map[int]bool{}
	for _, f := range r.Flows {
		caps[f.Capture] = true
		if f.StepRefs != nil {
			t.Errorf("refs %v although nothing was merged", f.StepRefs)
		}
	}
	if !caps[0] || !caps[1] {
		t.Errorf("flows of captures %v, want both", caps)
	}
	if slices.ContainsFunc(r.Findings, func(f flow.Finding) bool { return f.ID == "CAPTURE_MERGED" }) {
		t.Error("CAPTURE_MERGED for unrelated captures")
	}
}
