package krb

import (
	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// KERB-ERROR-DATA data-types (MS-KILE 2.2.1).
const (
	KerbAPErrTypeSkewRecovery int32 = 2
	KerbErrTypeExtended       int32 = 3
)

// krbError decodes KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0],
// msg-type [1], ctime [2] OPTIONAL, cusec [3] OPTIONAL, stime [4], susec
// [5], error-code [6], crealm [7] OPTIONAL, cname [8] OPTIONAL, realm [9],
// sname [10], e-text [11] OPTIONAL, e-data [12] OPTIONAL } (5.9.1).
func (d *dec) krbError(m *Message, t ber.TLV) {
	seq, ok := d.Inner(t)
	if !ok {
		return
	}
	d.Fields(seq, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			d.pvno(m, f)
		case 1:
			d.msgType(m, f)
		case 2:
			m.CTime = d.time("ctime", f)
		case 3:
			v, _ := d.Int32("cusec", f)
			m.CUSec = int(v)
		case 4:
			m.STime = d.time("stime", f)
		case 5:
			v, _ := d.Int32("susec", f)
			m.SUSec = int(v)
		case 6:
			v, _ := d.Int32("error-code", f)
			m.ErrorCode = ErrorCode(v)
		case 7:
			m.CRealm, _ = d.Text("crealm", f)
		case 8:
			m.CName = d.principal("cname", f)
		case 9:
			m.Realm, _ = d.Text("realm", f)
		case 10:
			m.SName = d.principal("sname", f)
		case 11:
			m.EText, _ = d.Text("e-text", f)
		case 12:
			d.eData(m, f)
		}
	})
}

// eData decodes the e-data OCTET STRING. Its content is told apart by
// shape: KERB-ERROR-DATA starts with [1]; METHOD-DATA is a SEQUENCE OF
// PA-DATA, whose elements start with [1]; TYPED-DATA a SEQUENCE OF
// SEQUENCE { data-type [0], data-value [1] }. Other shapes leave EData
// empty but present.
func (d *dec) eData(m *Message, f ber.TLV) {
	d.Enter("e-data")
	defer d.Leave()
	t, ok := d.eDataValue(m, f)
	if !ok {
		return
	}
	// Decoded into the decoder's own and shared with the last equal one
	// kept (valueCache): a KDC asks every client for pre-authentication
	// with the same METHOD-DATA.
	ed := &d.ed
	*ed = EData{}
	d.eDataFields(ed, t)
	m.EData = d.eDataKept.share(ed, hashEData(ed), sameEData)
}

// eDataFields decodes the e-data value t into ed.
func (d *dec) eDataFields(ed *EData, t ber.TLV) {
	if !t.Is(ber.ClassUniversal, true, ber.TagSequence) {
		return
	}
	first, ok := firstChild(t)
	switch {
	case !ok:
		d.Walk(t, func(ber.TLV) {}) // reports the truncation, if any
	case first.IsContext(1):
		d.kerbErrorData(ed, t)
	case first.Is(ber.ClassUniversal, true, ber.TagSequence):
		if inner, ok := firstChild(first); ok && inner.IsContext(0) {
			ed.TypedData = d.typedData(t)
			return
		}
		pi := d.padata("method-data", t, true)
		ed.MethodData, ed.ETypeInfo2 = pi.types, pi.etypeInfo2
		if len(ed.ETypeInfo2) == 0 {
			ed.ETypeInfo2 = pi.etypeInfo
		}
		ed.NTStatus, ed.HasNTStatus = pi.status, pi.hasStatus
	}
}

// eDataValue returns the DER value inside e-data [12]. RFC 4120 wraps it
// in an OCTET STRING; a SEQUENCE placed directly under the tag (seen in
// Zeek's error-preauth-padata trace, which Zeek decodes) is accepted too.
func (d *dec) eDataValue(m *Message, f ber.TLV) (ber.TLV, bool) {
	in, ok := d.Inner(f)
	if !ok {
		return in, false
	}
	m.EDataLen = in.Len
	if in.Is(ber.ClassUniversal, true, ber.TagSequence) {
		return in, true
	}
	v, ok := d.Octets("", f)
	if !ok {
		return v, false
	}
	return d.nested(v)
}

// firstChild peeks at the first TLV inside t without recording errors.
func firstChild(t ber.TLV) (ber.TLV, bool) {
	c, ok := t.Children().Next()
	return c, ok
}

// kerbErrorData decodes KERB-ERROR-DATA ::= SEQUENCE { data-type [1]
// INTEGER, data-value [2] OCTET STRING OPTIONAL } (MS-KILE 2.2.1); with
// data-type 3 the value is a KERB-EXT-ERROR (2.2.2) whose first word is the
// NTSTATUS.
func (d *dec) kerbErrorData(ed *EData, t ber.TLV) {
	d.Enter("kerb-error-data")
	defer d.Leave()
	d.Fields(t, func(tag int, f ber.TLV) {
		switch tag {
		case 1:
			ed.KerbErrType, _ = d.Int32("data-type", f)
		case 2:
			v, ok := d.Octets("data-value", f)
			if !ok || ed.KerbErrType != KerbErrTypeExtended {
				return
			}
			if s, _, err := wire.U32LE(v.Value, 0); err == nil {
				ed.NTStatus, ed.HasNTStatus = NTStatus(s), true
			}
		}
	})
}

// typedData decodes TYPED-DATA ::= SEQUENCE OF SEQUENCE { data-type [0]
// Int32, data-value [1] OCTET STRING OPTIONAL } (5.9.1), keeping the types.
func (d *dec) typedData(t ber.TLV) []PADataType {
	d.Enter("typed-data")
	defer d.Leave()
	var buf [smallList]PADataType
	out := buf[:0]
	d.Walk(t, func(e ber.TLV) {
		if len(out) == maxItems {
			d.Failf(e.Off, "more than %d entries", maxItems)
			return
		}
		d.Fields(e, func(tag int, f ber.TLV) {
			if tag == 0 {
				if v, ok := d.Int32("data-type", f); ok {
					out = append(out, PADataType(v))
				}
			}
		})
	})
	return d.paLists.share(out, hashInts(out))
}
