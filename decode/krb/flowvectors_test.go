package krb

import (
	"errors"
	"reflect"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/internal/flowvectors"
)

// The two Negotiate tokens quoted in /work/shared/spec/flow.md ("Test
// vectors from the reference trace"), both cut short by a text export. The
// spnego package tests the wrapping; here the Kerberos message inside is
// taken at its fixed offset.
const (
	flowServerToken = flowvectors.ServerToken
	flowClientToken = flowvectors.ClientToken
)

// decodeCut decodes base64 that may stop mid-quantum, keeping every whole
// byte (what a lenient HTTP header decoder does).
func decodeCut(t *testing.T, s string) []byte {
	t.Helper()
	b, err := flowvectors.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFlowServerAPRep(t *testing.T) {
	tok := decodeCut(t, flowServerToken)
	if len(tok) != 174 {
		t.Fatalf("token is %d bytes, flow.md says 174", len(tok))
	}
	// a1 81 b6 NegTokenResp ... a2 81 9e 04 81 9b (responseToken)
	// 60 81 98 06 09 2a864886f712010202 (krb5 OID) 02 00 (TOK_ID AP-REP),
	// then the AP-REP at offset 0x2e.
	inner := tok[0x2e:]
	m, err := Parse(inner)
	if !errors.Is(err, wire.ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	want := Message{
		Type: MsgAPRep, PVNO: 5, Truncated: true,
		EncPartEtype:     EtypeAES256SHA1,
		EncPartKvno:      -1,
		EncPartCipherLen: 110, // declared; only part of it is present
	}
	for _, d := range diff(*m, want) {
		t.Error(d)
	}
	if got := m.EncPartEtype.String(); got != "aes256-cts-hmac-sha1-96" {
		t.Errorf("etype name %q", got)
	}
}

func TestFlowClientAPReq(t *testing.T) {
	tok := decodeCut(t, flowClientToken)
	// 60 82 07 1b  06 06 2b0601050502 (SPNEGO)  a0 82 07 0f 30 82 07 0b
	// a0 30 (mechTypes, 48 bytes)  a2 82 06 d5 04 82 06 d1 (mechToken)
	// 60 82 06 cd 06 09 2a864886f712010202 01 00 (TOK_ID AP-REQ), then
	// the AP-REQ at offset 0x5f.
	inner := tok[0x5f:]
	m, err := Parse(inner)
	if !errors.Is(err, wire.ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	if !m.Truncated || m.Type != MsgAPReq || m.PVNO != 5 {
		t.Fatalf("Type=%v PVNO=%d Truncated=%v", m.Type, m.PVNO, m.Truncated)
	}
	if m.APOptions != 0x20000000 || !reflect.DeepEqual(m.APOptions.Names(), []string{"mutual-required"}) {
		t.Errorf("ap-options %#x %v", uint32(m.APOptions), m.APOptions.Names())
	}
	wantTkt := &Ticket{TktVNO: 5, Realm: "CONTOSO.COM", SName: pn(2, "HTTP"), Kvno: -1}
	for _, d := range diff(m.Ticket, wantTkt) {
		t.Error(d)
	}
	if m.Ticket.SName.TypeName() != "NT-SRV-INST" {
		t.Errorf("name type %s", m.Ticket.SName.TypeName())
	}
	// The error says where the token was cut: inside the sname strings.
	var we *wire.Error
	if !errors.As(err, &we) || we.Field != "ap-req.ticket.sname.name-string" {
		t.Errorf("error %v does not name the sname strings", err)
	}
}
