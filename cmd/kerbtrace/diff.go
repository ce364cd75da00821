package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kerbtrace/kerbtrace/report"
	"github.com/kerbtrace/kerbtrace/report/diff"
)

// diffCmd runs 'kerbtrace diff OLD.json NEW.json': what changed between two
// JSON reports that matters (findings, step statuses, outcomes), ignoring
// frame numbers and times. Exit 0: nothing got worse; 1: something did;
// 2: bad usage or a file that is not a report.
func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kerbtrace diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: kerbtrace diff OLD.json NEW.json\n\n"+
			"Compares two reports of 'kerbtrace analyze --format json' (schema %s): findings added or\n"+
			"gone, severities, flow outcomes and step statuses; frame numbers and times are ignored.\n"+
			"Exit status: 0 nothing got worse, 1 something did, 2 bad usage or unreadable input.\n", report.SchemaVersion)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return exitUsage
	}
	var reps [2]*report.Report
	for i, name := range fs.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "kerbtrace: %v\n", err)
			return exitUsage
		}
		reps[i], err = diff.Load(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "kerbtrace: %s: %v\n", name, err)
			return exitUsage
		}
	}
	res := diff.Compare(reps[0], reps[1])
	if err := diff.Write(stdout, res); err != nil {
		fmt.Fprintf(stderr, "kerbtrace: %v\n", err)
		return exitUsage
	}
	if res.Worse() {
		return exitFindings
	}
	return exitOK
}
