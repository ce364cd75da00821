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
	if n := unsafe.Sizeof(kdcTx{}); n > 64 {
		t.Errorf("kdcTx is %d bytes, want <= 64", n)
	}
	// A big capture has tens of thousands of flows of eight steps.
	if n := unsafe.Sizeof(Step{}); n > 72 {
		t.Errorf("Step is %d bytes, want <= 72", n)
	}
	if n := unsafe.Sizeof(Flow{}); n > 744 {
		t.Errorf("Flow is %d bytes, want <= 744", n)
	}
}

// TestCatalogueNum checks the numbers the de-duplication keys give the
// catalogue's ids: one each, all distinct, and an id outside the
// catalogue found in no flow.
func TestCatalogueNum(t *testing.T) {
	if len(catalogueNum) != len(catalogue) || len(catalogue) > 1<<16 {
		t.Fatalf("%d numbers for %d ids", len(catalogueNum), len(catalogue))
	}
	seen := map[uint16]string{}
	for id, n := range catalogueNum {
		if other, dup := seen[n]; dup {
			t.Errorf("%s and %s share number %d", id, other, n)
		}
		seen[n] = id
	}
	a := &analyzer{flowHas: map[flowFinding]bool{}}
	for id, n := range catalogueNum {
		a.flowHas[flowFinding{3, n}] = true
		if !a.hasFinding(3, id) || a.hasFinding(2, id) {
			t.Errorf("%s: hasFinding on flow 3 %v, on flow 2 %v", id, a.hasFinding(3, id), a.hasFinding(2, id))
		}
	}
	if a.hasFinding(3, "NOT_A_CATALOGUE_ID") {
		t.Error("an id outside the catalogue was found")
	}
}
