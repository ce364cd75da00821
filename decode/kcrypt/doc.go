// Package kcrypt decrypts the encrypted parts of Kerberos messages with keys
// the engineer supplies: a service's keytab, the KDC's krbtgt keytab, or a
// lab user's password. It shows what the service itself sees when it
// accepts a ticket (flow.md step 8): the ticket's EncTicketPart with its PAC,
// the Authenticator with its GSS checksum flags, the AP-REP, and the
// EncKDCRepPart of AS-REP and TGS-REP.
//
// github.com/jcmturner/gokrb5/v8 does the cryptography and reads the
// keytabs: its keytab package reads MIT keytab files (versions 0x0501 and
// 0x0502, as written by MIT krb5, ktpass and Samba), and its crypto
// package decrypts with aes128/aes256-cts-hmac-sha1-96 (RFC 3962), the
// AES-SHA2 etypes of RFC 8009 and rc4-hmac (RFC 4757), and derives keys
// from passwords (string-to-key with the salt of PA-ETYPE-INFO2 or the
// default salt, RFC 4120 4 and 5.2.7.5).
//
// What kcrypt adds:
//   - trying every key of the ticket's etype, whatever principal or kvno
//     the keytab names (keytabs are often mislabelled; gokrb5's
//     GetEncryptionKey matching is not used), and reporting which entry
//     worked or what the keytab holds;
//   - bounds around gokrb5: the keytab's framing is checked first (gokrb5
//     loads a cut file silently), its errors are reworded (they quote the
//     entry, key included) and its panics recovered as "damaged keytab";
//     key and ciphertext lengths are checked before DecryptMessage, which
//     slices unchecked, with a recover behind;
//   - the NT hash from UTF-16 (gokrb5's rc4-hmac string-to-key is wrong
//     for non-ASCII passwords; its MD4 is used);
//   - FAST (RFC 6113) as MIT clients use it for TGS exchanges: the
//     implicit TGT armor (KRB-FX-CF2 with the PRF of RFC 3962 6 or RFC
//     8009 5, composed from gokrb5's key derivation, which has no PRF of
//     its own that fits), the KrbFastResponse and its strengthen-key, so
//     that a TGS-REP opens with the subkey of its request;
//   - the decrypted structures of RFC 4120: EncTicketPart (5.3),
//     Authenticator (5.5.1) with the GSS-API checksum of RFC 4121 4.1.1,
//     EncAPRepPart (5.5.2) and EncKDCRepPart (5.4.2), walked with the
//     project's bounded DER reader; the PAC inside AD-IF-RELEVANT /
//     AD-WIN2K-PAC is handed to decode/pac (MS-PAC).
//
// Key usages (RFC 4120 7.5.1): 2 ticket, 3 AS-REP enc-part, 7 PA-TGS-REQ
// authenticator, 8/9 TGS-REP enc-part (session key / subkey), 11 AP-REQ
// authenticator, 12 AP-REP enc-part.
//
// Keys never leave the package: results carry etypes, principals and
// kvnos, never key bytes or ciphertext.
//
// It does not do single DES, DES3, Camellia or rc4-hmac-exp (reported as
// unsupported), FAST-armoured AS exchanges (explicit armor) or FAST with
// rc4-hmac, verify PAC signatures, check ticket times against a clock,
// or read files: callers pass the bytes (no I/O here).
package kcrypt
