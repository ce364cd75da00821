package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestGoldenKeytab compares the reports of lab captures analysed with the
// lab's keytabs (and, for success, its password file) with the goldens in
// testdata/golden/keytab/. Rewrite them with -update and review the diff.
func TestGoldenKeytab(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	keys := filepath.Join("testdata", "lab", "keys")
	tests := []struct {
		capture string
		flags   []string
	}{
		// good web keytab + krbtgt keytab + passwords: every ticket, the
		// authenticators, the AS-REP and the AP-REP open
		{"success", []string{"--keytab", filepath.Join(keys, "http-www.good.keytab"), "--keytab", filepath.Join(keys, "krbtgt.keytab"),
			"--password-file", filepath.Join(keys, "passwords.tsv")}},
		// the service's stale keytab (kvno 1 for a kvno 2 ticket)
		{"stale-key", []string{"--keytab", filepath.Join(keys, "http-www.stale.keytab")}},
		// the service's wrong keytab (kvno 2, another key)
		{"wrong-key", []string{"--keytab", filepath.Join(keys, "http-www.wrong.keytab")}},
		// the ticket of HTTP/rc4 is rc4-hmac (etype 23): Apache's keytab opens it
		{"rc4-service", []string{"--keytab", filepath.Join(keys, "http-www-rc4.keytab")}},
		// the krbtgt keytab opens the TGS-REQ authenticator: the client's clock is measured
		{"skew-client-tgs", []string{"--keytab", filepath.Join(keys, "krbtgt.keytab")}},
	}
	for _, tc := range tests {
		t.Run(tc.capture, func(t *testing.T) {
			for _, format := range []string{"table", "json"} {
				args := append(append([]string{"--fail-on", "never", "--format", format}, tc.flags...),
					filepath.Join("testdata", "captures", tc.capture+".pcap"))
				out, _ := analyzeOut(t, args...)
				for _, secret := range []string{"Alice-Lab-Pw1", "www-key-2", "fe4acccf"} {
					if bytes.Contains(out, []byte(secret)) {
						t.Fatalf("%s report holds a secret (%s)", format, secret)
					}
				}
				testutil.Golden(t, filepath.Join("testdata", "golden", "keytab", tc.capture+"."+format), out)
			}
		})
	}
}

// A keytab that cannot be read is bad usage, named on stderr; a password
// file others can read is a warning.
func TestKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.keytab")
	if err := os.WriteFile(bad, []byte{5, 2, 0, 0, 0, 90, 0}, 0o600); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(dir, "pw.tsv")
	if err := os.WriteFile(pw, []byte("alice@KERBTRACE.TEST\tAlice-Lab-Pw1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cap := filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "success.pcap")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--keytab", bad, cap}, exitUsage, "kerbtrace: --keytab " + bad + ": bad.keytab: kcrypt: keytab.entry at 0x6: 90 bytes announced, 1 present: truncated"},
		{[]string{"--keytab", filepath.Join(dir, "none.keytab"), cap}, exitUsage, "no such file"},
		{[]string{"--password-file", pw, "--fail-on", "never", cap}, exitOK, "is readable by every user (mode 0644): chmod 600 it"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"analyze"}, tc.args...), nil, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.msg)
		}
		if strings.Contains(stdout.String()+stderr.String(), "Alice-Lab-Pw1") {
			t.Errorf("%v: the password was printed", tc.args)
		}
	}
}
