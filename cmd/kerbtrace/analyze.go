package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/report"
)

// analyzeFlags are the options of 'kerbtrace analyze'. Each group of
// options that belongs to one feature lives in its own file, with a
// register method that declares its flags and methods the stages of
// analyze call.
type analyzeFlags struct {
	format    string
	output    string
	failOn    string
	ignore    string
	rawTokens bool
	diag      diagnoseFlags
	out       outputFlags // output.go
	keys      keyFlags    // keys.go
}

// register declares the core flags.
func (fl *analyzeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&fl.format, "format", "", "report `format`: "+strings.Join(report.Formats(), ", ")+" (default table, or as -o's extension says)")
	fs.StringVar(&fl.output, "o", "", "write the report to `FILE` instead of standard output")
	fs.StringVar(&fl.failOn, "fail-on", "error", "exit 1 when a finding of this `severity` or above remains: error, warning, info, never")
	fs.StringVar(&fl.ignore, "ignore", "", "comma-separated finding `IDs` to drop from the report")
	fs.BoolVar(&fl.rawTokens, "raw-tokens", false, "include the base64 of authentication tokens (they hold tickets and NTLM responses)")
	fl.diag.register(fs)
	fl.out.register(fs)
	fl.keys.register(fs)
}

// parseInterleaved parses flags that may come before, between or after the
// file arguments, and returns the files.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return files, nil
		}
		if rest[0] == "--" {
			return append(files, rest[1:]...), nil
		}
		files = append(files, rest[0])
		args = rest[1:]
	}
}

// analyze runs 'kerbtrace analyze': capture → decode → flow → report, in
// that order, and returns the exit status.
func analyze(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var fl analyzeFlags
	fs := flag.NewFlagSet("kerbtrace analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fl.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: kerbtrace analyze [flags] CAPTURE...\n\n"+
			"CAPTURE is a pcap, pcapng or Network Monitor file, a HAR file (browser dev tools),\n"+
			"any of them gzip-, zstd- or xz-compressed, a directory (walked for %s),\n"+
			"or - for standard input.\n\nflags:\n", strings.Join(captureExts, " "))
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "kerbtrace: analyze needs at least one capture file")
		fs.Usage()
		return exitUsage
	}
	format := formatFor(fl.format, fl.output)
	render, ok := report.Lookup(format)
	if !ok {
		fmt.Fprintf(stderr, "kerbtrace: unknown format %q (want one of %s)\n", format, strings.Join(report.Formats(), ", "))
		return exitUsage
	}
	threshold, never := flow.SeverityError, false
	if fl.failOn == "never" {
		never = true
	} else if threshold, ok = flow.ParseSeverity(fl.failOn); !ok {
		fmt.Fprintf(stderr, "kerbtrace: unknown --fail-on %q (want error, warning, info or never)\n", fl.failOn)
		return exitUsage
	}
	if fl.rawTokens {
		fmt.Fprintln(stderr, "kerbtrace: warning: --raw-tokens prints authentication tokens; they hold tickets and NTLM responses")
	}
	if !fl.out.check(format, fl.output, fl.rawTokens, stderr) {
		return exitUsage
	}
	if code, ok := fl.diag.check(stderr); !ok {
		return code
	}

	// Capture → decode.
	d := decode.NewDissector()
	if !fl.keys.apply(d, stderr) {
		return exitUsage
	}
	if !fl.rawTokens {
		d.DropTokens() // only --raw-tokens prints their bytes
	}
	read := 0
	warn := func(err error) { fmt.Fprintf(stderr, "kerbtrace: %v\n", err) }
	stdin = fl.out.begin(stdin, stderr)
	names := expandInputs(files, warn)
	adviseHugePages(inputSize(names))  // hugepages.go
	decoding := startDecodeCollector() // main.go
	for _, name := range names {
		if err := addInput(d, name, stdin); err != nil {
			warn(err)
			continue
		}
		fl.out.addFrames(name, read, warn)
		read++
	}
	fl.out.endRead()
	if read == 0 {
		decoding.end()
		return exitUsage
	}
	dres := d.Result()
	decoding.end()

	// Decode → flow, on a second goroutine: the analysis only reads dres,
	// and meanwhile the report can already be started (the JSON of the
	// messages needs no flow).
	analysis := make(chan *flow.Result, 1)
	// The exit status needs the findings' severities only: the report's
	// form of the flows and findings does not hold on to the analysis, and
	// a renderer that reads the messages (the diagrams, the frame summary)
	// draws without it.
	failing := false
	// The JSON of the messages waits until the analysis has indexed them:
	// meanwhile the analysis runs on two goroutines (flow.AnalyzeIndexed).
	indexed := make(chan struct{})
	go func() {
		fr := flow.AnalyzeIndexed(dres, func() { close(indexed) })
		fr.Drop(splitList(fl.ignore))
		fl.diag.apply(fr)
		failing = !never && fr.HasFinding(threshold)
		analysis <- fr
	}()

	// Flow → report. Every format is written straight from the decoded
	// messages, redacted or not: the report never holds them all.
	rep := report.BuildPending(dres, analysis, report.Options{RawTokens: fl.rawTokens, StreamMessages: true, MessagesAfter: indexed})
	if !fl.out.finish(rep, stderr) {
		return exitUsage
	}
	// The table reads no message but the few the keys opened: the decoded
	// result can go once the analysis is done with it, before its flows
	// and findings take their report form (in the memory it held, rather
	// than on top of it: at 20,000 flows the peak RSS came at that point,
	// 300-320 MB) and the tables are drawn.
	if !report.ReadsMessages(format) {
		rep.CompleteReleasing(collectForRendering) // the table needs the analysis before it writes a line
	}
	// The one rendering of this report: JSON drops the decoded result once
	// the messages are written and the analysis has ended, and its memory
	// goes to the flows and findings (20,000 flows: ~25 MB less peak RSS).
	ropt := report.RenderOptions{Color: fl.out.color(stdout, fl.output), Release: collectForRendering}

	if err := writeReport(fl.output, stdout, render, rep, ropt); err != nil {
		fmt.Fprintf(stderr, "kerbtrace: %v\n", err)
		return exitUsage
	}
	rep.Complete() // failing is set from here on
	if code, decided := fl.diag.verdict(rep, stderr); decided {
		return code
	}
	if failing {
		return exitFindings
	}
	return exitOK
}

// writeReport renders the report to the file named output (written over
// in place when it exists: reportfile.go), or to stdout when output is
// empty. A file that cannot be written completely (a full disk shows only
// when it is closed) is an error.
func writeReport(output string, stdout io.Writer, render report.Renderer, rep *report.Report, ropt report.RenderOptions) error {
	if output == "" {
		return render(stdout, rep, ropt)
	}
	f, err := createReport(output)
	if err != nil {
		return err
	}
	if err := render(f, rep, ropt); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", output, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", output, err)
	}
	return nil
}
