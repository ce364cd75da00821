package httpauth

// This file splits a WWW-Authenticate / Authorization header value into
// challenges following RFC 9110 11.3 and 11.6.1:
//
//	challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//	auth-param  = token BWS "=" BWS ( token / quoted-string )
//	token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//
// The list is comma-separated and a comma may also separate the params of
// one challenge, so "Basic realm="a, b", Negotiate" is two challenges: an
// element "name=value" continues the current challenge, anything else
// starts a new one.

import "bytes"

// maxChallenges bounds the challenges taken from one header value.
const maxChallenges = 32

// param is one auth-param; vstart and vend delimit its value in the
// challenge's raw params text.
type param struct {
	name, value  string
	vstart, vend int
}

// pending is a challenge being assembled.
type pending struct {
	scheme, token68 string
	params          []param
	start, end      int // raw params span in the header value
}

type lexer struct {
	s string
	i int
}

func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// isToken68 reports whether c may appear in a token68 before its "="
// padding (RFC 9110 11.2): a letter, a digit or one of -._~+/. It is a
// table lookup: it runs over every byte of every token, some thousands
// of bytes a Kerberos one.
func isToken68(c byte) bool { return token68Chars[c] }

var token68Chars = func() (t [256]bool) {
	for c := range t {
		b := byte(c)
		t[c] = 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
			b == '-' || b == '.' || b == '_' || b == '~' || b == '+' || b == '/'
	}
	return t
}()

func (l *lexer) end() bool { return l.i >= len(l.s) }

func (l *lexer) skipOWS() {
	for l.i < len(l.s) && (l.s[l.i] == ' ' || l.s[l.i] == '\t') {
		l.i++
	}
}

func (l *lexer) token() string {
	j := l.i
	for l.i < len(l.s) && isTchar(l.s[l.i]) {
		l.i++
	}
	return l.s[j:l.i]
}

// value reads a token or a quoted-string (an unterminated one runs to the
// end of the value).
func (l *lexer) value() string {
	j := l.i
	if l.end() || l.s[l.i] != '"' {
		l.token()
		return l.s[j:l.i]
	}
	for l.i++; l.i < len(l.s); l.i++ {
		switch l.s[l.i] {
		case '\\':
			l.i++
		case '"':
			l.i++
			return l.s[j:l.i]
		}
	}
	l.i = len(l.s)
	return l.s[j:]
}

// token68At reports whether a token68 starts at l.i and is the whole
// element (followed only by OWS and then a comma or the end); if so it
// consumes it.
func (l *lexer) token68At() (string, bool) {
	j := l.i
	k := j
	for k < len(l.s) && isToken68(l.s[k]) {
		k++
	}
	for k < len(l.s) && l.s[k] == '=' {
		k++
	}
	m := k
	for m < len(l.s) && (l.s[m] == ' ' || l.s[m] == '\t') {
		m++
	}
	if k == j || (m < len(l.s) && l.s[m] != ',') {
		return "", false
	}
	l.i = m
	return l.s[j:k], true
}

// splitChallenges parses a header value into challenges (creds: the value
// is an Authorization or Proxy-Authorization header).
func splitChallenges(s string, creds bool) []Challenge {
	var out []Challenge
	var cur *pending
	flush := func() {
		if cur != nil && len(out) < maxChallenges {
			out = append(out, cur.challenge(s, creds))
		}
		cur = nil
	}
	l := &lexer{s: s}
	for !l.end() {
		before := l.i
		for !l.end() && (l.s[l.i] == ' ' || l.s[l.i] == '\t' || l.s[l.i] == ',') {
			l.i++
		}
		if l.end() {
			break
		}
		start := l.i
		name := l.token()
		l.skipOWS()
		switch {
		case name == "":
			l.skipTo(',') // not a token: skip the element
		case !l.end() && l.s[l.i] == '=':
			l.i++
			l.skipOWS()
			l.param(cur, name, start)
		default:
			flush()
			cur = &pending{scheme: name}
			l.afterScheme(cur, start+len(name))
		}
		if l.i == before { // always make progress
			l.i++
		}
	}
	flush()
	return out
}

// param records an auth-param of cur (dropped when there is no challenge
// yet, e.g. a header value that starts with "realm=").
func (l *lexer) param(cur *pending, name string, start int) {
	vstart := l.i
	v := l.value()
	if cur == nil {
		return
	}
	if len(cur.params) == 0 {
		cur.start = start
	}
	cur.params = append(cur.params, param{name: name, value: v, vstart: vstart, vend: l.i})
	cur.end = l.i
}

// afterScheme reads what follows a scheme: nothing, a token68, or the
// first auth-param (left for the main loop).
func (l *lexer) afterScheme(cur *pending, schemeEnd int) {
	l.i = schemeEnd
	if l.end() || (l.s[l.i] != ' ' && l.s[l.i] != '\t') {
		return
	}
	l.skipOWS()
	if l.end() || l.s[l.i] == ',' {
		return
	}
	if t, ok := l.token68At(); ok {
		cur.token68 = t
	}
}

func (l *lexer) skipTo(c byte) {
	for l.i < len(l.s) && l.s[l.i] != c {
		l.i++
	}
}

// challenge turns a pending challenge into a Challenge.
func (p *pending) challenge(s string, creds bool) Challenge {
	c := Challenge{Scheme: canonScheme(p.scheme)}
	raw := ""
	params := p.params
	if len(params) > 0 {
		raw = s[p.start:p.end]
		rel := make([]param, len(params))
		for i, q := range params {
			q.vstart -= p.start
			q.vend -= p.start
			rel[i] = q
		}
		params = rel
	}
	c.finish(p.token68, params, raw, creds)
	return c
}

// simpleChallenge decodes, without going through strings, the two shapes
// nearly every value of a Kerberos or NTLM exchange has: a bare known
// scheme ("Negotiate", "NTLM") and a GSS scheme followed by a lone token68
// ("Negotiate YIIH..."). It returns what splitChallenges would for them,
// and false for any other shape.
func simpleChallenge(v []byte) (Challenge, bool) {
	i := 0
	for i < len(v) && isTchar(v[i]) {
		i++
	}
	scheme, ok := knownScheme(v[:i])
	if !ok {
		return Challenge{}, false
	}
	if i == len(v) {
		return Challenge{Scheme: scheme}, true
	}
	if !gssScheme(scheme) || (v[i] != ' ' && v[i] != '\t') {
		return Challenge{}, false
	}
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	if c, ok := decodedToken68(scheme, v[i:]); ok {
		return c, true
	}
	j := i
	for i < len(v) && isToken68(v[i]) {
		i++
	}
	if i == j {
		return Challenge{}, false // no token68, or a param ("=" first)
	}
	for i < len(v) && v[i] == '=' {
		i++
	}
	k := i
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	if i != len(v) {
		return Challenge{}, false
	}
	c := Challenge{Scheme: scheme, TokenB64Len: k - j}
	c.Token, c.BadBase64 = decodeB64Bytes(v[j:k])
	return c, true
}

// decodedToken68 is simpleChallenge's token68 ending the value, t, found
// by decoding it rather than by looking at every byte first (a Kerberos
// token is some thousands of bytes, and the look took a tenth of
// ParseHead). Base64 of the standard alphabet that decodes (decodeB64Bytes,
// padded or not), without the line breaks its decoder skips, is a token68
// followed by its "=" padding: the shape simpleChallenge looks for, with
// the same token. Anything else, bad base64 included, is left to the
// byte-by-byte look (ok false).
func decodedToken68(scheme string, t []byte) (Challenge, bool) {
	t = trimOWSRight(t)
	if len(t) == 0 || t[0] == '=' || bytes.IndexByte(t, '\n') >= 0 || bytes.IndexByte(t, '\r') >= 0 {
		return Challenge{}, false
	}
	tok, bad := decodeB64Bytes(t)
	if bad {
		return Challenge{}, false
	}
	return Challenge{Scheme: scheme, TokenB64Len: len(t), Token: tok}, true
}

// trimOWSRight returns b without the spaces and tabs that end it.
func trimOWSRight(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// trimOWS returns b without the spaces and tabs that start and end it: as
// bytes.Trim(b, " \t"), without making the set of the two each time.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return trimOWSRight(b)
}

// knownScheme returns the canonical spelling of a scheme canonScheme
// knows, matching case-insensitively.
func knownScheme(s []byte) (string, bool) {
	var lower [len("negotiate")]byte
	if len(s) > len(lower) {
		return "", false
	}
	for i, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	c, ok := canonical[string(lower[:len(s)])]
	return c, ok
}
