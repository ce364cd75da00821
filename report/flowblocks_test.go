package report

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/flow"
)

// TestFlowBlocksStreamed renders a streamed report of many flows (the
// lab's failing flow, repeated) as the table, whose flows are rendered on
// every core (flowBlocks), and as Markdown, whose diagrams build their
// messages as they draw them, with one core and with four, and checks the
// bytes are the same and each flow's block is in its place. .ci/run runs
// it under the race detector too.
func TestFlowBlocksStreamed(t *testing.T) {
	res := labResults(t)["spn-missing.pcap"]
	if res.d == nil || len(res.f.Flows) == 0 {
		t.Fatal("no spn-missing.pcap flows")
	}
	n := 3*flowBatch + 5
	var many flow.Result
	for len(many.Flows) < n {
		many.Flows = append(many.Flows, res.f.Flows...)
	}
	many.Flows = many.Flows[:n]
	for _, format := range []string{"table", "markdown"} {
		render, _ := Lookup(format)
		out := func(procs int) string {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			var buf bytes.Buffer
			if err := render(&buf, Build(res.d, &many, Options{StreamMessages: true}), RenderOptions{}); err != nil {
				t.Fatal(err)
			}
			return buf.String()
		}
		one, four := out(1), out(4)
		if one != four {
			i := firstDiff([]byte(one), []byte(four))
			t.Fatalf("%s: 4 cores differ from 1 at byte %d:\n%q\nwant\n%q", format, i, around([]byte(four), i), around([]byte(one), i))
		}
		heading := "\nFlow %d: "
		if format == "markdown" {
			heading = "\n## Flow %d: "
		}
		last := 0
		for i := 1; i <= n; i++ {
			at := strings.Index(one, fmt.Sprintf(heading, i))
			if at <= last {
				t.Fatalf("%s: flow %d's block at %d, not after flow %d's at %d", format, i, at, i-1, last)
			}
			last = at
		}
		if format == "markdown" && strings.Count(one, "sequenceDiagram") != n {
			t.Errorf("markdown: %d diagrams for %d flows", strings.Count(one, "sequenceDiagram"), n)
		}
	}
}
