package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestThpDisabled(t *testing.T) {
	tests := []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"disablethp=1", true},
		{"gctrace=1,disablethp=1", true},
		{"disablethp=1, madvdontneed=1", true},
		{"disablethp=0", false},
		{"xdisablethp=1", false},
		{"gctrace=1", false},
	}
	for _, tt := range tests {
		if got := thpDisabled(tt.godebug); got != tt.want {
			t.Errorf("thpDisabled(%q) = %v, want %v", tt.godebug, got, tt.want)
		}
	}
}

func TestInputSize(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pcap"), filepath.Join(dir, "b.pcap")
	if err := os.WriteFile(a, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, make([]byte, 24), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		names []string
		want  int64
	}{
		{[]string{a}, 1000},
		{[]string{a, b}, 1024},
		{[]string{a, filepath.Join(dir, "missing.pcap")}, 1000},
		{[]string{a, stdinName}, -1},
		{nil, 0},
	}
	for _, tt := range tests {
		if got := inputSize(tt.names); got != tt.want {
			t.Errorf("inputSize(%v) = %d, want %d", tt.names, got, tt.want)
		}
	}
}
