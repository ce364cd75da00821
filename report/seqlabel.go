package report

// seqlabel.go writes the texts of a sequence diagram's arrows: what each
// message is in a few words, as a frame summary would say it.

import (
	"strconv"
	"strings"
)

// messageText says in a few words what message mi is, with what the tokens
// inside it carry: "GET / Authorization: Negotiate [AP-REQ HTTP/www...]".
func (b *seqBuilder) messageText(mi int) string {
	m := b.fs.message(mi)
	s := outerText(m)
	if in := b.innerText(m); in != "" {
		s += " [" + in + "]"
	}
	if m.Truncated {
		s += " (truncated)"
	}
	return s
}

func outerText(m *Message) string {
	switch m.Kind {
	case "dns_query":
		return joinWords("DNS query", m.QType, m.QName)
	case "dns_response":
		s := joinWords("DNS", m.RCode, m.QType, m.QName)
		if len(m.Answers) > 0 {
			s += " → " + answersText(m.Answers)
		}
		return s
	case "http_request":
		s := joinWords(m.Method, m.URI)
		if m.Authorization != "" {
			return s + " Authorization: " + m.Authorization
		}
		return s + " (no Authorization)"
	case "http_response":
		s := "HTTP " + strconv.Itoa(m.Status)
		if len(m.WWWAuthenticate) > 0 {
			s += " WWW-Authenticate: " + strings.Join(m.WWWAuthenticate, ", ")
		}
		return s
	case "smb2_negotiate_request", "smb2_session_setup_request":
		return joinWords("SMB2", m.Command, "request")
	case "smb2_negotiate_response", "smb2_session_setup_response":
		return joinWords("SMB2", m.Command, m.SMBStatus)
	case "ldap_bind_request":
		return joinWords("LDAP bind", m.AuthMethod, m.Mechanism)
	case "ldap_bind_response":
		return joinWords("LDAP bind response", m.ResultCode)
	}
	return kerberosText(m)
}

// kerberosText describes a Kerberos message (or names the kind).
func kerberosText(m *Message) string {
	switch m.Kind {
	case "as_req":
		s := "AS-REQ"
		if m.CName != "" {
			s += " " + m.CName
		}
		return joinWords(s, "for", m.SName)
	case "as_rep":
		return joinWords("AS-REP", m.CName, m.SName)
	case "tgs_req":
		return joinWords("TGS-REQ", m.SName)
	case "tgs_rep":
		return joinWords("TGS-REP", m.SName)
	case "ap_req":
		return joinWords("AP-REQ", m.SName)
	case "ap_rep":
		return "AP-REP"
	case "krb_error":
		return joinWords("KRB-ERROR", m.ErrorName)
	case "spnego_init":
		return "SPNEGO NegTokenInit"
	case "spnego_resp":
		return joinWords("SPNEGO", m.NegState)
	case "ntlm_negotiate":
		return "NTLM NEGOTIATE"
	case "ntlm_challenge":
		return "NTLM CHALLENGE"
	case "ntlm_authenticate":
		s := "NTLM AUTHENTICATE"
		if m.User != "" {
			s += " " + m.Domain + `\` + m.User
		}
		return s
	case "cldap_ping":
		return "CLDAP ping"
	case "cldap_ping_response":
		return joinWords("CLDAP ping response", m.ResultCode)
	}
	return m.Kind
}

// innerText describes the tokens carried in message m's frame, leaving out
// the SPNEGO wrapper when it wraps something more telling.
func (b *seqBuilder) innerText(m *Message) string {
	inner := b.idx.inner.of(frameKey{m.Capture, m.Frame})
	var parts, spnego []string
	for _, mi := range inner {
		x := b.fs.message(int(mi))
		if x.Src != m.Src || x.Dst != m.Dst {
			continue
		}
		t := kerberosText(x)
		if strings.HasPrefix(x.Kind, "spnego_") {
			spnego = append(spnego, t)
			continue
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		parts = spnego
	}
	return strings.Join(parts, " > ")
}

// answersText lists up to three DNS answers.
func answersText(as []Answer) string {
	var s []string
	for i, a := range as {
		if i == 3 {
			s = append(s, "+"+strconv.Itoa(len(as)-3)+" more")
			break
		}
		if a.Type == "CNAME" {
			s = append(s, "CNAME "+a.Data)
		} else {
			s = append(s, a.Data)
		}
	}
	return strings.Join(s, ", ")
}

// joinWords joins the non-empty words with spaces.
func joinWords(words ...string) string {
	var out []string
	for _, w := range words {
		if w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// clip shortens s to at most n runes, ending it with "…" when cut.
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
		}
		count++
		if count > n {
			return s[:i] + "…"
		}
	}
	return s
}
