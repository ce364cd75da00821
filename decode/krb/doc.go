// Package krb decodes Kerberos V5 messages as they appear on the wire:
// KDC-REQ (AS-REQ, TGS-REQ) and KDC-REP (AS-REP, TGS-REP) of RFC 4120
// sections 5.4.1-5.4.2, AP-REQ / AP-REP (5.5.1-5.5.2), KRB-ERROR (5.9.1)
// with its e-data (METHOD-DATA and TYPED-DATA of RFC 4120 5.9.1 / 5.2.7,
// PA-ETYPE-INFO2 of 5.2.7.5, Microsoft's KERB-ERROR-DATA and
// KERB-EXT-ERROR of MS-KILE 2.2.1-2.2.2 and the NTSTATUS Windows KDCs put
// there), the user-to-user TGT-REQ / TGT-REP, and only the outer fields of
// KRB-SAFE, KRB-PRIV and KRB-CRED. SplitRecord undoes the 4-byte record
// mark of Kerberos over TCP (RFC 4120 7.2.2).
//
// Parse is a pure function of its input. It walks the DER itself (through
// decode/internal/ber) rather than calling gokrb5's Unmarshal, because a
// token cut short in a text export must still yield every field that lies
// inside the bytes present: on such input Parse returns the partly filled
// Message with Truncated set and an error wrapping wire.ErrTruncated that
// names the field where the input ends. Names of numbers (error codes,
// etypes, padata types, flags) follow RFC 4120, RFC 3961/3962/8009, the
// IANA Kerberos registry (keyed by gokrb5's iana constants) and MS-KILE.
//
// It does not decrypt anything (enc-parts are reported by etype, kvno and
// length only), verify checksums, decode the PAC or authenticators, or keep
// ciphertext in exported fields.
package krb
