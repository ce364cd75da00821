package main

import (
	"errors"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/ntlm"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
	"github.com/kerbtrace/kerbtrace/report"
)

// maxTokenDepth bounds token nesting (SPNEGO → GSS Kerberos → message).
const maxTokenDepth = 4

// layerErr is a decoder error of one layer, with where the layer starts.
type layerErr struct {
	layers string // "spnego > gss-krb5 > kerberos"
	base   int    // offset of the layer in the whole token
	err    error
}

// decodeToken decodes b as SPNEGO, GSS Kerberos, NTLMSSP or a bare
// Kerberos message; it returns nil when b is none of these.
func decodeToken(b []byte) (*report.TokenNode, []layerErr) {
	var errs []layerErr
	n := decodeLayer(b, b, "", 0, &errs)
	return n, errs
}

func decodeLayer(all, b []byte, parent string, depth int, errs *[]layerErr) *report.TokenNode {
	if depth >= maxTokenDepth || len(b) == 0 {
		return nil
	}
	base := offsetIn(all, b)
	var n *report.TokenNode
	var inner []byte
	var err error
	switch {
	case ntlm.HasSignature(b):
		n, err = ntlmNode(b)
	case spnego.Sniff(b) == spnego.PayloadSPNEGO:
		n, inner, err = spnegoNode(b)
	case spnego.Sniff(b) == spnego.PayloadKRB5:
		n, inner, err = krb5Node(b)
	case b[0] >= 0x6a && b[0] <= 0x7e:
		n, err = kerberosNode(b)
	}
	if n == nil {
		return nil
	}
	n.Offset, n.Length = base, len(b)
	layers := n.Kind
	if parent != "" {
		layers = parent + " > " + n.Kind
	}
	if err != nil {
		*errs = append(*errs, layerErr{layers, base, err})
		if !errors.Is(err, errTruncated) {
			n.Error = err.Error()
		}
	}
	if len(inner) > 0 {
		n.Inner = decodeLayer(all, inner, layers, depth+1, errs)
	}
	return n
}

// errTruncated is the decoders' sentinel for input that ended early.
var errTruncated = decode.ErrTruncated

// offsetIn is the offset of sub-slice sub in all.
func offsetIn(all, sub []byte) int {
	off := cap(all) - cap(sub)
	if off < 0 || off > len(all) {
		return 0
	}
	return off
}

func spnegoNode(b []byte) (*report.TokenNode, []byte, error) {
	tok, err := spnego.Parse(b)
	if tok == nil {
		return nil, nil, err
	}
	s := &report.SPNEGOInfo{Type: tok.Kind.String(), ReqFlags: tok.ReqFlags, NegHints: tok.NegHintsName, MechListMIC: tok.MechListMIC}
	if tok.GSSOID != "" {
		s.GSSOID = namedOID(tok.GSSOID)
	}
	for _, m := range tok.MechTypes {
		s.MechTypes = append(s.MechTypes, *namedOID(m))
	}
	var inner []byte
	if tok.HasMechToken {
		l := len(tok.MechToken)
		s.MechTokenLen, inner = &l, tok.MechToken
	}
	if tok.NegState != spnego.NegStateAbsent {
		v := int(tok.NegState)
		s.NegState, s.NegStateValue = tok.NegState.String(), &v
	}
	if tok.SupportedMech != "" {
		s.SupportedMech = namedOID(tok.SupportedMech)
	}
	if tok.HasResponseToken {
		l := len(tok.ResponseToken)
		s.ResponseTokLen, inner = &l, tok.ResponseToken
	}
	return &report.TokenNode{Kind: "spnego", Truncated: tok.Truncated, SPNEGO: s}, inner, err
}

func namedOID(o spnego.OID) *report.NamedOID {
	return &report.NamedOID{OID: string(o), Name: o.Name()}
}

var tokIDNames = map[uint16]string{
	spnego.TokIDAPReq: "KRB_AP_REQ", spnego.TokIDAPRep: "KRB_AP_REP", spnego.TokIDKRBError: "KRB_ERROR",
	spnego.TokIDTGTReq: "KRB_TGT_REQ", spnego.TokIDTGTRep: "KRB_TGT_REP",
}

func krb5Node(b []byte) (*report.TokenNode, []byte, error) {
	k, err := spnego.ParseKRB5(b)
	if k == nil {
		return nil, nil, err
	}
	g := &report.GSSKRB5Info{OID: *namedOID(k.OID), TokID: fmt.Sprintf("0x%04x", k.TokID), TokIDName: tokIDNames[k.TokID]}
	return &report.TokenNode{Kind: "gss-krb5", Truncated: k.Truncated, GSSKRB5: g}, k.Inner, err
}

func ntlmNode(b []byte) (*report.TokenNode, error) {
	m, err := ntlm.Parse(b)
	if m == nil {
		return nil, err
	}
	out := &report.NTLMInfo{
		MessageType: m.Type.String(), Flags: report.Flags{Value: m.Flags.String(), Names: m.Flags.Names()},
		Domain: m.Domain, User: m.User, Workstation: m.Workstation, TargetName: m.TargetName,
		ServerChallenge: m.ServerChallenge, TargetInfo: avPairs(m.TargetInfo), NTLMVersion: m.NTLMVersion,
		ClientTargetInfo: avPairs(m.ClientTargetInfo), MICPresent: m.HasMIC, SessionKeyLen: m.SessionKeyLen,
	}
	if m.Version != nil {
		out.Version = m.Version.String()
	}
	if m.Type == ntlm.Authenticate {
		lm, nt := m.LMResponseLen, m.NTResponseLen
		out.LMResponseLen, out.NTResponseLen = &lm, &nt
	}
	return &report.TokenNode{Kind: "ntlmssp", Truncated: m.Truncated, NTLM: out}, err
}

func avPairs(ps []ntlm.AVPair) []report.AVPair {
	var out []report.AVPair
	for _, p := range ps {
		out = append(out, report.AVPair{ID: p.ID.String(), Value: p.Value})
	}
	return out
}

// cutAndErrors picks the innermost truncation as the cut and lists the
// other errors.
func cutAndErrors(all []byte, errs []layerErr) (*report.TokenCut, []string) {
	var cut *report.TokenCut
	var others []string
	for _, e := range errs {
		field, off, ok := wireFields(e.err)
		if errors.Is(e.err, errTruncated) {
			c := &report.TokenCut{Offset: e.base, Layers: e.layers, Field: field, Present: len(all), Declared: declaredLen(all)}
			if ok {
				c.Offset = e.base + off
			}
			cut = c // later layers are inner ones
			continue
		}
		others = append(others, e.layers+": "+e.err.Error())
	}
	return cut, others
}

// wireFields reads Field and Off of the decoders' *decode.Error in err's chain.
func wireFields(err error) (field string, off int, ok bool) {
	var e *decode.Error
	if !errors.As(err, &e) {
		return "", 0, false
	}
	return e.Field, e.Off, true
}

// declaredLen is the length the outermost BER header announces (0 when b
// is not BER or the length cannot be read); for NTLMSSP it is 0.
func declaredLen(b []byte) int {
	if len(b) < 2 || ntlm.HasSignature(b) {
		return 0
	}
	l := int(b[1])
	if l < 0x80 {
		return 2 + l
	}
	n := l & 0x7f
	if n == 0 || n > 4 || len(b) < 2+n {
		return 0
	}
	v := 0
	for _, c := range b[2 : 2+n] {
		v = v<<8 | int(c)
	}
	return 2 + n + v
}
