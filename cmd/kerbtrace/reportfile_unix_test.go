//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReportFileInterrupted checks that an interrupt while a report is
// written over an old one cuts the file where the writing stopped (no
// tail of the old report behind the new head) and ends the process as
// the signal would have, 130 for SIGINT.
func TestReportFileInterrupted(t *testing.T) {
	exited := make(chan int, 1)
	defer func(f func(int)) { exitProcess = f }(exitProcess)
	exitProcess = func(code int) { exited <- code }

	out := filepath.Join(t.TempDir(), "r.txt")
	os.WriteFile(out, []byte(strings.Repeat("old report\n", 1000)), 0o644)
	r, err := createReport(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head := strings.Repeat("new report\n", os.Getpagesize()/11+1) // a page and some
	r.Write([]byte(head))
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit %d after SIGINT, want 130", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("SIGINT did not end the writing of the report")
	}
	// The whole page written is kept; the bytes after it had not reached
	// the file.
	if got, _ := os.ReadFile(out); string(got) != head[:os.Getpagesize()] {
		t.Errorf("after SIGINT the file holds %d bytes (%q...), want the page written", len(got), got[:min(len(got), 40)])
	}
}
