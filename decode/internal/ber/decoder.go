package ber

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// Decoder is the state of one schema-driven decode: the path of the field
// being decoded (for error messages) and the errors met so far. Decoding
// goes on after a content error in one field, since the TLV framing around
// it is sound; nothing follows a truncation, which is always at the end of
// the input. Proto prefixes the errors ("krb", "spnego").
type Decoder struct {
	Proto string
	// path holds the first maxPath names of the field path in place (no
	// allocation for the depths real messages reach), deep the rest.
	path     [maxPath]string
	deep     []string
	depth    int
	err      error // first content error
	truncErr error // the truncation, with the innermost field it cut
}

// maxPath is the depth of field path kept without allocating; Kerberos
// paths are about ten names deep at most.
const maxPath = 16

// Enter pushes a field name on the error path; Leave pops it.
func (d *Decoder) Enter(name string) {
	if d.depth < maxPath {
		d.path[d.depth] = name
	} else {
		d.deep = append(d.deep[:d.depth-maxPath], name)
	}
	d.depth++
}

// Leave pops the last field name pushed by Enter.
func (d *Decoder) Leave() {
	if d.depth == 0 {
		panic("ber: Decoder.Leave without Enter")
	}
	d.depth--
}

// pathString joins the field path with dots.
func (d *Decoder) pathString() string {
	s := strings.Join(d.path[:min(d.depth, maxPath)], ".")
	if d.depth > maxPath {
		s += "." + strings.Join(d.deep[:d.depth-maxPath], ".")
	}
	return s
}

// Fail records err, which wraps one of the wire sentinels, at the current
// field path. Only the first content error and the first (innermost)
// truncation are kept.
func (d *Decoder) Fail(err error) {
	if err == nil {
		return
	}
	trunc := errors.Is(err, wire.ErrTruncated)
	if (trunc && d.truncErr != nil) || (!trunc && d.err != nil) {
		return
	}
	off := 0
	var be *Error
	if errors.As(err, &be) {
		off = be.Off
		err = fmt.Errorf("%s: %w", be.What, be.Err)
	}
	we := wire.Errorf(d.Proto, d.pathString(), off, err)
	if trunc {
		d.truncErr = we
	} else {
		d.err = we
	}
}

// Failf records a malformed-field error at offset off.
func (d *Decoder) Failf(off int, format string, args ...any) {
	d.Fail(&Error{Off: off, What: fmt.Sprintf(format, args...), Err: wire.ErrMalformed})
}

// Result is the error a Parse returns: the truncation when the input was cut
// (it says where), otherwise the first content error.
func (d *Decoder) Result() error {
	if d.truncErr != nil {
		return d.truncErr
	}
	return d.err
}

// Walk calls fn with each child of the constructed TLV t.
func (d *Decoder) Walk(t TLV, fn func(c TLV)) {
	if !t.Constructed {
		d.Failf(t.Off, "primitive where constructed expected")
		return
	}
	it := t.Children()
	var c TLV
	for it.next(&c) {
		fn(c)
	}
	d.Fail(it.Err())
}

// Fields walks a SEQUENCE whose components are all explicitly context
// tagged, as every Kerberos and SPNEGO structure is, calling fn with the tag number
// and the tagged TLV. t may be the SEQUENCE itself or an explicit tag
// holding it.
func (d *Decoder) Fields(t TLV, fn func(tag int, c TLV)) {
	seq, ok := d.Sequence(t)
	if !ok {
		return
	}
	// As Walk, without a closure between the iterator and fn: seq is
	// constructed.
	it := seq.Children()
	var c TLV
	for it.next(&c) {
		if c.Class != ClassContext || !c.Constructed {
			d.Failf(c.Off, "unexpected tag %d/%d", c.Class, c.Tag)
			continue
		}
		fn(c.Tag, c)
	}
	d.Fail(it.Err())
}

// Sequence returns the universal SEQUENCE t is, or that the explicit tag t
// holds.
func (d *Decoder) Sequence(t TLV) (TLV, bool) {
	if t.Class == ClassContext {
		in, ok := d.Inner(t)
		if !ok {
			return in, false
		}
		t = in
	}
	if !t.Is(ClassUniversal, true, TagSequence) {
		d.Failf(t.Off, "not a SEQUENCE (tag %d/%d)", t.Class, t.Tag)
		return t, false
	}
	return t, true
}

// Inner returns the TLV inside an explicit tag.
func (d *Decoder) Inner(c TLV) (in TLV, ok bool) {
	if err := c.innerTo(&in); err != nil {
		d.Fail(err)
		return TLV{}, false
	}
	return in, true
}

// The typed field readers below take the explicit tag [n] of a field, name
// the field in the error path, and report whether the value was decoded.

// field runs read on the TLV inside the explicit tag c, under name.
func field[T any](d *Decoder, name string, c TLV, read func(TLV) (T, error)) (T, bool) {
	d.Enter(name)
	defer d.Leave()
	var v T
	in, ok := d.Inner(c)
	if !ok {
		return v, false
	}
	v, err := read(in)
	d.Fail(err)
	return v, err == nil
}

// Int32 reads [n] Int32.
func (d *Decoder) Int32(name string, c TLV) (int32, bool) { return field(d, name, c, Int32) }

// UInt32 reads [n] UInt32.
func (d *Decoder) UInt32(name string, c TLV) (uint32, bool) { return field(d, name, c, UInt32) }

// Enumerated reads [n] ENUMERATED.
func (d *Decoder) Enumerated(name string, c TLV) (int64, bool) {
	return field(d, name, c, Enumerated)
}

// Text reads [n] KerberosString / GeneralString.
func (d *Decoder) Text(name string, c TLV) (string, bool) { return field(d, name, c, String) }

// Time reads [n] KerberosTime.
func (d *Decoder) Time(name string, c TLV) (time.Time, bool) {
	return field(d, name, c, GeneralizedTime)
}

// BitString reads the first 32 bits of [n] BIT STRING.
func (d *Decoder) BitString(name string, c TLV) (uint32, bool) {
	return field(d, name, c, BitString32)
}

// OID reads [n] OBJECT IDENTIFIER in dotted form.
func (d *Decoder) OID(name string, c TLV) (string, bool) { return field(d, name, c, OID) }

// Octets returns the OCTET STRING inside [n], possibly partial (its
// Truncated flag then says so).
func (d *Decoder) Octets(name string, c TLV) (TLV, bool) {
	if name != "" {
		d.Enter(name)
		defer d.Leave()
	}
	in, ok := d.Inner(c)
	if !ok {
		return in, false
	}
	if _, err := OctetString(in); err != nil {
		d.Fail(err)
		return in, false
	}
	if in.Truncated {
		// Name the innermost field that was cut; the partial value is
		// still handed back.
		d.Fail(&Error{Off: in.ValueOff() + len(in.Value), What: "content", Err: wire.ErrTruncated})
	}
	return in, true
}
