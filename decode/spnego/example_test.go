package spnego_test

import (
	"encoding/hex"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// The server's answer to an SMB2 SESSION_SETUP (zeek smb2_krb.pcap frame
// 14, first bytes): SPNEGO accepted, Kerberos AP-REP inside.
func ExampleParse() {
	b, _ := hex.DecodeString("a181b63081b3a0030a0100a10b06092a864882f712010202a2819e04819b60819806092a864886f71201020202006f8188308185a003020105a10302010fa2793077a003020112a270046e")
	tok, err := spnego.Parse(b)
	fmt.Println(tok.Kind, tok.NegState, tok.SupportedMech.Name())
	fmt.Println("cut:", tok.Truncated, err)
	k, _ := spnego.ParseKRB5(tok.ResponseToken)
	fmt.Printf("inner: %s tok_id %#04x, %d bytes of Kerberos (0x%02x = AP-REP)\n", k.OID.Name(), k.TokID, len(k.Inner), k.Inner[0])
	// Output:
	// negTokenResp accept-completed MS KRB5 - Microsoft Kerberos 5
	// cut: true spnego: negTokenResp.responseToken at 0x4b: content: truncated
	// inner: KRB5 - Kerberos 5 tok_id 0x0200, 29 bytes of Kerberos (0x6f = AP-REP)
}

// Sniff routes a security token without decoding it.
func ExampleSniff() {
	fmt.Println(spnego.Sniff([]byte("NTLMSSP\x00\x01\x00\x00\x00")))
	fmt.Println(spnego.Sniff([]byte{0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x02}))
	// Output:
	// ntlmssp
	// spnego
}
