package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Limits on what a kerbtrace package may build when the program starts,
// whatever it is then asked to do: every run pays for it. A template or a
// regular expression that only one format or subcommand uses is made on
// first use (report's HTML template and the token reader's patterns took
// 110 KB, 2,133 allocations and a millisecond of each run's start).
const (
	maxInitBytes  = 24 << 10
	maxInitAllocs = 128
)

// TestStartupInits builds kerbtrace and runs 'kerbtrace version' with
// GODEBUG=inittrace=1, which makes the runtime report each package's
// initialization, and checks the allocations of kerbtrace's own packages
// (the command itself is "main") against the limits above. The test
// binary would not do: the tests' own tables are initialized with it.
func TestStartupInits(t *testing.T) {
	gobin := goCommand(t, "build kerbtrace")
	bin := filepath.Join(t.TempDir(), "kerbtrace")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.Bytes())
	}
	seen := 0
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		// init PKG @T ms, C ms clock, B bytes, N allocs
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[1] != "main" && !strings.HasPrefix(f[1], "github.com/kerbtrace/kerbtrace") {
			continue
		}
		seen++
		bytesN, err1 := strconv.Atoi(f[7])
		allocs, err2 := strconv.Atoi(f[9])
		if err1 != nil || err2 != nil {
			t.Fatalf("unexpected inittrace line %q", sc.Text())
		}
		if bytesN > maxInitBytes || allocs > maxInitAllocs {
			t.Errorf("%s allocates %d bytes in %d allocations when the program starts (limits %d and %d): make what a single use needs on first use", f[1], bytesN, allocs, maxInitBytes, maxInitAllocs)
		}
	}
	// Every decoder, the analysis and the report, at least.
	if seen < 10 {
		t.Fatalf("inittrace reported %d kerbtrace packages:\n%s", seen, stderr.Bytes())
	}
}

// TestNoNetworkStack keeps the HTTP server, TLS and x509 out of the
// command: kerbtrace reads files and talks to no one, and a dependency
// that brought them in (the progress-bar module did, README,
// Dependencies) made the binary 5.7 MB larger and every start 3 ms longer.
func TestNoNetworkStack(t *testing.T) {
	gobin := goCommand(t, "list the dependencies")
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 || !slices.Contains(deps, "github.com/kerbtrace/kerbtrace/flow") {
		t.Fatalf("go list -deps gave %d packages, not the command's:\n%s", len(deps), out)
	}
	for _, p := range []string{"net/http", "crypto/tls", "crypto/x509"} {
		if slices.Contains(deps, p) {
			t.Errorf("kerbtrace depends on %s", p)
		}
	}
}

// goCommand returns the go command for a test that needs it to do what,
// skipping the test in -short mode or when there is none.
func goCommand(t *testing.T, what string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: does not " + what)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to " + what + " with")
	}
	return gobin
}
