package decode

import (
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/ntlm"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// authToken decodes the token of one authentication header and emits the
// SPNEGO, Kerberos or NTLM messages it holds, each pointing at its carrier.
func (d *Dissector) authToken(carrier Message, idx int, header string, ch *httpauth.Challenge) {
	if len(ch.Token) == 0 {
		return
	}
	base := carrier
	base.Parent = idx
	base.Header = header
	base.Carrier = CarrierHTTP
	base.Body = nil
	base.Truncated, base.Err = false, ""
	d.gssToken(base, ch.Token)
	if d.dropTokens {
		ch.DropToken()
	}
}

// gssToken routes a security token by its first bytes (the way Windows'
// Negotiate package does): NTLMSSP, SPNEGO, GSS Kerberos or bare Kerberos.
func (d *Dissector) gssToken(base Message, tok []byte) {
	switch spnego.Sniff(tok) {
	case spnego.PayloadNTLMSSP:
		d.ntlmMessage(base, tok)
	case spnego.PayloadSPNEGO:
		t, err := spnego.Parse(tok)
		if t == nil {
			d.anomaly(base.Frame, "spnego: %v", err)
			return
		}
		m := base
		m.Body = t
		m.Kind = KindSPNEGOInit
		inner := t.MechToken
		if t.Kind == spnego.KindNegTokenResp {
			m.Kind = KindSPNEGOResp
			inner = t.ResponseToken
		}
		if err != nil || t.Truncated {
			m.Truncated = true
			if err != nil {
				m.Err = err.Error()
			}
		}
		if t.Kind == spnego.KindKRB5 {
			d.krb5Token(base, t.KRB5)
			return
		}
		pidx := d.emit(m)
		if len(inner) > 0 {
			in := base
			in.Parent = pidx
			in.Truncated = m.Truncated
			d.mechToken(in, inner)
		}
		// Its sub-slices would pin the token, or a stream buffer that
		// is reused: what they held is decoded now.
		t.DropBytes()
	case spnego.PayloadKRB5:
		t, err := spnego.ParseKRB5(tok)
		if t == nil {
			d.anomaly(base.Frame, "gss krb5: %v", err)
			return
		}
		d.krb5Token(base, t)
	case spnego.PayloadKerberos:
		d.krbMessages(base, tok, base.Carrier)
	default:
		d.anomaly(base.Frame, "%s: token of unknown kind (starts %x)", base.Header, head(tok, 4))
	}
}

// mechToken decodes the token a SPNEGO message carries for its mechanism.
func (d *Dissector) mechToken(base Message, tok []byte) {
	switch spnego.Sniff(tok) {
	case spnego.PayloadNTLMSSP:
		d.ntlmMessage(base, tok)
	case spnego.PayloadKRB5:
		if t, err := spnego.ParseKRB5(tok); t != nil {
			d.krb5Token(base, t)
		} else {
			d.anomaly(base.Frame, "gss krb5: %v", err)
		}
	case spnego.PayloadKerberos:
		d.krbMessages(base, tok, base.Carrier)
	case spnego.PayloadSPNEGO:
		// NEGOEX and nested SPNEGO are not decoded further.
	}
}

func (d *Dissector) krb5Token(base Message, t *spnego.KRB5Token) {
	if t.Truncated {
		base.Truncated = true
	}
	d.krbMessages(base, t.Inner, base.Carrier)
}

func (d *Dissector) ntlmMessage(base Message, tok []byte) {
	m, err := ntlm.Parse(tok)
	if m == nil {
		d.anomaly(base.Frame, "ntlmssp: %v", err)
		return
	}
	base.Body = m
	base.Kind = ntlmKind(m.Type)
	if err != nil || m.Truncated {
		base.Truncated = true
		if err != nil {
			base.Err = err.Error()
		}
	}
	d.emit(base)
}

func head(b []byte, n int) []byte {
	if len(b) < n {
		return b
	}
	return b[:n]
}
