// Package ntlm decodes the three NTLM authentication messages of MS-NLMP
// (NTLMSSP): NEGOTIATE_MESSAGE (2.2.1.1), CHALLENGE_MESSAGE (2.2.1.2) and
// AUTHENTICATE_MESSAGE (2.2.1.3), with the structures of 2.2.2: AV_PAIR
// (2.2.2.1), NEGOTIATE flags (2.2.2.5), VERSION (2.2.2.10) and the
// NTLMv2_CLIENT_CHALLENGE inside an NTLMv2 response (2.2.2.7, 2.2.2.8).
//
// Parse is a pure function of the message bytes, as found after the
// "NTLMSSP\x00" signature in an HTTP Authorization header, a SPNEGO
// mechToken, an SMB SESSION_SETUP or an LDAP SASL bind. Every security buffer
// (length, maxlen, offset) is checked against the input before it is read,
// so offsets and lengths from the wire cannot make it index out of range.
//
// What a support engineer needs is kept: names (domain, user, workstation,
// target), flags, OS version, the AV pairs the server advertised and the ones
// the client echoed (including the SPN it aimed at, MsvAvTargetName), and
// whether the client answered with NTLMv1 or NTLMv2.
//
// The package does NOT keep secrets: LM and NT responses and the encrypted
// session key are reduced to their lengths, and the MIC to a presence flag.
// It does not compute or verify responses, derive keys, check signatures,
// or decode NTLM message signatures/sealed payloads (MS-NLMP 3.4).
package ntlm
