package report

import (
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// rewrite is the nameFunc of the second walk: it returns the pseudonym of
// a name or address, registering it if the first walk missed it, and
// rewrites free texts.
//
// A rewriting depends on the name and on the tables alone, and every
// change to the tables adds an entry or a literal: one made without a
// change is remembered and given again while the tables stay as they
// were (each message's names are rewritten twice, and repeat).
func (rd *redactor) rewrite(kind int, name string) string {
	o := observation{kind, name}
	entries, lits := len(rd.order), len(rd.literal)
	if m, ok := rd.memo[o]; ok && m.entries == entries && m.literal == lits {
		return m.out
	}
	out := rd.rewriteNow(kind, name)
	if len(rd.order) == entries && len(rd.literal) == lits && len(rd.memo) < memoMax {
		rd.memo[o] = memoized{out, entries, lits}
	}
	return out
}

// rewriteNow is rewrite without the memo.
func (rd *redactor) rewriteNow(kind int, name string) string {
	var e *entry
	switch kind {
	case obsDomain:
		e = rd.domain(name)
	case obsHost:
		e = rd.host(name)
	case obsUser:
		e = rd.user(name)
	case obsOU:
		e = rd.ou(name)
	case obsSID:
		return rd.sid(name).out
	case obsFile:
		return rd.file(name).out
	case obsIP:
		a, err := netip.ParseAddr(name)
		if err != nil {
			return rd.text(name)
		}
		if e = rd.ip(a); e == nil {
			return name
		}
		return e.out
	case obsText:
		return rd.text(name)
	}
	if e == nil {
		return name
	}
	return applyCase(name, e.out)
}

// literal is an original that free texts are searched for as a string.
type literal struct {
	orig, out string
	fold      bool // in any case
}

// prepareText lists the originals that a token-by-token rewrite cannot
// find (file paths and base names, names with spaces or slashes), longest
// first.
func (rd *redactor) prepareText() {
	rd.literal = rd.literal[:0]
	for _, e := range rd.order {
		switch {
		case e.kind == "file":
			rd.literal = append(rd.literal, literal{e.orig, e.out, false})
			if b := filepath.Base(e.orig); b != e.orig {
				rd.literal = append(rd.literal, literal{b, e.out, false})
			}
		case strings.IndexFunc(e.orig, func(r rune) bool { return !isTokenRune(r) }) >= 0:
			rd.literal = append(rd.literal, literal{e.orig, e.out, true})
		}
	}
	sort.SliceStable(rd.literal, func(i, j int) bool { return len(rd.literal[i].orig) > len(rd.literal[j].orig) })
}

// text rewrites a free text: the literal originals first, then every
// token (a run of letters, digits and ".-_$:") that is a known name, an
// address, or a DNS name under a known domain.
func (rd *redactor) text(s string) string {
	for _, l := range rd.literal {
		if l.fold {
			s = replaceFold(s, l.orig, l.out)
		} else {
			s = strings.ReplaceAll(s, l.orig, l.out)
		}
	}
	var b strings.Builder
	start := -1
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case isTokenRune(r) && r != utf8.RuneError:
			if start < 0 {
				start = i
			}
		case start >= 0:
			b.WriteString(rd.token(s[start:i]))
			start = -1
			fallthrough
		default:
			b.WriteString(s[i : i+n]) // as it was, invalid bytes too
		}
		i += n
	}
	if start >= 0 {
		b.WriteString(rd.token(s[start:]))
	}
	return b.String()
}

func isTokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_$:", r)
}

// token rewrites one token of a free text.
func (rd *redactor) token(tok string) string {
	core := strings.TrimLeft(tok, ".:-")
	pre := tok[:len(tok)-len(core)]
	core = strings.TrimRight(core, ".:-")
	post := tok[len(pre)+len(core):]
	if core == "" {
		return tok
	}
	if a, err := netip.ParseAddr(core); err == nil {
		return pre + rd.rewrite(obsIP, a.String()) + post
	}
	if _, err := netip.ParseAddrPort(core); err == nil {
		return pre + rewriteAddrPort(core, rd.rewrite) + post
	}
	if dom, rid, ok := splitSID(core); ok {
		return pre + rd.sid(dom).out + rid + post
	}
	if strings.IndexByte(core, ':') >= 0 {
		parts := strings.Split(core, ":")
		for i, p := range parts {
			parts[i] = rd.token(p)
		}
		return pre + strings.Join(parts, ":") + post
	}
	return pre + rd.name(core) + post
}

// name rewrites a token without colons: a known name, a machine account,
// a reverse lookup name, SRV labels before a known domain, a host under a
// known domain; anything else stays.
func (rd *redactor) name(tok string) string {
	key := strings.ToLower(tok)
	if e, ok := rd.names[key]; ok {
		return applyCase(tok, e.out)
	}
	if e, ok := rd.users[key]; ok {
		return applyCase(tok, e.out)
	}
	if h, ok := strings.CutSuffix(key, "$"); ok {
		if e, ok := rd.names[h]; ok {
			return applyCase(tok, e.out) + "$"
		}
	}
	if strings.IndexByte(key, '.') < 0 || keep(tok) {
		return tok
	}
	if a, ok := reverseAddr(tok); ok {
		if e := rd.ip(a); e != nil {
			if p, err := netip.ParseAddr(e.out); err == nil {
				return reverseName(p, tok)
			}
		}
		return tok
	}
	if labels, dom, ok := cutSRVLabels(tok); ok {
		if rd.domains[strings.ToLower(dom)] {
			return labels + applyCase(dom, rd.domain(dom).out)
		}
		return tok
	}
	for i := 0; i < len(key); i++ {
		if key[i] == '.' && rd.domains[key[i+1:]] && strings.Contains(key[i+1:], ".") {
			return applyCase(tok, rd.host(tok).out)
		}
	}
	return tok
}

// replaceFold replaces every occurrence of old in s, in any case, with
// new in the case of the occurrence.
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	lower, lold := strings.ToLower(s), strings.ToLower(old)
	if len(lower) != len(s) || len(lold) != len(old) || !strings.Contains(lower, lold) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lold)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(applyCase(s[i:i+len(old)], repl))
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}
