package flow

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestFrameClock checks the binary search of the clock of a frameTable
// against a scan of every known frame (what timeOf did, in time quadratic
// in the frames):
// the frame's own time, else the nearest earlier known frame's, else the
// nearest later one's, else the zero time; frames 0 and below are never
// neighbours.
func TestFrameClock(t *testing.T) {
	scan := func(known map[int]time.Time, f int) time.Time {
		if t, ok := known[f]; ok {
			return t
		}
		best, bestF := time.Time{}, 0
		after, afterF := time.Time{}, 0
		for k, t := range known {
			if k < f && k > bestF {
				best, bestF = t, k
			}
			if k > f && (afterF == 0 || k < afterF) {
				after, afterF = t, k
			}
		}
		if bestF > 0 {
			return best
		}
		return after
	}
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	for trial := range 200 {
		known := map[int]time.Time{}
		n := rng.IntN(12)
		if trial == 0 {
			n = 0
		}
		for range n {
			known[rng.IntN(40)-3] = base.Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
		}
		table := frameTable{nil}
		for f, t := range known {
			if ft := table.frame(0, f); ft != nil {
				ft.t, ft.known = t, true
			}
		}
		c := table.clock(0)
		for f := 1; f <= 45; f++ {
			if got, want := c.timeOf(f), scan(known, f); !got.Equal(want) {
				t.Fatalf("known %v: frame %d at %v, want %v", known, f, got, want)
			}
		}
	}
}
