// Command kerbtrace-bench measures kerbtrace on large synthetic captures
// against tshark and against the floor of any Go reader.
//
//	go run ./cmd/kerbtrace-bench [-mixed-size 300MB] [-mixed-clients 2000] [-clients 5000] [-big] [-keep DIR]
//
// It builds two captures in a temporary directory from the lab captures in
// testdata/captures (see decode/capture/capturetest.Synth):
//
//   - mixed: the flows of -mixed-clients clients replayed among bulk traffic
//     (SMB2 reads, TLS, an unknown protocol) up to -mixed-size bytes;
//   - auth: nothing but the flows of -clients clients.
//
// On each it measures, as child processes, the wall time and peak resident
// memory of:
//
//   - kerbtrace analyze --format json (built with go build into the
//     temporary directory), which writes every decoded message as tshark
//     writes its fields, and kerbtrace analyze in its default format,
//     table, as an engineer runs it;
//   - tshark -T fields extracting the Kerberos, DNS and HTTP fields;
//   - the floor: iterating over every record with gopacket's
//     pcapgo.NewReader and ZeroCopyReadPacketData, without looking at the
//     payload (built in a module of its own in the temporary directory,
//     since pcapgo's live-capture half needs golang.org/x/net, which this
//     module does not require).
//
// It prints a table and the ratios, and checks that kerbtrace's report is
// byte for byte the same with GOMAXPROCS=1 and GOMAXPROCS=2. -big makes
// the 2 GB mixed capture with 20,000 flows and the auth capture with the
// same 20,000 flows, so that the cost of the bulk traffic in memory shows.
// The defaults (a 300 MB mixed capture with 2,000 flows, 5,000 flows
// alone) run in a few minutes.
//
// The table gives wall time (the fastest of -count runs) and peak resident
// memory (the child's ru_maxrss), tshark's time over kerbtrace's and
// kerbtrace's over the floor's. Captures are read once before timing, so
// every tool reads them from the page cache.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config is what the flags ask for.
type config struct {
	root         string // repository root (holds go.mod)
	dir          string // where captures and binaries go; empty: a temp dir
	mixedSize    int64
	mixedClients int
	clients      int
	addresses    int // client addresses the auth-only flows share; 0: each its own
	skipTshark   bool
	count        int  // runs of each measurement; the fastest is kept
	oneProc      bool // also run kerbtrace with GOMAXPROCS=1 and compare the reports
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kerbtrace-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var size string
	big := fs.Bool("big", false, "the large case: a 2 GB mixed capture and the auth-only capture, both with 20,000 clients")
	fs.StringVar(&size, "mixed-size", "300MB", "`size` of the mixed capture (KB, MB, GB suffixes)")
	fs.IntVar(&cfg.mixedClients, "mixed-clients", 2000, "client flows replayed in the mixed capture")
	fs.IntVar(&cfg.clients, "clients", 5000, "client flows replayed in the auth-only capture")
	fs.IntVar(&cfg.addresses, "addresses", 0, "client addresses the auth-only flows share, as on a terminal server or a proxy (0: each flow its own)")
	fs.StringVar(&cfg.dir, "keep", "", "write captures, binaries and reports to `DIR` and keep them (default: a temporary directory, removed)")
	fs.StringVar(&cfg.root, "root", "", "repository `root` (default: found from the working directory)")
	fs.BoolVar(&cfg.skipTshark, "no-tshark", false, "do not run tshark")
	fs.IntVar(&cfg.count, "count", 1, "run each measurement (kerbtrace, tshark, the floor) `n` times and keep the fastest")
	fs.BoolVar(&cfg.oneProc, "procs1", true, "also run kerbtrace with GOMAXPROCS=1 and check that its report is the same")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	n, err := parseSize(size)
	if err != nil {
		fmt.Fprintf(stderr, "kerbtrace-bench: -mixed-size: %v\n", err)
		return 2
	}
	cfg.mixedSize = n
	if *big {
		cfg.mixedSize, cfg.mixedClients, cfg.clients = 2<<30, 20000, 20000
	}
	if err := bench(cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "kerbtrace-bench: %v\n", err)
		return 1
	}
	return 0
}
