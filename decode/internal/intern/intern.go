// Package intern hands out one shared string for byte sequences the
// decoders see over and over (Kerberos realms and name components, salts,
// mechanism OIDs, HTTP methods, versions, reasons, URIs and hosts), so that
// a capture's thousands of decoded messages point at a few copies instead
// of each holding its own. decode/dns may use it beside internal/wire
// (decode/imports_test.go).
//
// The table is a fixed-size, direct-mapped cache of recently seen strings,
// safe for concurrent use without locks: a lookup that misses, or finds its
// slot taken by another string, allocates a fresh string and takes the
// slot. The strings returned are always equal to the input bytes; only
// whether two equal results share memory depends on what came before, so
// decoders stay pure functions of their input as far as any caller can
// observe. Strings longer than MaxLen are never kept, which bounds the
// table's memory (about 4096 * (MaxLen+32) bytes).
//
// It does not: hash securely (an adversary can only make it miss), evict
// by age, or keep more than one string per slot.
package intern

import (
	"hash/maphash"
	"sync/atomic"
)

// MaxLen is the longest string kept in the table; longer inputs are
// copied every time.
const MaxLen = 64

const slots = 4096 // a power of two

var (
	seed  = maphash.MakeSeed()
	table [slots]atomic.Pointer[string]
)

// Bytes returns a string equal to b, shared with earlier calls for equal
// bytes when the cache still holds one. b is not retained.
func Bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > MaxLen {
		return string(b)
	}
	slot := &table[maphash.Bytes(seed, b)&(slots-1)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}
