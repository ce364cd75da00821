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
	if !skipRecords(ds, smb2Skippable) {
		return
	}
	d.records(cs, ds, "smb2", smb2.SplitFrame, maxSMB2Message, d.smb2Messages)
}

// smb2Skippable reports whether the record at the start of b is one SMB2
// message (not a compound) whose command is neither NEGOTIATE nor
// SESSION_SETUP, which nothing here decodes, and returns its length with
// its Direct TCP header. Such records (READ and WRITE data, most of an SMB
// connection's bytes) are skipped without being buffered, whatever their
// size.
func smb2Skippable(b []byte) (int, bool) {
	const hdr = 4 + 64
	if len(b) < hdr || b[0] != 0 || b[4] != 0xfe || b[5] != 'S' || b[6] != 'M' || b[7] != 'B' {
		return 0, false
	}
	cmd := uint16(b[4+12]) | uint16(b[4+13])<<8
	next := uint32(b[4+20]) | uint32(b[4+21])<<8 | uint32(b[4+22])<<16 | uint32(b[4+23])<<24
	if cmd == 0 || cmd == 1 || next != 0 {
		return 0, false
	}
	n := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
	return n, n >= hdr
}

// skipRecords drops the records at the front of the direction's buffer that
// skippable says nothing decodes: a whole one at once, the rest of one cut
// by the end of the buffer through ds.skipLeft (Stream then drops the bytes
// as they come, unbuffered). It reports whether bytes are left to frame.
func skipRecords(ds *dirState, skippable func([]byte) (int, bool)) bool {
	for {
		b := ds.buf.bytes()
		if len(b) == 0 {
			return false
		}
		if ds.skipLeft > 0 {
			k := min(ds.skipLeft, len(b))
			ds.skipLeft -= k
			ds.buf.consume(k)
			continue
		}
		n, ok := skippable(b)
		if !ok {
			return true
		}
		if n > len(b) {
			ds.skipLeft = n - len(b)
			ds.buf.consume(len(b))
			return false
		}
		ds.buf.consume(n)
	}
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
		out.Body = m
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
			m.SecurityBlob = nil // a slice of the stream buffer, reused; decoded now
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
	base.Body = m
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
		t.Body = nil
		t.Truncated, t.Err = false, ""
		d.gssToken(t, tok)
	}
	m.Credentials, m.ServerSASLCreds = nil, nil // slices of the stream buffer, reused; decoded now
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
	base.Body = m
	base.Truncated = m.Truncated
	if err != nil {
		base.Err = err.Error()
	}
	d.emit(base)
}
