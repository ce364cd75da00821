package flow_test

import (
	"reflect"
	"runtime"
	"testing"

	"github.com/kerbtrace/kerbtrace/flow"
)

// TestAnalyzeParallelPairing analyses every lab capture with one core and
// with two, where the DNS pairing runs beside the rest of the pairing,
// and wants the same result. Under the race detector (.ci/run) it also
// checks that the two share nothing they write.
func TestAnalyzeParallelPairing(t *testing.T) {
	files := append(append(labCaptureFiles(t, ".pcap"), labCaptureFiles(t, ".pcapng")...), labCaptureFiles(t, ".cap")...)
	if len(files) == 0 {
		t.Fatal("no lab captures")
	}
	for _, file := range files {
		dec := labCapture(t, file).dec
		prev := runtime.GOMAXPROCS(1)
		one := flow.Analyze(dec)
		runtime.GOMAXPROCS(max(prev, 2))
		two := flow.Analyze(dec)
		runtime.GOMAXPROCS(prev)
		if !reflect.DeepEqual(one, two) {
			t.Errorf("%s: the analysis with two cores differs from one core's", file)
		}
		if len(one.Flows) == 0 && len(one.Findings) == 0 {
			t.Errorf("%s: no flow and no finding: nothing compared", file)
		}
	}
}

// TestAnalyzeIndexed checks that AnalyzeIndexed calls its function once,
// before it returns, and gives what Analyze gives.
func TestAnalyzeIndexed(t *testing.T) {
	for _, file := range []string{"success.pcap", "spn-missing.pcap"} {
		dec := labCapture(t, file).dec
		calls := 0
		got := flow.AnalyzeIndexed(dec, func() { calls++ })
		if calls != 1 {
			t.Errorf("%s: indexed called %d times, want once", file, calls)
		}
		if want := flow.Analyze(dec); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: AnalyzeIndexed differs from Analyze", file)
		}
		if len(got.Flows) == 0 {
			t.Errorf("%s: no flow: nothing compared", file)
		}
	}
}
