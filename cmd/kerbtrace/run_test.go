package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, nil, &o, &e)
	return code, o.String(), e.String()
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("hello, this is not a capture\n"), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no command", nil, 2, "usage"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"no file", []string{"analyze"}, 2, "needs at least one capture"},
		{"missing file", []string{"analyze", filepath.Join(dir, "nope.pcap")}, 2, "nope.pcap"},
		{"text file", []string{"analyze", text}, 2, "notes.txt: not a pcap, pcapng or Network Monitor capture"},
		{"bad format", []string{"analyze", "--format", "xml", text}, 2, `unknown format "xml"`},
		{"bad fail-on", []string{"analyze", "--fail-on", "sometimes", text}, 2, `unknown --fail-on "sometimes"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCmd(c.args...)
			if code != c.code || !strings.Contains(stderr, c.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, c.code, c.msg)
			}
		})
	}
}

// TestExitStatus checks --fail-on and --ignore against real captures.
func TestExitStatus(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	success := "testdata/captures/success.pcap"
	failure := "testdata/captures/spn-missing.pcap"
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"analyze", success}, 0},
		{[]string{"analyze", "--fail-on", "info", success}, 1}, // KRB_PREAUTH_REQUIRED is info
		{[]string{"analyze", failure}, 1},
		{[]string{"analyze", "--fail-on", "never", failure}, 0},
		{[]string{"analyze", "--ignore", "KRB_S_PRINCIPAL_UNKNOWN", failure}, 0},
		{[]string{"analyze", failure, "--format", "json"}, 1}, // flags after the file
	}
	for _, c := range cases {
		code, out, stderr := runCmd(c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, stderr)
		}
		if out == "" {
			t.Errorf("%v: no report", c.args)
		}
	}
	_, out, _ := runCmd("analyze", "--ignore", "KRB_S_PRINCIPAL_UNKNOWN", "--format", "json", failure)
	if strings.Contains(out, `"KRB_S_PRINCIPAL_UNKNOWN"`) {
		t.Error("--ignore left the finding in the report")
	}
}

// TestOneBadFileAmongGood checks that an unreadable file is reported and the
// others are analysed.
func TestOneBadFileAmongGood(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	bad := filepath.Join(t.TempDir(), "bad.pcap")
	os.WriteFile(bad, []byte("not a capture at all"), 0o644)
	code, out, stderr := runCmd("analyze", "--fail-on", "never", bad, "testdata/captures/success.pcap")
	if code != 0 || !strings.Contains(stderr, "bad.pcap: not a pcap, pcapng or Network Monitor capture") || !strings.Contains(out, "KERBEROS_OK") {
		t.Errorf("exit %d, stderr %q, report:\n%s", code, stderr, out)
	}
}

// TestRawTokens checks that tokens appear only when asked for, with a warning.
func TestRawTokens(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	f := "testdata/captures/success.pcap"
	_, out, stderr := runCmd("analyze", "--format", "json", f)
	if strings.Contains(out, "raw_token") || strings.Contains(out, "YII") || stderr != "" {
		t.Errorf("default report holds a raw token (or warned: %q)", stderr)
	}
	_, out, stderr = runCmd("analyze", "--format", "json", "--raw-tokens", f)
	if !strings.Contains(out, `"raw_token": "YII`) || !strings.Contains(stderr, "warning") {
		t.Errorf("--raw-tokens: token shown %v, stderr %q", strings.Contains(out, "raw_token"), stderr)
	}
}

// TestDeterministic runs the same analysis twice.
func TestDeterministic(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	for _, f := range []string{"testdata/captures/two-clients.pcap", "testdata/captures/kdc-tcp-split.pcap"} {
		_, a, _ := runCmd("analyze", "--format", "json", f)
		_, b, _ := runCmd("analyze", "--format", "json", f)
		if a != b {
			t.Errorf("%s: two runs differ", f)
		}
	}
}

// TestReportWriteFailure checks that a report file that cannot be written
// (a full disk: /dev/full) is an error naming the file, not a silent loss.
func TestReportWriteFailure(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	t.Chdir(testutil.RepoRoot(t))
	code, _, stderr := runCmd("analyze", "--format", "json", "-o", "/dev/full", filepath.Join("testdata", "captures", "success.pcap"))
	if code != exitUsage || !strings.Contains(stderr, "/dev/full") {
		t.Fatalf("exit %d, stderr %q; want exit %d naming /dev/full", code, stderr, exitUsage)
	}
}
