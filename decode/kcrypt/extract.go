package kcrypt

import (
	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// encData is an EncryptedData (RFC 4120 5.2.9) with its ciphertext, a
// sub-slice of the message: it lives only while the message's bytes do.
type encData struct {
	etype  krb.Etype
	kvno   int
	cipher []byte
}

// rawMsg holds the ciphertexts of one message, found by walking its DER
// again (decode/krb keeps lengths only).
type rawMsg struct {
	ticket *encData // AP-REQ or KDC-REP ticket
	auth   *encData // AP-REQ authenticator
	enc    *encData // KDC-REP / AP-REP enc-part
	fast   *encData // the enc-fast-rep of a KDC-REP's PA-FX-FAST
	tgs    *rawMsg  // the AP-REQ inside a TGS-REQ's PA-TGS-REQ
}

type xdec struct{ ber.Decoder }

// extract finds the ciphertexts of an AS-REP, TGS-REQ, TGS-REP, AP-REQ or
// AP-REP. Malformed or cut parts are simply absent.
func extract(b []byte) *rawMsg {
	t, err := ber.ReadTop(b)
	if err != nil || t.Truncated || t.Class != ber.ClassApplication || !t.Constructed {
		return nil
	}
	d := &xdec{ber.Decoder{Proto: "kcrypt"}}
	return d.message(t)
}

func (d *xdec) message(t ber.TLV) *rawMsg {
	r := &rawMsg{}
	seq, ok := d.Inner(t)
	if !ok {
		return nil
	}
	switch krb.MsgType(t.Tag) {
	case krb.MsgASRep, krb.MsgTGSRep:
		d.Fields(seq, func(tag int, f ber.TLV) {
			switch tag {
			case 2:
				r.fast = d.paValue(f, paFXFast, d.fastReply)
			case 5:
				r.ticket = d.ticket(f)
			case 6:
				r.enc = d.encData(f)
			}
		})
	case krb.MsgTGSReq:
		d.Fields(seq, func(tag int, f ber.TLV) {
			if tag == 3 {
				r.tgs = d.paTGSReq(f)
			}
		})
	case krb.MsgAPReq:
		d.Fields(seq, func(tag int, f ber.TLV) {
			switch tag {
			case 3:
				r.ticket = d.ticket(f)
			case 4:
				r.auth = d.encData(f)
			}
		})
	case krb.MsgAPRep:
		d.Fields(seq, func(tag int, f ber.TLV) {
			if tag == 2 {
				r.enc = d.encData(f)
			}
		})
	default:
		return nil
	}
	return r
}

// paTGSReq finds the AP-REQ in the PA-TGS-REQ (type 1) of a padata list.
func (d *xdec) paTGSReq(c ber.TLV) *rawMsg {
	seq, ok := d.Sequence(c)
	if !ok {
		return nil
	}
	var out *rawMsg
	d.Walk(seq, func(e ber.TLV) {
		var typ int32
		d.Fields(e, func(tag int, f ber.TLV) {
			switch tag {
			case 1:
				typ, _ = d.Int32("padata-type", f)
			case 2:
				if typ != int32(krb.PATGSReq) || out != nil {
					return
				}
				v, ok := d.Octets("padata-value", f)
				if !ok || v.Truncated {
					return
				}
				t, err := ber.Read(v.Value, 0, v.ValueOff(), false)
				if err == nil && t.Is(ber.ClassApplication, true, int(krb.MsgAPReq)) {
					out = d.message(t)
				}
			}
		})
	})
	return out
}

// paValue applies read to the value of the first padata of type typ.
func (d *xdec) paValue(c ber.TLV, typ int32, read func(ber.TLV) *encData) *encData {
	seq, ok := d.Sequence(c)
	if !ok {
		return nil
	}
	var out *encData
	d.Walk(seq, func(e ber.TLV) {
		var t int32
		d.Fields(e, func(tag int, f ber.TLV) {
			switch tag {
			case 1:
				t, _ = d.Int32("padata-type", f)
			case 2:
				if t != typ || out != nil {
					return
				}
				if v, ok := d.Octets("padata-value", f); ok && !v.Truncated {
					out = read(v)
				}
			}
		})
	})
	return out
}

// ticket returns the enc-part of the Ticket inside the explicit tag c.
func (d *xdec) ticket(c ber.TLV) *encData {
	a, ok := d.Inner(c)
	if !ok || !a.Is(ber.ClassApplication, true, 1) {
		return nil
	}
	seq, ok := d.Inner(a)
	if !ok {
		return nil
	}
	var e *encData
	d.Fields(seq, func(tag int, f ber.TLV) {
		if tag == 3 {
			e = d.encData(f)
		}
	})
	return e
}

// encData reads EncryptedData ::= SEQUENCE { etype [0], kvno [1] OPTIONAL,
// cipher [2] }; nil unless the cipher is complete.
func (d *xdec) encData(c ber.TLV) *encData {
	e := &encData{kvno: -1}
	d.Fields(c, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			v, _ := d.Int32("etype", f)
			e.etype = krb.Etype(v)
		case 1:
			if v, ok := d.UInt32("kvno", f); ok {
				e.kvno = int(v)
			}
		case 2:
			if o, ok := d.Octets("cipher", f); ok && !o.Truncated {
				e.cipher = o.Value
			}
		}
	})
	if e.cipher == nil {
		return nil
	}
	return e
}
