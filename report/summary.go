package report

import (
	"fmt"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// ShortSummary describes one message in a line, in the manner of a
// Network Monitor frame summary.
func ShortSummary(m *decode.Message) string {
	switch {
	case m.DNS() != nil:
		return dnsSummary(m)
	case m.HTTP() != nil:
		return httpSummary(m)
	case m.Krb() != nil:
		return krbSummary(m)
	case m.SPNEGO() != nil:
		return spnegoSummary(m.SPNEGO())
	case m.NTLM() != nil:
		return ntlmSummary(m)
	case m.SMB2() != nil:
		s := "SMB2 " + m.SMB2().Command.String()
		if m.SMB2().Response {
			s += " Response " + m.SMB2().Status.String()
		} else {
			s += " Request"
		}
		if d := m.SMB2().DialectName(); d != "" {
			s += " Dialect: " + d
		}
		return s
	case m.LDAP() != nil:
		l := m.LDAP()
		switch m.Kind {
		case decode.KindCLDAPPing:
			return "CLDAP ping (DC locator) Filter: " + l.Filter
		case decode.KindCLDAPPingResponse:
			return "CLDAP ping response " + l.Op.String()
		}
		if m.Kind == decode.KindLDAPBindResponse {
			return "LDAP bindResponse " + l.ResultCode.String()
		}
		s := "LDAP bindRequest " + l.Auth
		if l.SASLMechanism != "" {
			s += " " + l.SASLMechanism
		}
		if l.Name != "" {
			s += " Name: " + l.Name
		}
		return s
	}
	return m.Kind.String()
}

func dnsSummary(m *decode.Message) string {
	d := m.DNS()
	q := ""
	if len(d.Questions) > 0 {
		q = d.Questions[0].Name + " " + d.Questions[0].Type.String()
	}
	if !d.Response {
		return "query " + q
	}
	var ans []string
	for _, a := range d.Answers {
		if a.Type.String() == "CNAME" {
			ans = append(ans, "CNAME "+a.Data)
		} else {
			ans = append(ans, a.Data)
		}
	}
	s := "response " + d.RCode.String() + " " + q
	if len(ans) > 0 {
		s += " -> " + strings.Join(ans, ", ")
	}
	return s
}

func httpSummary(m *decode.Message) string {
	h := m.HTTP()
	if h.Request {
		s := h.Method + " " + h.URI
		if h.Host != "" {
			s += " Host: " + h.Host
		}
		if h.Authorization != nil {
			return s + " Authorization: " + h.Authorization.Scheme
		}
		return s + " (no Authorization)"
	}
	s := fmt.Sprintf("%d %s", h.Status, h.Reason)
	if len(h.WWWAuthenticate) > 0 {
		var sc []string
		for _, c := range h.WWWAuthenticate {
			x := c.Scheme
			if c.HasToken() {
				x += " <token>"
			}
			sc = append(sc, x)
		}
		s += " WWW-Authenticate: " + strings.Join(sc, ", ")
	}
	return s
}

func krbSummary(m *decode.Message) string {
	k := m.Krb()
	var b strings.Builder
	b.WriteString(k.Type.String())
	add := func(label, v string) {
		if v != "" {
			b.WriteString(" " + label + v)
		}
	}
	switch m.Kind {
	case decode.KindASReq, decode.KindTGSReq:
		add("Realm: ", k.Realm)
		if m.Kind == decode.KindASReq {
			add("Cname: ", k.CName.String())
		}
		add("Sname: ", k.SName.String())
	case decode.KindASRep, decode.KindTGSRep:
		add("Cname: ", k.CName.String())
		if k.Ticket != nil {
			add("Ticket: ", k.Ticket.SName.String())
			add("", "("+k.Ticket.Etype.String()+")")
		}
	case decode.KindAPReq:
		if k.Ticket != nil {
			add("Ticket: ", k.Ticket.SName.String())
			add("Realm: ", k.Ticket.Realm)
			add("", "("+k.Ticket.Etype.String()+")")
		}
		if n := k.APOptions.Names(); len(n) > 0 {
			add("", strings.Join(n, ","))
		}
	case decode.KindAPRep:
		if k.EncPartEtype != 0 {
			add("", "("+k.EncPartEtype.String()+")")
		}
	case decode.KindKRBError:
		add("", fmt.Sprintf("%s (%d)", k.ErrorCode, int32(k.ErrorCode)))
		add("Sname: ", k.SName.String())
		if k.EData != nil && k.EData.HasNTStatus {
			add("NTSTATUS: ", k.EData.NTStatus.String())
		}
	}
	if m.Truncated {
		b.WriteString(" [truncated]")
	}
	return b.String()
}

func spnegoSummary(t *spnego.Token) string {
	switch t.Kind {
	case spnego.KindNegTokenInit:
		var names []string
		for _, o := range t.MechTypes {
			names = append(names, o.ShortName())
		}
		return "SPNEGO NegTokenInit [" + strings.Join(names, ", ") + "]"
	case spnego.KindNegTokenResp:
		s := "SPNEGO NegTokenResp"
		if t.NegState >= 0 {
			s += " " + t.NegState.String()
		}
		return s
	}
	return "GSS-API token"
}

func ntlmSummary(m *decode.Message) string {
	n := m.NTLM()
	switch m.Kind {
	case decode.KindNTLMNegotiate:
		return "NTLMSSP NEGOTIATE"
	case decode.KindNTLMChallenge:
		if n.TargetName != "" {
			return "NTLMSSP CHALLENGE Target: " + n.TargetName
		}
		return "NTLMSSP CHALLENGE"
	}
	s := "NTLMSSP AUTHENTICATE User: " + n.Domain + `\` + n.User
	if n.Workstation != "" {
		s += " Workstation: " + n.Workstation
	}
	if n.NTLMVersion != "" {
		s += " (NTLM" + n.NTLMVersion + ")"
	}
	return s
}
