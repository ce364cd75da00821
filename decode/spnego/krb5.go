package spnego

import (
	"bytes"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// Identifier octets of the Kerberos messages a GSS context carries bare.
const (
	tagAPReq    = 0x6e // [APPLICATION 14]
	tagAPRep    = 0x6f // [APPLICATION 15]
	tagKRBError = 0x7e // [APPLICATION 30]
)

// ParseKRB5 decodes the Kerberos GSS-API framing (RFC 1964 1.1, RFC 4121
// 4.1): 0x60 len OID TOK_ID message, under 1.2.840.113554.1.2.2, the
// Microsoft 1.2.840.48018.1.2.2 or the user-to-user OID. A bare Kerberos
// AP-REQ, AP-REP or KRB-ERROR (as some SPNEGO peers send in responseToken)
// is accepted too and comes back with TokID 0 and Inner = b.
//
// Inner is a sub-slice of b for the krb decoder. When b is shorter than the
// GSS header says, Inner holds the bytes present, Truncated is set and the
// error wraps wire.ErrTruncated.
func ParseKRB5(b []byte) (*KRB5Token, error) {
	if len(b) == 0 {
		return nil, wire.Errorf("spnego", "krb5", 0, wire.ErrTruncated)
	}
	switch b[0] {
	case tagAPReq, tagAPRep, tagKRBError:
		return &KRB5Token{Inner: b}, nil
	case tagGSS:
		outer, oid, rest, err := gssHeader(b)
		if err != nil {
			return nil, err
		}
		if !oid.IsKerberos() {
			return nil, wire.Errorf("spnego", "krb5", 0, fmt.Errorf("mechanism %s: %w", oid, wire.ErrUnsupported))
		}
		return krb5Token(outer, oid, rest)
	}
	return nil, wire.Errorf("spnego", "krb5", 0, fmt.Errorf("identifier 0x%02x: %w", b[0], wire.ErrUnsupported))
}

// krb5Token reads TOK_ID and the inner message that follow the OID.
func krb5Token(outer ber.TLV, oid OID, rest []byte) (*KRB5Token, error) {
	k := &KRB5Token{OID: oid, Truncated: outer.Truncated}
	off := outer.ValueOff() + len(outer.Value) - len(rest)
	id, _, err := wire.U16BE(rest, 0)
	if err != nil {
		if !outer.Truncated {
			return k, wire.Errorf("spnego", "krb5.tok_id", off, fmt.Errorf("short token: %w", wire.ErrMalformed))
		}
		return k, wire.Errorf("spnego", "krb5.tok_id", off, err)
	}
	k.TokID, k.Inner = id, rest[2:]
	if k.Truncated {
		return k, wire.Errorf("spnego", "krb5.inner", off+2+len(k.Inner), wire.ErrTruncated)
	}
	return k, nil
}

// Payload is what Sniff recognises at the start of a security token.
type Payload int

// Payloads.
const (
	PayloadUnknown  Payload = iota
	PayloadSPNEGO           // 0x60 + SPNEGO OID, or a bare 0xa0 / 0xa1
	PayloadKRB5             // 0x60 + a Kerberos OID (raw GSS Kerberos)
	PayloadNTLMSSP          // "NTLMSSP\x00"
	PayloadKerberos         // a bare AP-REQ / AP-REP / KRB-ERROR
)

// String returns "spnego", "krb5", "ntlmssp", "kerberos" or "unknown".
func (p Payload) String() string {
	switch p {
	case PayloadSPNEGO:
		return "spnego"
	case PayloadKRB5:
		return "krb5"
	case PayloadNTLMSSP:
		return "ntlmssp"
	case PayloadKerberos:
		return "kerberos"
	}
	return "unknown"
}

var (
	ntlmSignature = []byte("NTLMSSP\x00")
	// DER of the OIDs (identifier and length octets included).
	derSPNEGO  = []byte{0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}
	derKRB5    = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02}
	derMSKRB5  = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02}
	derKRB5U2U = []byte{0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03}
	derIAKERB  = []byte{0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x02, 0x05}
)

// Sniff tells from the first bytes what a security token holds, without
// decoding it: "NTLMSSP\x00" → NTLMSSP; 0x60 + SPNEGO OID → SPNEGO; 0x60 +
// a Kerberos OID → KRB5; 0xa0 / 0xa1 → SPNEGO; 0x6e / 0x6f / 0x7e →
// Kerberos.
func Sniff(b []byte) Payload {
	if bytes.HasPrefix(b, ntlmSignature) {
		return PayloadNTLMSSP
	}
	if len(b) == 0 {
		return PayloadUnknown
	}
	switch b[0] {
	case tagNegTokenInit, tagNegTokenResp:
		return PayloadSPNEGO
	case tagAPReq, tagAPRep, tagKRBError:
		return PayloadKerberos
	case tagGSS:
		return sniffGSS(b)
	}
	return PayloadUnknown
}

func sniffGSS(b []byte) Payload {
	outer, err := ber.ReadTop(b)
	if err != nil {
		return PayloadUnknown
	}
	mech := outer.Value
	switch {
	case bytes.HasPrefix(mech, derSPNEGO):
		return PayloadSPNEGO
	case bytes.HasPrefix(mech, derKRB5), bytes.HasPrefix(mech, derMSKRB5), bytes.HasPrefix(mech, derKRB5U2U),
		bytes.HasPrefix(mech, derIAKERB):
		return PayloadKRB5
	}
	return PayloadUnknown
}
