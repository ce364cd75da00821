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
}
