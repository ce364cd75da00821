package decode

import (
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/ldap"
	"github.com/kerbtrace/kerbtrace/decode/smb2"
)

// Bounds on one SMB2 or LDAP message buffered while it completes.
const (
	maxSMB2Message = 1 << 20 // far above any SESSION_SETUP; data transfers are skipped, not decoded
	maxLDAPMessage = 1 << 20
)

// parseSMB2 frames SMB2 messages (Direct TCP / NetBIOS session framing) and
// emits NEGOTIATE and SESSION_SETUP with the security tokens they carry.
func (d *Dissector) parseSMB2(cs *connState, ds *dirState) {
	d.records(cs, ds, "smb2", smb2.SplitFrame, maxSMB2Message, d.smb2Messages)
}

func (d *Dissector) smb2Messages(base Message, p []byte) {
	msgs, err := smb2.Parse(p)
	for i := range msgs {
		m := &msgs[i]
		var kind Kind
		switch {
		case m.Command == smb2.CmdNegotiate && m.Response:
			kind = KindSMB2NegotiateResponse
		case m.Command == smb2.CmdNegotiate:
			kind = KindSMB2NegotiateRequest
		case m.Command == smb2.CmdSessionSetup && m.Response:
			kind = KindSMB2SessionSetupResponse
		case m.Command == smb2.CmdSessionSetup:
			kind = KindSMB2SessionSetupRequest
		default:
			continue
		}
		out := base
		out.Kind = kind
		out.SMB2 = m
		out.Truncated = m.Truncated
		if err != nil && i == len(msgs)-1 {
			out.Err = err.Error()
		}
		idx := d.emit(out)
		if len(m.SecurityBlob) > 0 {
			tok := base
			tok.Parent = idx
			tok.Carrier = CarrierSMB2
			tok.Header = "SecurityBuffer"
			d.gssToken(tok, m.SecurityBlob)
		}
	}
}

// parseLDAP frames LDAP messages and emits binds with their SASL tokens.
// Traffic signed or sealed after a SASL bind is skipped record by record.
func (d *Dissector) parseLDAP(cs *connState, ds *dirState) {
	d.records(cs, ds, "ldap", ldap.SplitMessage, maxLDAPMessage, d.ldapMessage)
}

func (d *Dissector) ldapMessage(base Message, p []byte) {
	m, err := ldap.Parse(p)
	if m == nil {
		return
	}
	switch m.Op {
	case ldap.OpBindRequest:
		base.Kind = KindLDAPBindRequest
	case ldap.OpBindResponse:
		base.Kind = KindLDAPBindResponse
	default:
		return
	}
	base.LDAP = m
	base.Truncated = m.Truncated
	if err != nil {
		base.Err = err.Error()
	}
	idx := d.emit(base)
	tok := m.Credentials
	if m.Op == ldap.OpBindResponse {
		tok = m.ServerSASLCreds
	}
	if len(tok) > 0 {
		t := base
		t.Parent = idx
		t.Carrier = CarrierLDAP
		t.Header = strings.TrimSpace("SASL " + m.SASLMechanism)
		t.LDAP = nil
		t.Truncated, t.Err = false, ""
		d.gssToken(t, tok)
	}
}

// cldapMessage decodes a connectionless LDAP datagram: the DC locator's
// "LDAP ping" (MS-ADTS 6.3.3), a search of the root DSE for the Netlogon
// attribute with DnsDomain, NtVer and friends in its filter, and its answer.
func (d *Dissector) cldapMessage(base Message, p []byte) {
	m, err := ldap.Parse(p)
	if m == nil {
		d.anomaly(base.Frame, "cldap: %v", err)
		return
	}
	switch m.Op {
	case ldap.OpSearchRequest:
		base.Kind = KindCLDAPPing
	case ldap.OpSearchResultEntry, ldap.OpSearchResultDone:
		base.Kind = KindCLDAPPingResponse
	default:
		return
	}
	base.LDAP = m
	base.Truncated = m.Truncated
	if err != nil {
		base.Err = err.Error()
	}
	d.emit(base)
}
