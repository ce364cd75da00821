package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/report"
)

// Exit statuses (spec/report-json.md).
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

const usage = `kerbtrace: why did Kerberos authentication work or not?

usage:
  kerbtrace analyze [flags] CAPTURE...      analyze captures: pcap, pcapng, Network Monitor .cap,
                                            HAR; gzip/zstd/xz; directories; - for standard input
  kerbtrace token [--format text|json] VALUE|-
                                            decode a pasted Negotiate/Kerberos/NTLM token or header
  kerbtrace version                         print the version

Run 'kerbtrace analyze -h' or 'kerbtrace token -h' for the flags.
`

// version is the tool's version, printed by 'kerbtrace version'.
const version = "kerbtrace 0.1.0 (report " + report.SchemaVersion + ")"

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "analyze":
		return analyze(args[1:], stdin, stdout, stderr)
	case "token":
		return tokenCmd(args[1:], stdin, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version)
		return exitOK
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "kerbtrace: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// analyzeFlags are the options of 'kerbtrace analyze'.
type analyzeFlags struct {
	format    string
	output    string
	failOn    string
	ignore    string
	rawTokens bool
}

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

func analyze(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var fl analyzeFlags
	fs := flag.NewFlagSet("kerbtrace analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&fl.format, "format", "table", "report format: "+strings.Join(report.Formats(), ", "))
	fs.StringVar(&fl.output, "o", "", "write the report to `FILE` instead of standard output")
	fs.StringVar(&fl.failOn, "fail-on", "error", "exit 1 when a finding of this `severity` or above remains: error, warning, info, never")
	fs.StringVar(&fl.ignore, "ignore", "", "comma-separated finding `IDs` to drop from the report")
	fs.BoolVar(&fl.rawTokens, "raw-tokens", false, "include the base64 of authentication tokens (they hold tickets and NTLM responses)")
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
	render, ok := report.Lookup(fl.format)
	if !ok {
		fmt.Fprintf(stderr, "kerbtrace: unknown format %q (want one of %s)\n", fl.format, strings.Join(report.Formats(), ", "))
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

	d := decode.NewDissector()
	read := 0
	warn := func(err error) { fmt.Fprintf(stderr, "kerbtrace: %v\n", err) }
	for _, name := range expandInputs(files, warn) {
		if err := addInput(d, name, stdin); err != nil {
			warn(err)
			continue
		}
		read++
	}
	if read == 0 {
		return exitUsage
	}
	dres := d.Result()
	fres := flow.Analyze(dres)
	fres.Drop(splitList(fl.ignore))
	rep := report.Build(dres, fres, report.Options{RawTokens: fl.rawTokens})

	out := stdout
	if fl.output != "" {
		f, err := os.Create(fl.output)
		if err != nil {
			fmt.Fprintf(stderr, "kerbtrace: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		out = f
	}
	if err := render(out, rep); err != nil {
		fmt.Fprintf(stderr, "kerbtrace: %v\n", err)
		return exitUsage
	}
	if !never {
		for _, f := range fres.Findings {
			if f.Severity >= threshold {
				return exitFindings
			}
		}
	}
	return exitOK
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
