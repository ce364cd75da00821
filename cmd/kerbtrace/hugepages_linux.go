package main

import (
	"bytes"
	"os"
	"runtime/debug"
	"sync"
	"syscall"
	"unsafe"
)

// hugeHeapSize returns the address space to mark for huge pages: up to
// hugeHeapMax and a quarter of the memory, rounded to 2 MB; 0 when the
// kernel gives no huge pages, or when taking that much address space at
// once could fail: the runtime aborts on a failed heap mapping, so not
// with strict overcommit (vm.overcommit_memory=2) nor under a limit on
// address space (ulimit -v).
func hugeHeapSize() int {
	if thp, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil || bytes.Contains(thp, []byte("[never]")) {
		return 0
	}
	if oc, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err != nil || string(bytes.TrimSpace(oc)) == "2" {
		return 0
	}
	var as syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &as); err != nil || as.Cur != ^uint64(0) {
		return 0
	}
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	n := uint64(hugeHeapMax)
	if ram := uint64(si.Totalram) * uint64(si.Unit) / 4; ram < n {
		n = ram
	}
	return int(n &^ (2<<20 - 1))
}

// markHugeHeap makes the runtime take n bytes of heap, marks them
// MADV_HUGEPAGE and frees them: the runtime keeps the address space and
// fills it from then on, and the kernel keeps the mark on it. Nothing is
// written, so none of it becomes resident. It reports whether the kernel
// took the mark; only the first call in a process does anything.
//
// The runtime clears a new object unless all its pages are fresh from the
// kernel or were returned to it. When the n bytes began on pages the heap
// had used and freed but not yet returned, it cleared all n, before the
// mark: a gigabyte written in 4 KB pages, seconds on a virtual machine
// (one run in ten). Returning every free page first (FreeOSMemory) makes
// all of them count as fresh. And once the n bytes are freed, they are
// returned too: the runtime then knows them to be zero, as it knows memory
// the kernel has just handed out, and does not clear the objects it places
// there. Merely freed, they counted as memory the heap had written, and the
// runtime cleared every span it took from them (~3 % of a run's CPU).
func markHugeHeap(n int) bool {
	hugeOnce.Do(func() {
		debug.FreeOSMemory()
		b := make([]byte, n)
		hugeMarked = syscall.Madvise(b, syscall.MADV_HUGEPAGE) == nil
		hugeAt = uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		b = nil
		debug.FreeOSMemory() // frees b's pages and returns them
	})
	return hugeMarked
}

var (
	hugeOnce   sync.Once
	hugeMarked bool
	hugeAt     uintptr // where the marked address space starts, for tests
)
