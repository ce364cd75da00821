package ber

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// refChildren walks the children of t with readFull only, as Iter did
// before it had a fast path: the reference for Iter.Next.
func refChildren(t TLV) (kids []TLV, err error) {
	b, base, cut := t.Value, t.ValueOff(), t.Truncated
	if t.Depth+1 > MaxDepth {
		return nil, errAt(t.Off, "nesting", nil)
	}
	for off := 0; off < len(b); {
		c, err := readFull(b, off, base, cut)
		if err != nil {
			return kids, err
		}
		c.Depth = t.Depth + 1
		kids = append(kids, c)
		off += c.HdrLen + len(c.Value)
		if c.Truncated {
			return kids, errAt(c.ValueOff()+len(c.Value), "content", nil)
		}
	}
	if cut {
		return kids, errAt(base+len(b), "header", nil)
	}
	return kids, nil
}

// refInner is Inner with readFull only.
func refInner(t TLV) (TLV, error) {
	if t.Depth+1 > MaxDepth || len(t.Value) == 0 {
		return TLV{}, errAt(t.Off, "inner", nil)
	}
	c, err := readFull(t.Value, 0, t.ValueOff(), t.Truncated)
	if err != nil {
		return TLV{}, err
	}
	c.Depth = t.Depth + 1
	return c, nil
}

// sameErr says whether two errors are both nil or both a *Error at the
// same offset.
func sameErr(a, b error) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	var ea, eb *Error
	return a == nil || (errors.As(a, &ea) && errors.As(b, &eb) && ea.Off == eb.Off)
}

// checkFastPaths compares, at every constructed TLV under t, the children
// Iter.Next gives and the TLV Inner gives with what readFull gives.
func checkFastPaths(t TLV) error {
	if !t.Constructed {
		return nil
	}
	want, werr := refChildren(t)
	var got []TLV
	it := t.Children()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		got = append(got, c)
	}
	if !reflect.DeepEqual(got, want) || !sameErr(it.Err(), werr) {
		return fmt.Errorf("children of %+v:\n got %+v, %v\nwant %+v, %v", t, got, it.Err(), want, werr)
	}
	in, ierr := t.Inner()
	win, wierr := refInner(t)
	if !reflect.DeepEqual(in, win) || (ierr == nil) != (wierr == nil) {
		return fmt.Errorf("inner of %+v:\n got %+v, %v\nwant %+v, %v", t, in, ierr, win, wierr)
	}
	for _, c := range got {
		if err := checkFastPaths(c); err != nil {
			return err
		}
	}
	return nil
}

// FuzzFastPaths checks that the in-place fast paths of Iter.Next and
// Inner decode exactly the TLVs and errors the general Read does, on every
// constructed TLV of the input, whole (as a message) and as the content
// of a truncated or a complete container.
func FuzzFastPaths(f *testing.F) {
	for _, seed := range [][]byte{
		{0x30, 0x06, 0xa0, 0x04, 0x02, 0x02, 0x01, 0x00},
		{0x6a, 0x81, 0x05, 0x30, 0x03, 0xa1, 0x01, 0x05},
		{0x30, 0x82, 0x00, 0x04, 0xa1, 0x02, 0x04, 0x00},
		{0x30, 0x05, 0xbf, 0x81, 0x01, 0x01, 0x00},
		{0x30, 0x04, 0xa0, 0x82, 0x01},
		{0x30, 0x04, 0xa0, 0x81, 0x7f},
		{0x30, 0x03, 0xa0, 0x80, 0x00},
		{0x30, 0x08, 0xa0, 0x02, 0x04, 0x05},
	} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, b []byte, cut bool) {
		top := TLV{Constructed: true, Value: b, Truncated: cut}
		if err := checkFastPaths(top); err != nil {
			t.Fatal(err)
		}
		if tlv, err := ReadTop(b); err == nil {
			if err := checkFastPaths(tlv); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestFastPathsLongForms covers the length forms by hand: the one- and
// two-octet long forms the fast path takes, the non-minimal and
// three-octet forms it leaves to Read, and lengths past the content.
func TestFastPathsLongForms(t *testing.T) {
	for _, b := range [][]byte{
		append([]byte{0xa0, 0x81, 0x80, 0x04, 0x7e}, make([]byte, 126)...),
		append([]byte{0xa0, 0x82, 0x01, 0x00, 0x04, 0x81, 0xfd}, make([]byte, 253)...),
		{0xa0, 0x83, 0x00, 0x00, 0x02, 0x04, 0x00},
		{0xa0, 0x81, 0x02, 0x04, 0x00},
		{0xa0, 0x82, 0x00, 0x02, 0x04, 0x00},
		{0xa0, 0x81, 0x05, 0x04, 0x00},
		{0xa0, 0x82, 0x00},
		{0xa0, 0x81},
		{0xbf, 0x1f, 0x02, 0x04, 0x00},
	} {
		for _, cut := range []bool{false, true} {
			if err := checkFastPaths(TLV{Constructed: true, Value: b, Truncated: cut}); err != nil {
				t.Errorf("% x cut=%v: %v", b, cut, err)
			}
		}
	}
}
