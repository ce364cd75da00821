// Package smb2 decodes the parts of SMB 2 and SMB 3 messages (MS-SMB2
// section 2.2) that tell how a client authenticated to a file server: the
// 64-byte sync or async header (2.2.1) of every message of a compounded
// chain (3.2.4.1.4), the dialect a NEGOTIATE response selected (2.2.4), the
// security buffer of NEGOTIATE responses and SESSION_SETUP requests and
// responses (2.2.4, 2.2.5, 2.2.6), which carries the SPNEGO / Kerberos /
// NTLM token, the session flags of a SESSION_SETUP response, and the share
// path of a TREE_CONNECT request (2.2.9).
//
// SplitFrame cuts a TCP byte stream on the 4-byte Direct TCP transport
// header (MS-SMB2 2.1), which is the NetBIOS session service message header
// of RFC 1002 section 4.3.1 with a 24-bit length; NetBIOS session requests,
// responses and keepalives (RFC 1002 4.3.2-4.3.7) are skipped.
//
// Every read is bounds-checked, compound chains are bounded (32 messages,
// NextCommand 8-byte aligned and past the header, so always moving
// forward) and every byte slice in a Message is a sub-slice of the input.
//
// The package does NOT decrypt or decompress: encrypted messages (the
// transform header 0xFD 'S' 'M' 'B', 2.2.41) return ErrEncrypted and
// compressed ones (0xFC 'S' 'M' 'B', 2.2.42) an error wrapping
// wire.ErrUnsupported. It does not decode SMB 1 (MS-CIFS, MS-SMB; 0xFF 'S'
// 'M' 'B', ErrSMB1), negotiate contexts, signatures, file operations or any
// body other than those listed above, and it keeps no session state.
package smb2
