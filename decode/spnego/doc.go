// Package spnego unwraps the GSS-API tokens that carry Kerberos or NTLM in
// HTTP Negotiate headers, SMB2 SESSION_SETUP, LDAP SASL binds and DCE/RPC:
//
//   - the GSS-API InitialContextToken framing, 0x60 length OID inner
//     (RFC 2743 3.1);
//   - SPNEGO NegTokenInit and NegTokenResp (RFC 4178 4.2), including
//     Microsoft's NegTokenInit2 with negHints (MS-SPNG 2.2.1);
//   - the Kerberos mechanism token: OID, 2-byte TOK_ID and a Kerberos
//     message (RFC 1964 1.1, RFC 4121 4.1), under the standard krb5 OID or
//     Microsoft's legacy 1.2.840.48018.1.2.2.
//
// It names the mechanisms and hands out the inner tokens (MechToken,
// ResponseToken, KRB5Token.Inner) as sub-slices of the input for the krb
// and ntlm decoders; it imports neither. A token pasted short still yields
// every field inside the bytes present: Truncated is set, the inner token
// holds the bytes there are, and the error wraps wire.ErrTruncated.
//
// It does not verify mechListMIC, decode MIC/Wrap tokens (RFC 4121 4.2),
// NEGOEX messages, or indefinite-length BER.
package spnego
