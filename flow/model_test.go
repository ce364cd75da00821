package flow_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/flow"
)

func TestSeverityString(t *testing.T) {
	for _, c := range []struct {
		sev  flow.Severity
		want string
	}{
		{flow.SeverityInfo, "info"},
		{flow.SeverityWarning, "warning"},
		{flow.SeverityError, "error"},
		{flow.Severity(3), "unknown"},
		{flow.Severity(-1), "unknown"},
	} {
		if got := c.sev.String(); got != c.want {
			t.Errorf("Severity(%d).String() = %q, want %q", int(c.sev), got, c.want)
		}
	}
	if !(flow.SeverityInfo < flow.SeverityWarning && flow.SeverityWarning < flow.SeverityError) {
		t.Error("severities do not order info < warning < error")
	}
}

func TestParseSeverity(t *testing.T) {
	for _, c := range []struct {
		name string
		want flow.Severity
		ok   bool
	}{
		{"info", flow.SeverityInfo, true},
		{"warning", flow.SeverityWarning, true},
		{"error", flow.SeverityError, true},
		{"", 0, false},
		{"fatal", 0, false},
		{"unknown", 0, false}, // String's fallback is not a severity
		{"warn", 0, false},
	} {
		got, ok := flow.ParseSeverity(c.name)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("ParseSeverity(%q) = %v, %v; want %v, %v", c.name, got, ok, c.want, c.ok)
		}
		if ok && got.String() != c.name {
			t.Errorf("ParseSeverity(%q).String() = %q", c.name, got.String())
		}
	}
}

func TestIDsSortedAndUnique(t *testing.T) {
	ids := flow.IDs()
	if len(ids) == 0 {
		t.Fatal("no ids")
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Errorf("IDs() not sorted and unique at %q, %q", ids[i-1], ids[i])
		}
	}
	ids[0] = "CHANGED"
	if flow.IDs()[0] == "CHANGED" {
		t.Error("IDs() returns the catalogue's own slice")
	}
}

func TestFlowStep(t *testing.T) {
	f := &labCapture(t, "success.pcap").res.Flows[0]
	for i, id := range flow.Steps {
		if s := f.Step(id); s != &f.Steps[i] {
			t.Errorf("Step(%s) is not Steps[%d]", id, i)
		}
	}
	for _, id := range []flow.StepID{0, 9, 255} {
		if s := f.Step(id); s != nil {
			t.Errorf("Step(%d) = %+v, want nil", id, s)
		}
	}
}

// TestStepAndStatusNames checks the names the report prints for the step
// ids and statuses (spec/report-json.md).
func TestStepAndStatusNames(t *testing.T) {
	var steps []string
	for _, id := range flow.Steps {
		steps = append(steps, id.String())
	}
	if got, want := strings.Join(steps, " "), "name_resolution connect anonymous_request challenge ticket_request ticket_reply authenticated_request acceptance"; got != want {
		t.Errorf("step names %q, want %q", got, want)
	}
	var sts []string
	for _, st := range []flow.Status{flow.StatusOK, flow.StatusFailed, flow.StatusMissing, flow.StatusSkipped, flow.StatusNotApplicable} {
		sts = append(sts, st.String())
	}
	if got, want := strings.Join(sts, " "), "ok failed missing skipped not_applicable"; got != want {
		t.Errorf("status names %q, want %q", got, want)
	}
	if flow.StepID(0).String() != "" || flow.Status(0).String() != "" || flow.StepID(42).String() != "step(42)" || flow.Status(42).String() != "status(42)" {
		t.Errorf("zero and unknown: %q %q %q %q", flow.StepID(0), flow.Status(0), flow.StepID(42), flow.Status(42))
	}
}

// TestResultDrop drops findings from stale-key's result (KRB_AP_BADKEYVER,
// SERVICE_REJECTED_TICKET, KRB_ERROR_IN_NEGOTIATE, KRB_PREAUTH_REQUIRED).
func TestResultDrop(t *testing.T) {
	dec := labCapture(t, "stale-key.pcap").dec
	ids := func(r *flow.Result) []string {
		var s []string
		for _, f := range r.Findings {
			s = append(s, f.ID)
		}
		return s
	}
	full := flow.Analyze(dec)
	all := ids(full)
	if len(all) != 4 || !slices.Equal(full.Flows[0].Findings, all) {
		t.Fatalf("stale-key: findings %v, flow lists %v; want 4, the same", all, full.Flows[0].Findings)
	}

	for _, c := range []struct {
		name string
		drop []string
		want []string
	}{
		{"nothing", nil, all},
		{"empty", []string{}, all},
		{"unknown id", []string{"NO_SUCH_ID"}, all},
		{"two", []string{"KRB_ERROR_IN_NEGOTIATE", "KRB_PREAUTH_REQUIRED"}, []string{"KRB_AP_BADKEYVER", "SERVICE_REJECTED_TICKET"}},
		{"one twice", []string{"SERVICE_REJECTED_TICKET", "SERVICE_REJECTED_TICKET"}, []string{"KRB_AP_BADKEYVER", "KRB_ERROR_IN_NEGOTIATE", "KRB_PREAUTH_REQUIRED"}},
		{"all", all, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := flow.Analyze(dec)
			r.Drop(c.drop)
			if got := ids(r); !slices.Equal(got, c.want) {
				t.Errorf("findings %v, want %v", got, c.want)
			}
			if got := r.Flows[0].Findings; !slices.Equal(got, c.want) {
				t.Errorf("flow lists %v, want %v", got, c.want)
			}
			for _, f := range r.Findings {
				if f.FlowOf() != 0 {
					t.Errorf("%s now points at flow %d", f.ID, f.FlowOf())
				}
			}
			if got := ids(full); !slices.Equal(got, all) {
				t.Errorf("Drop changed another result: %v", got)
			}
		})
	}
}
