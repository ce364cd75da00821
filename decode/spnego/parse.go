package spnego

import (
	"errors"
	"fmt"
	"sync"

	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// maxMechTypes bounds the mechTypes list; Windows offers four.
const maxMechTypes = 32

// GSS-API and SPNEGO identifier octets.
const (
	tagGSS          = 0x60 // [APPLICATION 0] InitialContextToken
	tagNegTokenInit = 0xa0 // [0] NegTokenInit
	tagNegTokenResp = 0xa1 // [1] NegTokenResp
)

// Parse decodes a token from an HTTP Negotiate header, an SMB2 security
// buffer or an LDAP SASL credential:
//
//	0x60 len OID(SPNEGO) NegotiationToken   → KindNegTokenInit / KindNegTokenResp
//	0x60 len OID(krb5 or MS krb5) TOK_ID msg → KindKRB5 (see ParseKRB5)
//	0xa0 NegTokenInit, 0xa1 NegTokenResp    (SPNEGO without the GSS header)
//
// On input cut short the token holds every field inside the bytes present
// and Truncated is set, with an error wrapping wire.ErrTruncated. The token
// is nil only when not even its kind could be told.
func Parse(b []byte) (*Token, error) {
	if len(b) == 0 {
		return nil, wire.Errorf("spnego", "", 0, wire.ErrTruncated)
	}
	switch b[0] {
	case tagGSS:
		return parseGSS(b)
	case tagNegTokenInit, tagNegTokenResp:
		t, err := ber.ReadTop(b)
		if err != nil {
			return nil, topError(err)
		}
		return negotiation(&Token{NegState: NegStateAbsent}, t)
	}
	return nil, wire.Errorf("spnego", "", 0, fmt.Errorf("identifier 0x%02x is not a GSS-API or SPNEGO token: %w", b[0], wire.ErrUnsupported))
}

// topError converts a ber error on the outer header to a wire.Error.
func topError(err error) error {
	var be *ber.Error
	if errors.As(err, &be) {
		return wire.Errorf("spnego", "", be.Off, fmt.Errorf("%s: %w", be.What, be.Err))
	}
	return wire.Errorf("spnego", "", 0, err)
}

// gssHeader reads the InitialContextToken header (RFC 2743 3.1): the outer
// [APPLICATION 0] and the mechanism OID. rest is what follows the OID.
func gssHeader(b []byte) (outer ber.TLV, oid OID, rest []byte, err error) {
	outer, err = ber.ReadTop(b)
	if err != nil {
		return outer, "", nil, topError(err)
	}
	if !outer.Is(ber.ClassApplication, true, 0) {
		return outer, "", nil, wire.Errorf("spnego", "", 0, fmt.Errorf("not an InitialContextToken: %w", wire.ErrMalformed))
	}
	o, err := ber.Read(outer.Value, 0, outer.ValueOff(), outer.Truncated)
	if err == nil {
		var s string
		s, err = ber.OID(o)
		oid = OID(s)
	}
	if err != nil {
		return outer, "", nil, topError(err)
	}
	return outer, oid, outer.Value[o.HdrLen+len(o.Value):], nil
}

func parseGSS(b []byte) (*Token, error) {
	outer, oid, rest, err := gssHeader(b)
	if err != nil {
		return nil, err
	}
	tok := &Token{GSSOID: oid, NegState: NegStateAbsent}
	switch {
	case oid == OIDSPNEGO:
		t, err := ber.Read(rest, 0, outer.ValueOff()+len(outer.Value)-len(rest), outer.Truncated)
		if err != nil {
			tok.Truncated = errors.Is(err, wire.ErrTruncated)
			return tok, topError(err)
		}
		return negotiation(tok, t)
	case oid.IsKerberos():
		k, err := krb5Token(outer, oid, rest)
		tok.Kind, tok.KRB5, tok.Truncated = KindKRB5, k, k.Truncated
		return tok, err
	}
	return tok, wire.Errorf("spnego", "", 0, fmt.Errorf("mechanism %s: %w", oid, wire.ErrUnsupported))
}

// negotiation decodes NegotiationToken ::= CHOICE { negTokenInit [0],
// negTokenResp [1] } (RFC 4178 4.2) into tok.
func negotiation(tok *Token, t ber.TLV) (*Token, error) {
	d := decoders.Get().(*ber.Decoder)
	*d = ber.Decoder{Proto: "spnego"}
	defer decoders.Put(d)
	switch {
	case t.IsContext(0):
		tok.Kind = KindNegTokenInit
		d.Enter("negTokenInit")
		negTokenInit(d, tok, t)
	case t.IsContext(1):
		tok.Kind = KindNegTokenResp
		d.Enter("negTokenResp")
		negTokenResp(d, tok, t)
	default:
		return tok, wire.Errorf("spnego", "", t.Off, fmt.Errorf("tag %d/%d is not a NegotiationToken: %w", t.Class, t.Tag, wire.ErrMalformed))
	}
	err := d.Result()
	tok.Truncated = errors.Is(err, wire.ErrTruncated)
	return tok, err
}

// decoders keeps the decoder state of a finished negotiation for the
// next one, as krb does: some 340 bytes that escape, allocated afresh for
// every token otherwise.
var decoders = sync.Pool{New: func() any { return new(ber.Decoder) }}

// negTokenInit decodes NegTokenInit ::= SEQUENCE { mechTypes [0],
// reqFlags [1] OPTIONAL, mechToken [2] OPTIONAL, mechListMIC [3] OPTIONAL }
// and Microsoft's NegTokenInit2, where [3] is negHints and [4] the MIC.
func negTokenInit(d *ber.Decoder, tok *Token, t ber.TLV) {
	d.Fields(t, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			tok.MechTypes = mechTypes(d, f)
		case 1:
			tok.ReqFlags = true
		case 2:
			if o, ok := d.Octets("mechToken", f); ok {
				tok.MechToken, tok.HasMechToken = o.Value, true
			}
		case 3:
			in, ok := d.Inner(f)
			switch {
			case ok && in.Is(ber.ClassUniversal, true, ber.TagSequence):
				tok.NegHintsName = negHints(d, in)
			case ok:
				tok.MechListMIC = true
			}
		case 4:
			tok.MechListMIC = true
		}
	})
}

// mechTypes decodes MechTypeList ::= SEQUENCE OF MechType.
func mechTypes(d *ber.Decoder, f ber.TLV) []OID {
	d.Enter("mechTypes")
	defer d.Leave()
	seq, ok := d.Sequence(f)
	if !ok {
		return nil
	}
	var out []OID
	d.Walk(seq, func(c ber.TLV) {
		s, err := ber.OID(c)
		if err != nil {
			d.Fail(err)
			return
		}
		if len(out) == maxMechTypes {
			d.Failf(c.Off, "more than %d mechTypes", maxMechTypes)
			return
		}
		out = append(out, OID(s))
	})
	return out
}

// negHints decodes NegHints ::= SEQUENCE { hintName [0] GeneralString
// OPTIONAL, hintAddress [1] OCTET STRING OPTIONAL } (MS-SPNG 2.2.1).
func negHints(d *ber.Decoder, seq ber.TLV) string {
	d.Enter("negHints")
	defer d.Leave()
	var name string
	d.Fields(seq, func(tag int, f ber.TLV) {
		if tag == 0 {
			name, _ = d.Text("hintName", f)
		}
	})
	return name
}

// negTokenResp decodes NegTokenResp ::= SEQUENCE { negState [0]
// ENUMERATED OPTIONAL, supportedMech [1] OPTIONAL, responseToken [2]
// OPTIONAL, mechListMIC [3] OPTIONAL }.
func negTokenResp(d *ber.Decoder, tok *Token, t ber.TLV) {
	d.Fields(t, func(tag int, f ber.TLV) {
		switch tag {
		case 0:
			if v, ok := d.Enumerated("negState", f); ok {
				tok.NegState = NegState(v)
			}
		case 1:
			if s, ok := d.OID("supportedMech", f); ok {
				tok.SupportedMech = OID(s)
			}
		case 2:
			if o, ok := d.Octets("responseToken", f); ok {
				tok.ResponseToken, tok.HasResponseToken = o.Value, true
			}
		case 3:
			tok.MechListMIC = true
		}
	})
}
