// Package ber is a small, bounded reader for the DER subset of ASN.1 BER
// (ITU-T X.690 sections 8 and 10) that Kerberos (RFC 4120 section 5.2) and
// SPNEGO / GSS-API (RFC 4178, RFC 2743 section 3.1) put on the wire.
//
// Unlike encoding/asn1 and gofork's asn1 it does not unmarshal into structs:
// it hands out one TLV at a time, and it keeps going on input that was cut
// short. A TLV whose content runs past the end of a truncated input comes
// back with Truncated set and the bytes that are present in Value, so that a
// decoder can fill every field that lies inside the bytes it has (tokens
// pasted short from text exports, snaplen cuts).
//
// Decoder carries what a schema-driven decoder built on it needs: the path
// of the field being read for error messages (decoders name fields, as in
// "krb: ap-req.ticket.sname at 0x4f: length: truncated"), the first content
// error and the truncation, and typed readers for explicitly tagged fields.
//
// Bounds: identifier and length octets are limited to 4 bytes each, nesting
// depth to MaxDepth, and nothing is ever allocated from a wire length: every
// Value is a sub-slice of the input.
//
// It does not: decode indefinite lengths (BER only, never used by DER; they
// are reported as unsupported), check DER minimality, or encode anything.
package ber

import (
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// MaxDepth is the deepest nesting Children accepts. Kerberos messages are
// at most about 12 levels deep (a ticket inside an AP-REQ inside a PA-DATA
// inside a TGS-REQ); 32 leaves room and stops hostile nesting.
const MaxDepth = 32

// maxHeaderOctets bounds both the high-tag-number octets and the long-form
// length octets: 4 octets cover every length that fits an int32.
const maxHeaderOctets = 4

// Class is the class of an identifier octet (X.690 8.1.2.2).
type Class uint8

// The four tag classes.
const (
	ClassUniversal   Class = 0
	ClassApplication Class = 1
	ClassContext     Class = 2
	ClassPrivate     Class = 3
)

// Universal tag numbers used by Kerberos and SPNEGO.
const (
	TagBoolean         = 1
	TagInteger         = 2
	TagBitString       = 3
	TagOctetString     = 4
	TagOID             = 6
	TagEnumerated      = 10
	TagSequence        = 16
	TagGeneralizedTime = 24
	TagGeneralString   = 27
)

// Error is a syntax error at an offset of the decoder's input. Err is one of
// wire.ErrTruncated, wire.ErrMalformed or wire.ErrUnsupported.
type Error struct {
	Off  int    // offset of the offending octet in the top-level input
	What string // what was being read: "header", "length", "integer", ...
	Err  error
}

// Error formats as "ber: what at 0xOFF: cause".
func (e *Error) Error() string {
	return fmt.Sprintf("ber: %s at 0x%x: %v", e.What, e.Off, e.Err)
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func errAt(off int, what string, err error) *Error {
	return &Error{Off: off, What: what, Err: err}
}

// TLV is one decoded identifier-length-value triple.
type TLV struct {
	Class       Class
	Constructed bool
	Tag         int
	Off         int    // offset of the identifier octet in the top-level input
	HdrLen      int    // identifier plus length octets
	Len         int    // declared content length
	Value       []byte // content present: all Len bytes unless Truncated
	Truncated   bool   // the input ended before Len content bytes
	Depth       int    // 0 for the outermost TLV
}

// Is reports whether t has the given class, form and tag number.
func (t TLV) Is(c Class, constructed bool, tag int) bool {
	return t.Class == c && t.Constructed == constructed && t.Tag == tag
}

// IsContext reports whether t is the constructed context tag [n], the form
// every explicitly tagged Kerberos field takes.
func (t TLV) IsContext(n int) bool { return t.Is(ClassContext, true, n) }

// ValueOff is the offset of the first content octet in the top-level input.
func (t TLV) ValueOff() int { return t.Off + t.HdrLen }

// shortHeader decodes the header at b[off:] when it takes the common form: a
// low tag number and a short or one/two-octet long length, with all its
// content in b. It returns the identifier octet, the content length and
// the offset of the content; ok is false for any other header, which Read
// then decodes in full. off must not be negative.
func shortHeader(b []byte, off int) (id byte, n, p int, ok bool) {
	if off+2 > len(b) || b[off]&0x1f == 0x1f {
		return 0, 0, 0, false
	}
	id, n, p = b[off], int(b[off+1]), off+2
	switch {
	case n < 0x80:
	case n == 0x81 && p < len(b):
		n, p = int(b[p]), p+1
	case n == 0x82 && p+1 < len(b):
		n, p = int(b[p])<<8|int(b[p+1]), p+2
	default:
		return 0, 0, 0, false
	}
	return id, n, p, n <= len(b)-p
}

// Read decodes the TLV at b[off:]. base is the offset of b[0] in the
// top-level input (used for TLV.Off and errors only). cut says that b ends
// where the input ended: a header or content running past len(b) is then a
// truncation (a partial TLV is returned with Truncated set for content),
// and otherwise a malformed element overrunning its container.
func Read(b []byte, off, base int, cut bool) (TLV, error) {
	// Fast path: a low tag number and a short or one/two-octet long
	// length, complete in b; everything else takes the general path.
	if off >= 0 {
		if id, n, p, ok := shortHeader(b, off); ok {
			return TLV{
				Class: Class(id >> 6), Constructed: id&0x20 != 0, Tag: int(id & 0x1f),
				Off: base + off, HdrLen: p - off, Len: n, Value: b[p : p+n],
			}, nil
		}
	}
	return readFull(b, off, base, cut)
}

// readFull is Read without the fast path: it decodes every header form.
func readFull(b []byte, off, base int, cut bool) (TLV, error) {
	overrun := wire.ErrMalformed
	if cut {
		overrun = wire.ErrTruncated
	}
	t := TLV{Off: base + off}
	p := off
	id, p, err := wire.U8(b, p)
	if err != nil {
		return t, errAt(base+off, "identifier", overrun)
	}
	t.Class = Class(id >> 6)
	t.Constructed = id&0x20 != 0
	t.Tag = int(id & 0x1f)
	if t.Tag == 0x1f {
		if t.Tag, p, err = readHighTag(b, p, base, overrun); err != nil {
			return t, err
		}
	}
	n, p, err := readLength(b, p, base, overrun)
	if err != nil {
		return t, err
	}
	t.HdrLen = p - off
	t.Len = n
	if n > len(b)-p {
		if !cut {
			return t, errAt(base+p, "length", wire.ErrMalformed)
		}
		t.Value = b[p:]
		t.Truncated = true
		return t, nil
	}
	t.Value = b[p : p+n]
	return t, nil
}

// readHighTag reads the base-128 tag number that follows an identifier
// octet with tag bits 11111 (X.690 8.1.2.4).
func readHighTag(b []byte, p, base int, overrun error) (int, int, error) {
	tag := 0
	for i := 0; i < maxHeaderOctets; i++ {
		c, next, err := wire.U8(b, p)
		if err != nil {
			return 0, p, errAt(base+p, "identifier", overrun)
		}
		p = next
		tag = tag<<7 | int(c&0x7f)
		if c&0x80 == 0 {
			return tag, p, nil
		}
	}
	return 0, p, errAt(base+p, "identifier", wire.ErrMalformed)
}

// readLength reads the definite length octets (X.690 8.1.3).
func readLength(b []byte, p, base int, overrun error) (int, int, error) {
	c, p, err := wire.U8(b, p)
	if err != nil {
		return 0, p, errAt(base+p, "length", overrun)
	}
	if c < 0x80 {
		return int(c), p, nil
	}
	k := int(c & 0x7f)
	switch {
	case k == 0:
		// Indefinite length: BER only; DER (RFC 4120 5.2) forbids it.
		return 0, p, errAt(base+p-1, "length", fmt.Errorf("indefinite length: %w", wire.ErrUnsupported))
	case k > maxHeaderOctets:
		return 0, p, errAt(base+p-1, "length", wire.ErrMalformed)
	}
	octets, next, err := wire.Bytes(b, p, k)
	if err != nil {
		return 0, p, errAt(base+p, "length", overrun)
	}
	n := 0
	for _, o := range octets {
		n = n<<8 | int(o)
	}
	if n < 0 || n > 1<<31-1 {
		return 0, p, errAt(base+p, "length", wire.ErrMalformed)
	}
	return n, next, nil
}

// ReadTop decodes the outermost TLV of an input that may have been cut
// short. Bytes after the TLV are ignored.
func ReadTop(b []byte) (TLV, error) { return Read(b, 0, 0, true) }

// Children returns an iterator over the TLVs inside t's content.
func (t TLV) Children() *Iter {
	it := &Iter{b: t.Value, base: t.ValueOff(), cut: t.Truncated, depth: t.Depth + 1}
	if it.depth > MaxDepth {
		it.err = errAt(t.Off, "nesting", wire.ErrMalformed)
	}
	return it
}

// Iter walks the TLVs of a constructed value in order.
type Iter struct {
	b     []byte
	off   int
	base  int
	cut   bool // the parent was truncated
	depth int
	err   error
	done  bool
}

// Next returns the next child. It returns false at the end of the content
// or on error; Err tells which. A child cut by the end of a truncated input
// is returned with Truncated set, and the iteration then ends with an
// ErrTruncated error.
func (it *Iter) Next() (TLV, bool) {
	var t TLV
	ok := it.next(&t)
	return t, ok
}

// next is Next writing the child into *t, which the decoders' loops keep
// from one child to the next rather than copy each one out of a result.
func (it *Iter) next(t *TLV) bool {
	if it.err != nil || it.done {
		return false
	}
	b, off := it.b, it.off
	if off >= len(b) {
		it.done = true
		if it.cut {
			it.err = errAt(it.base+off, "header", wire.ErrTruncated)
		}
		return false
	}
	// Read's fast path, in place: most of a message's TLVs take it, and
	// the call and the copy of its result cost as much as the decoding.
	if id, n, p, ok := shortHeader(b, off); ok {
		it.off = p + n
		// Field by field: a composite literal is built aside and then
		// copied whole, and that copy reads back its narrow stores.
		t.Class, t.Constructed, t.Tag = Class(id>>6), id&0x20 != 0, int(id&0x1f)
		t.Off, t.HdrLen, t.Len, t.Depth = it.base+off, p-off, n, it.depth
		t.Value, t.Truncated = b[p:p+n], false
		return true
	}
	return it.slow(t)
}

// slow is Next for the TLVs the fast path does not take: Read's own fast
// path would only fail again, so it goes to readFull.
func (it *Iter) slow(out *TLV) bool {
	t, err := readFull(it.b, it.off, it.base, it.cut)
	if err != nil {
		it.err = err
		return false
	}
	t.Depth = it.depth
	it.off += t.HdrLen + len(t.Value)
	if t.Truncated {
		it.done = true
		it.err = errAt(t.ValueOff()+len(t.Value), "content", wire.ErrTruncated)
	}
	*out = t
	return true
}

// Err returns nil after a clean end, or the error that stopped Next.
func (it *Iter) Err() error { return it.err }

// Inner returns the single TLV inside an explicit tag such as [1] INTEGER.
//
// It is Children().Next() without the iterator, as every explicitly
// tagged field goes through it: the same TLV and the same errors.
func (t TLV) Inner() (TLV, error) {
	var c TLV
	if err := t.innerTo(&c); err != nil {
		return TLV{}, err
	}
	return c, nil
}

// innerTo is Inner writing the TLV into *c (left as it was on error), so
// that the decoders' hot path neither copies t nor a result.
func (t *TLV) innerTo(c *TLV) error {
	depth := t.Depth + 1
	switch {
	case depth > MaxDepth:
		return errAt(t.Off, "nesting", wire.ErrMalformed)
	case len(t.Value) == 0 && t.Truncated:
		return errAt(t.ValueOff(), "header", wire.ErrTruncated)
	case len(t.Value) == 0:
		return errAt(t.Off, "explicit tag", wire.ErrMalformed)
	}
	// Read's fast path, in place and field by field, as in next.
	if id, n, p, ok := shortHeader(t.Value, 0); ok {
		c.Class, c.Constructed, c.Tag = Class(id>>6), id&0x20 != 0, int(id&0x1f)
		c.Off, c.HdrLen, c.Len, c.Depth = t.Off+t.HdrLen, p, n, depth
		c.Value, c.Truncated = t.Value[p:p+n], false
		return nil
	}
	r, err := readFull(t.Value, 0, t.ValueOff(), t.Truncated)
	if err != nil {
		return err
	}
	r.Depth = depth
	*c = r
	return nil
}
