package flow

import (
	"testing"
	"unsafe"
)

// TestIndexSizes pins the size of the analysis's transactions: a big
// capture has hundreds of thousands of DNS lookups and KDC exchanges.
func TestIndexSizes(t *testing.T) {
	if n := unsafe.Sizeof(dnsTx{}); n > 32 {
		t.Errorf("dnsTx is %d bytes, want <= 32", n)
	}
	if n := unsafe.Sizeof(kdcTx{}); n > 96 {
		t.Errorf("kdcTx is %d bytes, want <= 96", n)
	}
	// A big capture has tens of thousands of flows of eight steps.
	if n := unsafe.Sizeof(Step{}); n > 72 {
		t.Errorf("Step is %d bytes, want <= 72", n)
	}
	if n := unsafe.Sizeof(Flow{}); n > 744 {
		t.Errorf("Flow is %d bytes, want <= 744", n)
	}
}
