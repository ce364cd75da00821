package flow_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// FuzzAnalyze runs the whole analysis on arbitrary capture bytes: whatever
// the dissector makes of them, flow.Analyze must not panic and its result
// must hold together (eight steps per flow, findings pointing at flows).
func FuzzAnalyze(f *testing.F) {
	root := testutil.RepoRoot(f)
	for _, name := range []string{"success", "spn-missing", "stale-key", "ntlm-fallback", "smb-rejected", "kdc-tcp-split", "cname-fallback", "two-clients"} {
		b, err := os.ReadFile(filepath.Join(root, "testdata", "captures", name+".pcap"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := decode.NewDissector()
		if err := d.Add("fuzz", bytes.NewReader(b)); err != nil {
			return
		}
		r := flow.Analyze(d.Result())
		for i, fl := range r.Flows {
			for j, s := range fl.Steps {
				if s.ID != flow.Steps[j] {
					t.Fatalf("flow %d step %d is %s", i, j, s.ID)
				}
			}
		}
		for _, fd := range r.Findings {
			if fi := fd.FlowOf(); fi >= len(r.Flows) {
				t.Fatalf("finding %s points at flow %d of %d", fd.ID, fi, len(r.Flows))
			}
		}
	})
}
