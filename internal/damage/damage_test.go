package damage

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestLayout checks the layouts of the three copies of a lab capture: the
// same 54 frames (Wireshark's count), records inside the file and not
// overlapping, captured bytes inside their record.
func TestLayout(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "testdata", "captures")
	for _, name := range []string{"success.pcap", "success.pcapng", "success.cap"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		l, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		frames := l.Frames()
		if len(frames) != 54 {
			t.Errorf("%s: %d frames", name, len(frames))
		}
		end := l.Header
		for _, r := range l.Records {
			if r.Off < end || r.End() > len(b) {
				t.Errorf("%s: record %+v overlaps or overruns (previous end 0x%x)", name, r, end)
			}
			if r.DataLen > 0 && (r.Data < r.Off || r.Data+r.DataLen > r.End()) {
				t.Errorf("%s: data outside record %+v", name, r)
			}
			end = r.End()
		}
		for i, r := range frames {
			if r.Frame != i+1 {
				t.Errorf("%s: frame %d numbered %d", name, i+1, r.Frame)
			}
		}
	}
}

// TestCasesDeterministic checks that the same seed gives the same corpus
// and another seed another one, and that the original is left alone.
func TestCasesDeterministic(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "success.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	orig := bytes.Clone(b)
	a, _ := Cases(b, 1)
	c, _ := Cases(b, 1)
	d, _ := Cases(b, 2)
	if len(a) != len(c) || len(a) < 20 {
		t.Fatalf("%d and %d cases", len(a), len(c))
	}
	same := true
	for i := range a {
		if a[i].Name != c[i].Name || !bytes.Equal(a[i].Data, c[i].Data) {
			t.Errorf("case %d differs between two runs: %s / %s", i, a[i].Name, c[i].Name)
		}
		same = same && bytes.Equal(a[i].Data, d[i].Data)
	}
	if same {
		t.Error("seeds 1 and 2 give the same corpus")
	}
	if !bytes.Equal(b, orig) {
		t.Error("the original was modified")
	}
}
