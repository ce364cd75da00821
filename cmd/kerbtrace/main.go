// Command kerbtrace reads packet captures and tells why Kerberos
// authentication did or did not work.
//
//	kerbtrace analyze [flags] CAPTURE...
//
// See README.md for the flags and the report formats.
package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's target when GOGC is not set. A run
// holds every decoded message until the report is written, so the heap
// only grows; at Go's default of 100 it may reach twice what is live. At
// 50, peak memory falls by some 15% and the run is as fast or faster, as
// fresh memory costs more than the extra collections (README, "Speed and
// memory").
const gcPercent = 50

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
