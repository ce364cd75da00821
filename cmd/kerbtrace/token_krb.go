package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/report"
)

// kerberosNode decodes a bare Kerberos message (RFC 4120) into its clear
// fields; encrypted parts appear as etype, kvno and length.
func kerberosNode(b []byte) (*report.TokenNode, error) {
	m, err := krb.Parse(b)
	if m == nil {
		return nil, err
	}
	k := &report.KerberosInfo{PVNO: m.PVNO, MsgType: int(m.Type), MsgTypeName: m.Type.String()}
	switch m.Type {
	case krb.MsgAPReq:
		k.APOptions = &report.Flags{Value: fmt.Sprintf("0x%08x", uint32(m.APOptions)), Names: m.APOptions.Names()}
		k.Ticket = ticketOut(m.Ticket)
		k.Authenticator = encPartOut(m.EncPartEtype, m.EncPartKvno, m.EncPartCipherLen)
	case krb.MsgASReq, krb.MsgTGSReq:
		k.KDCOptions = &report.Flags{Value: fmt.Sprintf("0x%08x", uint32(m.KDCOptions)), Names: m.KDCOptions.Names()}
		k.PAData = padata(m.PAData)
		k.CName, k.Realm, k.SName = principalOut(m.CName), m.Realm, principalOut(m.SName)
		k.Till = timeText(m.Till.Time())
		if m.Nonce != 0 {
			nonce := m.Nonce
			k.Nonce = &nonce
		}
		for _, e := range m.Etypes {
			k.Etypes = append(k.Etypes, report.NamedNumber{Value: int(e), Name: e.String()})
		}
	case krb.MsgASRep, krb.MsgTGSRep:
		k.PAData, k.CRealm, k.CName = padata(m.PAData), m.CRealm, principalOut(m.CName)
		k.Ticket = ticketOut(m.Ticket)
		k.EncPart = encPartOut(m.EncPartEtype, m.EncPartKvno, m.EncPartCipherLen)
	case krb.MsgKRBError:
		k.ErrorCode = &report.NamedNumber{Value: int(m.ErrorCode), Name: m.ErrorCode.String()}
		k.STime, k.Realm, k.SName = timeText(m.STime.Time()), m.Realm, principalOut(m.SName)
		k.CRealm, k.CName, k.EText, k.EDataLen = m.CRealm, principalOut(m.CName), m.EText, m.EDataLen
	case krb.MsgTGTReq:
		k.Realm, k.SName = m.Realm, principalOut(m.SName)
	default: // AP-REP, TGT-REP, KRB-PRIV, KRB-CRED, KRB-SAFE
		k.Ticket = ticketOut(m.Ticket)
		k.EncPart = encPartOut(m.EncPartEtype, m.EncPartKvno, m.EncPartCipherLen)
	}
	return &report.TokenNode{Kind: "kerberos", Truncated: m.Truncated, Kerberos: k}, err
}

func padata(ts []krb.PADataType) []report.NamedNumber {
	var out []report.NamedNumber
	for _, t := range ts {
		out = append(out, report.NamedNumber{Value: int(t), Name: t.String()})
	}
	return out
}

// principalOut is p for the token report, with a copy of its components:
// the decoder shares a list among the messages that repeat it.
func principalOut(p krb.Principal) *report.PrincipalOut {
	if p.IsZero() {
		return nil
	}
	return &report.PrincipalOut{NameType: int(p.NameType), NameTypeName: p.TypeName(), Components: slices.Clone(p.Components), Text: p.String()}
}

func ticketOut(t *krb.Ticket) *report.TicketOut {
	if t == nil {
		return nil
	}
	return &report.TicketOut{TktVNO: t.TktVNO, Realm: t.Realm, SName: principalOut(t.SName),
		EncPart: encPartOut(t.Etype, t.Kvno, t.CipherLen)}
}

func encPartOut(e krb.Etype, kvno, cipherLen int) *report.EncPartOut {
	if e == 0 && cipherLen == 0 {
		return nil
	}
	out := &report.EncPartOut{Etype: int(e), EtypeName: e.String(), CipherLen: cipherLen}
	if kvno >= 0 {
		k := kvno
		out.Kvno = &k
	}
	return out
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
