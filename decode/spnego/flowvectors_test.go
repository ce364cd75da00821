package spnego

import (
	"errors"
	"slices"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/internal/flowvectors"
)

// The two Negotiate tokens quoted in /work/shared/spec/flow.md ("Test
// vectors from the reference trace"), both cut short by a text export. The
// krb package checks the Kerberos messages inside.
const (
	flowServerToken = flowvectors.ServerToken
	flowClientToken = flowvectors.ClientToken
)

// decodeCut decodes base64 that may stop mid-quantum, keeping every whole
// byte.
func decodeCut(t *testing.T, s string) []byte {
	t.Helper()
	b, err := flowvectors.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFlowServerNegTokenResp(t *testing.T) {
	b := decodeCut(t, flowServerToken)
	if len(b) != 174 {
		t.Fatalf("%d bytes, flow.md says 174 (of 185)", len(b))
	}
	tok, err := Parse(b)
	if !errors.Is(err, wire.ErrTruncated) || !tok.Truncated {
		t.Fatalf("err = %v, Truncated = %v; want a truncation", err, tok.Truncated)
	}
	var we *wire.Error
	if !errors.As(err, &we) || we.Field != "negTokenResp.responseToken" {
		t.Errorf("error %v does not name responseToken", err)
	}
	if tok.Kind != KindNegTokenResp || tok.GSSOID != "" {
		t.Errorf("kind %v gss %q", tok.Kind, tok.GSSOID)
	}
	if tok.NegState != NegStateAcceptCompleted || tok.NegState.String() != "accept-completed" {
		t.Errorf("negState %v", tok.NegState)
	}
	if tok.SupportedMech != "1.2.840.48018.1.2.2" || tok.SupportedMech.Name() != "MS KRB5 - Microsoft Kerberos 5" {
		t.Errorf("supportedMech %q", tok.SupportedMech)
	}
	// responseToken: declared 155 bytes (04 81 9b) from offset 30; 144 here.
	if !tok.HasResponseToken || len(tok.ResponseToken) != 144 || &tok.ResponseToken[0] != &b[30] {
		t.Fatalf("responseToken %d bytes", len(tok.ResponseToken))
	}
	if Sniff(tok.ResponseToken) != PayloadKRB5 {
		t.Errorf("Sniff(responseToken) = %v", Sniff(tok.ResponseToken))
	}
	k, err := ParseKRB5(tok.ResponseToken)
	if !errors.Is(err, wire.ErrTruncated) || !k.Truncated {
		t.Fatalf("ParseKRB5 err = %v", err)
	}
	if k.OID != OIDKRB5 || k.TokID != TokIDAPRep || k.Inner[0] != 0x6f || len(k.Inner) != 128 {
		t.Errorf("krb5 token %q %#04x inner %d bytes starting %#02x", k.OID, k.TokID, len(k.Inner), k.Inner[0])
	}
}

func TestFlowClientNegTokenInit(t *testing.T) {
	b := decodeCut(t, flowClientToken)
	if Sniff(b) != PayloadSPNEGO {
		t.Errorf("Sniff = %v", Sniff(b))
	}
	tok, err := Parse(b)
	if !errors.Is(err, wire.ErrTruncated) || !tok.Truncated {
		t.Fatalf("err = %v, Truncated = %v; want a truncation", err, tok.Truncated)
	}
	if tok.Kind != KindNegTokenInit || tok.GSSOID != OIDSPNEGO {
		t.Errorf("kind %v gss %q", tok.Kind, tok.GSSOID)
	}
	want := []OID{"1.2.840.48018.1.2.2", "1.2.840.113554.1.2.2", "1.3.6.1.4.1.311.2.2.30", "1.3.6.1.4.1.311.2.2.10"}
	if !slices.Equal(tok.MechTypes, want) {
		t.Errorf("mechTypes %v", tok.MechTypes)
	}
	if tok.MechTypes[2].Name() != "NEGOEX - SPNEGO Extended Negotiation Security Mechanism" ||
		tok.MechTypes[3].Name() != "NTLMSSP - Microsoft NTLM Security Support Provider" {
		t.Errorf("mech names %q %q", tok.MechTypes[2].Name(), tok.MechTypes[3].Name())
	}
	if !tok.HasMechToken || tok.MechToken[0] != 0x60 || tok.NegState != NegStateAbsent {
		t.Fatalf("mechToken %d bytes, negState %v", len(tok.MechToken), tok.NegState)
	}
	k, err := ParseKRB5(tok.MechToken)
	if !errors.Is(err, wire.ErrTruncated) || !k.Truncated {
		t.Fatalf("ParseKRB5 err = %v", err)
	}
	// 60 82 06 cd 06 09 <krb5 OID> 01 00, then the AP-REQ (0x6e) at 0x5f.
	if k.OID != OIDKRB5 || k.TokID != TokIDAPReq || &k.Inner[0] != &b[0x5f] || k.Inner[0] != 0x6e {
		t.Errorf("krb5 token %q %#04x", k.OID, k.TokID)
	}
}
