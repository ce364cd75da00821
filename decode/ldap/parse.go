package ldap

import (
	"errors"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// maxAttributes bounds SearchRequest.Attributes; an LDAP ping asks for one
// (Netlogon), Windows searches for a few dozen.
const maxAttributes = 64

// Context tags of the BindRequest authentication choice (RFC 4511 4.2,
// MS-ADTS 5.1.1.1.3).
const (
	authTagSimple          = 0
	authTagSASL            = 3
	authTagSicilyDiscovery = 9
	authTagSicilyNegotiate = 10
	authTagSicilyResponse  = 11
)

// Parse decodes one LDAPMessage (RFC 4511 4.1.1); bytes after it are
// ignored (SplitMessage walks a stream or a datagram holding several).
//
// When the input ends inside the message, the fields lying in the bytes
// present are filled, Truncated is set and the error wraps
// wire.ErrTruncated. A content error in one field is reported (wrapping
// wire.ErrMalformed) with the other fields still decoded. Input that is
// not an LDAPMessage returns a nil Message: SASL buffers and TLS records
// with an error wrapping ErrSASLWrapped or ErrTLS, anything else
// wire.ErrMalformed.
func Parse(b []byte) (*Message, error) {
	if len(b) == 0 {
		return nil, wire.Errorf("ldap", "LDAPMessage", 0, wire.ErrTruncated)
	}
	if b[0] != tagLDAPMessage {
		_, err := classify(b)
		return nil, err
	}
	m := &Message{}
	d := &ber.Decoder{Proto: "ldap"}
	d.Enter("LDAPMessage")
	top, err := ber.ReadTop(b)
	if err != nil {
		d.Fail(err)
	} else {
		p := parser{d: d, m: m}
		p.message(top)
	}
	err = d.Result()
	m.Truncated = errors.Is(err, wire.ErrTruncated)
	return m, err
}

// parser fills a Message from the TLVs of an LDAPMessage.
type parser struct {
	d *ber.Decoder
	m *Message
}

// message walks LDAPMessage ::= SEQUENCE { messageID, protocolOp,
// controls [0] OPTIONAL }.
func (p *parser) message(top ber.TLV) {
	i := 0
	p.d.Walk(top, func(c ber.TLV) {
		defer func() { i++ }()
		switch i {
		case 0:
			p.d.Enter("messageID")
			if n, ok := p.integer(c); ok && n >= 0 && n <= 1<<31-1 {
				p.m.MessageID = int(n)
			} else if ok {
				p.d.Failf(c.Off, "out of range")
			}
			p.d.Leave()
		case 1:
			p.protocolOp(c)
		}
	})
	if i < 2 && p.d.Result() == nil {
		p.d.Failf(top.Off, "no protocolOp")
	}
}

// protocolOp dispatches on the APPLICATION tag.
func (p *parser) protocolOp(c ber.TLV) {
	if c.Class != ber.ClassApplication {
		p.d.Failf(c.Off, "protocolOp: not an APPLICATION tag (%d/%d)", c.Class, c.Tag)
		return
	}
	p.m.Op = Op(c.Tag)
	p.d.Enter(p.m.Op.String())
	defer p.d.Leave()
	switch {
	case p.m.Op == OpBindRequest:
		p.bindRequest(c)
	case p.m.Op.isResult():
		p.result(c)
	case p.m.Op == OpSearchRequest:
		p.searchRequest(c)
	case p.m.Op == OpExtendedRequest:
		p.extendedRequest(c)
	}
}

// bindRequest walks BindRequest ::= [APPLICATION 0] SEQUENCE { version,
// name, authentication }.
func (p *parser) bindRequest(c ber.TLV) {
	i := 0
	p.d.Walk(c, func(f ber.TLV) {
		defer func() { i++ }()
		switch i {
		case 0:
			p.d.Enter("version")
			if n, ok := p.integer(f); ok {
				p.m.Version = int(min(max(n, -1), 1<<16))
			}
			p.d.Leave()
		case 1:
			p.m.Name, _ = p.str("name", f)
		case 2:
			p.authentication(f)
		}
	})
}

// authentication reads the AuthenticationChoice. The password of a simple
// bind is measured, never kept.
func (p *parser) authentication(f ber.TLV) {
	if f.Class != ber.ClassContext {
		p.d.Failf(f.Off, "authentication: tag %d/%d", f.Class, f.Tag)
		return
	}
	switch f.Tag {
	case authTagSimple:
		p.m.Auth = AuthSimple
		p.m.PasswordLen = f.Len
	case authTagSASL:
		p.m.Auth = AuthSASL
		p.saslCredentials(f)
	case authTagSicilyDiscovery, authTagSicilyNegotiate, authTagSicilyResponse:
		p.m.Auth = [...]string{AuthSicilyPackageDiscovery, AuthSicilyNegotiate, AuthSicilyResponse}[f.Tag-authTagSicilyDiscovery]
		if !f.Constructed && len(f.Value) > 0 {
			p.m.Credentials = f.Value
		}
	default:
		p.m.Auth = fmt.Sprintf("auth[%d]", f.Tag)
	}
}

// saslCredentials walks SaslCredentials ::= SEQUENCE { mechanism,
// credentials OPTIONAL } (implicitly tagged [3]).
func (p *parser) saslCredentials(f ber.TLV) {
	p.d.Enter("sasl")
	defer p.d.Leave()
	i := 0
	p.d.Walk(f, func(c ber.TLV) {
		defer func() { i++ }()
		switch i {
		case 0:
			p.m.SASLMechanism, _ = p.str("mechanism", c)
		case 1:
			if v, ok := p.octets("credentials", c); ok {
				p.m.Credentials = v
			}
		}
	})
}

// result walks LDAPResult ::= SEQUENCE { resultCode, matchedDN,
// diagnosticMessage, referral [3] OPTIONAL } and what a BindResponse
// (serverSaslCreds [7]) or an ExtendedResponse (responseName [10]) adds.
func (p *parser) result(c ber.TLV) {
	i := 0
	p.d.Walk(c, func(f ber.TLV) {
		defer func() { i++ }()
		switch {
		case i == 0:
			p.d.Enter("resultCode")
			if v, err := ber.Enumerated(f); err != nil {
				p.d.Fail(err)
			} else {
				p.m.ResultCode = ResultCode(min(max(v, -1), 1<<16))
			}
			p.d.Leave()
		case i == 1:
			p.m.MatchedDN, _ = p.str("matchedDN", f)
		case i == 2:
			p.m.DiagnosticMessage, _ = p.str("diagnosticMessage", f)
		case f.Is(ber.ClassContext, false, 7) && p.m.Op == OpBindResponse:
			if len(f.Value) > 0 {
				p.m.ServerSASLCreds = f.Value
			}
		case f.Is(ber.ClassContext, false, 10) && p.m.Op == OpExtendedResponse:
			p.m.RequestName = oidText(f)
		}
	})
}

// extendedRequest reads requestName [0] LDAPOID.
func (p *parser) extendedRequest(c ber.TLV) {
	p.d.Walk(c, func(f ber.TLV) {
		if f.Is(ber.ClassContext, false, 0) {
			p.m.RequestName = oidText(f)
		}
	})
}

// oidText returns an LDAPOID (the dotted text itself, RFC 4511 4.1.2) when
// complete.
func oidText(f ber.TLV) string {
	if f.Truncated {
		return ""
	}
	return string(f.Value)
}

// searchRequest walks SearchRequest ::= [APPLICATION 3] SEQUENCE {
// baseObject, scope, derefAliases, sizeLimit, timeLimit, typesOnly, filter,
// attributes }.
func (p *parser) searchRequest(c ber.TLV) {
	i := 0
	p.d.Walk(c, func(f ber.TLV) {
		defer func() { i++ }()
		switch i {
		case 0:
			p.m.BaseDN, _ = p.str("baseObject", f)
		case 6:
			p.d.Enter("filter")
			w := filterWriter{d: p.d}
			w.filter(f)
			p.m.Filter = w.String()
			p.d.Leave()
		case 7:
			p.attributes(f)
		}
	})
}

// attributes reads AttributeSelection ::= SEQUENCE OF LDAPString, keeping
// at most maxAttributes.
func (p *parser) attributes(f ber.TLV) {
	p.d.Enter("attributes")
	defer p.d.Leave()
	p.d.Walk(f, func(a ber.TLV) {
		if len(p.m.Attributes) == maxAttributes {
			return
		}
		if s, ok := p.str("", a); ok {
			p.m.Attributes = append(p.m.Attributes, s)
		}
	})
}

// integer decodes a complete INTEGER.
func (p *parser) integer(t ber.TLV) (int64, bool) {
	n, err := ber.Int(t)
	p.d.Fail(err)
	return n, err == nil
}

// octets returns the content of an OCTET STRING, possibly partial (the
// truncation is then recorded).
func (p *parser) octets(name string, t ber.TLV) ([]byte, bool) {
	if name != "" {
		p.d.Enter(name)
		defer p.d.Leave()
	}
	v, err := ber.OctetString(t)
	if err != nil {
		p.d.Fail(err)
		return nil, false
	}
	if t.Truncated {
		p.d.Fail(&ber.Error{Off: t.ValueOff() + len(t.Value), What: "content", Err: wire.ErrTruncated})
	}
	return v, true
}

// str decodes a complete LDAPString / LDAPDN (an OCTET STRING holding
// UTF-8); a partial one is left out.
func (p *parser) str(name string, t ber.TLV) (string, bool) {
	v, ok := p.octets(name, t)
	if !ok || t.Truncated {
		return "", false
	}
	return string(v), true
}
