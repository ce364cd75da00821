package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
	"github.com/kerbtrace/kerbtrace/report"
)

// labCaptures lists the captures the lab made, relative to the repository.
func labCaptures(t *testing.T, exts ...string) []string {
	t.Helper()
	var out []string
	for _, ext := range exts {
		m, err := filepath.Glob(filepath.Join("testdata", "captures", "*"+ext))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatal("no captures under testdata/captures")
	}
	return out
}

// analyzeOut runs 'kerbtrace analyze' in-process and returns stdout.
func analyzeOut(t *testing.T, args ...string) ([]byte, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"analyze"}, args...), nil, &stdout, &stderr)
	if code == exitUsage {
		t.Fatalf("kerbtrace analyze %v: exit %d: %s", args, code, stderr.String())
	}
	return stdout.Bytes(), code
}

// TestGolden compares the reports of every lab capture, in every format of
// report.Formats(), with its golden files in testdata/golden/. Rewrite them with -update and review
// the diff.
func TestGolden(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	for _, path := range labCaptures(t, ".pcap") {
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		t.Run(name, func(t *testing.T) {
			for _, format := range report.Formats() {
				out, _ := analyzeOut(t, "--fail-on", "never", "--format", format, path)
				testutil.Golden(t, filepath.Join("testdata", "golden", name+goldenExt(format)), out)
			}
		})
	}
}

// goldenExt is the golden file extension of a report format: the format's
// name, except where a file type has its usual extension.
func goldenExt(format string) string {
	switch format {
	case "markdown":
		return ".md"
	}
	return "." + format
}

// TestCopiesDecodeAlike checks that the pcapng and Network Monitor copies of
// a lab capture give the same messages and flows as the pcap original.
func TestCopiesDecodeAlike(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	for _, path := range labCaptures(t, ".pcapng", ".cap") {
		orig := strings.TrimSuffix(path, filepath.Ext(path)) + ".pcap"
		if _, err := os.Stat(orig); err != nil {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			var stderr bytes.Buffer
			var a bytes.Buffer
			if code := run([]string{"analyze", "--format", "json", "--fail-on", "never", path}, nil, &a, &stderr); code != 0 {
				if strings.Contains(stderr.String(), "Network Monitor") {
					t.Skipf("reader not available yet: %s", stderr.String())
				}
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			b, _ := analyzeOut(t, "--format", "json", "--fail-on", "never", orig)
			ma, mb := decodeReport(t, a.Bytes()), decodeReport(t, b)
			if !jsonEqual(ma["messages"], mb["messages"]) {
				t.Errorf("messages differ between %s and %s", path, orig)
			}
			if !jsonEqual(ma["flows"], mb["flows"]) {
				t.Errorf("flows differ between %s and %s", path, orig)
			}
		})
	}
}

func decodeReport(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	return m
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
