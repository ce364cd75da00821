package ldap

import (
	"errors"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// pdu is one LDAPMessage (or unsupported unit) found in a capture, with the
// frame Wireshark shows it in.
type pdu struct {
	frame    int
	udp      bool
	toServer bool
	raw      []byte
	splitErr error // a SASL buffer or TLS record: raw is the whole unit
}

// isLDAPPort reports LDAP (389), LDAPS (636) and the Global Catalog ports.
func isLDAPPort(p uint16) bool { return p == 389 || p == 636 || p == 3268 || p == 3269 }

// split cuts data into LDAPMessages; it stops at the first error other
// than a complete SASL buffer or TLS record, which are reported and
// skipped.
func split(data []byte, at func(off, n int) int, udp, toServer bool) []pdu {
	var out []pdu
	for off := 0; off < len(data); {
		msg, n, err := SplitMessage(data[off:])
		if err != nil && (n == 0 || errors.Is(err, wire.ErrTruncated)) {
			break
		}
		p := pdu{frame: at(off, n), udp: udp, toServer: toServer, raw: msg, splitErr: err}
		if err != nil {
			p.raw = data[off : off+n]
		}
		out = append(out, p)
		off += n
	}
	return out
}

// pdus returns the LDAP units of every LDAP stream and datagram of c.
func pdus(c *pcaptest.Capture) []pdu {
	var out []pdu
	for _, s := range c.Streams {
		if !isLDAPPort(s.Src.Port()) && !isLDAPPort(s.Dst.Port()) {
			continue
		}
		out = append(out, split(s.Data, func(off, n int) int {
			_, last := s.Frames(off, n)
			return last
		}, false, isLDAPPort(s.Dst.Port()))...)
	}
	for _, d := range c.Datagrams {
		if d.Src.Port() != 389 && d.Dst.Port() != 389 {
			continue
		}
		out = append(out, split(d.Payload, func(int, int) int { return d.Frame }, true, d.Dst.Port() == 389)...)
	}
	return out
}
