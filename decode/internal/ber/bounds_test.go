package ber

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// TestBoundOIDArcs checks maxOIDArcs: an OBJECT IDENTIFIER of 10000 arcs is
// refused, one of maxOIDArcs is read.
func TestBoundOIDArcs(t *testing.T) {
	oid := func(arcs int) TLV {
		v := []byte{0x2b} // 1.3
		for i := 2; i < arcs; i++ {
			v = append(v, 0x81, 0x01) // 129, two octets
		}
		return TLV{Class: ClassUniversal, Tag: TagOID, Value: v, Len: len(v)}
	}
	s, err := OID(oid(maxOIDArcs))
	if err != nil || strings.Count(s, ".") != maxOIDArcs-1 {
		t.Fatalf("%d arcs: %q %v", maxOIDArcs, s, err)
	}
	if _, err := OID(oid(10000)); !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("10000 arcs: %v", err)
	}
}

// TestBoundLength checks that a declared length is never allocated: a TLV
// announcing 2^31-1 bytes with three present is read as truncated without
// an allocation, and a length beyond int32 or in more than maxHeaderOctets
// octets is refused.
func TestBoundLength(t *testing.T) {
	b := []byte{0x04, 0x84, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3}
	var tlv TLV
	var err error
	allocs := testing.AllocsPerRun(100, func() { tlv, err = Read(b, 0, 0, true) })
	if err != nil || !tlv.Truncated || tlv.Len != 1<<31-1 || len(tlv.Value) != 3 || allocs != 0 {
		t.Fatalf("%+v %v, %v allocations", tlv, err, allocs)
	}
	for _, h := range [][]byte{{0x04, 0x84, 0x80, 0, 0, 0}, append([]byte{0x04, 0x80 | (maxHeaderOctets + 1)}, make([]byte, maxHeaderOctets+1)...)} {
		if _, err := Read(h, 0, 0, true); !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("% x: %v", h, err)
		}
	}
}

// TestBoundDepthBomb checks MaxDepth on a nesting far deeper than the
// bound: walking it recursively stops at MaxDepth with an error.
func TestBoundDepthBomb(t *testing.T) {
	const levels = 100000
	b := make([]byte, 0, 2*levels)
	for i := levels; i > 0; i-- {
		// Every level is a SEQUENCE whose content runs to the end (cut).
		b = append(b, 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff)
	}
	top, err := ReadTop(b)
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	var walk func(t TLV) error
	walk = func(tl TLV) error {
		depth = max(depth, tl.Depth)
		it := tl.Children()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			if err := walk(c); err != nil {
				return err
			}
		}
		return it.Err()
	}
	if err := walk(top); !errors.Is(err, wire.ErrMalformed) || depth != MaxDepth {
		t.Fatalf("depth %d: %v", depth, err)
	}
}
