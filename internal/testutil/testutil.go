// Package testutil holds helpers shared by kerbtrace's tests: where the
// repository and the shared public captures are, and golden-file handling.
package testutil

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

// Update is the -update flag of every golden test: rewrite the golden
// files instead of comparing with them.
var Update = flag.Bool("update", false, "rewrite golden files")

// RepoRoot returns the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testutil: go.mod not found above the test directory")
		}
		dir = parent
	}
}

// LabTemplates returns the lab's pcap captures (testdata/captures), the
// flows synthetic captures replay, as cmd/kerbtrace-bench reads them
// (capturetest.LabTemplates). The test is skipped when there is none.
func LabTemplates(t testing.TB) [][]byte {
	t.Helper()
	out, err := capturetest.LabTemplates(RepoRoot(t))
	if err != nil {
		t.Skip(err)
	}
	return out
}

// SharedCaptures returns ../shared/captures beside the repository, skipping
// the test when it is absent (the project must stay self-contained).
func SharedCaptures(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "..", "shared", "captures")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("public captures not present at %s", dir)
	}
	return dir
}

// CaptureFile is a capture file read by CaptureFiles.
type CaptureFile struct {
	Name string // its path relative to the directory walked
	Data []byte
}

// CaptureFiles reads the capture files under dir (pcap, pcapng, Network
// Monitor), in path order, and fails the test when there is none.
func CaptureFiles(t testing.TB, dir string) []CaptureFile {
	t.Helper()
	var out []CaptureFile
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".pcap", ".pcapng", ".cap":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, CaptureFile{rel, b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no capture in %s", dir)
	}
	return out
}

// Golden compares got with the golden file path, or rewrites it under -update.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file missing (run go test -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update after reviewing):\n%s", path, Diff(string(want), string(got)))
	}
}

// Diff returns a short line diff of want and got: the first differing
// lines with some context.
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		b.WriteString("line " + itoa(i+1) + ":\n  - " + wl + "\n  + " + gl + "\n")
		if shown++; shown >= 12 {
			b.WriteString("  ...\n")
			break
		}
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for n > 0 {
		d = append([]byte{byte('0' + n%10)}, d...)
		n /= 10
	}
	return string(d)
}
