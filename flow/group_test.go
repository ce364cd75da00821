package flow

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// groupsByMap is what orderedGroups replaces: a map of keys to lists, and
// the keys in the order they first came.
func groupsByMap(keys []string) [][]int32 {
	m := map[string][]int32{}
	var order []string
	for i, k := range keys {
		if _, ok := m[k]; !ok {
			order = append(order, k)
		}
		m[k] = append(m[k], int32(i))
	}
	var out [][]int32
	for _, k := range order {
		out = append(out, m[k])
	}
	return out
}

// split cuts orderedGroups' items at its ends.
func split(items, ends []int32) [][]int32 {
	var out [][]int32
	start := int32(0)
	for _, e := range ends {
		out = append(out, items[start:e])
		start = e
	}
	return out
}

// TestOrderedGroups checks orderedGroups against a map of keys to lists,
// with a good hash and with one that makes every key collide.
func TestOrderedGroups(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	random := make([]string, 500)
	for i := range random {
		random[i] = string(rune('a' + rng.IntN(40)))
	}
	hashes := map[string]func(string) uint64{
		"fnv":     func(s string) uint64 { return hashString(fnvOffset, s) },
		"collide": func(string) uint64 { return 1 },
	}
	for _, keys := range [][]string{
		nil,
		{"web"},
		{"b", "a", "b", "c", "a", "b"},
		{"x", "x", "x"},
		random,
	} {
		for name, hash := range hashes {
			items, ends := orderedGroups(len(keys), func(i int) uint64 { return hash(keys[i]) },
				func(i, j int) int { return strings.Compare(keys[i], keys[j]) })
			if got, want := split(items, ends), groupsByMap(keys); !reflect.DeepEqual(got, want) {
				t.Errorf("%s hash, keys %q: groups %v, want %v", name, keys, got, want)
			}
		}
	}
}

// TestHashParts checks that the steps of the hashes orderedGroups is given
// tell apart values that differ only in the order of their bytes, and
// that an address hashes the same with or without a zone (compare tells
// those apart).
func TestHashParts(t *testing.T) {
	if hashString(fnvOffset, "ab") == hashString(fnvOffset, "ba") {
		t.Error("hashString ignores the order of bytes")
	}
	if hashUint(fnvOffset, 1) == hashUint(fnvOffset, 1<<8) {
		t.Error("hashUint ignores the order of bytes")
	}
	a, z := netip.MustParseAddr("fe80::1"), netip.MustParseAddr("fe80::1%eth0")
	if hashAddr(fnvOffset, a) != hashAddr(fnvOffset, z) || a.Compare(z) == 0 {
		t.Error("a zone changes the hash, or compare does not see it")
	}
	if hashAddr(fnvOffset, a) == hashAddr(fnvOffset, netip.MustParseAddr("fe80::2")) {
		t.Error("hashAddr ignores the address")
	}
}
