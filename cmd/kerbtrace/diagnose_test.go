package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestDiffCommand runs 'kerbtrace diff' on golden reports and on reports
// it makes itself, and 'analyze --baseline' in one step.
func TestDiffCommand(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	dir := t.TempDir()
	write := func(capture string) string {
		out := filepath.Join(dir, capture+".json")
		if code, _, stderr := runCmd("analyze", "--format", "json", "--fail-on", "never", "-o", out, "testdata/captures/"+capture+".pcap"); code != 0 {
			t.Fatalf("analyze %s: exit %d %s", capture, code, stderr)
		}
		return out
	}
	good, bad := write("cname-fallback"), write("cname-noncanonical")
	notJSON := filepath.Join(dir, "x.json")
	os.WriteFile(notJSON, []byte("not json"), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		out  string // in stdout, or in stderr for --baseline and errors
	}{
		{"same", []string{"diff", good, good}, 0, "No change that matters."},
		{"worse", []string{"diff", good, bad}, 1, "outcome kerberos_ok -> failed"},
		{"better", []string{"diff", bad, good}, 0, "outcome failed -> kerberos_ok"},
		{"one file", []string{"diff", good}, 2, "usage: kerbtrace diff"},
		{"not a report", []string{"diff", good, notJSON}, 2, "not a kerbtrace JSON report"},
		{"missing", []string{"diff", good, filepath.Join(dir, "nope.json")}, 2, "nope.json"},
		// --baseline: exit by regression only (the capture's own errors do not count).
		{"baseline same", []string{"analyze", "--baseline", bad, "testdata/captures/cname-noncanonical.pcap"}, 0, "No change that matters."},
		{"baseline worse", []string{"analyze", "--baseline", good, "testdata/captures/cname-noncanonical.pcap"}, 1, "step ticket_reply ok -> failed"},
		{"baseline unreadable", []string{"analyze", "--baseline", notJSON, "testdata/captures/success.pcap"}, 2, "--baseline"},
		{"bad client", []string{"analyze", "--client", "www", "testdata/captures/success.pcap"}, 2, `--client "www" is not an IP address`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(c.args...)
			if code != c.code || !strings.Contains(stdout+stderr, c.out) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant %q", code, c.code, stdout, stderr, c.out)
			}
		})
	}
}

// TestClientFilter: two-clients holds alice (client1, success) and bob
// (client2, wrong password); --client keeps one of them.
func TestClientFilter(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	for _, c := range []struct {
		client, user string
		code         int
	}{{"192.0.2.101", "alice@KERBTRACE.TEST", 0}, {"192.0.2.102", "bob@KERBTRACE.TEST", 1}} {
		code, stdout, stderr := runCmd("analyze", "--format", "json", "--client", c.client, "testdata/captures/two-clients.pcap")
		if code != c.code {
			t.Errorf("--client %s: exit %d, want %d (%s)", c.client, code, c.code, stderr)
		}
		var r struct {
			Flows []struct {
				Client, User string
			}
			Findings []struct {
				Client string
				Flow   *int
			}
		}
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Flows) != 1 || r.Flows[0].Client != c.client || r.Flows[0].User != c.user {
			t.Errorf("--client %s: flows %+v", c.client, r.Flows)
		}
		for _, f := range r.Findings {
			if f.Client != "" && f.Client != c.client || f.Flow != nil && *f.Flow != 1 {
				t.Errorf("--client %s: finding of %s, flow %v", c.client, f.Client, *f.Flow)
			}
		}
	}
}

// TestClientFilterOtherClientFinding: a finding about a client that belongs
// to no flow (the failed KDC locator lookups of 192.168.170.56 in a public
// DNS capture) goes when --client names another address, and stays for its
// own. The filter indexed flow -1 for it and panicked.
func TestClientFilterOtherClientFinding(t *testing.T) {
	capture := filepath.Join(testutil.SharedCaptures(t), "arkime", "dns-wiresharkrepo.pcap")
	for _, c := range []struct {
		client string
		want   int // DNS_KDC_LOCATOR_FAILED findings
	}{{"192.168.170.8", 0}, {"192.168.170.56", 1}} {
		code, stdout, stderr := runCmd("analyze", "--format", "json", "--fail-on", "never", "--client", c.client, capture)
		if code != 0 {
			t.Fatalf("--client %s: exit %d (%s)", c.client, code, stderr)
		}
		if got := strings.Count(stdout, `"id": "DNS_KDC_LOCATOR_FAILED"`); got != c.want {
			t.Errorf("--client %s: %d DNS_KDC_LOCATOR_FAILED findings, want %d", c.client, got, c.want)
		}
	}
}

// TestDiagnoseFlagsCheckedFirst checks that a bad --client or --baseline is
// reported before any capture is read (here, one that does not exist).
func TestDiagnoseFlagsCheckedFirst(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pcap")
	for _, c := range []struct{ flag, value, msg string }{
		{"--client", "web01", `--client "web01" is not an IP address`},
		{"--baseline", missing + ".json", "--baseline: open "},
	} {
		code, _, stderr := runCmd("analyze", c.flag, c.value, missing)
		if code != exitUsage || !strings.Contains(stderr, c.msg) || strings.Contains(stderr, "missing.pcap:") {
			t.Errorf("%s %s: exit %d, stderr %q; want exit 2 with %q and no word on the capture", c.flag, c.value, code, stderr, c.msg)
		}
	}
}
