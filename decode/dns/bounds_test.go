package dns

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// question builds a query with one question whose name is the given wire
// bytes, then type A class IN.
func question(counts [4]uint16, name []byte) []byte {
	b := []byte{0x12, 0x34, 0x01, 0x00}
	for _, c := range counts {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	b = append(b, name...)
	return append(b, 0, 1, 0, 1)
}

// pointerChain is a name that is a pointer to a pointer ... hops times,
// ending at the name "a".
func pointerChain(hops int) []byte {
	var name []byte
	for i := 1; i <= hops; i++ {
		name = binary.BigEndian.AppendUint16(name, uint16(0xc000|(headerLen+2*i)))
	}
	return append(name, 1, 'a', 0)
}

// TestBoundPointerHops checks maxPtrHops: a chain of distinct compression
// pointers (not a loop) longer than the bound is refused, one at the bound
// is followed.
func TestBoundPointerHops(t *testing.T) {
	m, err := Parse(question([4]uint16{1, 0, 0, 0}, pointerChain(maxPtrHops-1)))
	if err != nil || len(m.Questions) != 1 || m.Questions[0].Name != "a" {
		t.Fatalf("%d hops: %v %+v", maxPtrHops-1, err, m)
	}
	m, err = Parse(question([4]uint16{1, 0, 0, 0}, pointerChain(4*maxPtrHops)))
	if !errors.Is(err, wire.ErrMalformed) || len(m.Questions) != 0 || !strings.Contains(err.Error(), "compression pointers") {
		t.Fatalf("%d hops: %v %+v", 4*maxPtrHops, err, m)
	}
}

// TestBoundNameLength checks maxNameLen through the label count: 127
// one-byte labels make 255 bytes, one more is refused.
func TestBoundNameLength(t *testing.T) {
	labels := func(n int) []byte {
		var b []byte
		for range n {
			b = append(b, 1, 'x')
		}
		return append(b, 0)
	}
	m, err := Parse(question([4]uint16{1, 0, 0, 0}, labels(127)))
	if err != nil || len(m.Questions[0].Name) != 2*127-1 {
		t.Fatalf("127 labels: %v", err)
	}
	if _, err = Parse(question([4]uint16{1, 0, 0, 0}, labels(128))); !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("128 labels: %v", err)
	}
}

// TestBoundCounts checks that the counts of the header are never trusted:
// 65535 of each with one question present gives that question and a
// truncation error, without allocating from the counts.
func TestBoundCounts(t *testing.T) {
	b := question([4]uint16{0xffff, 0xffff, 0xffff, 0xffff}, []byte{1, 'a', 0})
	allocs := testing.AllocsPerRun(10, func() { Parse(b) })
	m, err := Parse(b)
	if !errors.Is(err, wire.ErrTruncated) || len(m.Questions) != 1 || len(m.Answers) != 0 {
		t.Fatalf("%v %+v", err, m)
	}
	if allocs > 20 {
		t.Errorf("%v allocations for a 21-byte message", allocs)
	}
}
