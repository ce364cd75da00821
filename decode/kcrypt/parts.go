package kcrypt

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/pac"
)

// Bounds of the decrypted structures.
const (
	maxItems   = 64 // addresses and authorization-data elements
	maxADDepth = 4  // AD-IF-RELEVANT inside AD-IF-RELEVANT ...
)

// Authorization-data types (RFC 4120 5.2.6, MS-PAC 2.1).
const (
	adIfRelevant = 1
	adWin2kPAC   = 128
)

// gssChecksumType is the checksum type of the GSS-API authenticator
// checksum (RFC 4121 4.1.1).
const gssChecksumType = 0x8003

// pdec decodes the decrypted structures on the generic ber.Decoder.
type pdec struct{ ber.Decoder }

func newPdec(what string) *pdec {
	d := &pdec{ber.Decoder{Proto: "kcrypt"}}
	d.Enter(what)
	return d
}

// top reads the APPLICATION tag of a decrypted part and returns its SEQUENCE.
func (d *pdec) top(b []byte, app ...int) (ber.TLV, bool) {
	t, err := ber.ReadTop(b)
	if err != nil {
		d.Fail(err)
		return t, false
	}
	for _, a := range app {
		if t.Is(ber.ClassApplication, true, a) {
			return d.Inner(t)
		}
	}
	d.Failf(t.Off, "not the expected part (tag %d/%d)", t.Class, t.Tag)
	return t, false
}

// principal decodes a PrincipalName with krb's decoder.
func (d *pdec) principal(name string, c ber.TLV) krb.Principal {
	return krb.ReadPrincipal(&d.Decoder, name, c)
}

// encKey reads EncryptionKey ::= SEQUENCE { keytype [0], keyvalue [1] }.
func (d *pdec) encKey(name string, c ber.TLV) *key {
	d.Enter(name)
	defer d.Leave()
	k := &key{}
	d.Fields(c, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			v, _ := d.Int32("keytype", f)
			k.Etype = krb.Etype(v)
		case 1:
			if o, ok := d.Octets("keyvalue", f); ok && !o.Truncated {
				k.value = append([]byte(nil), o.Value...)
			}
		}
	})
	return k
}

func (d *pdec) when(name string, f ber.TLV) time.Time {
	v, _ := d.Time(name, f)
	return v.UTC()
}

// hostAddresses reads HostAddresses (RFC 4120 5.2.5) as text.
func (d *pdec) hostAddresses(c ber.TLV) []string {
	d.Enter("caddr")
	defer d.Leave()
	seq, ok := d.Sequence(c)
	if !ok {
		return nil
	}
	var out []string
	d.Walk(seq, func(e ber.TLV) {
		var typ int32
		var val []byte
		d.Fields(e, func(tag int, f ber.TLV) {
			switch tag {
			case 0:
				typ, _ = d.Int32("addr-type", f)
			case 1:
				if o, ok := d.Octets("address", f); ok {
					val = o.Value
				}
			}
		})
		if len(out) < maxItems {
			out = append(out, addressText(typ, val))
		}
	})
	return out
}

func addressText(typ int32, v []byte) string {
	switch {
	case typ == 2 && len(v) == 4:
		return netip.AddrFrom4([4]byte(v)).String()
	case typ == 24 && len(v) == 16:
		return netip.AddrFrom16([16]byte(v)).String()
	case typ == 20:
		return "netbios:" + sanitize(string(v))
	}
	return fmt.Sprintf("type-%d:%x", typ, v)
}

func sanitize(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// authData walks AuthorizationData, recording the types met and parsing the
// PAC found (inside AD-IF-RELEVANT as the KDCs put it).
func (d *pdec) authData(c ber.TLV, p *EncTicketPart, depth int) {
	d.Enter("authorization-data")
	defer d.Leave()
	seq, ok := d.Sequence(c)
	if !ok {
		return
	}
	d.Walk(seq, func(e ber.TLV) {
		var typ int32
		var val ber.TLV
		has := false
		d.Fields(e, func(tag int, f ber.TLV) {
			switch tag {
			case 0:
				typ, _ = d.Int32("ad-type", f)
			case 1:
				val, has = d.Octets("ad-data", f)
			}
		})
		if len(p.ADTypes) < maxItems {
			p.ADTypes = append(p.ADTypes, typ)
		}
		if !has || val.Truncated {
			return
		}
		switch typ {
		case adIfRelevant:
			if depth >= maxADDepth {
				d.Failf(val.Off, "authorization-data nested too deep")
				return
			}
			t, err := ber.Read(val.Value, 0, val.ValueOff(), false)
			if err != nil {
				d.Fail(err)
				return
			}
			d.authData(t, p, depth+1)
		case adWin2kPAC:
			if p.PAC != nil {
				return
			}
			pc, err := pac.Parse(val.Value)
			p.PAC = pc
			if err != nil {
				p.PACErr = err.Error()
			}
		}
	})
}

// parseEncTicketPart decodes EncTicketPart ::= [APPLICATION 3] SEQUENCE
// (RFC 4120 5.3).
func parseEncTicketPart(b []byte) (*EncTicketPart, error) {
	d := newPdec("enc-ticket-part")
	p := &EncTicketPart{}
	seq, ok := d.top(b, 3)
	if !ok {
		return p, d.Result()
	}
	d.Fields(seq, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			v, _ := d.BitString("flags", f)
			p.Flags = krb.TicketFlags(v)
		case 1:
			p.session = d.encKey("key", f)
			p.SessionEtype = p.session.Etype
		case 2:
			p.CRealm, _ = d.Text("crealm", f)
		case 3:
			p.CName = d.principal("cname", f)
		case 4:
			d.transited(p, f)
		case 5:
			p.AuthTime = d.when("authtime", f)
		case 6:
			p.StartTime = d.when("starttime", f)
		case 7:
			p.EndTime = d.when("endtime", f)
		case 8:
			p.RenewTill = d.when("renew-till", f)
		case 9:
			p.Addresses = d.hostAddresses(f)
		case 10:
			d.authData(f, p, 0)
		}
	})
	return p, d.Result()
}

func (d *pdec) transited(p *EncTicketPart, c ber.TLV) {
	d.Enter("transited")
	defer d.Leave()
	d.Fields(c, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			p.TransitedType, _ = d.Int32("tr-type", f)
		case 1:
			if o, ok := d.Octets("contents", f); ok {
				p.Transited = sanitize(string(o.Value))
			}
		}
	})
}

// parseAuthenticator decodes Authenticator ::= [APPLICATION 2] SEQUENCE
// (RFC 4120 5.5.1).
func parseAuthenticator(b []byte) (*Authenticator, error) {
	d := newPdec("authenticator")
	a := &Authenticator{}
	seq, ok := d.top(b, 2)
	if !ok {
		return a, d.Result()
	}
	d.Fields(seq, func(tag int, f ber.TLV) {
		switch tag {
		case 1:
			a.CRealm, _ = d.Text("crealm", f)
		case 2:
			a.CName = d.principal("cname", f)
		case 3:
			d.checksum(a, f)
		case 4:
			v, _ := d.Int32("cusec", f)
			a.CUSec = int(v)
		case 5:
			a.CTime = d.when("ctime", f)
		case 6:
			a.subkey = d.encKey("subkey", f)
			a.SubkeyEtype = a.subkey.Etype
		case 7:
			a.SeqNumber, a.HasSeq = d.UInt32("seq-number", f)
		}
	})
	if !a.CTime.IsZero() && a.CUSec >= 0 && a.CUSec < 1000000 {
		a.CTime = a.CTime.Add(usec(a.CUSec))
	}
	return a, d.Result()
}

// checksum reads Checksum ::= SEQUENCE { cksumtype [0], checksum [1] } and,
// for the GSS checksum, its flags: Lgth (4, LE) = 16, Bnd (16), Flags (4,
// LE), then DlgOpt/Dlgth/Deleg when the delegation flag is set.
func (d *pdec) checksum(a *Authenticator, c ber.TLV) {
	d.Enter("cksum")
	defer d.Leave()
	d.Fields(c, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			a.ChecksumType, _ = d.Int32("cksumtype", f)
		case 1:
			o, ok := d.Octets("checksum", f)
			if !ok || a.ChecksumType != gssChecksumType {
				return
			}
			v := o.Value
			if len(v) < 24 || binary.LittleEndian.Uint32(v) != 16 {
				d.Failf(o.Off, "GSS checksum of %d bytes: %v", len(v), wire.ErrMalformed)
				return
			}
			a.GSSFlags, a.HasGSS = GSSFlags(binary.LittleEndian.Uint32(v[20:])), true
			if a.GSSFlags&1 != 0 && len(v) >= 28 && binary.LittleEndian.Uint16(v[24:]) == 1 {
				a.Delegated = true
			}
		}
	})
}

// parseAPRepPart decodes EncAPRepPart ::= [APPLICATION 27] SEQUENCE
// (RFC 4120 5.5.2).
func parseAPRepPart(b []byte) (*APRepPart, error) {
	d := newPdec("enc-ap-rep-part")
	r := &APRepPart{}
	seq, ok := d.top(b, 27)
	if !ok {
		return r, d.Result()
	}
	d.Fields(seq, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			r.CTime = d.when("ctime", f)
		case 1:
			v, _ := d.Int32("cusec", f)
			r.CUSec = int(v)
		case 2:
			r.SubkeyEtype = d.encKey("subkey", f).Etype
		case 3:
			r.SeqNumber, r.HasSeq = d.UInt32("seq-number", f)
		}
	})
	if !r.CTime.IsZero() && r.CUSec >= 0 && r.CUSec < 1000000 {
		r.CTime = r.CTime.Add(usec(r.CUSec))
	}
	return r, d.Result()
}

// parseKDCRepPart decodes EncASRepPart / EncTGSRepPart ::= [APPLICATION
// 25 / 26] EncKDCRepPart (RFC 4120 5.4.2); either tag is accepted, as
// MIT's clients do.
func parseKDCRepPart(b []byte) (*KDCRepPart, error) {
	d := newPdec("enc-kdc-rep-part")
	r := &KDCRepPart{}
	seq, ok := d.top(b, 25, 26)
	if !ok {
		return r, d.Result()
	}
	d.Fields(seq, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			r.session = d.encKey("key", f)
			r.SessionEtype = r.session.Etype
		case 2:
			r.Nonce, _ = d.UInt32("nonce", f)
		case 3:
			r.KeyExpiry = d.when("key-expiration", f)
		case 4:
			v, _ := d.BitString("flags", f)
			r.Flags = krb.TicketFlags(v)
		case 5:
			r.AuthTime = d.when("authtime", f)
		case 6:
			r.StartTime = d.when("starttime", f)
		case 7:
			r.EndTime = d.when("endtime", f)
		case 8:
			r.RenewTill = d.when("renew-till", f)
		case 9:
			r.SRealm, _ = d.Text("srealm", f)
		case 10:
			r.SName = d.principal("sname", f)
		}
	})
	return r, d.Result()
}
