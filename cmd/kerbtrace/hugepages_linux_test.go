package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestMarkHugeHeap checks that the kernel took the huge page mark: the
// mapping that holds the marked address space has the "hg" flag in
// /proc/self/smaps.
func TestMarkHugeHeap(t *testing.T) {
	n := hugeHeapSize()
	if n == 0 {
		t.Skip("no transparent huge pages here, or address space is limited")
	}
	n = min(n, 64<<20)
	if !markHugeHeap(n) {
		t.Fatal("madvise(MADV_HUGEPAGE) failed")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse >= uint64(n) {
		t.Errorf("heap in use %d bytes: the marked space (%d) was not freed", ms.HeapInuse, n)
	}
	if !hugeFlagAt(t, hugeAt) {
		t.Fatalf("the mapping at %#x is not marked for huge pages", hugeAt)
	}
	// The heap still works as before: a big allocation reads as zero.
	b := make([]byte, 8<<20)
	for i := range b {
		if b[i] != 0 {
			t.Fatalf("byte %d of a fresh slice is %d", i, b[i])
		}
	}
}

// hugeFlagAt reports whether the mapping holding address at has the
// MADV_HUGEPAGE flag ("hg").
func hugeFlagAt(t *testing.T, at uintptr) bool {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			if in {
				return strings.Contains(" "+flags+" ", " hg ")
			}
			continue
		}
		// A mapping's first line: "start-end perms offset dev inode [path]".
		lo, hi, ok := strings.Cut(strings.Fields(line + " x")[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil {
			in = uint64(at) >= start && uint64(at) < end
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("no mapping holds %#x", at)
	return false
}
