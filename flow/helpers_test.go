package flow_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// loaded is one lab capture, decoded and analysed once per test binary.
type loaded struct {
	dec *decode.Result
	res *flow.Result
}

var (
	loadMu sync.Mutex
	loads  = map[string]*loaded{}
)

// sharedCapture decodes and analyses the public capture at path (slash
// separated) under ../shared/captures; the test is skipped without it.
func sharedCapture(t *testing.T, path string) *flow.Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.SharedCaptures(t), filepath.FromSlash(path)))
	if err != nil {
		t.Skip(err)
	}
	d := decode.NewDissector()
	if err := d.Add(path, bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	return flow.Analyze(d.Result())
}

// labCapture returns the decoded and analysed lab capture
// testdata/captures/<file>. The Result is shared between tests: do not
// modify it (call flow.Analyze on the decode.Result for a private copy).
func labCapture(t *testing.T, file string) *loaded {
	t.Helper()
	path := filepath.Join(testutil.RepoRoot(t), "testdata", "captures", file)
	loadMu.Lock()
	defer loadMu.Unlock()
	if l, ok := loads[path]; ok {
		return l
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	d := decode.NewDissector()
	if err := d.Add(file, fh); err != nil {
		if strings.Contains(err.Error(), "Network Monitor") {
			t.Skipf("reader not available yet: %v", err)
		}
		t.Fatalf("%s: %v", file, err)
	}
	dec := d.Result()
	l := &loaded{dec: dec, res: flow.Analyze(dec)}
	loads[path] = l
	return l
}

// labCaptureFiles lists the file names under testdata/captures ending in ext.
func labCaptureFiles(t *testing.T, ext string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "*"+ext))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(m))
	for i, p := range m {
		out[i] = filepath.Base(p)
	}
	sort.Strings(out)
	return out
}

// want is an expected finding: its id and severity, and the frames it must
// cite, exactly (frames) or at least (atLeast). Neither set: frames not checked.
type want struct {
	id      string
	sev     flow.Severity
	frames  []int
	atLeast []int
}

func errorF(id string, frames ...int) want {
	return want{id: id, sev: flow.SeverityError, frames: frames}
}
func warnF(id string, frames ...int) want {
	return want{id: id, sev: flow.SeverityWarning, frames: frames}
}
func infoF(id string, frames ...int) want {
	return want{id: id, sev: flow.SeverityInfo, frames: frames}
}

// citing turns the frame check of w into "cites at least these frames".
func (w want) citing(frames ...int) want {
	w.frames, w.atLeast = nil, frames
	return w
}

func (w want) String() string {
	switch {
	case w.frames != nil:
		return fmt.Sprintf("%s(%s) frames %v", w.id, w.sev, w.frames)
	case w.atLeast != nil:
		return fmt.Sprintf("%s(%s) frames ⊇ %v", w.id, w.sev, w.atLeast)
	}
	return fmt.Sprintf("%s(%s)", w.id, w.sev)
}

func (w want) matches(f *flow.Finding) bool {
	if f.ID != w.id {
		return false
	}
	if w.frames != nil && !slices.Equal(f.Frames, w.frames) {
		return false
	}
	return containsAll(f.Frames, w.atLeast)
}

func containsAll(have, need []int) bool {
	for _, n := range need {
		if !slices.Contains(have, n) {
			return false
		}
	}
	return true
}

// checkFindings compares the findings got with the expected ones, in any
// order (an id may occur more than once).
func checkFindings(t *testing.T, what string, got []*flow.Finding, wants []want) {
	t.Helper()
	used := make([]bool, len(got))
	var missing []string
	for _, w := range wants {
		found := false
		for i, f := range got {
			if !used[i] && w.matches(f) {
				used[i], found = true, true
				if f.Severity != w.sev {
					t.Errorf("%s: %s has severity %s, want %s", what, f.ID, f.Severity, w.sev)
				}
				break
			}
		}
		if !found {
			missing = append(missing, w.String())
		}
	}
	var extra []string
	for i, f := range got {
		if !used[i] {
			extra = append(extra, fmt.Sprintf("%s(%s) frames %v", f.ID, f.Severity, f.Frames))
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%s findings:\n  missing: %s\n  unexpected: %s", what, orNone(missing), orNone(extra))
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "; ")
}

// findingsOf returns the findings about flow fi (-1: capture-wide ones).
func findingsOf(r *flow.Result, fi int) []*flow.Finding {
	var out []*flow.Finding
	for i := range r.Findings {
		if r.Findings[i].FlowOf() == fi {
			out = append(out, &r.Findings[i])
		}
	}
	return out
}

// statuses parses "ok ok skipped ..." into eight statuses.
func statuses(t *testing.T, s string) [8]flow.Status {
	t.Helper()
	var out [8]flow.Status
	f := strings.Fields(s)
	if len(f) != len(out) {
		t.Fatalf("bad test table: %q does not name eight statuses", s)
	}
	for i, x := range f {
		for st := flow.StatusOK; st <= flow.StatusNotApplicable; st++ {
			if st.String() == x {
				out[i] = st
			}
		}
		if out[i] == 0 {
			t.Fatalf("bad test table: %q is no status", x)
		}
	}
	return out
}

func stepStatuses(f *flow.Flow) string {
	s := make([]string, len(f.Steps))
	for i, st := range f.Steps {
		s[i] = st.Status.String()
	}
	return strings.Join(s, " ")
}

// frames is shorthand for a list of frame numbers in the table.
func frames(n ...int) []int { return n }
