package flow

import (
	"cmp"
	"net/netip"
	"slices"
)

// orderedGroups sorts the items 0..n-1 into groups of equal keys and
// returns the groups in the order of their first items, each with its
// items ascending: items holds them all, group after group, and group g
// is items[ends[g-1]:ends[g]] (ends[-1] being 0).
//
// Keys are given by hash, equal for equal keys, and compare, a total
// order of the keys (0 for equal ones). The items are sorted by hash, then
// key, then number, rather than grouped in a map of keys to lists: at
// 20,000 clients such a map and its lists came to 7 MB of garbage, where
// these lists of numbers take a fifth of it.
func orderedGroups(n int, hash func(i int) uint64, compare func(i, j int) int) (items, ends []int32) {
	if n == 0 {
		return nil, nil
	}
	hs := make([]uint64, n)
	perm := make([]int32, n)
	for i := range n {
		hs[i], perm[i] = hash(i), int32(i)
	}
	same := func(x, y int32) int {
		if c := cmp.Compare(hs[x], hs[y]); c != 0 {
			return c
		}
		return compare(int(x), int(y))
	}
	slices.SortFunc(perm, func(x, y int32) int {
		if c := same(x, y); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	// Each run of equal keys starts with its least item.
	type run struct{ first, start, end int32 }
	var runs []run
	start := 0
	for k := 1; k <= n; k++ {
		if k == n || same(perm[start], perm[k]) != 0 {
			runs = append(runs, run{perm[start], int32(start), int32(k)})
			start = k
		}
	}
	slices.SortFunc(runs, func(x, y run) int { return cmp.Compare(x.first, y.first) })
	items, ends = make([]int32, 0, n), make([]int32, 0, len(runs))
	for _, r := range runs {
		items = append(items, perm[r.start:r.end]...)
		ends = append(ends, int32(len(items)))
	}
	return items, ends
}

// FNV-1a, 64 bits: the hashes of orderedGroups need only be equal for
// equal keys, and the same from one run to the next.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashString adds s to the hash h.
func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// hashUint adds v to the hash h, a byte at a time.
func hashUint(h, v uint64) uint64 {
	for range 8 {
		h = (h ^ v&0xff) * fnvPrime
		v >>= 8
	}
	return h
}

// hashAddr adds the bits of a (not its zone) to the hash h.
func hashAddr(h uint64, a netip.Addr) uint64 {
	b := a.As16()
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}
