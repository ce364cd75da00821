package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestReportWrittenOver checks that a report written over an existing file
// (written in place, reportfile.go) is byte for byte the report written to
// a new file, whatever the old file held, longer or shorter, and that the
// file stays the same file, with its permissions.
func TestReportWrittenOver(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	dir := t.TempDir()
	for _, capture := range []string{"success.pcap", "skew-client.pcap"} {
		in := filepath.Join("testdata", "captures", capture)
		for _, format := range []string{"json", "table"} {
			fresh := filepath.Join(dir, "fresh."+format)
			if code, _, stderr := runCmd("analyze", "--format", format, "--fail-on", "never", "-o", fresh, in); code != exitOK {
				t.Fatalf("%s %s: exit %d: %s", capture, format, code, stderr)
			}
			want, err := os.ReadFile(fresh)
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(fresh)
			olds := map[string][]byte{
				"empty":   {},
				"shorter": []byte("{}\n"),
				"longer":  append(bytes.Repeat([]byte("old report line\n"), len(want)/16), bytes.Repeat([]byte("x"), 1<<20)...),
				"same":    want,
			}
			for name, old := range olds {
				out := filepath.Join(dir, name+"."+format)
				if err := os.WriteFile(out, old, 0o640); err != nil {
					t.Fatal(err)
				}
				os.Chmod(out, 0o640) // whatever the umask
				before, err := os.Stat(out)
				if err != nil {
					t.Fatal(err)
				}
				if code, _, stderr := runCmd("analyze", "--format", format, "--fail-on", "never", "-o", out, in); code != exitOK {
					t.Fatalf("%s %s over %s: exit %d: %s", capture, format, name, code, stderr)
				}
				got, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s %s over %s: %d bytes, want the %d of a new file (ends %q)", capture, format, name, len(got), len(want), got[max(0, len(got)-40):])
				}
				after, err := os.Stat(out)
				if err != nil {
					t.Fatal(err)
				}
				if !os.SameFile(before, after) || after.Mode().Perm() != 0o640 {
					t.Errorf("%s %s over %s: the file was replaced or its mode changed (%v)", capture, format, name, after.Mode())
				}
			}
		}
	}
}

// TestReportFileCut checks that a file written over keeps nothing of the
// old report past what was written, when it is closed and when a render
// fails half way (the error path closes it too).
func TestReportFileCut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	os.WriteFile(out, []byte(strings.Repeat("old report\n", 1000)), 0o644)
	r, err := createReport(out)
	if err != nil {
		t.Fatal(err)
	}
	if !r.inPlace {
		t.Fatal("an existing report is not written over in place")
	}
	r.Write([]byte("new head"))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); string(got) != "new head" {
		t.Errorf("after close the file holds %q, want %q", got, "new head")
	}
}

// TestReportFilePages checks that a file written over receives whole pages
// until it is closed, and that the bytes are those written, whatever the
// sizes of the writes.
func TestReportFilePages(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	page := os.Getpagesize()
	os.WriteFile(out, bytes.Repeat([]byte("old report\n"), 3*page), 0o644)
	r, err := createReport(out)
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	for i, n := range []int{1, page - 2, 1, 1, 3 * page, page + 1, 0, 17, 2*page - 18, 5} {
		b := bytes.Repeat([]byte{byte('a' + i)}, n)
		if k, err := r.Write(b); k != n || err != nil {
			t.Fatalf("write %d: %d, %v", i, k, err)
		}
		want = append(want, b...)
		if w := r.n.Load(); w%int64(page) != 0 || len(want)-int(w) >= page {
			t.Fatalf("after write %d (%d bytes in all), %d bytes in the file: not the whole pages", i, len(want), w)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Errorf("the file holds %d bytes, not the %d written", len(got), len(want))
	}
}
