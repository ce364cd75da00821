package krb

import (
	"errors"
	"fmt"
	"sync"

	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// Parse decodes one Kerberos message, dispatching on its APPLICATION tag
// (0x6a AS-REQ, 0x6b AS-REP, 0x6c TGS-REQ, 0x6d TGS-REP, 0x6e AP-REQ,
// 0x6f AP-REP, 0x74 KRB-SAFE, 0x75 KRB-PRIV, 0x76 KRB-CRED, 0x7e
// KRB-ERROR); an untagged SEQUENCE is tried as a user-to-user TGT-REQ or
// TGT-REP. Bytes after the message are ignored.
//
// On input cut short it returns the message with every field that lies in
// the bytes present, Truncated set, and an error wrapping wire.ErrTruncated
// naming the field where the input ends. A content error in one field
// (wire.ErrMalformed) does not stop the others from being decoded; the
// message is returned with the first such error. The message is nil only
// when not even its type could be read.
func Parse(b []byte) (*Message, error) {
	d := decoders.Get().(*dec)
	defer decoders.Put(d)
	return d.parse(b)
}

// parse is Parse on d, which keeps its lists (share.go) from the messages
// it decoded before.
func (d *dec) parse(b []byte) (*Message, error) {
	t, err := ber.ReadTop(b)
	if err != nil {
		return headerOnly(b, t, err)
	}
	d.Decoder = ber.Decoder{Proto: "krb"}
	var m *Message
	switch {
	case t.Class == ber.ClassApplication && t.Constructed:
		m = NewMessage(MsgType(t.Tag))
		if !d.dispatch(m, t) {
			return nil, wire.Errorf("krb", "", 0, fmt.Errorf("APPLICATION %d is not a message: %w", t.Tag, wire.ErrUnsupported))
		}
	case t.Is(ber.ClassUniversal, true, ber.TagSequence):
		m = NewMessage(0)
		d.u2u(m, t)
		if m.Type != MsgTGTReq && m.Type != MsgTGTRep {
			if err := d.Result(); errors.Is(err, wire.ErrTruncated) {
				return nil, err // cut before msg-type: nothing is known
			}
			return nil, wire.Errorf("krb", "", 0, fmt.Errorf("SEQUENCE is not a TGT-REQ/TGT-REP: %w", wire.ErrUnsupported))
		}
	default:
		return nil, wire.Errorf("krb", "", 0, fmt.Errorf("identifier 0x%02x is not a Kerberos message: %w", b[0], wire.ErrUnsupported))
	}
	err = d.Result()
	m.Truncated = errors.Is(err, wire.ErrTruncated)
	return m, err
}

// decoders keeps the decoder state of a finished Parse for the next one.
// It is some 340 bytes, and the field walkers' closures make it escape:
// allocated afresh, it was a third of the memory Parse allocates and left
// as garbage at once. Nothing refers to it after Parse (its errors are
// made of new strings), and the lists it keeps are shared read-only.
var decoders = sync.Pool{New: func() any { return new(dec) }}

// headerOnly handles an input too short for even the outer header: the
// message type is still known from the identifier octet when there is one.
func headerOnly(b []byte, t ber.TLV, err error) (*Message, error) {
	we := wire.Errorf("krb", "", 0, err)
	var be *ber.Error
	if errors.As(err, &be) {
		we = wire.Errorf("krb", "", be.Off, fmt.Errorf("%s: %w", be.What, be.Err))
	}
	if len(b) == 0 || !errors.Is(err, wire.ErrTruncated) {
		return nil, we
	}
	if t.Class == ber.ClassApplication && t.Constructed {
		if _, ok := msgTypeNames[MsgType(t.Tag)]; ok {
			m := NewMessage(MsgType(t.Tag))
			m.Truncated = true
			return m, we
		}
	}
	return nil, we
}

// dispatch decodes the body of APPLICATION t into m; it reports false for
// APPLICATION tags that are not messages (Ticket, Authenticator, enc-parts).
func (d *dec) dispatch(m *Message, t ber.TLV) bool {
	d.Enter(m.Type.pathName())
	defer d.Leave()
	switch m.Type {
	case MsgASReq, MsgTGSReq:
		d.kdcReq(m, t)
	case MsgASRep, MsgTGSRep:
		d.kdcRep(m, t)
	case MsgAPReq:
		d.app(m, t)
	case MsgAPRep:
		d.apRep(m, t)
	case MsgKRBError:
		d.krbError(m, t)
	case MsgSafe, MsgPriv, MsgCred:
		d.other(m, t)
	default:
		return false
	}
	return true
}

// kdcReq decodes KDC-REQ ::= SEQUENCE { pvno [1], msg-type [2], padata [3]
// SEQUENCE OF PA-DATA OPTIONAL, req-body [4] KDC-REQ-BODY } (5.4.1).
func (d *dec) kdcReq(m *Message, t ber.TLV) {
	seq, ok := d.Inner(t)
	if !ok {
		return
	}
	d.Fields(seq, func(tag int, f ber.TLV) {
		switch tag {
		case 1:
			d.pvno(m, f)
		case 2:
			d.msgType(m, f)
		case 3:
			pi := d.padata("padata", f, false)
			m.PAData, m.TGT = pi.types, pi.tgt
		case 4:
			d.reqBody(m, f)
		}
	})
}

// reqBody decodes KDC-REQ-BODY (5.4.1).
func (d *dec) reqBody(m *Message, f ber.TLV) {
	d.Enter("req-body")
	defer d.Leave()
	d.Fields(f, func(tag int, c ber.TLV) {
		switch tag {
		case 0:
			if v, ok := d.BitString("kdc-options", c); ok {
				m.KDCOptions = KDCOptions(v)
			}
		case 1:
			m.CName = d.principal("cname", c)
		case 2:
			m.Realm, _ = d.Text("realm", c)
		case 3:
			m.SName = d.principal("sname", c)
		case 4:
			m.From = d.time("from", c)
		case 5:
			m.Till = d.time("till", c)
		case 6:
			m.RTime = d.time("rtime", c)
		case 7:
			m.Nonce, _ = d.UInt32("nonce", c)
		case 8:
			m.Etypes = d.etypes("etype", c)
		case 11:
			m.AdditionalTickets = d.tickets("additional-tickets", c)
		}
	})
}

// kdcRep decodes KDC-REP ::= SEQUENCE { pvno [0], msg-type [1], padata [2]
// OPTIONAL, crealm [3], cname [4], ticket [5], enc-part [6] } (5.4.2).
func (d *dec) kdcRep(m *Message, t ber.TLV) {
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
			pi := d.padata("padata", f, false)
			m.PAData, m.ETypeInfo2 = pi.types, pi.etypeInfo2
		case 3:
			m.CRealm, _ = d.Text("crealm", f)
		case 4:
			m.CName = d.principal("cname", f)
		case 5:
			m.Ticket = d.ticket("ticket", f, false)
		case 6:
			d.encPart(m, "enc-part", f)
		}
	})
}

func (d *dec) encPart(m *Message, name string, f ber.TLV) {
	e := d.encData(name, f)
	m.EncPartEtype, m.EncPartKvno, m.EncPartCipherLen = e.etype, e.kvno, e.cipherLen
}

// app decodes AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type
// [1], ap-options [2], ticket [3], authenticator [4] } (5.5.1).
func (d *dec) app(m *Message, t ber.TLV) {
	if !t.Is(ber.ClassApplication, true, int(MsgAPReq)) {
		d.Failf(t.Off, "not an AP-REQ (tag %d/%d)", t.Class, t.Tag)
		return
	}
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
			if v, ok := d.BitString("ap-options", f); ok {
				m.APOptions = APOptions(v)
			}
		case 3:
			m.Ticket = d.ticket("ticket", f, false)
		case 4:
			d.encPart(m, "authenticator", f)
		}
	})
}

// apRep decodes AP-REP ::= [APPLICATION 15] SEQUENCE { pvno [0], msg-type
// [1], enc-part [2] } (5.5.2).
func (d *dec) apRep(m *Message, t ber.TLV) {
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
			d.encPart(m, "enc-part", f)
		}
	})
}

// other decodes the outer fields of KRB-SAFE (5.6.1: safe-body [2], cksum
// [3]), KRB-PRIV (5.7.1: enc-part [3]) and KRB-CRED (5.8.1: tickets [2],
// enc-part [3]).
func (d *dec) other(m *Message, t ber.TLV) {
	seq, ok := d.Inner(t)
	if !ok {
		return
	}
	d.Fields(seq, func(tag int, f ber.TLV) {
		switch {
		case tag == 0:
			d.pvno(m, f)
		case tag == 1:
			d.msgType(m, f)
		case tag == 2 && m.Type == MsgCred:
			if ts := d.tickets("tickets", f); len(ts) > 0 {
				m.Ticket = &ts[0]
			}
		case tag == 3 && m.Type != MsgSafe:
			d.encPart(m, "enc-part", f)
		}
	})
}

// u2u decodes the untagged user-to-user messages of
// draft-ietf-cat-user2user: KERB-TGT-REQUEST ::= SEQUENCE { pvno [0],
// msg-type [1], server-name [2] PrincipalName OPTIONAL, realm [3] Realm
// OPTIONAL } and KERB-TGT-REPLY ::= SEQUENCE { pvno [0], msg-type [1],
// ticket [2] }. m.Type stays 0 when msg-type is neither 16 nor 17.
func (d *dec) u2u(m *Message, t ber.TLV) {
	d.Enter("u2u")
	defer d.Leave()
	d.Fields(t, func(tag int, f ber.TLV) {
		switch {
		case tag == 0:
			d.pvno(m, f)
		case tag == 1:
			if v, ok := d.Int32("msg-type", f); ok && (v == 16 || v == 17) {
				m.Type = MsgType(v)
			}
		case tag == 2 && m.Type == MsgTGTReq:
			m.SName = d.principal("server-name", f)
		case tag == 2 && m.Type == MsgTGTRep:
			m.Ticket = d.ticket("ticket", f, false)
		case tag == 3 && m.Type == MsgTGTReq:
			m.Realm, _ = d.Text("realm", f)
		}
	})
}
