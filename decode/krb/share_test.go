package krb

import (
	"fmt"
	"slices"
	"testing"
)

// TestShareSlots checks that the caches give back a list equal to the one
// asked for also when many different lists fall on the same slots, that a
// repeat right after gets the kept copy, and that the copy is not the
// caller's buffer.
func TestShareSlots(t *testing.T) {
	var names listCache[string]
	var etypes listCache[Etype]
	for i := range 40 * shareSlots {
		buf := []string{"host", fmt.Sprintf("h%d.example", i%(3*shareSlots))}
		got := names.share(buf, hashStrings(buf))
		if !slices.Equal(got, buf) || &got[0] == &buf[0] {
			t.Fatalf("names %v: got %v", buf, got)
		}
		if again := names.share(slices.Clone(buf), hashStrings(buf)); &again[0] != &got[0] {
			t.Fatalf("names %v: a repeat did not get the kept copy", buf)
		}
		ebuf := []Etype{18, 17, Etype(i % (3 * shareSlots))}
		if got := etypes.share(ebuf, hashInts(ebuf)); !slices.Equal(got, ebuf) || &got[0] == &ebuf[0] {
			t.Fatalf("etypes %v: got %v", ebuf, got)
		}
	}
	if names.share(nil, 0) != nil || etypes.share([]Etype{}, 0) != nil {
		t.Error("an empty list is not nil")
	}
}
