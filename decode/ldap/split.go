package ldap

import (
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// ErrSASLWrapped is wrapped by the errors of SplitMessage and Parse for a
// SASL buffer (RFC 4422 3.7, RFC 4752 3.3): a 4-byte big-endian length
// followed by a GSS-API wrap token, which is what an LDAP connection
// carries after a GSSAPI or GSS-SPNEGO bind that negotiated integrity or
// confidentiality (the Windows default). It wraps wire.ErrUnsupported.
var ErrSASLWrapped = fmt.Errorf("ldap: SASL-wrapped buffer (integrity or confidentiality protection after the bind): %w", wire.ErrUnsupported)

// ErrTLS is wrapped by the errors of SplitMessage and Parse for a TLS
// record (LDAPS on port 636, or the connection after StartTLS). It wraps
// wire.ErrUnsupported.
var ErrTLS = fmt.Errorf("ldap: TLS record (LDAPS or after StartTLS): %w", wire.ErrUnsupported)

// tagLDAPMessage is the identifier octet of the LDAPMessage SEQUENCE.
const tagLDAPMessage = 0x30

// SplitMessage cuts the first LDAPMessage (a BER SEQUENCE with a definite
// length, RFC 4511 5.1) off a TCP stream or a CLDAP datagram. msg is a
// sub-slice of b and n its length.
//
// When b holds only part of the message the error wraps wire.ErrTruncated
// and n is 0: feed more bytes. For a SASL buffer or a TLS record the error
// wraps ErrSASLWrapped or ErrTLS (and wire.ErrUnsupported), msg is nil and
// n is the length of the whole buffer or record when b holds it (0
// otherwise, the error then wrapping wire.ErrTruncated too), so a caller
// may skip it. Anything else wraps wire.ErrMalformed, or
// wire.ErrUnsupported for an indefinite length.
func SplitMessage(b []byte) (msg []byte, n int, err error) {
	if len(b) == 0 {
		return nil, 0, wire.Errorf("ldap", "LDAPMessage", 0, wire.ErrTruncated)
	}
	if b[0] != tagLDAPMessage {
		n, err := classify(b)
		return nil, n, err
	}
	t, err := ber.ReadTop(b)
	if err != nil {
		return nil, 0, wire.Errorf("ldap", "LDAPMessage", 0, err)
	}
	if t.Truncated {
		return nil, 0, wire.Errorf("ldap", "LDAPMessage", len(b),
			fmt.Errorf("%d of %d bytes: %w", len(b), t.HdrLen+t.Len, wire.ErrTruncated))
	}
	n = t.HdrLen + t.Len
	return b[:n:n], n, nil
}

// classify explains input that does not start with an LDAPMessage: a SASL
// buffer, a TLS record or garbage. It returns the length of a complete
// buffer or record.
func classify(b []byte) (int, error) {
	switch {
	case isTLS(b):
		n := 5
		if len(b) >= 5 {
			n += int(b[3])<<8 | int(b[4])
		}
		return complete(b, n, ErrTLS)
	case b[0] == 0x00:
		// A SASL buffer length under 16 MiB; see what the token is.
		if len(b) < 8 {
			return 0, wire.Errorf("ldap", "LDAPMessage", 0,
				fmt.Errorf("%d bytes starting with 0x00 (a SASL buffer?): %w", len(b), wire.ErrTruncated))
		}
		if isWrapToken(b[4:]) {
			n := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
			return complete(b, n, ErrSASLWrapped)
		}
	}
	return 0, wire.Errorf("ldap", "LDAPMessage", 0,
		fmt.Errorf("identifier 0x%02x is not an LDAPMessage SEQUENCE: %w", b[0], wire.ErrMalformed))
}

// complete returns n when b holds the n bytes of the unsupported unit, and
// otherwise an error wrapping ErrTruncated too.
func complete(b []byte, n int, kind error) (int, error) {
	if n > len(b) {
		return 0, wire.Errorf("ldap", "LDAPMessage", 0,
			fmt.Errorf("%d of %d bytes: %w; %w", len(b), n, kind, wire.ErrTruncated))
	}
	return n, wire.Errorf("ldap", "LDAPMessage", 0, fmt.Errorf("%d bytes: %w", n, kind))
}

// isTLS reports a TLS record header: content type 20-23 and major
// version 3 (RFC 8446 5.1).
func isTLS(b []byte) bool {
	return len(b) >= 2 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 0x03
}

// isWrapToken recognises the start of the token in a SASL buffer: a
// Kerberos CFX wrap token (0x05 0x04, RFC 4121 4.2.6.2), an RFC 1964 /
// RFC 4757 wrap token in its GSS-API framing (0x60), or an NTLM message
// signature (version 1, MS-NLMP 2.2.2.9) when NTLM was negotiated.
func isWrapToken(t []byte) bool {
	switch {
	case t[0] == 0x05 && t[1] == 0x04:
		return true
	case t[0] == 0x60:
		return true
	case t[0] == 0x01 && t[1] == 0 && t[2] == 0 && t[3] == 0:
		return true
	}
	return false
}
