package decode

import (
	"strconv"

	"github.com/kerbtrace/kerbtrace/decode/kcrypt"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// decrypter is the dissector's decryption state: one kcrypt.Session for
// every capture added, so that a ticket issued in one capture opens the
// AP-REQ of another.
type decrypter struct {
	s *kcrypt.Session
}

// SetKeys makes the dissector decrypt the Kerberos messages it decodes
// with keys (keytabs, passwords): tickets, authenticators, AP-REPs and KDC
// replies, while their bytes are at hand; the results are in
// Message.Decrypted. Nil or empty keys switch decryption off. Call it
// before Add.
func (d *Dissector) SetKeys(keys *kcrypt.Keys) {
	if keys.Empty() {
		d.crypt = nil
		return
	}
	d.crypt = &decrypter{s: keys.NewSession()}
}

// decrypt runs the session on one Kerberos message; the connection key
// is the same for both directions of an address pair.
func (d *Dissector) decrypt(p []byte, m *krb.Message, base *Message) *kcrypt.Result {
	if d.crypt == nil {
		return nil
	}
	a, b := base.Src.String(), base.Dst.String()
	if b < a {
		a, b = b, a
	}
	return d.crypt.s.Decrypt(p, m, strconv.Itoa(d.capIdx)+" "+base.Transport.String()+" "+a+" "+b)
}
