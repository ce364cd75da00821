package report

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/ldap"
	"github.com/kerbtrace/kerbtrace/flow"
)

// Options change what the model holds.
type Options struct {
	// RawTokens adds the base64 of every authentication token to HTTP
	// messages. Tokens hold tickets and NTLM responses: off by default.
	RawTokens bool
}

// Build assembles the report model from a dissection and its analysis.
func Build(d *decode.Result, fr *flow.Result, opt Options) *Report {
	r := &Report{Version: SchemaVersion, Captures: []Capture{}, Messages: []Message{}, Flows: []Flow{}, Findings: []Finding{},
		Anomalies: append([]string{}, d.Anomalies...)}
	for _, c := range d.Captures {
		rc := Capture{File: c.File, Format: string(c.Format), LinkTypes: c.LinkTypes, Packets: c.Packets, Metadata: c.Metadata,
			First: timeText(c.First), Last: timeText(c.Last), Warnings: []string{}}
		if rc.LinkTypes == nil {
			rc.LinkTypes = []string{}
		}
		for _, w := range c.Warnings {
			rc.Warnings = append(rc.Warnings, w.String())
		}
		r.Captures = append(r.Captures, rc)
	}
	r.Messages = make([]Message, 0, len(d.Messages))
	for i := range d.Messages {
		r.Messages = append(r.Messages, message(d, i, opt))
	}
	for _, f := range fr.Flows {
		rf := Flow{Capture: f.Capture, Client: f.Client.String(), User: f.User, Server: f.Server, Service: f.Service,
			SPN: f.SPN, Outcome: string(f.Outcome), Findings: append([]string{}, f.Findings...)}
		for _, s := range f.Steps {
			rf.Steps = append(rf.Steps, Step{Step: string(s.ID), Status: string(s.Status), Frames: nonNil(s.Frames), Detail: s.Detail, Refs: s.Refs})
		}
		r.Flows = append(r.Flows, rf)
	}
	for i := range fr.Findings {
		f := &fr.Findings[i]
		rf := Finding{ID: f.ID, Severity: f.Severity.String(), Client: f.Client, Server: f.Server, SPN: f.SPN,
			Frames: nonNil(f.Frames), Summary: f.Summary, Cause: f.Cause, Remedy: f.Remedy, Refs: f.Refs}
		if fi := f.FlowOf(); fi >= 0 {
			n := fi + 1
			rf.Flow = &n
		}
		r.Findings = append(r.Findings, rf)
	}
	return r
}

func nonNil(p []int) []int {
	if p == nil {
		return []int{}
	}
	return p
}

// message converts one decoded message to its report form.
func message(d *decode.Result, i int, opt Options) Message {
	m := &d.Messages[i]
	rm := Message{
		Frame: m.Frame, Capture: m.Capture, Time: timeText(m.Time),
		Src: m.Src.String(), Dst: m.Dst.String(), Transport: m.Transport,
		Kind: string(m.Kind), Carrier: string(m.Carrier), Header: m.Header,
		Truncated: m.Truncated, Error: m.Err,
	}
	if len(m.Frames) > 1 {
		rm.Frames = m.Frames
	}
	switch {
	case m.DNS != nil:
		dnsFields(&rm, m)
	case m.HTTP != nil:
		httpFields(&rm, d, i, opt)
	case m.Krb != nil:
		krbFields(&rm, m.Krb)
		decryptedFields(&rm, m) // ticket.go
	case m.NTLM != nil:
		n := m.NTLM
		rm.Domain, rm.User, rm.Workstation = n.Domain, n.User, n.Workstation
		if n.Version != nil {
			rm.NTLMVersion = n.Version.String()
		}
		rm.NTLMFlags = n.Flags.Names()
		rm.TargetName = n.TargetName
		if m.Kind == decode.KindNTLMAuthenticate {
			rm.NTLMResp = fmt.Sprintf("NTLM%s, NT response %d bytes, LM response %d bytes", n.NTLMVersion, n.NTResponseLen, n.LMResponseLen)
		}
	case m.SMB2 != nil:
		sm := m.SMB2
		rm.Command = sm.Command.String()
		if sm.Response {
			rm.SMBStatus = sm.Status.String()
		}
		rm.Dialect = sm.DialectName()
		rm.TreePath = sm.TreePath
	case m.LDAP != nil:
		l := m.LDAP
		rm.BindDN, rm.AuthMethod, rm.Mechanism = l.Name, l.Auth, l.SASLMechanism
		switch m.Kind {
		case decode.KindLDAPBindResponse:
			rm.ResultCode = l.ResultCode.String()
			rm.Diagnostic = l.DiagnosticMessage
		case decode.KindCLDAPPing:
			rm.Filter = l.Filter
		case decode.KindCLDAPPingResponse:
			if l.Op == ldap.OpSearchResultDone {
				rm.ResultCode = l.ResultCode.String()
			}
		}
	case m.SPNEGO != nil:
		t := m.SPNEGO
		for _, o := range t.MechTypes {
			rm.MechTypes = append(rm.MechTypes, string(o))
		}
		if t.NegState >= 0 {
			rm.NegState = t.NegState.String()
		}
		rm.SupportedMech = string(t.SupportedMech)
	}
	return rm
}

func dnsFields(rm *Message, m *decode.Message) {
	id := m.DNS.ID
	rm.ID = &id
	if len(m.DNS.Questions) > 0 {
		rm.QName = m.DNS.Questions[0].Name
		rm.QType = m.DNS.Questions[0].Type.String()
	}
	if m.DNS.Response {
		rm.RCode = m.DNS.RCode.String()
		for _, a := range m.DNS.Answers {
			rm.Answers = append(rm.Answers, Answer{Name: a.Name, Type: a.Type.String(), Data: a.Data})
		}
	}
}

func httpFields(rm *Message, d *decode.Result, i int, opt Options) {
	h := d.Messages[i].HTTP
	rm.Method, rm.URI, rm.Host = h.Method, h.URI, h.Host
	if !h.Request {
		rm.Status = h.Status
	}
	for _, c := range h.WWWAuthenticate {
		rm.WWWAuthenticate = append(rm.WWWAuthenticate, c.Scheme)
	}
	if h.Authorization != nil {
		rm.Authorization = h.Authorization.Scheme
		if opt.RawTokens && len(h.Authorization.Token) > 0 {
			rm.RawToken = base64.StdEncoding.EncodeToString(h.Authorization.Token)
		}
	}
	if opt.RawTokens && rm.RawToken == "" {
		for _, c := range h.WWWAuthenticate {
			if len(c.Token) > 0 {
				rm.RawToken = base64.StdEncoding.EncodeToString(c.Token)
				break
			}
		}
	}
	rm.Token = TokenSummary(d, i)
}

// TokenSummary describes the tokens carried by message i, e.g.
// "SPNEGO NegTokenInit > Kerberos AP-REQ HTTP/www.example.com".
func TokenSummary(d *decode.Result, i int) string {
	var parts []string
	for j := i + 1; j < len(d.Messages) && d.Messages[j].Frame == d.Messages[i].Frame; j++ {
		if !carriedBy(d, j, i) {
			continue
		}
		parts = append(parts, ShortSummary(&d.Messages[j]))
	}
	for j := i - 1; j >= 0 && d.Messages[j].Frame == d.Messages[i].Frame; j-- {
		if carriedBy(d, j, i) {
			parts = append([]string{ShortSummary(&d.Messages[j])}, parts...)
		}
	}
	return strings.Join(parts, " > ")
}

// carriedBy reports whether message j lies (at any depth) inside message i.
func carriedBy(d *decode.Result, j, i int) bool {
	for p := d.Messages[j].Parent; p >= 0; p = d.Messages[p].Parent {
		if p == i {
			return true
		}
		if p == d.Messages[p].Parent {
			break
		}
	}
	return false
}

func krbFields(rm *Message, k *krb.Message) {
	rm.Realm = k.Realm
	if k.CRealm != "" && rm.Realm == "" {
		rm.Realm = k.CRealm
	}
	rm.CName = k.CName.String()
	rm.SName = k.SName.String()
	for _, e := range k.Etypes {
		rm.Etypes = append(rm.Etypes, e.String())
	}
	rm.KDCOptions = k.KDCOptions.Names()
	for _, p := range k.PAData {
		rm.PAData = append(rm.PAData, p.String())
	}
	if k.Ticket != nil {
		rm.TicketEtype = k.Ticket.Etype.String()
		rm.TicketSName = k.Ticket.SName.String()
		if rm.SName == "" {
			rm.SName = rm.TicketSName // AP-REQ and KDC replies name the service in their ticket
		}
		if k.Ticket.Kvno >= 0 {
			kv := k.Ticket.Kvno
			rm.TicketKvno = &kv
		}
		if rm.Realm == "" {
			rm.Realm = k.Ticket.Realm
		}
	}
	rm.APOptions = k.APOptions.Names()
	if k.EncPartEtype != 0 {
		rm.EncEtype = k.EncPartEtype.String()
	}
	if k.Type == 30 {
		c := int32(k.ErrorCode)
		rm.ErrorCode = &c
		rm.ErrorName = k.ErrorCode.String()
		rm.STime = timeText(k.STime)
		rm.CTime = timeText(k.CTime)
		rm.EText = k.EText
		if k.EData != nil {
			if k.EData.HasNTStatus {
				rm.NTStatus = k.EData.NTStatus.String()
			}
			for _, p := range k.EData.MethodData {
				rm.PAData = append(rm.PAData, p.String())
			}
			for _, e := range k.EData.ETypeInfo2 {
				rm.Etypes = append(rm.Etypes, e.Etype.String())
			}
		}
	}
}
