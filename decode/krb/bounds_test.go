package krb

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestBoundRecord checks MaxRecord: a record mark above it is refused as
// malformed (the stream is not waited on for 2 GiB), one at it with few
// bytes present waits for more, without allocating.
func TestBoundRecord(t *testing.T) {
	mark := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	if _, n, err := SplitRecord(append(mark(MaxRecord+1), 1, 2, 3)); !errors.Is(err, wire.ErrMalformed) || n != 0 {
		t.Errorf("MaxRecord+1: %d %v", n, err)
	}
	if _, n, err := SplitRecord(append(mark(0x7fffffff), 1, 2, 3)); !errors.Is(err, wire.ErrMalformed) || n != 0 {
		t.Errorf("2 GiB: %d %v", n, err)
	}
	b := append(mark(MaxRecord), 1, 2, 3)
	var err error
	allocs := testing.AllocsPerRun(10, func() { _, _, err = SplitRecord(b) })
	if !errors.Is(err, wire.ErrTruncated) {
		t.Errorf("MaxRecord, 3 bytes present: %v", err)
	}
	if allocs > 4 && !testutil.Race { // the race detector's instrumentation allocates too
		t.Errorf("%v allocations", allocs)
	}
}

// TestBoundNestingBomb parses a Kerberos message whose body is nested
// 100000 levels deep: an error of the shared vocabulary, no panic.
func TestBoundNestingBomb(t *testing.T) {
	var b []byte
	for range 100000 {
		b = append(b, 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff)
	}
	for _, app := range []byte{0x6a, 0x6c, 0x6e, 0x7e} { // AS-REQ, TGS-REQ, AP-REQ, KRB-ERROR
		msg := append([]byte{app, 0x84, 0x7f, 0xff, 0xff, 0xff}, b...)
		_, err := Parse(msg)
		if err == nil || !(errors.Is(err, wire.ErrMalformed) || errors.Is(err, wire.ErrTruncated)) {
			t.Errorf("0x%02x: %v", app, err)
		}
	}
}
