package krb

import "github.com/kerbtrace/kerbtrace/decode/internal/ber"

// maxItems bounds every SEQUENCE OF the decoder keeps (etypes, padata,
// name components, tickets). Real messages stay far below it.
const maxItems = 64

// dec decodes Kerberos structures on top of the generic ber.Decoder.
type dec struct{ ber.Decoder }

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
