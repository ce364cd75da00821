package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// TestCollectForRendering checks the collector's target while the tables
// are drawn: raised when the user set no GOGC, the user's own otherwise.
func TestCollectForRendering(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(noMemoryLimit))
	for _, tc := range []struct {
		gogc string // "" unset
		want int
	}{{"", renderGCPercent}, {"77", 77}} {
		if tc.gogc == "" {
			unsetEnv(t, "GOGC")
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

// TestCollectForRenderingLimit checks the soft memory limit while a
// report is drawn: the memory the process holds then when the user set no
// GOMEMLIMIT, the user's own otherwise.
func TestCollectForRenderingLimit(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(noMemoryLimit))
	unsetEnv(t, "GOMEMLIMIT")
	collectForRendering()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if got := debug.SetMemoryLimit(-1); got <= 0 || got == noMemoryLimit || uint64(got) > ms.Sys {
		t.Errorf("memory limit while rendering %d, want the memory held (at most %d)", got, ms.Sys)
	}
	const user = 3 << 30
	t.Setenv("GOMEMLIMIT", "3GiB")
	debug.SetMemoryLimit(user) // as the runtime reads GOMEMLIMIT at start
	collectForRendering()
	if got := debug.SetMemoryLimit(-1); got != user {
		t.Errorf("GOMEMLIMIT set: memory limit while rendering %d, want the user's %d", got, user)
	}
}

// TestAnalyzeLiftsMemoryLimit checks that an analysis does not run under
// the memory limit an earlier one in the same process left (the limit of
// its rendering, collectForRendering): it starts without one.
func TestAnalyzeLiftsMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(noMemoryLimit))
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	unsetEnv(t, "GOMEMLIMIT")
	debug.SetMemoryLimit(1 << 20) // as an earlier analysis could leave it
	var out, errb bytes.Buffer
	// Markdown reads its messages while it draws: no limit is set for it.
	code := run([]string{"analyze", "--format", "markdown", "--fail-on", "never", filepath.Join("..", "..", "testdata", "captures", "success.pcap")}, nil, &out, &errb)
	if code != exitOK || out.Len() == 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got := debug.SetMemoryLimit(-1); got != noMemoryLimit {
		t.Errorf("memory limit after the analysis %d, want none", got)
	}
	// Nor one that read nothing leave its reading's limit.
	text := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(text, []byte("not a capture\n"), 0o644)
	unsetEnv(t, "GOGC")
	if code := run([]string{"analyze", text}, nil, &out, &errb); code != exitUsage {
		t.Fatalf("exit %d reading a text file, want %d", code, exitUsage)
	}
	if got := debug.SetMemoryLimit(-1); got != noMemoryLimit {
		t.Errorf("memory limit after an analysis that read nothing %d, want none", got)
	}
	if got := debug.SetGCPercent(gcPercent); got != gcPercent {
		t.Errorf("collector target after an analysis that read nothing %d, want %d", got, gcPercent)
	}
}

// unsetEnv unsets the environment variable name for the rest of the test
// (t.Setenv cannot unset one).
func unsetEnv(t *testing.T, name string) {
	t.Helper()
	if v, ok := os.LookupEnv(name); ok {
		os.Unsetenv(name)
		t.Cleanup(func() { os.Setenv(name, v) })
	}
}

// TestDecodeCollector checks the collector while the captures are read:
// off under a soft limit of decodeMemoryFloor until a first cycle, then at
// decodeGCPercent without a limit; at the end of the phase gcPercent, a
// cycle coming later changing nothing; the user's GOGC and GOMEMLIMIT
// obeyed.
func TestDecodeCollector(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(noMemoryLimit))
	unsetEnv(t, "GOGC")
	unsetEnv(t, "GOMEMLIMIT")
	check := func(when string, gogc, limit int64) {
		t.Helper()
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
		for deadline := time.Now().Add(10 * time.Second); ; {
			metrics.Read(s)
			g, l := int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
			if gogc == -1 && g == 0 || g == gogc { // the metric reads 0 when off
				if l == limit {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: GOGC %d and memory limit %d, want %d and %d", when, g, l, gogc, limit)
			}
			time.Sleep(time.Millisecond)
		}
	}

	p := startDecodeCollector()
	check("reading", -1, decodeMemoryFloor)
	runtime.GC()
	check("after a cycle", decodeGCPercent, noMemoryLimit)
	p.end()
	check("analysing", gcPercent, noMemoryLimit)

	p = startDecodeCollector()
	p.end()
	runtime.GC()
	runtime.GC()
	time.Sleep(20 * time.Millisecond) // for a late cleanup to show
	check("a cycle after the end", gcPercent, noMemoryLimit)

	t.Setenv("GOGC", "77")
	debug.SetGCPercent(77) // as the runtime reads GOGC at start
	startDecodeCollector().end()
	check("GOGC set", 77, noMemoryLimit)
}
