package httpauth

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Challenge is one challenge (WWW-Authenticate, Proxy-Authenticate) or the
// credentials (Authorization, Proxy-Authorization) of RFC 9110 11.
type Challenge struct {
	// Scheme is "Negotiate", "NTLM", "Kerberos", "Basic", "Digest" or
	// "Bearer" whatever the case on the wire, else the scheme as sent.
	Scheme string
	// Token is the base64-decoded token68 of Negotiate, NTLM and Kerberos;
	// nil when there is none, it is not valid base64, or the scheme is
	// another one (whose token may be a secret).
	Token []byte
	// TokenB64Len is the length of the token68 as sent (0 when none).
	TokenB64Len int
	// Params holds the auth-params as sent (e.g. `realm="x"`), with
	// secrets replaced: for Basic credentials `user="name" password=<N
	// bytes>` (or `password=absent`), for Digest credentials the response
	// hash becomes `response=<N chars>`.
	Params string
	// User is the user name of Basic credentials and the username
	// parameter of Digest credentials.
	User string
	// BadBase64 reports a Negotiate/NTLM/Kerberos/Basic token68 that is not
	// valid base64.
	BadBase64 bool
	// dropped is set by DropToken when it let go of a Token.
	dropped bool
}

// HasToken reports whether the challenge carries a decoded token, whether
// Token still holds it or DropToken let it go.
func (c *Challenge) HasToken() bool { return len(c.Token) > 0 || c.dropped }

// DropToken lets go of the decoded token once a reader is done with its
// bytes (decoded them further, and prints no raw token): a big capture
// holds tens of thousands of them, kilobytes each. HasToken still tells
// that there was one.
func (c *Challenge) DropToken() {
	if len(c.Token) > 0 {
		c.Token, c.dropped = nil, true
	}
}

var canonical = map[string]string{
	"negotiate": "Negotiate", "ntlm": "NTLM", "kerberos": "Kerberos",
	"basic": "Basic", "digest": "Digest", "bearer": "Bearer",
}

// canonScheme matches a scheme case-insensitively (RFC 9110 11.1).
func canonScheme(s string) string {
	if c, ok := canonical[strings.ToLower(s)]; ok {
		return c
	}
	return s
}

// gssScheme reports schemes whose token68 is a base64 GSS-API, SPNEGO or
// NTLM token.
func gssScheme(s string) bool { return s == "Negotiate" || s == "NTLM" || s == "Kerberos" }

// finish fills Token/Params from the raw token68 or params of a challenge.
// creds is true for Authorization/Proxy-Authorization.
func (c *Challenge) finish(token68 string, params []param, raw string, creds bool) {
	c.TokenB64Len = len(token68)
	switch {
	case token68 != "" && gssScheme(c.Scheme):
		c.Token, c.BadBase64 = decodeB64(token68)
	case token68 != "" && c.Scheme == "Basic" && creds:
		c.basic(token68)
	case c.Scheme == "Digest" && creds:
		c.Params = redact(raw, params, "response")
		c.User = paramValue(params, "username")
	default:
		c.Params = raw
	}
}

// decodeB64 decodes standard base64, with or without padding. Whitespace
// inside a token is not allowed by token68, so it is an error here too.
func decodeB64(s string) ([]byte, bool) {
	enc := base64.StdEncoding
	if !strings.HasSuffix(s, "=") && len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, true
	}
	return b, false
}

// decodeB64Bytes is decodeB64 on bytes.
func decodeB64Bytes(s []byte) ([]byte, bool) {
	enc := base64.StdEncoding
	if !bytes.HasSuffix(s, []byte("=")) && len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(b, s)
	if err != nil {
		return nil, true
	}
	return b[:n], false
}

// basic keeps the user name of Basic credentials (RFC 7617 2) and only the
// length of the password.
func (c *Challenge) basic(token68 string) {
	b, bad := decodeB64(token68)
	if bad {
		c.BadBase64 = true
		return
	}
	user, pass, ok := strings.Cut(string(b), ":")
	c.User = user
	if ok {
		c.Params = fmt.Sprintf("user=%s password=<%d bytes>", strconv.Quote(user), len(pass))
	} else {
		c.Params = fmt.Sprintf("user=%s password=absent", strconv.Quote(user))
	}
}

// redact returns raw with the value of the named parameter replaced by its
// length.
func redact(raw string, params []param, name string) string {
	for _, p := range params {
		if strings.EqualFold(p.name, name) {
			return raw[:p.vstart] + fmt.Sprintf("<%d chars>", len(unquote(p.value))) + raw[p.vend:]
		}
	}
	return raw
}

func paramValue(params []param, name string) string {
	for _, p := range params {
		if strings.EqualFold(p.name, name) {
			return unquote(p.value)
		}
	}
	return ""
}

// unquote removes the quotes and backslash escapes of a quoted-string
// (RFC 9110 5.6.4); a token is returned as is.
func unquote(v string) string {
	if len(v) < 2 || v[0] != '"' {
		return v
	}
	var sb strings.Builder
	for i := 1; i < len(v)-1; i++ {
		if v[i] == '\\' && i+1 < len(v)-1 {
			i++
		}
		sb.WriteByte(v[i])
	}
	return sb.String()
}
