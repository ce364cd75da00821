package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
)

var pgoDir = flag.String("pgo-dir", "", "write default.pgo from a CPU profile of analyze on the captures kerbtrace-bench -keep DIR left in DIR")

// TestPGOProfile remakes default.pgo, the CPU profile the Go toolchain
// uses to build kerbtrace (profile-guided optimization): analyze in the
// JSON, table and Markdown formats on kerbtrace-bench's auth-only and
// mixed captures. It runs only when asked (README, "Speed and memory"):
//
//	go run ./cmd/kerbtrace-bench -no-tshark -keep /tmp/kb
//	go test ./cmd/kerbtrace -run TestPGOProfile -count 1 -args -pgo-dir /tmp/kb
func TestPGOProfile(t *testing.T) {
	if *pgoDir == "" {
		t.Skip("-pgo-dir not given")
	}
	var inputs []string
	for _, name := range []string{"auth-only.pcap", "mixed.pcap"} {
		p := filepath.Join(*pgoDir, name)
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, p)
	}
	out := filepath.Join(t.TempDir(), "report")
	prof := filepath.Join(t.TempDir(), "cpu.pgo")
	f, err := os.Create(prof)
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for _, in := range inputs {
			for _, format := range []string{"json", "table", "markdown"} {
				if code := run([]string{"analyze", "--format", format, "--fail-on", "never", "-o", out, in}, nil, io.Discard, os.Stderr); code != exitOK {
					t.Fatalf("analyze --format %s %s: exit %d", format, in, code)
				}
			}
		}
	}
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("default.pgo", b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("default.pgo: %d bytes", len(b))
}
