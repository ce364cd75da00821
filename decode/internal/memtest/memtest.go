// Package memtest measures, for the decoders' benchmarks, how much heap
// the values a decoder returns keep alive: the memory a capture of a
// million messages holds until its report is written.
package memtest

import "runtime"

// Rounds is how many times Retained decodes each input.
const Rounds = 100

// Retained returns the heap bytes kept alive per round by decoding every
// input Rounds times over and keeping each result.
func Retained[T any](inputs [][]byte, decode func([]byte) T) uint64 {
	keep := make([]T, 0, Rounds*len(inputs))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range Rounds {
		for _, p := range inputs {
			keep = append(keep, decode(p))
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return (after.HeapAlloc - before.HeapAlloc) / Rounds
}
