// Command kerbtrace reads packet captures and tells why Kerberos
// authentication did or did not work.
//
//	kerbtrace analyze [flags] CAPTURE...
//
// See README.md for the flags and the report formats.
package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// gcPercent is the garbage collector's target when GOGC is not set. A run
// holds every decoded message until the report is written, so the heap
// only grows; at Go's default of 100 it may reach twice what is live. At
// 50, peak memory falls by some 15% and the run is as fast or faster, as
// fresh memory costs more than the extra collections (README, "Speed and
// memory").
const gcPercent = 50

// renderGCPercent is the collector's target while a report that dropped
// its messages is drawn (collectForRendering).
const renderGCPercent = 200

// collectForRendering frees what a report let go of (Report.DropMessages)
// once the analysis is done with it too, and then lets the heap grow back
// further between collections: what is left live (flows, findings) is a
// fraction of what the run held, so the heap stays below the peak it
// already reached, on memory it already has, while tablewriter makes its
// garbage, with fewer collections. A GOGC the user set stays.
func collectForRendering() {
	runtime.GC()
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(renderGCPercent)
	}
}

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
