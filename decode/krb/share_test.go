package krb

import (
	"fmt"
	"reflect"
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

// TestTicketShare checks that a ticket equal to one kept gets the kept
// one, that one differing in any field gets a copy of its own equal to it,
// and that neither is the caller's.
func TestTicketShare(t *testing.T) {
	var c valueCache[Ticket]
	share := func(t *Ticket) *Ticket { return c.share(t, hashTicket(t), sameTicket) }
	base := Ticket{TktVNO: 5, Realm: "LAB.TEST", SName: Principal{NameType: 2, Components: []string{"krbtgt", "LAB.TEST"}}, Etype: 18, Kvno: 2, CipherLen: 1100}
	in := base
	first := share(&in)
	if first == &in || !sameTicket(first, &base) {
		t.Fatalf("first ticket: got %+v", first)
	}
	again := base
	again.SName.Components = slices.Clone(base.SName.Components)
	if got := share(&again); got != first {
		t.Errorf("an equal ticket did not get the kept one")
	}
	for i, change := range []func(k *Ticket){
		func(k *Ticket) { k.TktVNO = 4 },
		func(k *Ticket) { k.Realm = "OTHER.TEST" },
		func(k *Ticket) { k.SName.NameType = 1 },
		func(k *Ticket) { k.SName.Components = []string{"HTTP", "web.lab.test"} },
		func(k *Ticket) { k.Etype = 23 },
		func(k *Ticket) { k.Kvno = 3 },
		func(k *Ticket) { k.CipherLen = 1101 },
	} {
		checkChanged(t, i, base, first, change, share, sameTicket)
	}
}

// checkChanged checks that base changed by change (the i-th change) gets
// from share a copy of its own, equal to it: neither first, the value kept
// for base, nor the caller's.
func checkChanged[T any](t *testing.T, i int, base T, first *T, change func(*T), share func(*T) *T, same func(a, b *T) bool) {
	t.Helper()
	other := base
	change(&other)
	if got := share(&other); got == first || got == &other || !same(got, &other) {
		t.Errorf("change %d: got %+v, want a copy of %+v", i, got, other)
	}
}

// TestEDataShare checks that an e-data equal to one kept gets the kept
// one, and one differing in any field a copy of its own equal to it.
func TestEDataShare(t *testing.T) {
	var c valueCache[EData]
	share := func(e *EData) *EData { return c.share(e, hashEData(e), sameEData) }
	base := EData{MethodData: []PADataType{2, 19, 16}, ETypeInfo2: []ETypeInfo{{Etype: 18, Salt: "LAB.TESTuser", HasSalt: true}}}
	in := base
	first := share(&in)
	if first == &in || !sameEData(first, &base) {
		t.Fatalf("first e-data: got %+v", first)
	}
	again := base
	again.MethodData = slices.Clone(base.MethodData)
	if got := share(&again); got != first {
		t.Errorf("an equal e-data did not get the kept one")
	}
	for i, change := range []func(e *EData){
		func(e *EData) { e.MethodData = []PADataType{2, 19} },
		func(e *EData) { e.ETypeInfo2 = []ETypeInfo{{Etype: 18, Salt: "LAB.TESTother", HasSalt: true}} },
		func(e *EData) { e.TypedData = []PADataType{1} },
		func(e *EData) { e.NTStatus = 0xc0000234 },
		func(e *EData) { e.HasNTStatus = true },
		func(e *EData) { e.KerbErrType = 3 },
	} {
		checkChanged(t, i, base, first, change, share, sameEData)
	}
	// sameEData compares every field: a new one must be added there.
	if n := reflect.TypeFor[EData]().NumField(); n != 6 {
		t.Errorf("EData has %d fields, sameEData knows 6", n)
	}
	if n := reflect.TypeFor[Ticket]().NumField(); n != 6 {
		t.Errorf("Ticket has %d fields, sameTicket knows 6", n)
	}
}
