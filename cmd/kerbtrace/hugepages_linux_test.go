package main

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestMarkHugeHeap checks that the kernel took the huge page mark: the
// mapping that holds the marked address space has the "hg" flag in
// /proc/self/smaps. And that marking writes nothing, also where the heap
// had freed pages it had not returned yet: the runtime cleared such a
// space whole, a gigabyte in 4 KB pages, before the mark. And that the
// marked space is returned to the kernel once freed, so that the runtime
// does not clear the objects it places there.
func TestMarkHugeHeap(t *testing.T) {
	n := hugeHeapSize()
	if n == 0 {
		t.Skip("no transparent huge pages here, or address space is limited")
	}
	n = min(n, 64<<20)
	hugeOnce = sync.Once{} // an analyze run of an earlier test may have marked its own
	// Pages the heap used and freed, still resident, where the marked
	// space will begin: the runtime must not clear (write) the n bytes.
	// With a high GOGC, the collector's goal is high and the background
	// scavenger keeps the freed pages rather than return them itself.
	defer debug.SetGCPercent(debug.SetGCPercent(100000))
	used := make([]byte, n) // as big: the marked space fits in its place
	used[0] = 1             // the runtime counts all of it as used
	runtime.KeepAlive(used)
	runtime.GC()
	before := vmRSS(t)
	if !markHugeHeap(n) {
		t.Fatal("madvise(MADV_HUGEPAGE) failed")
	}
	if grew := vmRSS(t) - before; grew > int64(n)/4 {
		t.Errorf("marking %d bytes made the process %d bytes bigger: the space was written", n, grew)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse >= uint64(n) {
		t.Errorf("heap in use %d bytes: the marked space (%d) was not freed", ms.HeapInuse, n)
	}
	released := []metrics.Sample{{Name: "/memory/classes/heap/released:bytes"}}
	if metrics.Read(released); released[0].Value.Uint64() < uint64(n) {
		t.Errorf("%d bytes of heap returned to the kernel, less than the %d marked: the runtime will clear them", released[0].Value.Uint64(), n)
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

// vmRSS returns the process's resident set size in bytes.
func vmRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
