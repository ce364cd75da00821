//go:build !linux

package main

// hugeHeapSize is 0: huge pages are asked for on Linux only.
func hugeHeapSize() int { return 0 }

// markHugeHeap does nothing outside Linux.
func markHugeHeap(int) bool { return false }
