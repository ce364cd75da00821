package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"

	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/report"
	"github.com/kerbtrace/kerbtrace/report/diff"
)

// diagnoseFlags are the options of 'kerbtrace analyze' that narrow or
// judge the diagnosis: --client and --baseline.
type diagnoseFlags struct {
	client   string
	baseline string
	base     *report.Report // the --baseline report, read by check
	addr     netip.Addr     // the --client address, parsed by check
}

// register declares --client and --baseline.
func (d *diagnoseFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.client, "client", "", "report only the flows of the client with this `IP` address (and capture-wide findings)")
	fs.StringVar(&d.baseline, "baseline", "", "compare with the JSON report `OLD.json` (from --format json): print what changed on stderr and exit 1 only when something got worse (--fail-on does not apply)")
}

// check parses --client and reads the --baseline report, before any
// capture is read, so that a mistyped flag costs nothing. ok is false when
// a flag is bad; code is then the exit status.
func (d *diagnoseFlags) check(stderr io.Writer) (code int, ok bool) {
	if d.baseline != "" {
		f, err := os.Open(d.baseline)
		if err != nil {
			fmt.Fprintf(stderr, "kerbtrace: --baseline: %v\n", err)
			return exitUsage, false
		}
		defer f.Close()
		if d.base, err = diff.Load(f); err != nil {
			fmt.Fprintf(stderr, "kerbtrace: --baseline %s: %v\n", d.baseline, err)
			return exitUsage, false
		}
	}
	if d.client != "" {
		addr, err := netip.ParseAddr(d.client)
		if err != nil {
			fmt.Fprintf(stderr, "kerbtrace: --client %q is not an IP address\n", d.client)
			return exitUsage, false
		}
		d.addr = addr.Unmap()
	}
	return exitOK, true
}

// apply narrows the analysis to --client.
func (d *diagnoseFlags) apply(fres *flow.Result) {
	if d.addr.IsValid() {
		fres.OnlyClient(d.addr)
	}
}

// verdict compares the report with the baseline, when one was given, and
// returns the exit status (decided reports whether it did).
func (d *diagnoseFlags) verdict(rep *report.Report, stderr io.Writer) (code int, decided bool) {
	if d.base == nil {
		return 0, false
	}
	res := diff.Compare(d.base, rep)
	fmt.Fprintf(stderr, "kerbtrace: compared with %s:\n", d.baseline)
	if err := diff.Write(stderr, res); err != nil {
		return exitUsage, true
	}
	if res.Worse() {
		return exitFindings, true
	}
	return exitOK, true
}
