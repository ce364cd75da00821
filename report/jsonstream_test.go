package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// wholeJSON is what encoding/json writes for the whole report at once: the
// bytes the streaming JSON renderer must reproduce.
func wholeJSON(t *testing.T, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestJSONStreamsTheSameBytes compares the streaming renderer with
// encoding/json on the sample, on empty and nil lists, on the frames list,
// and on every golden JSON report of the lab captures.
func TestJSONStreamsTheSameBytes(t *testing.T) {
	reports := map[string]*Report{
		"sample": sample(),
		"empty":  {Version: SchemaVersion, Captures: []Capture{}, Messages: []Message{}, Flows: []Flow{}, Findings: []Finding{}, Anomalies: []string{}},
		"nil":    {Version: SchemaVersion},
		"frames": {Version: SchemaVersion, Anomalies: []string{"x.pcap: frame 3: <&> \u2028"},
			Frames: []TransportFrame{{Capture: 0, Frame: 1, Src: "192.0.2.1:1", Dst: "192.0.2.2:88", Protocol: "TCP", Summary: "a <b>"}}},
	}
	goldens, _ := filepath.Glob(filepath.Join("..", "testdata", "golden", "*.json"))
	if len(goldens) == 0 {
		t.Fatal("no golden JSON reports under testdata/golden")
	}
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var r Report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		reports[filepath.Base(g)] = &r
	}
	for name, r := range reports {
		var got bytes.Buffer
		if err := JSON(&got, r, RenderOptions{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := wholeJSON(t, r); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: streamed JSON differs from encoding/json's\ngot  %.300q\nwant %.300q", name, got.Bytes(), want)
		}
	}
}
