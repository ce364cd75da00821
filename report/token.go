package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// TokenReport is what 'kerbtrace token' shows about one pasted
// authentication token: how the input was read, the decoded tree and, when
// the bytes stop early, where. It holds lengths, never ciphertext, keys or
// NTLM responses. The JSON keys are documented in README.md ("kerbtrace
// token").
type TokenReport struct {
	Input     TokenInput `json:"input"`
	Token     *TokenNode `json:"token"`
	Truncated bool       `json:"truncated"`
	Cut       *TokenCut  `json:"cut,omitempty"`
	// Errors lists decoder errors other than the cut (malformed fields).
	Errors []string `json:"errors,omitempty"`
}

// TokenInput says how the pasted text was turned into bytes.
type TokenInput struct {
	Header   string   `json:"header,omitempty"` // "Authorization", "WWW-Authenticate", ...
	Scheme   string   `json:"scheme,omitempty"` // "Negotiate", "Kerberos", "NTLM"
	Encoding string   `json:"encoding"`         // "base64", "base64url", "hex"
	Bytes    int      `json:"bytes"`            // decoded length
	Notes    []string `json:"notes,omitempty"`  // repairs made (padding added, ...)
}

// TokenCut locates the end of a token cut short.
type TokenCut struct {
	Offset   int    `json:"offset"`             // absolute offset where the bytes end (or the field that could not be read starts)
	Layers   string `json:"layers"`             // the layers down to the cut one: "spnego > gss-krb5 > kerberos"
	Field    string `json:"field"`              // dotted field path inside the innermost layer
	Present  int    `json:"present"`            // bytes present
	Declared int    `json:"declared,omitempty"` // length the outer header announces (0 unknown)
}

// String formats the cut as "cut at 0x9a inside ap-req.ticket.sname: 174 of
// at least 185 bytes present".
func (c TokenCut) String() string {
	s := fmt.Sprintf("cut at 0x%x", c.Offset)
	if c.Field != "" {
		s += " inside " + c.Field
	}
	if c.Layers != "" {
		s += " (" + c.Layers + ")"
	}
	if c.Declared > c.Present {
		return fmt.Sprintf("%s: %d of at least %d bytes present", s, c.Present, c.Declared)
	}
	return fmt.Sprintf("%s: %d bytes present", s, c.Present)
}

// TokenNode is one layer of a token: exactly one of the protocol objects is
// set, by Kind.
type TokenNode struct {
	Kind      string        `json:"kind"` // "spnego", "gss-krb5", "kerberos", "ntlmssp", "unknown"
	Offset    int           `json:"offset"`
	Length    int           `json:"length"` // bytes present
	Truncated bool          `json:"truncated"`
	SPNEGO    *SPNEGOInfo   `json:"spnego,omitempty"`
	GSSKRB5   *GSSKRB5Info  `json:"gss_krb5,omitempty"`
	Kerberos  *KerberosInfo `json:"kerberos,omitempty"`
	NTLM      *NTLMInfo     `json:"ntlmssp,omitempty"`
	Inner     *TokenNode    `json:"inner,omitempty"` // mechToken / responseToken / GSS inner message
	Error     string        `json:"error,omitempty"`
}

// NamedOID is an OBJECT IDENTIFIER with its description.
type NamedOID struct {
	OID  string `json:"oid"`
	Name string `json:"name,omitempty"`
}

func (o NamedOID) text() string { return withName(o.OID, o.Name) }

// SPNEGOInfo is a SPNEGO NegTokenInit or NegTokenResp (RFC 4178).
type SPNEGOInfo struct {
	GSSOID         *NamedOID  `json:"gss_oid,omitempty"`
	Type           string     `json:"type"` // "negTokenInit", "negTokenResp"
	MechTypes      []NamedOID `json:"mech_types,omitempty"`
	ReqFlags       bool       `json:"req_flags,omitempty"`
	NegHints       string     `json:"neg_hints,omitempty"`
	MechTokenLen   *int       `json:"mech_token_len,omitempty"`
	NegState       string     `json:"neg_state,omitempty"`
	NegStateValue  *int       `json:"neg_state_value,omitempty"`
	SupportedMech  *NamedOID  `json:"supported_mech,omitempty"`
	ResponseTokLen *int       `json:"response_token_len,omitempty"`
	MechListMIC    bool       `json:"mech_list_mic"`
}

// GSSKRB5Info is the Kerberos GSS-API framing (RFC 1964 1.1, RFC 4121 4.1).
type GSSKRB5Info struct {
	OID       NamedOID `json:"oid"`
	TokID     string   `json:"tok_id"` // "0x0100"
	TokIDName string   `json:"tok_id_name,omitempty"`
}

// KerberosInfo is the clear part of a Kerberos message (RFC 4120).
type KerberosInfo struct {
	PVNO          int           `json:"pvno,omitempty"`
	MsgType       int           `json:"msg_type"`
	MsgTypeName   string        `json:"msg_type_name"`
	APOptions     *Flags        `json:"ap_options,omitempty"`
	KDCOptions    *Flags        `json:"kdc_options,omitempty"`
	PAData        []NamedNumber `json:"padata,omitempty"`
	Realm         string        `json:"realm,omitempty"`
	CRealm        string        `json:"crealm,omitempty"`
	CName         *PrincipalOut `json:"cname,omitempty"`
	SName         *PrincipalOut `json:"sname,omitempty"`
	Till          string        `json:"till,omitempty"`
	Nonce         *uint32       `json:"nonce,omitempty"`
	Etypes        []NamedNumber `json:"etypes,omitempty"`
	Ticket        *TicketOut    `json:"ticket,omitempty"`
	Authenticator *EncPartOut   `json:"authenticator,omitempty"`
	EncPart       *EncPartOut   `json:"enc_part,omitempty"`
	ErrorCode     *NamedNumber  `json:"error_code,omitempty"`
	STime         string        `json:"stime,omitempty"`
	EText         string        `json:"e_text,omitempty"`
	EDataLen      int           `json:"e_data_len,omitempty"`
}

// Flags is a flag word with the names of its set bits.
type Flags struct {
	Value string   `json:"value"` // "0x20000000"
	Names []string `json:"names"`
}

// NamedNumber is an enumerated value with its name.
type NamedNumber struct {
	Value int    `json:"value"`
	Name  string `json:"name"`
}

// PrincipalOut is a PrincipalName.
type PrincipalOut struct {
	NameType     int      `json:"name_type"`
	NameTypeName string   `json:"name_type_name"`
	Components   []string `json:"components"`
	Text         string   `json:"text"`
}

// TicketOut is the clear part of a Ticket.
type TicketOut struct {
	TktVNO  int           `json:"tkt_vno,omitempty"`
	Realm   string        `json:"realm,omitempty"`
	SName   *PrincipalOut `json:"sname,omitempty"`
	EncPart *EncPartOut   `json:"enc_part,omitempty"`
}

// EncPartOut describes EncryptedData by etype, kvno and length only.
type EncPartOut struct {
	Etype     int    `json:"etype"`
	EtypeName string `json:"etype_name"`
	Kvno      *int   `json:"kvno,omitempty"`
	CipherLen int    `json:"cipher_len"`
}

// NTLMInfo is an NTLMSSP message (MS-NLMP); responses by length only.
type NTLMInfo struct {
	MessageType      string   `json:"message_type"`
	Flags            Flags    `json:"flags"`
	Domain           string   `json:"domain,omitempty"`
	User             string   `json:"user,omitempty"`
	Workstation      string   `json:"workstation,omitempty"`
	TargetName       string   `json:"target_name,omitempty"`
	ServerChallenge  string   `json:"server_challenge,omitempty"`
	Version          string   `json:"version,omitempty"`
	TargetInfo       []AVPair `json:"target_info,omitempty"`
	LMResponseLen    *int     `json:"lm_response_len,omitempty"`
	NTResponseLen    *int     `json:"nt_response_len,omitempty"`
	NTLMVersion      string   `json:"ntlm_version,omitempty"`
	ClientTargetInfo []AVPair `json:"client_target_info,omitempty"`
	MICPresent       bool     `json:"mic_present,omitempty"`
	SessionKeyLen    int      `json:"session_key_len,omitempty"`
}

// AVPair is an NTLM AV_PAIR rendered as text.
type AVPair struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// TokenJSON writes r as indented JSON.
func TokenJSON(w io.Writer, r *TokenReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// TokenText writes r as an indented tree.
func TokenText(w io.Writer, r *TokenReport) error {
	t := &tree{}
	t.line(0, "input", inputText(r.Input))
	for _, n := range r.Input.Notes {
		t.line(1, "note", n)
	}
	if r.Token != nil {
		t.node(0, r.Token)
	}
	switch {
	case r.Cut != nil:
		t.line(0, "truncated", r.Cut.String())
	case r.Truncated:
		t.line(0, "truncated", "yes")
	default:
		t.line(0, "truncated", "no (complete)")
	}
	for _, e := range r.Errors {
		t.line(0, "error", e)
	}
	_, err := io.WriteString(w, t.b.String())
	return err
}

func inputText(in TokenInput) string {
	var parts []string
	if in.Header != "" {
		parts = append(parts, "header "+in.Header)
	}
	if in.Scheme != "" {
		parts = append(parts, "scheme "+in.Scheme)
	}
	parts = append(parts, in.Encoding, fmt.Sprintf("%d bytes", in.Bytes))
	return strings.Join(parts, ", ")
}

type tree struct{ b strings.Builder }

func (t *tree) line(depth int, key, val string) {
	t.b.WriteString(strings.Repeat("  ", depth))
	t.b.WriteString(key)
	if val != "" {
		t.b.WriteString(": ")
		t.b.WriteString(Sanitize(val))
	}
	t.b.WriteByte('\n')
}

func (t *tree) node(d int, n *TokenNode) {
	head := fmt.Sprintf("%s (offset 0x%x, %d bytes", n.Kind, n.Offset, n.Length)
	if n.Truncated {
		head += ", truncated"
	}
	t.line(d, head+")", "")
	switch {
	case n.SPNEGO != nil:
		t.spnego(d+1, n.SPNEGO)
	case n.GSSKRB5 != nil:
		g := n.GSSKRB5
		t.line(d+1, "oid", g.OID.text())
		t.line(d+1, "tok-id", withName(g.TokID, g.TokIDName))
	case n.Kerberos != nil:
		t.kerberos(d+1, n.Kerberos)
	case n.NTLM != nil:
		t.ntlm(d+1, n.NTLM)
	}
	if n.Error != "" {
		t.line(d+1, "error", n.Error)
	}
	if n.Inner != nil {
		t.node(d+1, n.Inner)
	}
}

func (t *tree) spnego(d int, s *SPNEGOInfo) {
	if s.GSSOID != nil {
		t.line(d, "gss-oid", s.GSSOID.text())
	}
	t.line(d, "type", s.Type)
	if len(s.MechTypes) > 0 {
		t.line(d, "mechTypes", "")
		for _, m := range s.MechTypes {
			t.line(d+1, "-", m.text())
		}
	}
	if s.ReqFlags {
		t.line(d, "reqFlags", "present")
	}
	if s.NegHints != "" {
		t.line(d, "negHints.hintName", s.NegHints)
	}
	if s.NegState != "" {
		v := s.NegState
		if s.NegStateValue != nil {
			v += " (" + strconv.Itoa(*s.NegStateValue) + ")"
		}
		t.line(d, "negState", v)
	}
	if s.SupportedMech != nil {
		t.line(d, "supportedMech", s.SupportedMech.text())
	}
	if s.MechTokenLen != nil {
		t.line(d, "mechToken", fmt.Sprintf("%d bytes", *s.MechTokenLen))
	}
	if s.ResponseTokLen != nil {
		t.line(d, "responseToken", fmt.Sprintf("%d bytes", *s.ResponseTokLen))
	}
	t.line(d, "mechListMIC", presence(s.MechListMIC))
}

func (t *tree) kerberos(d int, k *KerberosInfo) {
	t.line(d, "pvno", strconv.Itoa(k.PVNO))
	t.line(d, "msg-type", fmt.Sprintf("%d (%s)", k.MsgType, k.MsgTypeName))
	if k.APOptions != nil {
		t.line(d, "ap-options", flagText(*k.APOptions))
	}
	if k.KDCOptions != nil {
		t.line(d, "kdc-options", flagText(*k.KDCOptions))
	}
	if len(k.PAData) > 0 {
		t.line(d, "padata", namedList(k.PAData))
	}
	if k.ErrorCode != nil {
		t.line(d, "error-code", fmt.Sprintf("%d (%s)", k.ErrorCode.Value, k.ErrorCode.Name))
	}
	t.opt(d, "stime", k.STime)
	t.opt(d, "crealm", k.CRealm)
	t.principal(d, "cname", k.CName)
	t.opt(d, "realm", k.Realm)
	t.principal(d, "sname", k.SName)
	t.opt(d, "till", k.Till)
	if k.Nonce != nil {
		t.line(d, "nonce", strconv.FormatUint(uint64(*k.Nonce), 10))
	}
	if len(k.Etypes) > 0 {
		t.line(d, "etype", namedList(k.Etypes))
	}
	t.opt(d, "e-text", k.EText)
	if k.EDataLen > 0 {
		t.line(d, "e-data", fmt.Sprintf("%d bytes", k.EDataLen))
	}
	if tk := k.Ticket; tk != nil {
		t.line(d, "ticket", "")
		t.line(d+1, "tkt-vno", strconv.Itoa(tk.TktVNO))
		t.opt(d+1, "realm", tk.Realm)
		t.principal(d+1, "sname", tk.SName)
		t.encPart(d+1, "enc-part", tk.EncPart)
	}
	t.encPart(d, "authenticator", k.Authenticator)
	t.encPart(d, "enc-part", k.EncPart)
}

func (t *tree) opt(d int, key, v string) {
	if v != "" {
		t.line(d, key, v)
	}
}

func (t *tree) principal(d int, key string, p *PrincipalOut) {
	if p == nil {
		return
	}
	t.line(d, key, p.Text)
	t.line(d+1, "name-type", fmt.Sprintf("%d (%s)", p.NameType, p.NameTypeName))
	for i, c := range p.Components {
		t.line(d+1, fmt.Sprintf("name-string[%d]", i), c)
	}
}

func (t *tree) encPart(d int, key string, e *EncPartOut) {
	if e == nil {
		return
	}
	t.line(d, key, "")
	t.line(d+1, "etype", fmt.Sprintf("%d (%s)", e.Etype, e.EtypeName))
	if e.Kvno != nil {
		t.line(d+1, "kvno", strconv.Itoa(*e.Kvno))
	}
	t.line(d+1, "cipher", fmt.Sprintf("%d bytes (not shown)", e.CipherLen))
}

func (t *tree) ntlm(d int, m *NTLMInfo) {
	t.line(d, "message-type", m.MessageType)
	t.line(d, "flags", flagText(m.Flags))
	t.opt(d, "domain", m.Domain)
	t.opt(d, "user", m.User)
	t.opt(d, "workstation", m.Workstation)
	t.opt(d, "target-name", m.TargetName)
	t.opt(d, "server-challenge", m.ServerChallenge)
	t.opt(d, "version", m.Version)
	t.avPairs(d, "target-info", m.TargetInfo)
	if m.LMResponseLen != nil {
		t.line(d, "lm-response", fmt.Sprintf("%d bytes (not shown)", *m.LMResponseLen))
	}
	if m.NTResponseLen != nil {
		t.line(d, "nt-response", fmt.Sprintf("%d bytes (not shown)", *m.NTResponseLen))
	}
	t.opt(d, "ntlm-version", m.NTLMVersion)
	t.avPairs(d, "client-target-info", m.ClientTargetInfo)
	if m.MICPresent {
		t.line(d, "mic", "present")
	}
	if m.SessionKeyLen > 0 {
		t.line(d, "session-key", fmt.Sprintf("%d bytes (not shown)", m.SessionKeyLen))
	}
}

func (t *tree) avPairs(d int, key string, ps []AVPair) {
	if len(ps) == 0 {
		return
	}
	t.line(d, key, "")
	for _, p := range ps {
		t.line(d+1, p.ID, p.Value)
	}
}

func flagText(f Flags) string {
	if len(f.Names) == 0 {
		return f.Value
	}
	return f.Value + " (" + strings.Join(f.Names, ", ") + ")"
}

func namedList(ns []NamedNumber) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprintf("%d (%s)", n.Value, n.Name)
	}
	return strings.Join(s, ", ")
}

func withName(v, name string) string {
	if name == "" {
		return v
	}
	return v + " (" + name + ")"
}

func presence(b bool) string {
	if b {
		return "present"
	}
	return "absent"
}
