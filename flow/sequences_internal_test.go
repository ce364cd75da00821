package flow

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestSequencesManyConns: httpSequences finds a client's connections in a
// list, and past maxListedConns in a map; both give the same flows. The
// lab captures replayed 60 times from one client address (as through a
// proxy) give one group of some hundred connections to the same host.
func TestSequencesManyConns(t *testing.T) {
	tpls := testutil.LabTemplates(t)
	var buf bytes.Buffer
	if _, err := capturetest.WriteSynth(&buf, capturetest.Synth{Templates: tpls, Copies: 60 * len(tpls), Clients: 1}); err != nil {
		t.Fatal(err)
	}
	d := decode.NewDissector()
	if err := d.Add("proxy.pcap", &buf); err != nil {
		t.Fatal(err)
	}
	in := d.Result()
	old := maxListedConns
	defer func() { maxListedConns = old }()
	var results []*Result
	for _, n := range []int{old, 0, 1 << 20} {
		maxListedConns = n
		results = append(results, Analyze(in))
	}
	if len(results[0].Flows) < 60 {
		t.Fatalf("%d flows", len(results[0].Flows))
	}
	for i, r := range results[1:] {
		if !reflect.DeepEqual(r, results[0]) {
			t.Errorf("run %d: flows differ with %d connections listed", i+1, []int{0, 1 << 20}[i])
		}
	}
}
