package capture

import (
	"testing"
	"time"
)

// TestClockStep checks clockStep against time.Time.Sub: equal for every
// step tick follows, and on the same side of maxClockStep for every other,
// around the bounds, across seconds and far apart.
func TestClockStep(t *testing.T) {
	base := time.Date(2024, 3, 1, 9, 0, 0, 500_000_000, time.UTC)
	var cases []time.Duration
	for _, d := range []time.Duration{0, time.Nanosecond, 499_999_999, 500_000_000, 500_000_001, time.Second,
		time.Hour - time.Nanosecond, time.Hour, time.Hour + time.Nanosecond, time.Hour + time.Second, 90 * time.Minute,
		24 * time.Hour, 200 * 365 * 24 * time.Hour} {
		cases = append(cases, d, -d)
	}
	for _, latest := range []time.Time{base, base.Add(-500 * time.Millisecond), time.Unix(0, 0).UTC(), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)} {
		for _, d := range cases {
			ts := latest.Add(d)
			got, want := clockStep(ts, latest), ts.Sub(latest)
			inRange := want >= -maxClockStep && want <= maxClockStep
			switch {
			case inRange && got != want:
				t.Errorf("clockStep(%v, %v) = %v, want %v", ts, latest, got, want)
			case !inRange && (got > maxClockStep) != (want > maxClockStep), !inRange && (got < -maxClockStep) != (want < -maxClockStep):
				t.Errorf("clockStep(%v, %v) = %v: not past the bound as %v is", ts, latest, got, want)
			}
		}
	}
	// Times no Duration spans: Sub saturates, clockStep stays past the bound.
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := clockStep(far, time.Unix(0, 0)); got <= maxClockStep {
		t.Errorf("clockStep far ahead = %v", got)
	}
	if got := clockStep(time.Unix(0, 0), far); got >= -maxClockStep {
		t.Errorf("clockStep far behind = %v", got)
	}
}
