package krb_test

import (
	"encoding/hex"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// A Windows KDC refusing a ticket for an SPN nobody registered
// (MS-RMSOD_Example2 capture, frame 66, record mark removed).
func ExampleParse() {
	b, _ := hex.DecodeString("7e5a3058a003020105a10302011ea411180f32303136303831313032323932305aa5050203080dc3a603020107a90d1b0b434f4e544f534f2e434f4daa1e301ca003020102a11530131b04485454501b0b636f6e746f736f2e636f6d")
	m, err := krb.Parse(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Type, m.ErrorCode, "-", m.ErrorCode.Meaning())
	fmt.Println("server:", m.SName, "@", m.Realm, "stime:", m.STime.Time().Format("2006-01-02 15:04:05"))
	// Output:
	// KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN - Server not found in Kerberos database
	// server: HTTP/contoso.com @ CONTOSO.COM stime: 2016-08-11 02:29:20
}

// A token pasted short still gives the fields it holds.
func ExampleParse_truncated() {
	// The start of an AP-REQ: pvno 5, msg-type 14, ap-options
	// mutual-required, and a ticket cut inside its realm.
	b, _ := hex.DecodeString("6e8206bc308206b8a003020105a10302010ea20703050020000000a38204ef618204eb308204e7a003020105a10d1b0b434f4e54")
	m, err := krb.Parse(b)
	fmt.Println(m.Type, m.PVNO, m.APOptions.Names(), m.Ticket.TktVNO, m.Truncated)
	fmt.Println(err)
	// Output:
	// AP-REQ 5 [mutual-required] 5 true
	// krb: ap-req.ticket.realm at 0x34: string: truncated
}
