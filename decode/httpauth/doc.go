// Package httpauth parses HTTP/1.x message heads (RFC 9112 2-5, RFC 9110)
// from a reassembled TCP byte stream and extracts what HTTP authentication
// needs: the request line or status, Host, the WWW-Authenticate and
// Proxy-Authenticate challenges and the Authorization and
// Proxy-Authorization credentials (RFC 9110 11, formerly RFC 7235), with
// Negotiate (RFC 4559), NTLM and Kerberos tokens base64-decoded for the
// SPNEGO, Kerberos and NTLM decoders. It also tells how long the body is
// (RFC 9112 6.3) and skips chunked bodies (RFC 9112 7.1), so a caller can
// walk a keep-alive connection head by head.
//
// ParseHead is streaming-friendly: it returns ErrNeedMore until the buffer
// holds a whole head, and never reads more than 64 KiB or 200 header lines.
// Bare LF line ends and obsolete line folding are tolerated.
//
// Secrets are not kept: for Basic credentials only the user name and the
// password length are returned, Digest's response hash is replaced by its
// length, and Bearer and unknown-scheme credentials are reduced to their
// length. Negotiate/NTLM/Kerberos tokens are returned decoded because they
// are what the analyzer decodes; their secret parts are dropped by those
// decoders.
//
// The package does NOT parse HTTP/2 or HTTP/3, bodies other than chunked
// framing, cookies, or form/SOAP authentication, and it does not verify
// anything.
package httpauth
