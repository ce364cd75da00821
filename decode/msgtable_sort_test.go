package decode

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortNearlySorted compares sortNearlySorted with a stable sort of
// the same keys: in order, a few out of place (late TCP messages), an
// early large key, reversed, random, with many equal frames and several
// captures, empty and single.
func TestSortNearlySorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	inOrder := func(n int) []orderKey {
		k := make([]orderKey, n)
		for i := range k {
			k[i] = orderKey{capture: int32(i * 3 / n), frame: int32(i / 2)}
		}
		return k
	}
	cases := map[string][]orderKey{
		"empty":  nil,
		"single": {{0, 5}},
		"sorted": inOrder(1000),
	}
	late := inOrder(5000)
	for range 7 { // a message stored after a few later frames' datagrams
		i := 100 + rng.IntN(4800)
		late[i].frame -= int32(1 + rng.IntN(20))
	}
	cases["few late"] = late
	early := inOrder(2000)
	early[10].frame = 1 << 20
	cases["early large key"] = early
	rev := inOrder(1500)
	slices.Reverse(rev)
	cases["reversed"] = rev
	random := make([]orderKey, 3000)
	for i := range random {
		random[i] = orderKey{capture: int32(rng.IntN(3)), frame: int32(rng.IntN(50))}
	}
	cases["random, many equal"] = random
	for name, keys := range cases {
		got := numbered(keys)
		want := stableSorted(got)
		sortNearlySorted(got, itemKey)
		if !slices.Equal(got, want) {
			t.Errorf("%s: sortNearlySorted differs from a stable sort", name)
		}
	}
}

// item is a key and its place in the input, which tells a stable sort
// from another.
type item struct {
	k   orderKey
	idx int
}

func itemKey(x item) orderKey { return x.k }

// numbered returns the keys as items numbered in order.
func numbered(keys []orderKey) []item {
	out := make([]item, len(keys))
	for i, k := range keys {
		out[i] = item{k, i}
	}
	return out
}

// stableSorted returns a copy of xs sorted by a stable sort.
func stableSorted(xs []item) []item {
	want := slices.Clone(xs)
	slices.SortStableFunc(want, func(a, b item) int {
		if a.k.capture != b.k.capture {
			return int(a.k.capture - b.k.capture)
		}
		return int(a.k.frame - b.k.frame)
	})
	return want
}

// FuzzSortNearlySorted sorts keys made of the fuzzer's bytes, a capture
// and a frame each, and wants a stable sort's order.
func FuzzSortNearlySorted(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 1, 0, 3, 1, 0})
	f.Add([]byte{0, 9, 0, 1, 0, 2, 0, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		keys := make([]orderKey, len(b)/2)
		for i := range keys {
			keys[i] = orderKey{capture: int32(b[2*i] % 4), frame: int32(b[2*i+1])}
		}
		items := numbered(keys)
		want := stableSorted(items)
		sortNearlySorted(items, itemKey)
		if !slices.Equal(items, want) {
			t.Fatalf("got %v, want %v", items, want)
		}
	})
}
