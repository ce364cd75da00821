// Command kerbtrace reads packet captures and tells why Kerberos
// authentication did or did not work.
//
//	kerbtrace analyze [flags] CAPTURE...
//
// See README.md for the flags and the report formats.
package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// gcPercent is the garbage collector's target when GOGC is not set. A run
// holds every decoded message until the report is written, so the heap
// only grows; at Go's default of 100 it may reach twice what is live. At
// 50, peak memory falls by some 15% and the run is as fast or faster, as
// fresh memory costs more than the extra collections (README, "Speed and
// memory").
const gcPercent = 50

// decodeGCPercent is the target while the captures are read: decoding
// keeps nearly all it allocates, so a collection then finds little to free
// and mostly marks what it marked before. The peak comes later anyway,
// when the analysis's indexes and result join the decoded messages (1.5
// times all of them, at gcPercent), above twice the decoded messages
// alone: at 100, a third less marking for the same peak.
const decodeGCPercent = 100

// decodeMemoryFloor is the memory a run holds before the collector's
// first cycle while the captures are read (startDecodeCollector).
const decodeMemoryFloor = 64 << 20

// decodePhase is the collector's setting while the captures are read: off
// until the process holds decodeMemoryFloor (a soft memory limit), then
// decodeGCPercent without a limit. Each cycle marks nearly all that
// decoding made, as it keeps nearly all of it, and at 100 percent cycles
// come every few MB on a small heap: 4, 8, 9, 13, 21, 35, 61 MB... Seven
// cycles came before the 60 MB of 5,000 flows, nine before the 130 MB of
// 20,000; with the floor, none and three.
type decodePhase struct {
	mu   sync.Mutex
	over bool
}

// startDecodeCollector sets the collector for reading the captures. A
// GOGC or GOMEMLIMIT the user set leaves it at decodeGCPercent (or the
// user's GOGC), without a floor.
func startDecodeCollector() *decodePhase {
	p := &decodePhase{}
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if gogc || limit {
		setGCPercent(decodeGCPercent)
		setMemoryLimit(noMemoryLimit)
		return p
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(decodeMemoryFloor)
	afterCycle(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !p.over {
			debug.SetGCPercent(decodeGCPercent)
			debug.SetMemoryLimit(noMemoryLimit)
		}
	})
	return p
}

// end ends the phase and sets the collector for the analysis: gcPercent,
// without a limit.
func (p *decodePhase) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.over = true
	setGCPercent(gcPercent)
	setMemoryLimit(noMemoryLimit)
}

// afterCycle calls f, on the runtime's cleanup goroutine, once the
// collector has completed a cycle: the cycle that finds an object made
// here unreachable.
func afterCycle(f func()) {
	runtime.AddCleanup(&cycleSentinel{}, func(struct{}) { f() }, struct{}{})
}

// cycleSentinel is the object afterCycle watches; its pointer keeps it out
// of the tiny allocator, whose blocks are freed together.
type cycleSentinel struct{ _ *int }

// renderGCPercent is the collector's target while a report that dropped
// its messages is drawn (collectForRendering).
const renderGCPercent = 200

// setGCPercent sets the collector's target to p, unless the user set GOGC.
func setGCPercent(p int) {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(p)
	}
}

// collectForRendering frees what a report let go of (Report.DropMessages)
// once the analysis is done with it too, and then lets the heap grow back
// further between collections: what is left live (flows, findings) is a
// fraction of what the run held, so the heap stays below the peak it
// already reached, on memory it already has, while tablewriter makes its
// garbage, with fewer collections. A GOGC the user set stays.
//
// The heap may regrow up to the memory the run holds then, no further
// (a soft memory limit; a GOMEMLIMIT the user set stays): once the
// analysis was under ~300 MB at 20,000 flows, the live flows, findings and
// report form times three were more than that, and the table drew at
// ~390 MB where the analysis peaked at ~310.
func collectForRendering() {
	runtime.GC()
	setGCPercent(renderGCPercent)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	setMemoryLimit(int64(ms.Sys - ms.HeapReleased))
}

// noMemoryLimit is the runtime's memory limit when none is set.
const noMemoryLimit = math.MaxInt64

// setMemoryLimit sets the runtime's soft memory limit to n bytes, unless
// the user set GOMEMLIMIT. An analysis starts without one (noMemoryLimit):
// the limit of an earlier one in the same process does not hold.
func setMemoryLimit(n int64) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(n)
	}
}

func main() {
	setGCPercent(gcPercent)
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
