package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/kerbtrace/kerbtrace/report"
)

// maxTokenInput bounds what 'kerbtrace token' reads: a header value is a few
// kilobytes, a hex dump of one a few times that.
const maxTokenInput = 1 << 20

// notToken is an input that holds no token; the message says what it
// looks like.
type notToken struct{ what string }

func (e *notToken) Error() string { return "not an authentication token: " + e.what }

// The patterns of pasted text, compiled on first use: only 'kerbtrace
// token' reads such text, and every run would compile them at its start.
var (
	headerRE = lazyRegexp(`^(?i)([A-Za-z][A-Za-z0-9-]*)\s*:\s*(.*)$`)
	schemeRE = lazyRegexp(`^(?i)(Negotiate|Kerberos|NTLM|Nego2|Basic|Bearer|Digest)(\s+|$)`)
	// A hex dump line: an offset column, then byte pairs (tshark -x,
	// NetMon, xxd -g1, Wireshark "Copy as Hex Dump").
	dumpOffsetRE = lazyRegexp(`^[0-9A-Fa-f]{4,8}:?$`)
	hexPairRE    = lazyRegexp(`^[0-9A-Fa-f]{2}$`)
)

// lazyRegexp returns a function that compiles pattern the first time it
// is called and returns the same Regexp each time.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// readTokenInput turns pasted text into token bytes and says how.
func readTokenInput(text string) ([]byte, report.TokenInput, error) {
	var in report.TokenInput
	s := strings.TrimSpace(strings.TrimPrefix(text, "\ufeff"))
	s = strings.Trim(s, "\"'`")
	s, in.Header = stripHeader(s)
	if in.Header != "" && strings.Contains(s, "\n") {
		s, in.Notes = firstHeaderValue(s, in.Notes)
	}
	s = strings.TrimSpace(s)
	if m := schemeRE().FindStringSubmatch(s); m != nil {
		in.Scheme = canonicalScheme(m[1])
		s = strings.TrimSpace(s[len(m[0]):])
		switch in.Scheme {
		case "Basic":
			return nil, in, &notToken{"a Basic authorization (user name and password), not a Negotiate, Kerberos or NTLM token; it is not decoded"}
		case "Bearer":
			return nil, in, &notToken{"a Bearer (OAuth) token, not a Negotiate, Kerberos or NTLM token"}
		case "Digest":
			return nil, in, &notToken{"a Digest challenge or response, not a Negotiate, Kerberos or NTLM token"}
		}
	}
	if s == "" {
		if in.Scheme != "" {
			return nil, in, &notToken{fmt.Sprintf("a bare %q header without a token (the server's offer of the scheme)", in.Scheme)}
		}
		return nil, in, &notToken{"empty input"}
	}
	b, enc, notes, err := decodeText(s)
	in.Encoding, in.Bytes, in.Notes = enc, len(b), append(in.Notes, notes...)
	return b, in, err
}

func canonicalScheme(s string) string {
	for _, c := range []string{"Negotiate", "Kerberos", "NTLM", "Nego2", "Basic", "Bearer", "Digest"} {
		if strings.EqualFold(s, c) {
			return c
		}
	}
	return s
}

// stripHeader removes a leading "Name:" when the text is a header line.
// Hex dump offsets ("0000:") are not header names.
func stripHeader(s string) (string, string) {
	first, _, _ := strings.Cut(s, "\n")
	m := headerRE().FindStringSubmatch(strings.TrimSpace(first))
	if m == nil || isHexDigits(m[1]) || strings.HasPrefix(m[2], "//") {
		return s, ""
	}
	rest := strings.TrimSpace(s[strings.Index(s, ":")+1:])
	return rest, m[1]
}

// firstHeaderValue keeps the lines of the first header value: continuation
// lines up to a blank line or the next "Name:" line.
func firstHeaderValue(s string, notes []string) (string, []string) {
	lines := strings.Split(s, "\n")
	n := 1
	for ; n < len(lines); n++ {
		l := strings.TrimSpace(lines[n])
		if l == "" || (headerRE().MatchString(l) && !isHexDigits(strings.SplitN(l, ":", 2)[0])) {
			break
		}
	}
	if rest := strings.TrimSpace(strings.Join(lines[n:], "\n")); rest != "" {
		notes = append(notes, "decoded the first header only; the lines after it were ignored")
	}
	return strings.Join(lines[:n], "\n"), notes
}

// decodeText decodes hex (plain, spaced, colon-separated or a hex dump) or
// base64 (standard or URL-safe, wrapped, padding missing).
func decodeText(s string) ([]byte, string, []string, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "…"), "..."))
	if b, ok := decodeHex(s); ok {
		return b, "hex", nil, nil
	}
	return decodeBase64(s)
}

func isHexDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// decodeHex accepts "6082071b...", "60 82 07 1b", "60:82:07:1b", "0x60,
// 0x82", "\x60\x82", and hex dump lines with an offset column and an ASCII
// column.
func decodeHex(s string) ([]byte, bool) {
	if b, ok := decodeHexDump(s); ok {
		return b, true
	}
	r := strings.NewReplacer("0x", "", "0X", "", `\x`, "", ":", "", "-", "", ",", "", " ", "", "\t", "", "\r", "", "\n", "")
	h := r.Replace(s)
	if len(h)%2 != 0 || !isHexDigits(h) {
		return nil, false
	}
	// A string of hex digits only is hex, unless it came as one word that
	// is also valid base64 and not a token in hex (never seen in practice:
	// tokens in base64 start with Y, o, T or b).
	b, err := hex.DecodeString(h)
	return b, err == nil
}

// decodeHexDump reads lines of "OFFSET  xx xx xx ...  ascii"; it reports
// false when any line is not of that form.
func decodeHexDump(s string) ([]byte, bool) {
	var out []byte
	lines := 0
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 || !dumpOffsetRE().MatchString(f[0]) || !hexPairRE().MatchString(f[1]) {
			return nil, false
		}
		n := 0
		for _, w := range f[1:] {
			if !hexPairRE().MatchString(w) || n == 16 {
				break
			}
			c, _ := hex.DecodeString(w)
			out = append(out, c...)
			n++
		}
		lines++
	}
	return out, lines > 0
}

// decodeBase64 strips whitespace, maps the URL-safe alphabet and tolerates
// missing padding and a last partial quantum.
func decodeBase64(s string) ([]byte, string, []string, error) {
	var notes []string
	s = strings.Join(strings.Fields(s), "")
	enc := "base64"
	if strings.ContainsAny(s, "-_") {
		enc = "base64url"
		s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	}
	trimmed := strings.TrimRight(s, "=")
	for i := 0; i < len(trimmed); i++ {
		if !isB64(trimmed[i]) {
			return nil, enc, nil, &notToken{describeText(s, i)}
		}
	}
	if len(trimmed)%4 == 1 {
		notes = append(notes, "dropped a last lone base64 character (the paste ends mid-byte)")
		trimmed = trimmed[:len(trimmed)-1]
	}
	if len(s)%4 != 0 {
		notes = append(notes, "base64 padding was missing or partial; decoded without it")
	}
	b, err := base64.RawStdEncoding.DecodeString(trimmed)
	if err != nil {
		return nil, enc, notes, &notToken{"text that is neither hex nor base64"}
	}
	return b, enc, notes, nil
}

func isB64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// describeText says what a non-token text looks like.
func describeText(s string, bad int) string {
	switch {
	case strings.Count(s, ".") == 2 && strings.HasPrefix(s, "eyJ"):
		return "a JSON Web Token (three base64url parts joined by dots)"
	case strings.HasPrefix(s, "{") || strings.HasPrefix(s, "["):
		return "JSON text"
	case strings.HasPrefix(s, "<"):
		return "HTML or XML text"
	case strings.Contains(s, "://"):
		return "a URL"
	}
	return fmt.Sprintf("text with %q at position %d, which is neither hex nor base64", s[bad], bad)
}
