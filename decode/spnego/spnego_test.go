package spnego

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// Expected values are what tshark 4.0 prints for the same frames (see the
// header of each testdata file for the capture, frame and command).

var windowsMechs = []OID{OIDMSKRB5, OIDKRB5, OIDNEGOEX, OIDNTLMSSP}

type wantToken struct {
	kind         Kind
	gssOID       OID
	mechTypes    []OID
	mechTokenLen int // -1: absent
	hints        string
	negState     NegState
	supported    OID
	respLen      int // -1: absent
	// the Kerberos framing of the inner token (mechToken, responseToken or
	// the KRB5 token itself)
	innerOID   OID
	tokID      uint16
	innerFirst byte // identifier octet of the Kerberos message
}

var realTokens = []struct {
	file string
	want wantToken
}{
	{"smb2-negtokeninit2.hex", wantToken{ // zeek/smb2_krb.pcap frame 6
		kind: KindNegTokenInit, gssOID: OIDSPNEGO,
		mechTypes:    []OID{OIDMSKRB5, OIDKRB5, OIDNTLMSSP},
		mechTokenLen: -1, hints: "not_defined_in_RFC4178@please_ignore",
		negState: NegStateAbsent, respLen: -1,
	}},
	{"smb2-negtokeninit-apreq.hex", wantToken{ // zeek/smb2_krb.pcap frame 12
		kind: KindNegTokenInit, gssOID: OIDSPNEGO, mechTypes: windowsMechs,
		mechTokenLen: 2567, negState: NegStateAbsent, respLen: -1,
		innerOID: OIDKRB5, tokID: TokIDAPReq, innerFirst: 0x6e,
	}},
	{"smb2-negtokenresp-aprep.hex", wantToken{ // zeek/smb2_krb.pcap frame 14
		kind: KindNegTokenResp, mechTokenLen: -1,
		negState: NegStateAcceptCompleted, supported: OIDMSKRB5, respLen: 155,
		innerOID: OIDKRB5, tokID: TokIDAPRep, innerFirst: 0x6f,
	}},
	{"ldap-negtokeninit-apreq.hex", wantToken{ // zeek/krb5-sign-seal-01.pcap frame 8
		kind: KindNegTokenInit, gssOID: OIDSPNEGO, mechTypes: []OID{OIDMSKRB5, OIDKRB5, OIDNTLMSSP},
		mechTokenLen: 1252, negState: NegStateAbsent, respLen: -1,
		innerOID: OIDKRB5, tokID: TokIDAPReq, innerFirst: 0x6e,
	}},
	{"ldap-negtokenresp-aprep.hex", wantToken{ // zeek/krb5-sign-seal-01.pcap frame 9
		kind: KindNegTokenResp, mechTokenLen: -1,
		negState: NegStateAcceptCompleted, supported: OIDMSKRB5, respLen: 134,
		innerOID: OIDKRB5, tokID: TokIDAPRep, innerFirst: 0x6f,
	}},
	{"dcerpc-u2u-tgtreq.hex", wantToken{ // MS-WMOD_Example4 frame 40
		kind: KindNegTokenInit, gssOID: OIDSPNEGO, mechTypes: windowsMechs,
		mechTokenLen: 67, negState: NegStateAbsent, respLen: -1,
		innerOID: OIDKRB5U2U, tokID: TokIDTGTReq, innerFirst: 0x30,
	}},
	{"dcerpc-u2u-tgtrep.hex", wantToken{ // MS-WMOD_Example4 frame 41
		kind: KindNegTokenResp, mechTokenLen: -1,
		negState: NegStateAcceptIncomplete, supported: OIDMSKRB5, respLen: 1169,
		innerOID: OIDKRB5U2U, tokID: TokIDTGTRep, innerFirst: 0x30,
	}},
	{"http-kerberos-aprep.txt", wantToken{ // MS-WMOD_Example2 frame 21, "WWW-Authenticate: Kerberos"
		kind: KindKRB5, gssOID: OIDKRB5, mechTokenLen: -1,
		negState: NegStateAbsent, respLen: -1,
		innerOID: OIDKRB5, tokID: TokIDAPRep, innerFirst: 0x6f,
	}},
}

func TestParseRealTokens(t *testing.T) {
	for _, c := range realTokens {
		t.Run(c.file, func(t *testing.T) {
			b := loadVector(t, c.file)
			tok, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkToken(t, tok, b, c.want)
			if tok.Truncated {
				t.Error("Truncated set on a whole token")
			}
		})
	}
}

func checkToken(t *testing.T, tok *Token, b []byte, w wantToken) {
	t.Helper()
	if tok.Kind != w.kind || tok.GSSOID != w.gssOID {
		t.Errorf("kind %v gss %q, want %v %q", tok.Kind, tok.GSSOID, w.kind, w.gssOID)
	}
	if !reflect.DeepEqual(tok.MechTypes, w.mechTypes) {
		t.Errorf("mechTypes %v, want %v", tok.MechTypes, w.mechTypes)
	}
	if got := optLen(tok.HasMechToken, tok.MechToken); got != w.mechTokenLen {
		t.Errorf("mechToken %d bytes, want %d", got, w.mechTokenLen)
	}
	if got := optLen(tok.HasResponseToken, tok.ResponseToken); got != w.respLen {
		t.Errorf("responseToken %d bytes, want %d", got, w.respLen)
	}
	if tok.NegHintsName != w.hints || tok.NegState != w.negState || tok.SupportedMech != w.supported {
		t.Errorf("hints %q negState %v supportedMech %q", tok.NegHintsName, tok.NegState, tok.SupportedMech)
	}
	if !within(tok.MechToken, b) || !within(tok.ResponseToken, b) {
		t.Error("inner token is not a sub-slice of the input")
	}
	if w.innerOID == "" {
		return
	}
	k := tok.KRB5
	if k == nil {
		var err error
		if k, err = ParseKRB5(append(tok.MechToken, tok.ResponseToken...)); err != nil {
			t.Fatalf("ParseKRB5: %v", err)
		}
	}
	if k.OID != w.innerOID || k.TokID != w.tokID || len(k.Inner) == 0 || k.Inner[0] != w.innerFirst {
		t.Errorf("krb5 token %q %#04x inner %x..., want %q %#04x %#02x", k.OID, k.TokID, k.Inner[:min(len(k.Inner), 4)], w.innerOID, w.tokID, w.innerFirst)
	}
}

func optLen(has bool, b []byte) int {
	if !has {
		return -1
	}
	return len(b)
}

// TestParseEveryPrefix cuts each real token at every length: Parse must
// say it was truncated and what it fills must agree with the whole token.
func TestParseEveryPrefix(t *testing.T) {
	for _, c := range realTokens {
		t.Run(c.file, func(t *testing.T) {
			b := loadVector(t, c.file)
			full, _ := Parse(b)
			for n := 1; n < len(b); n++ {
				tok, err := Parse(b[:n])
				if !errors.Is(err, wire.ErrTruncated) {
					t.Fatalf("prefix %d: err %v, want ErrTruncated", n, err)
				}
				if tok == nil {
					continue // not even the kind is known yet
				}
				if !tok.Truncated || tok.Kind != full.Kind && tok.Kind != KindUnknown {
					t.Fatalf("prefix %d: Truncated=%v Kind=%v", n, tok.Truncated, tok.Kind)
				}
				agrees(t, n, tok, full)
			}
		})
	}
}

// agrees checks a token decoded from a prefix against the whole one.
func agrees(t *testing.T, n int, p, f *Token) {
	t.Helper()
	if len(p.MechTypes) > len(f.MechTypes) || !slices.Equal(p.MechTypes, f.MechTypes[:len(p.MechTypes)]) {
		t.Fatalf("prefix %d: mechTypes %v vs %v", n, p.MechTypes, f.MechTypes)
	}
	for _, x := range [][2][]byte{{p.MechToken, f.MechToken}, {p.ResponseToken, f.ResponseToken}} {
		if !bytes.HasPrefix(x[1], x[0]) {
			t.Fatalf("prefix %d: inner token is not a prefix of the whole one", n)
		}
	}
	if p.NegState != NegStateAbsent && p.NegState != f.NegState ||
		p.SupportedMech != "" && p.SupportedMech != f.SupportedMech ||
		p.NegHintsName != "" && p.NegHintsName != f.NegHintsName ||
		p.GSSOID != "" && p.GSSOID != f.GSSOID {
		t.Fatalf("prefix %d: %+v vs %+v", n, p, f)
	}
	if p.KRB5 != nil && (p.KRB5.OID != f.KRB5.OID || p.KRB5.TokID != 0 && p.KRB5.TokID != f.KRB5.TokID) {
		t.Fatalf("prefix %d: krb5 %+v vs %+v", n, p.KRB5, f.KRB5)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, wire.ErrTruncated},
		{"ntlmssp", []byte("NTLMSSP\x00\x01\x00\x00\x00"), wire.ErrUnsupported},
		{"gss with ntlm oid", []byte{0x60, 0x0e, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0xa0, 0x00}, wire.ErrUnsupported},
		{"gss without oid", []byte{0x60, 0x02, 0x04, 0x00}, wire.ErrMalformed},
		{"gss header only", []byte{0x60}, wire.ErrTruncated},
		{"gss oid cut", []byte{0x60, 0x20, 0x06, 0x06, 0x2b, 0x06}, wire.ErrTruncated},
		{"spnego wrong choice", []byte{0x60, 0x0a, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa3, 0x00}, wire.ErrMalformed},
		{"negTokenInit not a sequence", []byte{0xa0, 0x02, 0x04, 0x00}, wire.ErrMalformed},
		{"indefinite length", []byte{0xa1, 0x80, 0x30, 0x00, 0x00, 0x00}, wire.ErrUnsupported},
		{"mechTypes holds a non-OID", []byte{0xa0, 0x08, 0x30, 0x06, 0xa0, 0x04, 0x30, 0x02, 0x05, 0x00}, wire.ErrMalformed},
		{"krb5 token without tok_id", []byte{0x60, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02}, wire.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.in)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestParseKRB5(t *testing.T) {
	aprep := loadVector(t, "http-kerberos-aprep.txt")
	cases := []struct {
		name      string
		in        []byte
		oid       OID
		tokID     uint16
		innerLen  int
		truncated bool
		err       error
	}{
		// 60 81 97, 06 09 2a864886f712010202, 02 00: 16 bytes of framing
		{"gss ap-rep", aprep, OIDKRB5, TokIDAPRep, len(aprep) - 16, false, nil},
		{"gss ap-rep cut", aprep[:40], OIDKRB5, TokIDAPRep, 40 - 16, true, wire.ErrTruncated},
		{"cut inside tok_id", aprep[:15], OIDKRB5, 0, 0, true, wire.ErrTruncated},
		{"bare ap-rep", aprep[16:], "", 0, len(aprep) - 16, false, nil},
		{"bare krb-error", []byte{0x7e, 0x00}, "", 0, 2, false, nil},
		// MS KRB5 OID framing (1.2.840.48018.1.2.2), KRB-ERROR token id
		{"ms oid krb-error", []byte{0x60, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03, 0x00, 0x7e, 0x00}, OIDMSKRB5, TokIDKRBError, 2, false, nil},
		{"spnego is not krb5", loadVector(t, "smb2-negtokeninit2.hex"), "", 0, 0, false, wire.ErrUnsupported},
		{"as-req is not a gss token", []byte{0x6a, 0x00}, "", 0, 0, false, wire.ErrUnsupported},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParseKRB5(c.in)
			if !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if c.oid == "" && c.innerLen == 0 {
				return
			}
			if k.OID != c.oid || k.TokID != c.tokID || len(k.Inner) != c.innerLen || k.Truncated != c.truncated {
				t.Fatalf("got %q %#04x inner %d truncated %v", k.OID, k.TokID, len(k.Inner), k.Truncated)
			}
			if !within(k.Inner, c.in) {
				t.Fatal("Inner is not a sub-slice of the input")
			}
		})
	}
}

func TestSniff(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want Payload
	}{
		{"ntlmssp in Negotiate", loadVector(t, "http-negotiate-ntlmssp.txt"), PayloadNTLMSSP},
		{"spnego init", loadVector(t, "smb2-negtokeninit-apreq.hex"), PayloadSPNEGO},
		{"spnego resp", loadVector(t, "smb2-negtokenresp-aprep.hex"), PayloadSPNEGO},
		{"raw krb5", loadVector(t, "http-kerberos-aprep.txt"), PayloadKRB5},
		{"u2u krb5", []byte{0x60, 0x0e, 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03, 0x04, 0x00}, PayloadKRB5},
		{"ms krb5", []byte{0x60, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02}, PayloadKRB5},
		{"bare ap-req", []byte{0x6e, 0x82}, PayloadKerberos},
		{"bare krb-error", []byte{0x7e}, PayloadKerberos},
		{"gss, other oid", []byte{0x60, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04}, PayloadUnknown},
		{"gss cut in header", []byte{0x60, 0x82}, PayloadUnknown},
		{"empty", nil, PayloadUnknown},
		{"ntlmssp prefix only", []byte("NTLMSSP"), PayloadUnknown},
		{"as-req", []byte{0x6a, 0x00}, PayloadUnknown},
	}
	for _, c := range cases {
		if got := Sniff(c.in); got != c.want {
			t.Errorf("%s: Sniff = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestNames(t *testing.T) {
	cases := []struct{ got, want string }{
		{OIDMSKRB5.Name(), "MS KRB5 - Microsoft Kerberos 5"},
		{OIDKRB5.Name(), "KRB5 - Kerberos 5"},
		{OIDNTLMSSP.Name(), "NTLMSSP - Microsoft NTLM Security Support Provider"},
		{OIDNEGOEX.Name(), "NEGOEX - SPNEGO Extended Negotiation Security Mechanism"},
		{OIDSPNEGO.Name(), "SPNEGO"},
		{OIDKRB5U2U.Name(), "KRB5 - Kerberos 5 - User to User"},
		{OID("1.2.3").Name(), ""},
		{OIDMSKRB5.ShortName(), "MS KRB5"},
		{OIDKRB5.ShortName(), "KRB5"},
		{OIDKRB5U2U.ShortName(), "KRB5 U2U"}, // not a second "KRB5"
		{OIDNTLMSSP.ShortName(), "NTLMSSP"},
		{OIDNEGOEX.ShortName(), "NEGOEX"},
		{OIDIAKERB.ShortName(), "IAKERB"},
		{OID("1.2.3").ShortName(), "1.2.3"},
		{NegStateAcceptCompleted.String(), "accept-completed"},
		{NegStateAcceptIncomplete.String(), "accept-incomplete"},
		{NegStateReject.String(), "reject"},
		{NegStateRequestMIC.String(), "request-mic"},
		{NegStateAbsent.String(), "absent"},
		{NegState(7).String(), "neg-state-7"},
		{KindNegTokenInit.String(), "negTokenInit"},
		{KindNegTokenResp.String(), "negTokenResp"},
		{KindKRB5.String(), "krb5"},
		{KindUnknown.String(), "unknown"},
		{PayloadSPNEGO.String(), "spnego"},
		{PayloadNTLMSSP.String(), "ntlmssp"},
		{PayloadKerberos.String(), "kerberos"},
		{PayloadKRB5.String(), "krb5"},
		{PayloadUnknown.String(), "unknown"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestSniffIAKERB: Samba's smbclient offers IAKERB (OID 1.3.6.1.5.2.5) and
// wraps its AP-REQ in a GSS token under that OID (suricata-verify
// smb-length-5786__input.pcap frame 18, which tshark shows as KRB5_AP_REQ).
func TestSniffIAKERB(t *testing.T) {
	tok := []byte{0x60, 0x0e, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x02, 0x05, 0x01, 0x00, 0x6e, 0x02, 0x30, 0x00}
	if got := Sniff(tok); got != PayloadKRB5 {
		t.Fatalf("Sniff = %v, want %v", got, PayloadKRB5)
	}
	k, err := ParseKRB5(tok)
	if err != nil || k.OID != OIDIAKERB || k.TokID != TokIDAPReq || len(k.Inner) != 4 || k.Inner[0] != 0x6e {
		t.Fatalf("ParseKRB5 = %+v, %v", k, err)
	}
}
