package main

import (
	"fmt"
	"io"
)

// target is one of the speed and memory targets (README, "Speed and
// memory") as one bench measured it.
type target struct {
	what string // the target, as the issue words it
	got  string // what the bench measured
	met  bool
}

// The targets' figures.
const (
	minVsTshark     = 25.0      // mixed capture: tshark's time over kerbtrace's
	maxVsFloor      = 3.0       // mixed capture: kerbtrace's time over the floor's
	minAuthVsTshark = 20.0      // auth-only capture
	maxBigRSS       = 300 << 20 // a 2 GB capture with 20,000 flows
	maxBulkRSS      = 0.10      // what bulk traffic may add to the same flows' peak RSS
	bigFlows        = 20000
	bigSize         = 1800 << 20 // the -big mixed capture is ~1.94 GB
)

// targets returns the targets that rows measure: a row without tshark or
// the floor, or a mixed capture smaller than -big's, leaves out those
// that need them.
func targets(rows []row, oneProc bool) []target {
	var ts []target
	var mixed, auth *row
	for i := range rows {
		switch rows[i].name {
		case "mixed":
			mixed = &rows[i]
		case "auth-only":
			auth = &rows[i]
		}
	}
	ratio := func(a, b measurement) float64 { return float64(a.wall) / float64(b.wall) }
	if mixed != nil && mixed.tshark.wall > 0 {
		v := ratio(mixed.tshark, mixed.kt)
		ts = append(ts, target{fmt.Sprintf("mixed capture at least %.0fx faster than tshark", minVsTshark), fmt.Sprintf("%.1fx", v), v >= minVsTshark})
	}
	if mixed != nil && mixed.floor.wall > 0 {
		v := ratio(mixed.kt, mixed.floor)
		ts = append(ts, target{fmt.Sprintf("mixed capture within %.0fx of the floor", maxVsFloor), fmt.Sprintf("%.1fx", v), v <= maxVsFloor})
	}
	if auth != nil && auth.tshark.wall > 0 {
		v := ratio(auth.tshark, auth.kt)
		ts = append(ts, target{fmt.Sprintf("auth-only capture (%d flows) at least %.0fx faster than tshark", auth.flows, minAuthVsTshark),
			fmt.Sprintf("%.1fx", v), v >= minAuthVsTshark})
	}
	if mixed != nil && mixed.flows >= bigFlows && mixed.size >= bigSize {
		peak := max(mixed.kt.maxRSS, mixed.table.maxRSS)
		ts = append(ts, target{fmt.Sprintf("%s capture with %d flows under %s of peak RSS", human(mixed.size), mixed.flows, human(maxBigRSS)),
			fmt.Sprintf("%s (JSON %s, table %s)", human(peak), human(mixed.kt.maxRSS), human(mixed.table.maxRSS)), peak < maxBigRSS})
	}
	if mixed != nil && auth != nil && mixed.flows == auth.flows && auth.kt.maxRSS > 0 {
		v := float64(mixed.kt.maxRSS)/float64(auth.kt.maxRSS) - 1
		ts = append(ts, target{fmt.Sprintf("bulk traffic adds under %.0f%% to the same flows' peak RSS", 100*maxBulkRSS),
			fmt.Sprintf("%+.1f%%", 100*v), v < maxBulkRSS})
	}
	if oneProc && len(rows) > 0 {
		same := true
		for _, r := range rows {
			same = same && r.same
		}
		got := "identical"
		if !same {
			got = "DIFFERENT"
		}
		ts = append(ts, target{"the same report with 1 and 2 cores", got, same})
	}
	return ts
}

// printTargets writes the targets and whether this bench met them.
func printTargets(w io.Writer, ts []target) {
	if len(ts) == 0 {
		return
	}
	fmt.Fprintln(w, "\ntargets (README, \"Speed and memory\"):")
	for _, t := range ts {
		status := "met"
		if !t.met {
			status = "NOT MET"
		}
		fmt.Fprintf(w, "  %-64s %-34s %s\n", t.what, t.got, status)
	}
}
