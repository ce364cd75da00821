package krb

import "github.com/kerbtrace/kerbtrace/decode/internal/ber"

// maxItems bounds every SEQUENCE OF the decoder keeps (etypes, padata,
// name components, tickets). Real messages stay far below it.
const maxItems = 64

// exact returns s in a slice of its own with no spare capacity (nil when
// empty), so that what a Message keeps is sized to its content; the
// decoders collect into stack buffers and copy once at the end.
func exact[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// smallList is the length of the stack buffers lists are collected in;
// longer lists (up to maxItems) grow on the heap before the final copy.
const smallList = 16

// dec decodes Kerberos structures on top of the generic ber.Decoder. The
// lists it keeps outlive a Parse (decoders keeps a dec for the next).
type dec struct {
	ber.Decoder
	names      listCache[string] // name-string lists
	etypeLists listCache[Etype]
	paLists    listCache[PADataType] // padata and METHOD-DATA types
	infoLists  listCache[ETypeInfo]  // ETYPE-INFO2 entries
	ticketKept valueCache[Ticket]
	tkt        Ticket // the ticket being decoded
	eDataKept  valueCache[EData]
	ed         EData   // the e-data being decoded
	ap         Message // the AP-REQ of a PA-TGS-REQ being decoded
}

// time reads the KerberosTime of field c (absent when it cannot be read).
func (d *dec) time(name string, c ber.TLV) Time {
	t, _ := d.Time(name, c)
	return TimeOf(t)
}

// pvno reads the protocol version number into m.
func (d *dec) pvno(m *Message, c ber.TLV) {
	if v, ok := d.Int32("pvno", c); ok {
		m.PVNO = int(v)
	}
}

// msgType reads msg-type and checks it agrees with the APPLICATION tag.
func (d *dec) msgType(m *Message, c ber.TLV) {
	v, ok := d.Int32("msg-type", c)
	if ok && MsgType(v) != m.Type {
		d.Enter("msg-type")
		d.Failf(c.Off, "msg-type %d in a %s", v, m.Type)
		d.Leave()
	}
}
