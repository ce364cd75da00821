package report

import (
	"bufio"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Table writes the report for a terminal: per flow its eight steps, then
// the findings with cause and remedy. Borders are ASCII so that the output
// diffs cleanly in golden files and survives any ticket system.
//
// It needs no message at hand: the tickets are found in one pass over the
// messages, streamed when the report was built with StreamMessages.
func Table(w io.Writer, r *Report, o RenderOptions) error {
	r.Complete()
	bw := bufio.NewWriter(colorLines(w, o)) // color.go
	for _, c := range r.Captures {
		fmt.Fprintf(bw, "Capture %s: %s", Sanitize(c.File), c.Format)
		if len(c.LinkTypes) > 0 {
			fmt.Fprintf(bw, ", %s", strings.Join(c.LinkTypes, "+"))
		}
		fmt.Fprintf(bw, ", %d packets", c.Packets)
		if c.Metadata > 0 {
			fmt.Fprintf(bw, " (%d of them metadata records, not packets)", c.Metadata)
		}
		if c.First != "" {
			fmt.Fprintf(bw, ", %s .. %s", c.First, c.Last)
		}
		fmt.Fprintln(bw)
		for _, wn := range c.Warnings {
			fmt.Fprintf(bw, "  warning: %s\n", Sanitize(wn))
		}
	}
	fmt.Fprintf(bw, "%d messages decoded, %d %s, %d %s\n", r.MessageCount(),
		len(r.Flows), pluralWord(len(r.Flows), "flow", "flows"), len(r.Findings), pluralWord(len(r.Findings), "finding", "findings"))
	if err := flowTables(bw, r); err != nil {
		return err
	}
	ticketsText(bw, r) // ticket.go
	findingsText(bw, r.Findings)
	anomaliesText(bw, r.Anomalies)
	return bw.Flush()
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// flowTables writes every flow's block (flowTable), in flow order, on
// every core (flowBlocks): tablewriter takes some 0.25 ms a table, which
// for 20,000 flows is seconds.
func flowTables(w *bufio.Writer, r *Report) error {
	noWidthCache()
	multi := len(r.Captures) > 1
	lead := leadFindings(r)
	return flowBlocks(w, len(r.Flows), func(out *bufio.Writer) func(i int) error {
		steps := newStepTable(out) // one per worker, Reset for each flow
		return func(i int) error { return flowTable(out, steps, i+1, &r.Flows[i], multi, lead[i]) }
	})
}

// noWidthCache turns off tablewriter's process-wide cache of text widths.
// Every lookup takes two mutexes and moves an LRU entry: measuring the
// short ASCII cells of a step table again is cheaper, and the rendering
// goroutines of flowBlocks then share no lock.
var noWidthCache = sync.OnceFunc(func() { twwidth.SetCacheCapacity(0) })

// newStepTable makes the table of a flow's steps, written to w. Table uses
// one for every flow, Reset in between: each new tablewriter Table makes a
// 10,240-entry cache map, which for thousands of flows cost more than
// decoding the capture. The stringer cache is off (the cells are strings),
// so that Reset does not make another.
//
// The renderer is tablewriter's Ocean, which writes the same bytes as its
// default, Blueprint, for these tables (TestStepTableRenderers) in some
// 8 % less time.
func newStepTable(w io.Writer) *tablewriter.Table {
	return newStepTableWith(w, renderer.NewOcean())
}

// newStepTableWith is newStepTable with another renderer, for tests.
func newStepTableWith(w io.Writer, r tw.Renderer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(r),
		tablewriter.WithRendition(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)}),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithColumnWidths(tw.Mapper[int, int]{3: 24, 4: 72}),
		tablewriter.WithStringerCacheCustom(noStringerCache{}),
	)
}

// noStringerCache is a tablewriter stringer cache that keeps nothing.
type noStringerCache struct{}

func (noStringerCache) Add(reflect.Type, reflect.Value) bool        { return false }
func (noStringerCache) Get(reflect.Type) (v reflect.Value, ok bool) { return v, false }
func (noStringerCache) Purge()                                      {}

func flowTable(w *bufio.Writer, t *tablewriter.Table, n int, f *Flow, multi bool, lead *Finding) error {
	fmt.Fprintf(w, "\nFlow %d: %s -> %s (%s)", n, Sanitize(f.Client), Sanitize(f.Server), Sanitize(f.Service))
	if multi {
		fmt.Fprintf(w, " [capture %d]", f.Capture)
	}
	fmt.Fprintf(w, "  outcome: %s\n", strings.ToUpper(f.Outcome))
	var who []string
	if f.User != "" {
		who = append(who, "user "+Sanitize(f.User))
	}
	if f.SPN != "" {
		who = append(who, "SPN "+Sanitize(f.SPN))
	}
	if len(who) > 0 {
		fmt.Fprintf(w, "  %s\n", strings.Join(who, ", "))
	}
	leadText(w, f, lead)
	t.Reset()
	t.Header([]string{"#", "step", "status", "frames", "detail"})
	for i, s := range f.Steps {
		if err := t.Append([]string{fmt.Sprint(i + 1), s.Step, s.Status, stepFrames(&s), Sanitize(s.Detail)}); err != nil {
			return fmt.Errorf("report: table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("report: table: %w", err)
	}
	return nil
}

func framesText(fr []int) string {
	s := make([]string, len(fr))
	for i, f := range fr {
		s[i] = fmt.Sprint(f)
	}
	return strings.Join(s, ", ")
}

func findingsText(w *bufio.Writer, fs []Finding) {
	if len(fs) == 0 {
		fmt.Fprintln(w, "\nNo findings.")
		return
	}
	count := map[string]int{}
	for _, f := range fs {
		count[f.Severity]++
	}
	fmt.Fprintf(w, "\nFindings: %d error, %d warning, %d info\n", count["error"], count["warning"], count["info"])
	for _, f := range fs {
		fmt.Fprintf(w, "\n[%s] %s", strings.ToUpper(f.Severity), f.ID)
		if f.Flow != nil {
			fmt.Fprintf(w, " (flow %d)", *f.Flow)
		}
		if len(f.Refs) > 0 {
			fmt.Fprintf(w, " frames %s", strings.Join(f.Refs, ", "))
		} else if len(f.Frames) > 0 {
			fmt.Fprintf(w, " frames %s", framesText(f.Frames))
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  %s\n", Sanitize(f.Summary))
		fmt.Fprintf(w, "  cause:  %s\n", Sanitize(f.Cause))
		fmt.Fprintf(w, "  remedy: %s\n", Sanitize(f.Remedy))
	}
}

// maxAnomalies is how many undecodable messages the table lists; the JSON
// report has them all.
const maxAnomalies = 10

func anomaliesText(w *bufio.Writer, as []string) {
	if len(as) == 0 {
		return
	}
	fmt.Fprintf(w, "\nNot decoded (%d):\n", len(as))
	for i, a := range as {
		if i == maxAnomalies {
			fmt.Fprintf(w, "  ... and %d more (see --format json)\n", len(as)-maxAnomalies)
			break
		}
		fmt.Fprintf(w, "  %s\n", Sanitize(a))
	}
}
