package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/damage"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
	"github.com/kerbtrace/kerbtrace/report"
)

// damageSeed fixes the damaged copies: the same corpus on every run.
const damageSeed = 20261125

// damagedOriginals are the lab captures the damaged corpus is made from,
// each in the three formats.
var damagedOriginals = []string{"success", "spn-missing", "ntlm-fallback"}

// damagedReport is what one run of analyze gave.
type damagedReport struct {
	code           int
	stdout, stderr string
	doc            struct {
		Captures []struct {
			File     string   `json:"file"`
			Packets  int      `json:"packets"`
			Warnings []string `json:"warnings"`
		} `json:"captures"`
		Messages []map[string]any `json:"messages"`
		Findings []struct {
			ID      string `json:"id"`
			Summary string `json:"summary"`
		} `json:"findings"`
	}
}

// analyzeFile runs 'kerbtrace analyze --format json' on one file, turning
// a panic into a test failure that names the case.
func analyzeFile(t *testing.T, name, path string) (r damagedReport) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%s: panic: %v", name, p)
		}
	}()
	var out, errOut bytes.Buffer
	r.code = run([]string{"analyze", "--format", "json", path}, nil, &out, &errOut)
	r.stdout, r.stderr = out.String(), errOut.String()
	if r.code != exitUsage {
		if err := json.Unmarshal(out.Bytes(), &r.doc); err != nil {
			t.Fatalf("%s: json: %v", name, err)
		}
	}
	return r
}

// TestDamagedCaptures reads damaged copies of lab captures (made by
// internal/damage with a fixed seed): truncated last records, absurd
// captured lengths, pcapng blocks with bad lengths, Network Monitor frame
// tables pointing past the end or into the header, flipped bytes, files cut
// at random points, empty files, garbage appended. For each: no panic; exit
// 0 or 1 when a packet is readable, 2 only when the file header is gone;
// the warning names the file, the frame and the byte offset of the damage;
// every message of the frames before the damage is reported as in the
// undamaged file; and every other format renders too (for the first
// original).
func TestDamagedCaptures(t *testing.T) {
	root := testutil.RepoRoot(t)
	dir := t.TempDir()
	total, compared := 0, 0
	for _, name := range damagedOriginals {
		for _, ext := range []string{".pcap", ".pcapng", ".cap"} {
			orig := filepath.Join(root, "testdata", "captures", name+ext)
			b, err := os.ReadFile(orig)
			if err != nil {
				t.Fatal(err)
			}
			cases, err := damage.Cases(b, damageSeed)
			if err != nil {
				t.Fatalf("%s: %v", orig, err)
			}
			want := analyzeFile(t, name+ext, orig)
			if want.code == exitUsage || len(want.doc.Captures[0].Warnings) != 0 {
				t.Fatalf("%s: the original reads with exit %d, warnings %v", orig, want.code, want.doc.Captures)
			}
			for i, c := range cases {
				total++
				label := name + ext + " " + c.Name
				path := filepath.Join(dir, fmt.Sprintf("%s-%02d%s", name, i, ext))
				if err := os.WriteFile(path, c.Data, 0o644); err != nil {
					t.Fatal(err)
				}
				compared += checkDamaged(t, label, path, c, &want)
				if name == damagedOriginals[0] {
					for _, f := range report.Formats() {
						checkFormat(t, label, path, f)
					}
				}
			}
		}
	}
	t.Logf("%d damaged copies read, %d messages of intact frames compared", total, compared)
}

// TestDamagedSharedNetmon makes the damaged corpus of Network Monitor 2.3
// captures from Microsoft's protocol documents (../shared/captures), whose
// records start right after a 72-byte header and carry trailers.
func TestDamagedSharedNetmon(t *testing.T) {
	shared := testutil.SharedCaptures(t)
	files, _ := filepath.Glob(filepath.Join(shared, "ms-prot-od-netcaps", "MS-ADOD_Example1_*.cap"))
	if len(files) == 0 {
		t.Skip("no MS-ADOD captures")
	}
	dir := t.TempDir()
	compared := 0
	for _, orig := range files[:min(2, len(files))] {
		b, err := os.ReadFile(orig)
		if err != nil {
			t.Fatal(err)
		}
		cases, err := damage.Cases(b, damageSeed)
		if err != nil {
			t.Fatalf("%s: %v", orig, err)
		}
		want := analyzeFile(t, orig, orig)
		for i, c := range cases {
			path := filepath.Join(dir, fmt.Sprintf("%02d.cap", i))
			if err := os.WriteFile(path, c.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			compared += checkDamaged(t, filepath.Base(orig)+" "+c.Name, path, c, &want)
		}
	}
	t.Logf("%d messages of intact frames compared", compared)
}

// checkDamaged checks one damaged copy against the report of its original
// and returns the number of messages compared.
func checkDamaged(t *testing.T, label, path string, c damage.Case, want *damagedReport) int {
	t.Helper()
	got := analyzeFile(t, label, path)
	if c.Unreadable {
		if got.code != exitUsage || !strings.Contains(got.stderr, path) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and a message naming the file", label, got.code, got.stderr)
		}
		return 0
	}
	if got.code == exitUsage {
		if c.Intact > 0 {
			t.Errorf("%s: exit 2 (%s) but %d frames are readable", label, strings.TrimSpace(got.stderr), c.Intact)
		}
		return 0
	}
	if got.code != exitOK && got.code != exitFindings {
		t.Errorf("%s: exit %d", label, got.code)
	}
	if len(got.doc.Captures) != 1 || got.doc.Captures[0].File != path {
		t.Fatalf("%s: captures %+v", label, got.doc.Captures)
	}
	cp := got.doc.Captures[0]
	if cp.Packets < c.Intact {
		t.Errorf("%s: %d packets read, %d are intact", label, cp.Packets, c.Intact)
	}
	if c.Warn != "" {
		checkWarned(t, label, path, c.Warn, &got)
	}
	return checkIntactMessages(t, label, c.Intact, want, &got)
}

// checkWarned checks that the warning due is in the capture's warnings and
// in a CAPTURE_TRUNCATED finding that names the file.
func checkWarned(t *testing.T, label, path, warn string, got *damagedReport) {
	t.Helper()
	ws := got.doc.Captures[0].Warnings
	i := slices.IndexFunc(ws, func(w string) bool { return strings.HasPrefix(w, warn) })
	if i < 0 {
		t.Errorf("%s: no warning %q...; warnings: %q", label, warn, ws)
		return
	}
	for _, f := range got.doc.Findings {
		if f.ID == "CAPTURE_TRUNCATED" && strings.Contains(f.Summary, path) && strings.Contains(f.Summary, ws[i]) {
			return
		}
	}
	t.Errorf("%s: no CAPTURE_TRUNCATED finding naming %s and %q", label, path, ws[i])
}

// checkIntactMessages checks that every message of the original whose
// frames all lie before the damage is reported the same, and returns how
// many there were.
func checkIntactMessages(t *testing.T, label string, intact int, want, got *damagedReport) int {
	t.Helper()
	key := func(m map[string]any) string {
		b, _ := json.Marshal(m)
		return string(b)
	}
	have := map[string]int{}
	for _, m := range got.doc.Messages {
		have[key(m)]++
	}
	missing, n := 0, 0
	for _, m := range want.doc.Messages {
		if lastFrame(m) > intact {
			continue
		}
		n++
		k := key(m)
		if have[k] > 0 {
			have[k]--
			continue
		}
		if missing++; missing <= 3 {
			t.Errorf("%s: message of intact frames (1-%d) lost or changed:\n  %s", label, intact, k)
		}
	}
	return n
}

// lastFrame is the highest frame a message was built from.
func lastFrame(m map[string]any) int {
	n := int(m["frame"].(float64))
	if fs, ok := m["frames"].([]any); ok {
		for _, f := range fs {
			n = max(n, int(f.(float64)))
		}
	}
	return n
}

// checkFormat renders a damaged copy in one more format: no panic, and the
// exit status of a run that read the file.
func checkFormat(t *testing.T, label, path, format string) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%s --format %s: panic: %v", label, format, p)
		}
	}()
	var out, errOut bytes.Buffer
	code := run([]string{"analyze", "--format", format, path}, nil, &out, &errOut)
	if code != exitUsage && out.Len() == 0 && (format == "table" || format == "json") {
		t.Errorf("%s --format %s: exit %d and no output", label, format, code)
	}
}
