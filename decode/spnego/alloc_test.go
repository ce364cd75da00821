package spnego

import (
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestParseAllocs pins the allocations of parsing real tokens: the Token
// and its lists. The decoder state comes from a pool (decoders), not from
// an allocation of its own (5 and 2 before).
func TestParseAllocs(t *testing.T) {
	if testutil.Race {
		t.Skip("the race detector drops pooled decoders at random")
	}
	for _, tc := range []struct {
		file string
		want float64
	}{
		{"smb2-negtokeninit-apreq.hex", 4},
		{"smb2-negtokenresp-aprep.hex", 1},
	} {
		b := loadVector(t, tc.file)
		if got := testing.AllocsPerRun(100, func() { Parse(b) }); got > tc.want {
			t.Errorf("%s: %v allocs per Parse, want <= %v", tc.file, got, tc.want)
		}
	}
}
