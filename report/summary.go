package report

import (
	"strconv"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// ShortSummary describes one message in a line, in the manner of a
// Network Monitor frame summary.
func ShortSummary(m *decode.Message) string {
	return string(appendShortSummary(nil, m))
}

// appendShortSummary appends ShortSummary(m) to b. A report of a million
// messages writes the summaries of their tokens one after the other into
// one buffer (appendTokenSummary), not a string for each and its parts.
func appendShortSummary(b []byte, m *decode.Message) []byte {
	switch {
	case m.DNS() != nil:
		return appendDNSSummary(b, m)
	case m.HTTP() != nil:
		return appendHTTPSummary(b, m)
	case m.Krb() != nil:
		return appendKrbSummary(b, m)
	case m.SPNEGO() != nil:
		return appendSPNEGOSummary(b, m.SPNEGO())
	case m.NTLM() != nil:
		return appendNTLMSummary(b, m)
	case m.SMB2() != nil:
		s := m.SMB2()
		b = append(append(b, "SMB2 "...), s.Command.String()...)
		if s.Response {
			b = append(append(b, " Response "...), s.Status.String()...)
		} else {
			b = append(b, " Request"...)
		}
		if d := s.DialectName(); d != "" {
			b = append(append(b, " Dialect: "...), d...)
		}
		return b
	case m.LDAP() != nil:
		l := m.LDAP()
		switch m.Kind {
		case decode.KindCLDAPPing:
			return append(append(b, "CLDAP ping (DC locator) Filter: "...), l.Filter...)
		case decode.KindCLDAPPingResponse:
			return append(append(b, "CLDAP ping response "...), l.Op.String()...)
		}
		if m.Kind == decode.KindLDAPBindResponse {
			return append(append(b, "LDAP bindResponse "...), l.ResultCode.String()...)
		}
		b = append(append(b, "LDAP bindRequest "...), l.Auth...)
		if l.SASLMechanism != "" {
			b = append(append(b, ' '), l.SASLMechanism...)
		}
		if l.Name != "" {
			b = append(append(b, " Name: "...), l.Name...)
		}
		return b
	}
	return append(b, m.Kind.String()...)
}

func appendDNSSummary(b []byte, m *decode.Message) []byte {
	d := m.DNS()
	question := func(b []byte) []byte {
		if len(d.Questions) > 0 {
			b = append(append(append(b, d.Questions[0].Name...), ' '), d.Questions[0].Type.String()...)
		}
		return b
	}
	if !d.Response {
		return question(append(b, "query "...))
	}
	b = question(append(append(append(b, "response "...), d.RCode.String()...), ' '))
	for i, a := range d.Answers {
		if i == 0 {
			b = append(b, " -> "...)
		} else {
			b = append(b, ", "...)
		}
		if a.Type.String() == "CNAME" {
			b = append(b, "CNAME "...)
		}
		b = append(b, a.Data...)
	}
	return b
}

func appendHTTPSummary(b []byte, m *decode.Message) []byte {
	h := m.HTTP()
	if h.Request {
		b = append(append(append(b, h.Method...), ' '), h.URI...)
		if h.Host != "" {
			b = append(append(b, " Host: "...), h.Host...)
		}
		if h.Authorization != nil {
			return append(append(b, " Authorization: "...), h.Authorization.Scheme...)
		}
		return append(b, " (no Authorization)"...)
	}
	b = append(append(strconv.AppendInt(b, int64(h.Status), 10), ' '), h.Reason...)
	for i := range h.WWWAuthenticate {
		c := &h.WWWAuthenticate[i]
		if i == 0 {
			b = append(b, " WWW-Authenticate: "...)
		} else {
			b = append(b, ", "...)
		}
		b = append(b, c.Scheme...)
		if c.HasToken() {
			b = append(b, " <token>"...)
		}
	}
	return b
}

func appendKrbSummary(b []byte, m *decode.Message) []byte {
	k := m.Krb()
	b = append(b, k.Type.String()...)
	switch m.Kind {
	case decode.KindASReq, decode.KindTGSReq:
		b = appendLabelled(b, "Realm: ", k.Realm)
		if m.Kind == decode.KindASReq {
			b = appendName(b, "Cname: ", k.CName)
		}
		b = appendName(b, "Sname: ", k.SName)
	case decode.KindASRep, decode.KindTGSRep:
		b = appendName(b, "Cname: ", k.CName)
		if k.Ticket != nil {
			b = appendName(b, "Ticket: ", k.Ticket.SName)
			b = appendParens(b, k.Ticket.Etype.String())
		}
	case decode.KindAPReq:
		if k.Ticket != nil {
			b = appendName(b, "Ticket: ", k.Ticket.SName)
			b = appendLabelled(b, "Realm: ", k.Ticket.Realm)
			b = appendParens(b, k.Ticket.Etype.String())
		}
		if k.APOptions != 0 {
			b = k.APOptions.AppendNames(append(b, ' '), ",")
		}
	case decode.KindAPRep:
		if k.EncPartEtype != 0 {
			b = appendParens(b, k.EncPartEtype.String())
		}
	case decode.KindKRBError:
		b = append(append(append(b, ' '), k.ErrorCode.String()...), " ("...)
		b = append(strconv.AppendInt(b, int64(int32(k.ErrorCode)), 10), ')')
		b = appendName(b, "Sname: ", k.SName)
		if k.EData != nil && k.EData.HasNTStatus {
			b = appendLabelled(b, "NTSTATUS: ", k.EData.NTStatus.String())
		}
	}
	if m.Truncated {
		b = append(b, " [truncated]"...)
	}
	return b
}

// appendLabelled appends " "+label+v, or nothing when v is empty.
func appendLabelled(b []byte, label, v string) []byte {
	if v == "" {
		return b
	}
	return append(append(append(b, ' '), label...), v...)
}

// appendName appends " "+label+p.String(), or nothing when that name is
// empty, without making the name.
func appendName(b []byte, label string, p krb.Principal) []byte {
	if p.Empty() {
		return b
	}
	return p.AppendTo(append(append(b, ' '), label...))
}

// appendParens appends " ("+v+")".
func appendParens(b []byte, v string) []byte {
	return append(append(append(b, " ("...), v...), ')')
}

func appendSPNEGOSummary(b []byte, t *spnego.Token) []byte {
	switch t.Kind {
	case spnego.KindNegTokenInit:
		b = append(b, "SPNEGO NegTokenInit ["...)
		for i, o := range t.MechTypes {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, o.ShortName()...)
		}
		return append(b, ']')
	case spnego.KindNegTokenResp:
		b = append(b, "SPNEGO NegTokenResp"...)
		if t.NegState >= 0 {
			b = append(append(b, ' '), t.NegState.String()...)
		}
		return b
	}
	return append(b, "GSS-API token"...)
}

func appendNTLMSummary(b []byte, m *decode.Message) []byte {
	n := m.NTLM()
	switch m.Kind {
	case decode.KindNTLMNegotiate:
		return append(b, "NTLMSSP NEGOTIATE"...)
	case decode.KindNTLMChallenge:
		b = append(b, "NTLMSSP CHALLENGE"...)
		if n.TargetName != "" {
			b = append(append(b, " Target: "...), n.TargetName...)
		}
		return b
	}
	b = append(append(append(append(b, "NTLMSSP AUTHENTICATE User: "...), n.Domain...), '\\'), n.User...)
	if n.Workstation != "" {
		b = append(append(b, " Workstation: "...), n.Workstation...)
	}
	if n.NTLMVersion != "" {
		b = append(append(append(b, " (NTLM"...), n.NTLMVersion...), ')')
	}
	return b
}
