package main

import (
	"fmt"
	"io"
	"strings"

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
  kerbtrace diff OLD.json NEW.json          what changed between two JSON reports (exit 1: worse)
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
	case "diff":
		return diffCmd(args[1:], stdout, stderr)
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

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
