package diff_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
	"github.com/kerbtrace/kerbtrace/report"
	"github.com/kerbtrace/kerbtrace/report/diff"
)

func golden(t *testing.T, name string) *report.Report {
	t.Helper()
	f, err := os.Open(filepath.Join(testutil.RepoRoot(t), "testdata", "golden", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := diff.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRenumberedIsUnchanged: the same diagnosis with other frame numbers,
// times and summaries (a re-made capture) compares equal.
func TestRenumberedIsUnchanged(t *testing.T) {
	old := golden(t, "spn-missing")
	new := golden(t, "spn-missing")
	for i := range new.Flows {
		for j := range new.Flows[i].Steps {
			s := &new.Flows[i].Steps[j]
			for k := range s.Frames {
				s.Frames[k] += 3
			}
			s.Detail += " (frames moved)"
		}
	}
	for i := range new.Findings {
		new.Findings[i].Frames = append(new.Findings[i].Frames, 99)
		new.Findings[i].Summary = "other words"
	}
	new.Messages = nil
	r := diff.Compare(old, new)
	if len(r.Changes) != 0 || r.Worse() {
		t.Errorf("changes %+v, want none", r.Changes)
	}
	var b bytes.Buffer
	if err := diff.Write(&b, r); err != nil || b.String() != "No change that matters.\n" {
		t.Errorf("output %q, %v", b.String(), err)
	}
}

// TestWorseAndBetter: the CNAME scenario with the client canonicalising
// (the ticket for HTTP/www works) against the one without (HTTP/intranet
// is unknown to the KDC): the same flow, client1 -> intranet.kerbtrace.test.
func TestWorseAndBetter(t *testing.T) {
	good, bad := golden(t, "cname-canonical"), golden(t, "cname-noncanonical")
	cases := []struct {
		name       string
		old, new   *report.Report
		worse      bool
		wantKinds  []diff.Kind
		wantInText []string
	}{
		{"worse", good, bad, true,
			[]diff.Kind{diff.OutcomeChanged, diff.StepChanged, diff.FindingAdded},
			[]string{"! ~ flow 192.0.2.101 -> intranet.kerbtrace.test (http): outcome kerberos_ok -> failed",
				"step ticket_reply ok -> failed", "! + [ERROR] KRB_S_PRINCIPAL_UNKNOWN"}},
		{"better", bad, good, false,
			[]diff.Kind{diff.OutcomeChanged, diff.StepChanged, diff.FindingGone},
			[]string{"outcome failed -> kerberos_ok", "- [ERROR] KRB_S_PRINCIPAL_UNKNOWN", "0 worse"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := diff.Compare(c.old, c.new)
			if r.Worse() != c.worse {
				t.Errorf("Worse() = %v, want %v", r.Worse(), c.worse)
			}
			kinds := map[diff.Kind]bool{}
			for _, ch := range r.Changes {
				kinds[ch.Kind] = true
			}
			for _, k := range c.wantKinds {
				if !kinds[k] {
					t.Errorf("no %s change in %+v", k, r.Changes)
				}
			}
			var b bytes.Buffer
			if err := diff.Write(&b, r); err != nil {
				t.Fatal(err)
			}
			for _, s := range c.wantInText {
				if !strings.Contains(b.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, b.String())
				}
			}
		})
	}
}

// TestFlowsAddedAndGone: another scenario altogether.
func TestFlowsAddedAndGone(t *testing.T) {
	r := diff.Compare(golden(t, "success"), golden(t, "spn-missing"))
	var kinds []diff.Kind
	for _, c := range r.Changes {
		kinds = append(kinds, c.Kind)
	}
	if !r.Worse() || len(kinds) < 2 {
		t.Errorf("changes %v", kinds)
	}
}

func TestLoadRejects(t *testing.T) {
	for _, in := range []string{"", "{", `{"version":"other/2"}`, "[]"} {
		if _, err := diff.Load(strings.NewReader(in)); err == nil {
			t.Errorf("Load(%q) accepted", in)
		}
	}
}
