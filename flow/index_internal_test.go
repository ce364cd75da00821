package flow

import (
	"net/netip"
	"strings"
	"testing"
	"unsafe"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/krb"
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

// TestAppendTexts checks the appending forms of the finding texts against
// the String forms they replace.
func TestAppendTexts(t *testing.T) {
	for _, a := range []netip.Addr{{}, netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("::ffff:10.0.0.9"), netip.MustParseAddr("fe80::1%eth0")} {
		if got := string(appendAddr([]byte("x"), a)); got != "x"+a.String() {
			t.Errorf("appendAddr(%v) = %q", a, got)
		}
	}
	for _, p := range []krb.Principal{{}, {Components: []string{""}}, {Components: []string{"", ""}}, {Components: []string{"HTTP", "web.lab.test"}}, {Components: []string{"u"}}} {
		if empty := p.Empty(); empty != (p.String() == "") {
			t.Errorf("%v: Empty %v, String %q", p.Components, empty, p.String())
		}
	}
	for _, fr := range [][]int{nil, {7}, {7, 12, 300}} {
		if got := string(appendFrames(nil, fr)); got != joinFrames(fr) {
			t.Errorf("appendFrames(%v) = %q", fr, got)
		}
	}
	for k := range decode.Kind(40) {
		if got, want := kindName(k), strings.ToUpper(strings.ReplaceAll(k.String(), "_", "-")); got != want {
			t.Errorf("kindName(%v) = %q, want %q", k, got, want)
		}
	}
}

// TestReplacePlaceholders checks the one-pass replacement of a remedy's
// placeholders against strings.Replacer, which it stands in for.
func TestReplacePlaceholders(t *testing.T) {
	rs := [4][2]string{{"<spn>", "HTTP/web.lab.test"}, {"<host>", "web.lab.test"}, {"<server>", "<server>"}, {"<name>", ""}}
	var args []string
	for _, r := range rs {
		args = append(args, r[0], r[1])
	}
	want := strings.NewReplacer(args...)
	for _, s := range []string{"", "no placeholder", "<spn>", "setspn -S <spn> <host>; ping <host>.", "<<spn>>", "<name><server><spn",
		"a <b> c", "<host"} {
		if got := replacePlaceholders(s, rs); got != want.Replace(s) {
			t.Errorf("%q: %q, want %q", s, got, want.Replace(s))
		}
	}
	if n := testing.AllocsPerRun(100, func() { replacePlaceholders("setspn -S <spn> <host>", rs) }); n != 1 {
		t.Errorf("a remedy with placeholders: %v allocations, want 1 (the text at its size)", n)
	}
}
