// Package pac decodes the Privilege Attribute Certificate that Windows and
// Samba KDCs (and MIT krb5 1.20+) put in the authorization-data of tickets
// (MS-PAC): the PACTYPE and its PAC_INFO_BUFFERs (2.3-2.4), the
// KERB_VALIDATION_INFO of the logon-information buffer (2.5), an NDR type
// serialisation (MS-RPCE 2.2.6) with the user's SID, groups, extra SIDs,
// resource groups, logon domain and user flags; PAC_CLIENT_INFO (2.7);
// UPN_DNS_INFO (2.10); and which signature buffers are present with their
// checksum types (2.8).
//
// Every offset, count and pointer read from the bytes is checked against
// the bytes present before it is used; nothing is allocated from a wire
// count (gokrb5's PAC parser trusts buffer offsets and panics on hostile
// ones; this package does not share that code).
//
// It does not verify the signatures (that needs the service and KDC keys),
// decode credentials, claims, device info or constrained-delegation
// buffers (they are listed by type only), or read big-endian NDR.
package pac
