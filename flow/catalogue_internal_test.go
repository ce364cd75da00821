package flow

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// specRow is a catalogue row of spec/findings.md: | `ID` | severity | ...
var specRow = regexp.MustCompile("(?m)^\\|\\s*`([A-Z0-9_]+)`\\s*\\|\\s*([a-z]+)\\s*\\|")

// TestIDsCoverFindingsSpec checks that every id of the shared
// spec/findings.md is in the catalogue with the spec's default severity.
func TestIDsCoverFindingsSpec(t *testing.T) {
	path := filepath.Join(testutil.RepoRoot(t), "..", "shared", "spec", "findings.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("spec not present: %v", err)
	}
	rows := specRow.FindAllStringSubmatch(string(b), -1)
	if len(rows) < 40 {
		t.Fatalf("found %d ids in %s; the table format changed?", len(rows), path)
	}
	ids := IDs()
	spec := map[string]bool{}
	for _, r := range rows {
		id, sev := r[1], r[2]
		spec[id] = true
		if !slices.Contains(ids, id) {
			t.Errorf("%s (spec/findings.md) is not in IDs()", id)
			continue
		}
		if got := catalogue[id].sev.String(); got != sev {
			t.Errorf("%s: severity %s, spec/findings.md says %s", id, got, sev)
		}
		if catalogue[id].cause == "" || catalogue[id].remedy == "" {
			t.Errorf("%s: no cause or remedy text", id)
		}
	}
	for _, id := range ids {
		if !spec[id] {
			t.Logf("%s is in the catalogue but not (yet) in spec/findings.md", id)
		}
	}
}
