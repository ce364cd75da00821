package main

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestCollectForRendering checks the collector's target while the tables
// are drawn: raised when the user set no GOGC, the user's own otherwise.
func TestCollectForRendering(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	for _, tc := range []struct {
		gogc string // "" unset
		want int
	}{{"", renderGCPercent}, {"77", 77}} {
		if tc.gogc == "" {
			if v, ok := os.LookupEnv("GOGC"); ok {
				os.Unsetenv("GOGC")
				defer os.Setenv("GOGC", v)
			}
		} else {
			t.Setenv("GOGC", tc.gogc)
			debug.SetGCPercent(tc.want) // as the runtime reads GOGC at start
		}
		collectForRendering()
		if got := debug.SetGCPercent(gcPercent); got != tc.want {
			t.Errorf("GOGC %q: collector target %d while rendering, want %d", tc.gogc, got, tc.want)
		}
	}
}
