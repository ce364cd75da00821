package krb

import (
	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/internal/intern"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// kerbExtErrorLen is the size of KERB-EXT-ERROR (MS-KILE 2.2.2): status,
// reserved and flags, three little-endian 32-bit words.
const kerbExtErrorLen = 12

// paInfo is what the decoder takes out of a METHOD-DATA / padata list.
type paInfo struct {
	types      []PADataType
	tgt        *Ticket     // from PA-TGS-REQ
	etypeInfo2 []ETypeInfo // PA-ETYPE-INFO2
	etypeInfo  []ETypeInfo // PA-ETYPE-INFO
	status     NTStatus    // from a 12-byte PA-PW-SALT (Windows, in KRB-ERROR)
	hasStatus  bool
}

// padata decodes SEQUENCE OF PA-DATA, PA-DATA ::= SEQUENCE { padata-type
// [1] Int32, padata-value [2] OCTET STRING } (RFC 4120 5.2.7). inError says
// the list is a KRB-ERROR's METHOD-DATA, where Windows KDCs put a
// KERB-EXT-ERROR in PA-PW-SALT.
func (d *dec) padata(name string, c ber.TLV, inError bool) paInfo {
	d.Enter(name)
	defer d.Leave()
	var pi paInfo
	seq, ok := d.Sequence(c)
	if !ok {
		return pi
	}
	var buf [smallList]PADataType
	types := buf[:0]
	d.Walk(seq, func(e ber.TLV) {
		if len(types) == maxItems {
			d.Failf(e.Off, "more than %d padata", maxItems)
			return
		}
		types = d.paData(e, &pi, inError, types)
	})
	pi.types = d.paLists.share(types, hashInts(types))
	return pi
}

// paData decodes one PA-DATA into pi, appending its type to types.
func (d *dec) paData(e ber.TLV, pi *paInfo, inError bool, types []PADataType) []PADataType {
	typ, seen := PADataType(0), false
	d.Fields(e, func(tag int, f ber.TLV) {
		switch tag {
		case 1:
			if v, ok := d.Int32("padata-type", f); ok {
				typ, seen = PADataType(v), true
				types = append(types, typ)
			}
		case 2:
			if !seen {
				return
			}
			d.Enter(typ.String())
			if v, ok := d.Octets("padata-value", f); ok {
				d.paValue(typ, v, pi, inError)
			}
			d.Leave()
		}
	})
	return types
}

// paValue looks into the padata values the flow needs.
func (d *dec) paValue(typ PADataType, v ber.TLV, pi *paInfo, inError bool) {
	switch typ {
	case PATGSReq:
		if t, ok := d.nested(v); ok {
			// Only its ticket is kept: the AP-REQ is the decoder's own.
			ap := &d.ap
			*ap = Message{Type: MsgAPReq, EncPartKvno: -1}
			d.app(ap, t)
			pi.tgt = ap.Ticket
			*ap = Message{}
		}
	case PAETypeInfo2:
		if t, ok := d.nested(v); ok {
			pi.etypeInfo2 = d.etypeInfo(t, true)
		}
	case PAETypeInfo:
		if t, ok := d.nested(v); ok {
			pi.etypeInfo = d.etypeInfo(t, false)
		}
	case PAPWSalt:
		if inError && !v.Truncated && len(v.Value) == kerbExtErrorLen {
			s, _, _ := wire.U32LE(v.Value, 0)
			pi.status, pi.hasStatus = NTStatus(s), true
		}
	}
}

// nested reads the DER value held in the OCTET STRING v; it is truncated
// only when v itself is.
func (d *dec) nested(v ber.TLV) (ber.TLV, bool) {
	t, err := ber.Read(v.Value, 0, v.ValueOff(), v.Truncated)
	if err != nil {
		d.Fail(err)
		return t, false
	}
	if !v.Truncated && t.HdrLen+len(t.Value) != len(v.Value) {
		d.Failf(t.Off, "trailing bytes after the value")
	}
	return t, true
}

// etypeInfo decodes ETYPE-INFO2 ::= SEQUENCE OF SEQUENCE { etype [0],
// salt [1] KerberosString, s2kparams [2] } (5.2.7.5), or with v2 false
// ETYPE-INFO ::= SEQUENCE OF SEQUENCE { etype [0], salt [1] OCTET STRING }
// (5.2.7.4).
func (d *dec) etypeInfo(t ber.TLV, v2 bool) []ETypeInfo {
	if !t.Is(ber.ClassUniversal, true, ber.TagSequence) {
		d.Failf(t.Off, "ETYPE-INFO is not a SEQUENCE")
		return nil
	}
	var buf [smallList]ETypeInfo
	out := buf[:0]
	d.Walk(t, func(e ber.TLV) {
		if len(out) == maxItems {
			d.Failf(e.Off, "more than %d entries", maxItems)
			return
		}
		var ei ETypeInfo
		d.Fields(e, func(tag int, f ber.TLV) {
			switch tag {
			case 0:
				if v, ok := d.Int32("etype", f); ok {
					ei.Etype = Etype(v)
				}
			case 1:
				ei.Salt, ei.HasSalt = d.salt(f, v2)
			}
		})
		out = append(out, ei)
	})
	return d.infoLists.share(out, hashETypeInfo(out))
}

func (d *dec) salt(f ber.TLV, v2 bool) (string, bool) {
	if v2 {
		return d.Text("salt", f)
	}
	o, ok := d.Octets("salt", f)
	if !ok || o.Truncated {
		return "", false
	}
	return intern.Bytes(o.Value), true
}
