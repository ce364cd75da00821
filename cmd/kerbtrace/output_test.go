package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
	"github.com/kerbtrace/kerbtrace/report"
)

// terminal makes isTerminal true for the writers given, for one test.
func terminal(t *testing.T, ws ...io.Writer) {
	t.Helper()
	old := isTerminal
	t.Cleanup(func() { isTerminal = old })
	isTerminal = func(w io.Writer) bool {
		for _, x := range ws {
			if x == w {
				return true
			}
		}
		return false
	}
}

// runAnalyze runs 'kerbtrace analyze' with stdin and returns stdout,
// stderr and the exit status.
func runAnalyze(t *testing.T, stdin io.Reader, stdout, stderr *bytes.Buffer, args ...string) int {
	t.Helper()
	return run(append([]string{"analyze"}, args...), stdin, stdout, stderr)
}

func TestFormatFor(t *testing.T) {
	cases := []struct{ flag, out, want string }{
		{"", "", "table"},
		{"json", "r.md", "json"},
		{"", "r.json", "json"},
		{"", "R.JSON", "json"},
		{"", "r.txt", "table"},
		{"", "r.summary", "summary"},
		{"", "r.log", "summary"},
		{"", "r.docx", "table"},
		{"", "dir.json/r", "table"},
	}
	for _, c := range cases {
		if got := formatFor(c.flag, c.out); got != c.want {
			t.Errorf("formatFor(%q, %q) = %q, want %q", c.flag, c.out, got, c.want)
		}
	}
	// Formats not registered fall back to table.
	for ext, f := range extFormats {
		if _, ok := report.Lookup(f); !ok && formatFor("", "r"+ext) != "table" {
			t.Errorf("%s: unregistered %s not refused", ext, f)
		}
	}
}

func TestOutputFileByExtension(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	out := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	if code := runAnalyze(t, nil, &stdout, &stderr, "--fail-on", "never", "-o", out, "testdata/captures/success.pcap"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) || stdout.Len() != 0 {
		t.Errorf("-o r.json: not a JSON report (stdout %d bytes)", stdout.Len())
	}
}

func TestColor(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	args := []string{"--fail-on", "never", "testdata/captures/ntlm-fallback.pcap"}
	colored := func(t *testing.T, extra ...string) (bool, string) {
		var stdout, stderr bytes.Buffer
		terminal(t, &stdout)
		if code := runAnalyze(t, nil, &stdout, &stderr, append(extra, args...)...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		return bytes.IndexByte(stdout.Bytes(), 0x1b) >= 0, stdout.String()
	}
	t.Run("terminal", func(t *testing.T) {
		t.Setenv("NO_COLOR", "")
		ok, out := colored(t)
		if !ok {
			t.Fatal("no colour on a terminal")
		}
		for _, want := range []string{"[\x1b[1m\x1b[31mERROR\x1b[0m]", "[\x1b[1m\x1b[33mWARNING\x1b[0m]", "outcome: \x1b[1m\x1b[33mNTLM_FALLBACK\x1b[0m"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(out, "")
		var ref, stderr bytes.Buffer
		runAnalyze(t, nil, &ref, &stderr, args...)
		if plain != ref.String() {
			t.Errorf("the coloured table differs from the plain one by more than colours:\n%s", testutil.Diff(ref.String(), plain))
		}
	})
	t.Run("NO_COLOR", func(t *testing.T) {
		t.Setenv("NO_COLOR", "1")
		if ok, _ := colored(t); ok {
			t.Error("colour despite NO_COLOR")
		}
	})
	t.Run("not a terminal", func(t *testing.T) {
		t.Setenv("NO_COLOR", "")
		var stdout, stderr bytes.Buffer
		runAnalyze(t, nil, &stdout, &stderr, args...)
		if bytes.IndexByte(stdout.Bytes(), 0x1b) >= 0 {
			t.Error("escape bytes on a stdout that is not a terminal")
		}
	})
	for _, f := range report.Formats() {
		if f == "table" {
			continue
		}
		t.Run("format "+f, func(t *testing.T) {
			t.Setenv("NO_COLOR", "")
			if ok, _ := colored(t, "--format", f); ok {
				t.Errorf("%s output holds escape bytes", f)
			}
		})
	}
}

func TestProgress(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	old := progressDelay
	t.Cleanup(func() { progressDelay = old })
	progressDelay = 0
	var stdout, stderr bytes.Buffer
	terminal(t, &stderr)
	runAnalyze(t, nil, &stdout, &stderr, "--fail-on", "never", "testdata/captures/success.pcap", "testdata/captures/spn-missing.cap")
	if !strings.Contains(stderr.String(), "reading testdata/captures/spn-missing.cap") {
		t.Errorf("no progress bar on a terminal stderr: %q", stderr.String())
	}
	segs := strings.Split(stderr.String(), "\r")
	last := -1
	for i, sg := range segs {
		if strings.TrimSpace(sg) != "" {
			last = i
		}
	}
	if last < 0 || last == len(segs)-1 || !strings.Contains(strings.Join(segs[last+1:], ""), "   ") {
		t.Errorf("the last progress bar was not cleared: %q", stderr.String())
	}
	if bytes.IndexByte(stdout.Bytes(), '\r') >= 0 {
		t.Error("progress on stdout")
	}
	stdout.Reset()
	stderr.Reset()
	terminal(t)
	runAnalyze(t, nil, &stdout, &stderr, "--fail-on", "never", "testdata/captures/success.pcap")
	if stderr.Len() != 0 {
		t.Errorf("stderr not a terminal, yet: %q", stderr.String())
	}
}

func TestAllFrames(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	const path = "testdata/captures/success.pcap"
	var plain, all, stdinAll, stderr bytes.Buffer
	runAnalyze(t, nil, &plain, &stderr, "--fail-on", "never", "--format", "summary", path)
	runAnalyze(t, nil, &all, &stderr, "--fail-on", "never", "--format", "summary", "--all", path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	runAnalyze(t, bytes.NewReader(data), &stdinAll, &stderr, "--fail-on", "never", "--format", "summary", "--all", "-")
	if !strings.Contains(all.String(), "\n29 ") || !strings.Contains(all.String(), "TCP Flags: ......S., SrcPort: 39728, DstPort: 80") {
		t.Errorf("--all lacks the SYN of frame 29:\n%s", all.String())
	}
	if strings.Contains(plain.String(), " TCP ") {
		t.Error("TCP lines without --all")
	}
	// Every message line is kept, in the same order.
	var kept []string
	for _, l := range strings.SplitAfter(all.String(), "\n") {
		if !strings.Contains(l, " TCP Flags:") && !strings.Contains(l, " UDP SrcPort:") {
			kept = append(kept, l)
		}
	}
	if strings.Join(kept, "") != plain.String() {
		t.Errorf("--all changed the message lines:\n%s", testutil.Diff(plain.String(), strings.Join(kept, "")))
	}
	if stdinAll.String() != all.String() {
		t.Errorf("--all on standard input differs:\n%s", testutil.Diff(all.String(), stdinAll.String()))
	}
	stderr.Reset()
	runAnalyze(t, nil, &plain, &stderr, "--fail-on", "never", "--all", path)
	if !strings.Contains(stderr.String(), "--all lists frames in --format summary only") {
		t.Errorf("no warning for --all with table: %q", stderr.String())
	}
}

func TestRedactMapFile(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	out := filepath.Join(dir, "r.txt")
	if code := runAnalyze(t, nil, &stdout, &stderr, "--redact-map", filepath.Join(dir, ".", "r.txt"), "-o", out, "testdata/captures/success.pcap"); code != exitUsage {
		t.Errorf("--redact-map onto the -o file: exit %d, want 2", code)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("report written although the flags were refused")
	}
	m := filepath.Join(dir, "map.json")
	if err := os.WriteFile(m, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := runAnalyze(t, nil, &stdout, &stderr, "--fail-on", "never", "--redact-map", m, "testdata/captures/success.pcap"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	st, err := os.Stat(m)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("map mode %v, want 0600", st.Mode().Perm())
	}
	var ps []report.Pseudonym
	b, _ := os.ReadFile(m)
	if err := json.Unmarshal(b, &ps); err != nil || len(ps) == 0 {
		t.Fatalf("map is not a JSON list of pseudonyms: %v\n%s", err, b)
	}
	if strings.Contains(stdout.String(), "alice") {
		t.Error("--redact-map did not imply --redact")
	}
}

// originals reads the names and addresses an unredacted JSON report holds.
func originals(t *testing.T, doc []byte) map[string]bool {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal(doc, &r); err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	add := func(s string) {
		if s != "" && !keepOriginal(s) {
			set[s] = true
		}
	}
	addr := func(s string) {
		if ap, err := netip.ParseAddrPort(s); err == nil {
			s = ap.Addr().String()
		}
		add(s)
	}
	name := func(s string) {
		if a, err := netip.ParseAddr(s); err == nil {
			add(a.String())
			return
		}
		if strings.HasPrefix(s, "_") {
			s = s[strings.LastIndex(s, "._")+1:]
			s = s[strings.IndexByte(s, '.')+1:]
		}
		if h, _, ok := strings.Cut(s, ":"); ok {
			s = h
		}
		add(s)
	}
	for _, c := range r.Captures {
		add(c.File)
		add(filepath.Base(c.File))
	}
	for _, m := range r.Messages {
		addr(m.Src)
		addr(m.Dst)
		name(m.QName)
		name(m.Host)
		for _, a := range m.Answers {
			name(a.Name)
			if f := strings.Fields(a.Data); len(f) > 0 {
				name(f[len(f)-1])
			}
		}
		add(m.Realm)
		if !strings.Contains(m.CName, "/") {
			add(m.CName)
		}
		add(m.Domain)
		add(m.User)
		add(m.Workstation)
		add(m.TargetName)
	}
	for _, f := range r.Flows {
		add(f.Client)
		name(f.Server)
	}
	return set
}

func keepOriginal(s string) bool {
	switch strings.ToUpper(s) {
	case "WELLKNOWN:ANONYMOUS", "-":
		return true
	}
	return false
}

// containsToken reports whether s holds tok as a whole token, in any case.
func containsToken(s, tok string) bool {
	re := regexp.MustCompile(`(?i)(^|[^\pL\pN._-])` + regexp.QuoteMeta(tok) + `($|[^\pL\pN._-]|\.[^\pL\pN])`)
	return re.MatchString(s)
}

// outputHolds is containsToken on a report, without the tool's own name.
func outputHolds(out []byte, tok string) bool {
	return containsToken(toolName.ReplaceAllString(string(out), "${1}TOOL${2}"), tok)
}

// toolName finds the tool's own name in its output ("kerbtrace report",
// "kerbtrace/1"), which is not the capture's NetBIOS domain KERBTRACE.
var toolName = regexp.MustCompile(`(^|[^\pL\pN._-])kerbtrace([^\pL\pN._-]|$)`)

// TestRedactEveryFormat runs lab captures through --redact in every format
// and checks that none of the names and addresses of the unredacted
// report remains, that the mapping is the same whatever the format, and
// that it lists every original.
func TestRedactEveryFormat(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	for _, name := range []string{"success", "two-clients", "ntlm-fallback", "smb-success"} {
		path := filepath.Join("testdata", "captures", name+".pcap")
		t.Run(name, func(t *testing.T) {
			doc, _ := analyzeOut(t, "--fail-on", "never", "--format", "json", path)
			orig := originals(t, doc)
			for _, want := range []string{"alice", "192.0.2.101", "KERBTRACE.TEST"} {
				if !orig[want] {
					t.Fatalf("the unredacted report does not name %s: the test would prove nothing", want)
				}
			}
			var firstMap []byte
			for _, format := range report.Formats() {
				mapPath := filepath.Join(t.TempDir(), "map.tsv")
				out, _ := analyzeOut(t, "--fail-on", "never", "--format", format, "--redact", "--redact-map", mapPath, "--all", path)
				m, err := os.ReadFile(mapPath)
				if err != nil {
					t.Fatal(err)
				}
				if firstMap == nil {
					firstMap = m
				} else if !bytes.Equal(firstMap, m) {
					t.Errorf("%s: the mapping differs from the first format's:\n%s", format, testutil.Diff(string(firstMap), string(m)))
				}
				pseudo := map[string]bool{}
				for _, l := range strings.Split(string(m), "\n")[1:] {
					if f := strings.Split(l, "\t"); len(f) == 3 {
						pseudo[strings.ToLower(f[2])] = true
					}
				}
				for o := range orig {
					if pseudo[strings.ToLower(o)] {
						continue // an original that is also some other original's pseudonym
					}
					if outputHolds(out, o) {
						i := strings.Index(strings.ToLower(string(out)), strings.ToLower(o))
						t.Errorf("%s: the redacted report still holds %q: %q", format, o, out[max(0, i-80):min(len(out), i+40)])
					}
				}
				if !strings.Contains(string(out), "user1") {
					t.Errorf("%s: no user1 in the redacted report", format)
				}
			}
			for o := range orig {
				if o == filepath.Base(o) && strings.HasSuffix(o, ".pcap") {
					continue // the base name is not a line of its own
				}
				if !containsToken(strings.ToLower(string(firstMap)), strings.ToLower(o)) {
					t.Errorf("the map does not list %q:\n%s", o, firstMap)
				}
			}
		})
	}
}

// TestGoldenRedacted keeps the redacted summary (with --all) and the map
// of two lab captures in testdata/golden/redacted/, for review: rewrite
// them with -update.
func TestGoldenRedacted(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	for _, name := range []string{"two-clients", "ntlm-fallback"} {
		t.Run(name, func(t *testing.T) {
			mapPath := filepath.Join(t.TempDir(), "map.tsv")
			out, _ := analyzeOut(t, "--fail-on", "never", "--format", "summary", "--all", "--redact-map", mapPath,
				filepath.Join("testdata", "captures", name+".pcap"))
			m, err := os.ReadFile(mapPath)
			if err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("testdata", "golden", "redacted", name+".summary"), out)
			testutil.Golden(t, filepath.Join("testdata", "golden", "redacted", name+".map.tsv"), m)
		})
	}
}
