package flow_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
)

// TestNormalBehaviourIsNotFlagged checks what spec/findings.md calls normal
// ("Not findings") against the lab captures: none of it may raise a warning
// or an error.
func TestNormalBehaviourIsNotFlagged(t *testing.T) {
	// Captures whose scenario worked and holds only normal behaviour:
	// pre-authentication rounds, UDP too big then TCP, Kerberos over TCP,
	// a pre-emptive Negotiate, MIT's time sync from the KDC error.
	healthy := []string{"success", "preemptive", "kdc-udp-too-big", "kdc-tcp-split", "skew-client-timesync", "ipv6", "smb-success"}
	for _, name := range healthy {
		t.Run("healthy/"+name, func(t *testing.T) {
			r := labCapture(t, name+".pcap").res
			for _, f := range r.Findings {
				if f.Severity >= flow.SeverityWarning {
					t.Errorf("%s (%s) frames %v: %s", f.ID, f.Severity, f.Frames, f.Summary)
				}
			}
		})
	}

	for _, file := range labCaptureFiles(t, ".pcap") {
		t.Run("kdc-errors/"+strings.TrimSuffix(file, ".pcap"), func(t *testing.T) {
			l := labCapture(t, file)
			for _, m := range l.dec.All() {
				if m.Kind != decode.KindKRBError || m.Carrier != decode.CarrierNone {
					continue
				}
				switch int32(m.Krb().ErrorCode) {
				case 25: // KDC_ERR_PREAUTH_REQUIRED, followed in every lab capture by a pre-authenticated AS-REQ
					checkBenign(t, l.res, m.Frame, "KRB_PREAUTH_REQUIRED")
				case 52: // KRB_ERR_RESPONSE_TOO_BIG, followed in every lab capture by the TCP retry
					checkBenign(t, l.res, m.Frame, "KDC_TCP_FALLBACK")
					for _, f := range l.res.Findings {
						if f.ID == "KDC_TCP_BLOCKED" {
							t.Errorf("KDC_TCP_BLOCKED frames %v although the client retried over TCP", f.Frames)
						}
					}
				}
			}
		})
	}

	t.Run("preemptive-negotiate", func(t *testing.T) {
		r := labCapture(t, "preemptive.pcap").res
		if len(r.Flows) != 1 {
			t.Fatalf("%d flows, want 1", len(r.Flows))
		}
		f := &r.Flows[0]
		for _, id := range []flow.StepID{flow.StepAnonymousRequest, flow.StepChallenge} {
			if s := f.Step(id); s.Status != flow.StatusSkipped {
				t.Errorf("step %s is %s (%s), want skipped: the client sent Negotiate without waiting for a 401", id, s.Status, s.Detail)
			}
		}
		if f.Outcome != flow.OutcomeKerberosOK {
			t.Errorf("outcome %s, want %s", f.Outcome, flow.OutcomeKerberosOK)
		}
	})
}

// checkBenign checks that the benign KRB-ERROR of frame fr is reported as
// an info finding id, and that no warning or error cites it.
func checkBenign(t *testing.T, r *flow.Result, fr int, id string) {
	t.Helper()
	reported := false
	for _, f := range r.Findings {
		if !slices.Contains(f.Frames, fr) {
			continue
		}
		if f.ID == id && f.Severity == flow.SeverityInfo {
			reported = true
		}
		if f.Severity >= flow.SeverityWarning {
			t.Errorf("the normal KRB-ERROR of frame %d is cited by %s (%s): %s", fr, f.ID, f.Severity, f.Summary)
		}
	}
	if !reported {
		t.Errorf("the KRB-ERROR of frame %d is not reported as %s (info)", fr, id)
	}
}
