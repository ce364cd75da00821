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
// The hash is fixed (FxHash's), not seeded per process, so which strings
// share a slot, and so which lookups allocate, is the same in every run:
// allocation counts and memory do not change from one run to the next
// with the same input. (With a random seed, two strings of one Kerberos
// token took one slot in about one process in 250, and each decoding of
// it then allocated both afresh.)
//
// It does not: hash securely (an adversary can only make it miss), evict
// by age, or keep more than one string per slot.
package intern

import (
	"math/bits"
	"sync/atomic"
)

// MaxLen is the longest string kept in the table; longer inputs are
// copied every time.
const MaxLen = 64

const (
	slotBits = 12
	slots    = 1 << slotBits
)

var table [slots]atomic.Pointer[string]

// Bytes returns a string equal to b, shared with earlier calls for equal
// bytes when the cache still holds one. b is not retained.
func Bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > MaxLen {
		return string(b)
	}
	slot := &table[index(b)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}

// index returns the table slot of b: the top slotBits bits of its Hash,
// which every input bit reaches.
func index(b []byte) uint64 { return Hash(b) >> (64 - slotBits) }

// Hash returns a hash of b's bytes, the same for equal bytes in every run:
// b eight bytes at a time, folded as FxHash does (rotate, xor, multiply by
// 2^64/phi). Its high bits mix well, its low bits poorly; callers that
// want a few bits take the top ones. Decoders that keep caches of their
// own (krb's lists) hash the strings in them with it, so that which
// entries share a slot does not change from run to run either.
func Hash[T ~string | ~[]byte](b T) uint64 {
	const k = 0x9e3779b97f4a7c15
	h := uint64(len(b)) * k
	for ; len(b) >= 8; b = b[8:] {
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		h = (bits.RotateLeft64(h, 5) ^ w) * k
	}
	var tail uint64
	for i := range len(b) {
		tail |= uint64(b[i]) << (8 * i)
	}
	return (bits.RotateLeft64(h, 5) ^ tail) * k
}
