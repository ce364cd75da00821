package dns_test

import (
	"encoding/hex"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/dns"
)

// The DC locator answer of MS-ADOD Example 1.3 (frame 3): the SRV record
// for _ldap._tcp.dc._msdcs.contoso.com and its glue address.
func ExampleParse() {
	b, _ := hex.DecodeString("263d85800001000100000001055f6c646170045f746370026463065f6d7364637307636f6e746f736f03636f6d0000210001c00c002100010000025800170000006401850350444307636f6e746f736f03636f6d00c0440001000100000e100004c0a80001")
	m, err := dns.Parse(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.RCode, m.Questions[0].Type, m.Questions[0].Name)
	for _, rr := range m.Answers {
		fmt.Println(rr.Type, rr.Data)
	}
	for _, rr := range m.Additional { // glue: not an answer, so not in Addrs
		fmt.Println(rr.Name, rr.Addr)
	}
	// Output:
	// NOERROR SRV _ldap._tcp.dc._msdcs.contoso.com
	// SRV 0 100 389 PDC.contoso.com
	// PDC.contoso.com 192.168.0.1
}
