package main

import (
	"os"
	"strconv"
	"strings"
)

// Transparent huge pages for the heap.
//
// A big capture makes a heap of hundreds of megabytes, and every fresh 4 KB
// page of it costs a page fault: on a virtual machine a fifth of the run's
// CPU time went to the kernel, and more to TLB misses. Backed by 2 MB pages
// the same run takes some 25 % less time (README, "Speed and memory").
//
// Go's runtime no longer asks for huge pages itself, and most distributions
// give them only to memory that asks (THP "madvise"). adviseHugePages asks
// for the heap analyze is about to build: it takes address space for the
// heap once, marks it MADV_HUGEPAGE, and hands it back to the runtime,
// which then places the messages there. The mark is a hint: it changes no
// result, and a kernel without huge pages ignores it.

const (
	// hugeHeapMax is the address space marked: about twice the heap of
	// 20,000 flows. A heap beyond it gets ordinary pages.
	hugeHeapMax = 1 << 30
	// hugeHeapMinInput is the input size from which the mark pays: it
	// costs some 10 ms and 4 MB of the runtime's bookkeeping.
	hugeHeapMinInput = 8 << 20
)

// adviseHugePages asks for huge pages for the heap when the inputs (size
// bytes in all, -1 when unknown, as for standard input) are big enough for
// it to pay, unless GODEBUG=disablethp=1, Go's own switch to keep the heap
// off huge pages, is set.
func adviseHugePages(size int64) {
	if size >= 0 && size < hugeHeapMinInput || thpDisabled(os.Getenv("GODEBUG")) || strconv.IntSize < 64 {
		return
	}
	if n := hugeHeapSize(); n > 0 {
		markHugeHeap(n) // hugepages_linux.go; nothing elsewhere
	}
}

// thpDisabled reports whether a GODEBUG value sets disablethp=1.
func thpDisabled(godebug string) bool {
	for kv := range strings.SplitSeq(godebug, ",") {
		if strings.TrimSpace(kv) == "disablethp=1" {
			return true
		}
	}
	return false
}

// inputSize returns the bytes of the named inputs, -1 when one of them is
// standard input; a name that cannot be read counts nothing (its error
// comes when it is opened).
func inputSize(names []string) int64 {
	var n int64
	for _, name := range names {
		if name == stdinName {
			return -1
		}
		if st, err := os.Stat(name); err == nil && st.Mode().IsRegular() {
			n += st.Size()
		}
	}
	return n
}
