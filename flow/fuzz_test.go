package flow_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

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

// FuzzMerge gives the analysis two captures: the client's side of success
// and arbitrary bytes as the server's, so that the timeline merge meets
// every kind of partner capture; seeded with the real server side, shifted.
func FuzzMerge(f *testing.F) {
	all := labPackets(f, "success")
	client := pcapBytes(vantage(all, "192.0.2.101"))
	f.Add(pcapBytes(shifted(vantage(all, "192.0.2.20"), 1, 3*time.Second)))
	f.Add(pcapBytes(vantage(labPackets(f, "spn-missing"), "192.0.2.21")))
	f.Add(pcapBytes(all))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := decode.NewDissector()
		if err := d.Add("client.pcap", bytes.NewReader(client)); err != nil {
			t.Fatal(err)
		}
		if err := d.Add("server.pcap", bytes.NewReader(b)); err != nil {
			return
		}
		r := flow.Analyze(d.Result())
		for _, fd := range r.Findings {
			if fi := fd.FlowOf(); fi >= len(r.Flows) {
				t.Fatalf("finding %s points at flow %d of %d", fd.ID, fi, len(r.Flows))
			}
			if fd.Refs != nil && len(fd.Refs) != len(fd.Frames) {
				t.Fatalf("finding %s: %d refs for %d frames", fd.ID, len(fd.Refs), len(fd.Frames))
			}
		}
	})
}
