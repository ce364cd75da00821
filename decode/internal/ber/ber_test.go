package ber

import (
	"errors"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func TestRead(t *testing.T) {
	cases := []struct {
		name      string
		in        []byte
		cut       bool
		class     Class
		cons      bool
		tag, n    int
		truncated bool
		err       error
	}{
		{"short form", []byte{0x30, 0x02, 0x05, 0x00}, true, ClassUniversal, true, 16, 2, false, nil},
		{"long form", append([]byte{0x04, 0x81, 0x80}, make([]byte, 128)...), true, ClassUniversal, false, 4, 128, false, nil},
		{"application", []byte{0x6e, 0x00}, true, ClassApplication, true, 14, 0, false, nil},
		{"context", []byte{0xa1, 0x00}, true, ClassContext, true, 1, 0, false, nil},
		{"high tag", []byte{0x9f, 0x81, 0x01, 0x00}, true, ClassContext, false, 129, 0, false, nil},
		{"content cut", []byte{0x04, 0x05, 0x01, 0x02}, true, ClassUniversal, false, 4, 5, true, nil},
		{"content overruns container", []byte{0x04, 0x05, 0x01}, false, 0, false, 0, 0, false, wire.ErrMalformed},
		{"no identifier", nil, true, 0, false, 0, 0, false, wire.ErrTruncated},
		{"no length", []byte{0x30}, true, 0, false, 0, 0, false, wire.ErrTruncated},
		{"no length in container", []byte{0x30}, false, 0, false, 0, 0, false, wire.ErrMalformed},
		{"length octets cut", []byte{0x30, 0x82, 0x01}, true, 0, false, 0, 0, false, wire.ErrTruncated},
		{"indefinite", []byte{0x30, 0x80, 0x00, 0x00}, true, 0, false, 0, 0, false, wire.ErrUnsupported},
		{"5 length octets", []byte{0x30, 0x85, 0, 0, 0, 0, 1}, true, 0, false, 0, 0, false, wire.ErrMalformed},
		{"length above int32", []byte{0x30, 0x84, 0x80, 0, 0, 0}, true, 0, false, 0, 0, false, wire.ErrMalformed},
		{"high tag too long", []byte{0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00}, true, 0, false, 0, 0, false, wire.ErrMalformed},
		{"high tag cut", []byte{0x1f, 0x81}, true, 0, false, 0, 0, false, wire.ErrTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tlv, err := Read(c.in, 0, 0, c.cut)
			if !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if err != nil {
				var be *Error
				if !errors.As(err, &be) {
					t.Fatalf("%T is not *ber.Error", err)
				}
				return
			}
			if tlv.Class != c.class || tlv.Constructed != c.cons || tlv.Tag != c.tag || tlv.Len != c.n || tlv.Truncated != c.truncated {
				t.Fatalf("got %+v", tlv)
			}
		})
	}
}

func TestIterTruncation(t *testing.T) {
	// SEQUENCE of two INTEGERs, cut in the second one's content.
	top, err := ReadTop([]byte{0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01})
	if err != nil || !top.Truncated {
		t.Fatalf("top %+v %v", top, err)
	}
	it := top.Children()
	a, ok := it.Next()
	if v, err := Int(a); !ok || err != nil || v != 5 {
		t.Fatalf("first child %d %v", v, err)
	}
	b, ok := it.Next()
	if !ok || !b.Truncated {
		t.Fatalf("second child %+v", b)
	}
	if _, err := Int(b); !errors.Is(err, wire.ErrTruncated) {
		t.Errorf("Int of a cut INTEGER: %v", err)
	}
	if _, ok := it.Next(); ok || !errors.Is(it.Err(), wire.ErrTruncated) {
		t.Errorf("iteration end: %v", it.Err())
	}

	// Cut exactly between children: the parent is still truncated.
	top, _ = ReadTop([]byte{0x30, 0x06, 0x02, 0x01, 0x05})
	it = top.Children()
	it.Next()
	if _, ok := it.Next(); ok || !errors.Is(it.Err(), wire.ErrTruncated) {
		t.Errorf("cut at a boundary: %v", it.Err())
	}
}

func TestDepthLimit(t *testing.T) {
	var b []byte
	for i := 0; i < MaxDepth+2; i++ {
		b = append([]byte{0x30, byte(len(b))}, b...)
		if len(b) > 120 {
			break
		}
	}
	top, err := ReadTop(b)
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for cur := top; ; depth++ {
		it := cur.Children()
		c, ok := it.Next()
		if !ok {
			if depth < MaxDepth && it.Err() != nil {
				t.Fatalf("depth %d: %v", depth, it.Err())
			}
			if depth >= MaxDepth && !errors.Is(it.Err(), wire.ErrMalformed) {
				t.Fatalf("depth %d: %v, want the nesting limit", depth, it.Err())
			}
			break
		}
		cur = c
	}
	if depth != MaxDepth {
		t.Errorf("stopped at depth %d", depth)
	}
}

func TestValues(t *testing.T) {
	tlv := func(b ...byte) TLV {
		v, err := ReadTop(b)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v, err := Int(tlv(0x02, 0x01, 0xff)); v != -1 || err != nil {
		t.Errorf("Int(-1) = %d %v", v, err)
	}
	if v, err := UInt32(tlv(0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff)); v != 0xffffffff || err != nil {
		t.Errorf("UInt32 = %d %v", v, err)
	}
	if v, err := UInt32(tlv(0x02, 0x04, 0x87, 0x65, 0x43, 0x21)); v != 0x87654321 || err != nil {
		t.Errorf("UInt32 of a negative nonce = %#x %v", v, err)
	}
	if _, err := Int32(tlv(0x02, 0x05, 0x01, 0, 0, 0, 0)); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("Int32 overflow: %v", err)
	}
	if _, err := Int(tlv(0x02, 0x00)); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("empty INTEGER: %v", err)
	}
	if _, err := Int(tlv(0x04, 0x01, 0x00)); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("INTEGER with an OCTET STRING tag: %v", err)
	}
	if v, err := BitString32(tlv(0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10)); v != 0x40810010 || err != nil {
		t.Errorf("BitString32 = %#x %v", v, err)
	}
	if v, err := BitString32(tlv(0x03, 0x02, 0x00, 0x20)); v != 0x20000000 || err != nil {
		t.Errorf("short BitString32 = %#x %v", v, err)
	}
	if v, err := OID(tlv(0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02)); v != "1.2.840.48018.1.2.2" || err != nil {
		t.Errorf("OID = %q %v", v, err)
	}
	if v, err := OID(tlv(0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02)); v != "1.3.6.1.5.5.2" || err != nil {
		t.Errorf("OID = %q %v", v, err)
	}
	if v, err := OID(tlv(0x06, 0x02, 0x88, 0x37)); v != "2.999" || err != nil {
		t.Errorf("OID 2.999 = %q %v", v, err)
	}
	if _, err := OID(tlv(0x06, 0x01, 0x81)); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("OID ending mid-arc: %v", err)
	}
	gt := tlv(append([]byte{0x18, 0x0f}, "20370913024805Z"...)...)
	if v, err := GeneralizedTime(gt); !v.Equal(time.Date(2037, 9, 13, 2, 48, 5, 0, time.UTC)) || err != nil {
		t.Errorf("GeneralizedTime = %v %v", v, err)
	}
	if _, err := GeneralizedTime(tlv(append([]byte{0x18, 0x03}, "abc"...)...)); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("bad time: %v", err)
	}
	if v, err := String(tlv(0x1b, 0x04, 'H', 'T', 'T', 'P')); v != "HTTP" || err != nil {
		t.Errorf("String = %q %v", v, err)
	}
	if _, err := String(tlv(0x1b, 0x04, 'H', 'T')); !errors.Is(err, wire.ErrTruncated) {
		t.Errorf("cut string: %v", err)
	}
}

func TestDecoderKeepsFirstErrors(t *testing.T) {
	d := &Decoder{Proto: "test"}
	d.Enter("a")
	d.Failf(3, "bad %s", "thing")
	d.Enter("b")
	d.Fail(&Error{Off: 9, What: "content", Err: wire.ErrTruncated})
	d.Failf(4, "second")
	d.Leave()
	d.Leave()
	err := d.Result()
	var we *wire.Error
	if !errors.As(err, &we) || !errors.Is(err, wire.ErrTruncated) || we.Field != "a.b" || we.Off != 9 || we.Proto != "test" {
		t.Fatalf("Result = %v", err)
	}
}
