// Package ldap decodes the LDAP messages (RFC 4511 section 4, BER as
// restricted by RFC 4511 5.1) that show how a client authenticated to a
// directory: BindRequest and BindResponse with simple, SASL (RFC 4513 5.2,
// RFC 4422; GSS-SPNEGO, GSSAPI, EXTERNAL, DIGEST-MD5 ...) and Microsoft's
// "Sicily" NTLM binds (MS-ADTS 5.1.1.1.3), the LDAPResult of every response
// (result code, matched DN, diagnostic message), the base, filter (as RFC
// 4515 text) and attributes of a SearchRequest, which is what the CLDAP
// "LDAP ping" a client sends to locate a domain controller looks like
// (MS-ADTS 6.3.3), and the name of an ExtendedRequest (StartTLS).
//
// SplitMessage cuts one LDAPMessage off a TCP stream or a CLDAP datagram
// (which may hold several: a searchResEntry and its searchResDone). After a
// SASL bind that negotiated integrity or confidentiality, the stream is
// made of SASL buffers (RFC 4422 3.7: a 4-byte length and a GSS-API wrap
// token, RFC 4121 4.2.6.2 or RFC 1964 1.2.2); both functions recognise
// them and return an error wrapping ErrSASLWrapped, and likewise TLS
// records (LDAPS, after StartTLS) with ErrTLS.
//
// For a simple bind the password is never kept: Message.Credentials is nil
// and only its length is reported. Credentials of SASL and Sicily binds are
// the authentication tokens (sub-slices of the input), which callers hand
// to the SPNEGO, Kerberos or NTLM decoders.
//
// Every read is bounded: the BER walk to 32 levels of nesting, the filter
// text to 128 items and 1024 bytes, the attribute list to 64 names, and
// nothing is allocated from a wire length.
//
// The package does NOT decode controls, search result entries' attributes
// (the Netlogon response of a CLDAP ping included), modify/add/compare
// operations beyond their LDAPResult, unwrap SASL or TLS protection, or
// keep any connection state.
package ldap
