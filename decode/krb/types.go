package krb

import "github.com/kerbtrace/kerbtrace/decode/internal/ber"

// Decoders of the structures shared by several messages (RFC 4120 5.2, 5.3).

// principal decodes PrincipalName ::= SEQUENCE { name-type [0] Int32,
// name-string [1] SEQUENCE OF KerberosString } (5.2.2).
func (d *dec) principal(name string, c ber.TLV) Principal {
	return readPrincipal(&d.Decoder, name, c, &d.names)
}

// ReadPrincipal decodes the PrincipalName c (RFC 4120 5.2.2) on d, for
// the packages that walk decrypted Kerberos structures with the same
// bounded decoder (decode/kcrypt). Errors are recorded in d under name;
// at most 64 components are kept (more is an error).
func ReadPrincipal(d *ber.Decoder, name string, c ber.TLV) Principal {
	return readPrincipal(d, name, c, nil)
}

// readPrincipal is ReadPrincipal, with the name-string list taken from
// names when an earlier principal had the same (names may be nil).
func readPrincipal(d *ber.Decoder, name string, c ber.TLV, names *listCache[string]) Principal {
	d.Enter(name)
	defer d.Leave()
	var p Principal
	d.Fields(c, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			if v, ok := d.Int32("name-type", f); ok {
				p.NameType = v
			}
		case 1:
			p.Components = nameStrings(d, f, names)
		}
	})
	return p
}

func nameStrings(d *ber.Decoder, f ber.TLV, names *listCache[string]) []string {
	d.Enter("name-string")
	defer d.Leave()
	seq, ok := d.Sequence(f)
	if !ok {
		return nil
	}
	var buf [smallList]string
	out := buf[:0]
	d.Walk(seq, func(s ber.TLV) {
		v, err := ber.String(s)
		if err != nil {
			d.Fail(err)
			return
		}
		if len(out) == maxItems {
			d.Failf(s.Off, "more than %d components", maxItems)
			return
		}
		out = append(out, v)
	})
	if names != nil {
		return names.share(out, hashStrings(out))
	}
	return exact(out)
}

// encData is the clear part of EncryptedData ::= SEQUENCE { etype [0]
// Int32, kvno [1] UInt32 OPTIONAL, cipher [2] OCTET STRING } (5.2.9).
type encData struct {
	etype     Etype
	kvno      int // -1 absent
	cipherLen int
}

func (d *dec) encData(name string, c ber.TLV) encData {
	d.Enter(name)
	defer d.Leave()
	e := encData{kvno: -1}
	d.Fields(c, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			if v, ok := d.Int32("etype", f); ok {
				e.etype = Etype(v)
			}
		case 1:
			if v, ok := d.UInt32("kvno", f); ok {
				e.kvno = int(v)
			}
		case 2:
			if o, ok := d.Octets("cipher", f); ok {
				e.cipherLen = o.Len
			}
		}
	})
	return e
}

// ticket decodes Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0],
// realm [1], sname [2], enc-part [3] } (5.3). c is the TLV holding it (an
// explicit tag, or the APPLICATION 1 itself when app is true).
//
// The ticket is decoded into the decoder's own and shared with the last
// equal one decoded (valueCache): a client presents the same TGT in each
// TGS-REQ and the same service ticket in each AP-REQ.
func (d *dec) ticket(name string, c ber.TLV, app bool) *Ticket {
	d.Enter(name)
	defer d.Leave()
	t := &d.tkt
	*t = Ticket{Kvno: -1}
	d.ticketFields(t, c, app)
	return d.ticketKept.share(t, hashTicket(t), sameTicket)
}

// ticketFields decodes the Ticket in c into t.
func (d *dec) ticketFields(t *Ticket, c ber.TLV, app bool) {
	a := c
	if !app {
		var ok bool
		if a, ok = d.Inner(c); !ok {
			return
		}
	}
	if !a.Is(ber.ClassApplication, true, 1) {
		d.Failf(a.Off, "not a Ticket (tag %d/%d)", a.Class, a.Tag)
		return
	}
	seq, ok := d.Inner(a)
	if !ok {
		return
	}
	d.Fields(seq, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			if v, ok := d.Int32("tkt-vno", f); ok {
				t.TktVNO = int(v)
			}
		case 1:
			t.Realm, _ = d.Text("realm", f)
		case 2:
			t.SName = d.principal("sname", f)
		case 3:
			e := d.encData("enc-part", f)
			t.Etype, t.Kvno, t.CipherLen = e.etype, e.kvno, e.cipherLen
		}
	})
}

// tickets decodes SEQUENCE OF Ticket.
func (d *dec) tickets(name string, c ber.TLV) []Ticket {
	d.Enter(name)
	defer d.Leave()
	seq, ok := d.Sequence(c)
	if !ok {
		return nil
	}
	var out []Ticket
	d.Walk(seq, func(a ber.TLV) {
		if len(out) == maxItems {
			d.Failf(a.Off, "more than %d tickets", maxItems)
			return
		}
		out = append(out, *d.ticket("ticket", a, true))
	})
	return out
}

// etypes decodes SEQUENCE OF Int32 (the req-body etype list).
func (d *dec) etypes(name string, c ber.TLV) []Etype {
	d.Enter(name)
	defer d.Leave()
	seq, ok := d.Sequence(c)
	if !ok {
		return nil
	}
	var buf [smallList]Etype
	out := buf[:0]
	d.Walk(seq, func(i ber.TLV) {
		v, err := ber.Int32(i)
		if err != nil {
			d.Fail(err)
			return
		}
		if len(out) == maxItems {
			d.Failf(i.Off, "more than %d etypes", maxItems)
			return
		}
		out = append(out, Etype(v))
	})
	return d.etypeLists.share(out, hashInts(out))
}
