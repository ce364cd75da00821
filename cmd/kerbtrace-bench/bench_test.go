package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestSmoke runs the whole benchmark on a tiny mixed capture (about 2 MB)
// and a tiny auth-only one: the table and the ratios are printed and the
// reports with GOMAXPROCS=1 and 2 are identical.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kerbtrace and the pcapgo floor")
	}
	args := []string{"-mixed-size", "2MB", "-mixed-clients", "20", "-clients", "20"}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Log("no tshark: measured without it")
		args = append(args, "-no-tshark")
	}
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	s := out.String()
	for _, want := range []string{
		"mixed: reports with GOMAXPROCS=1 and 2: identical",
		"auth-only: reports with GOMAXPROCS=1 and 2: identical",
		"vs floor",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "mixed ") || strings.HasPrefix(line, "auth-only ") {
			if !strings.Contains(line, "x ") {
				t.Errorf("no ratio in %q", line)
			}
		}
	}
	t.Log(s)
}
