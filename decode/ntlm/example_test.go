package ntlm_test

import (
	"encoding/base64"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/ntlm"
)

// A CHALLENGE_MESSAGE from arkime/smb-smb1-ascii.pcap (frame 10), as a
// server would send it base64-encoded in "WWW-Authenticate: NTLM ...".
func ExampleParse() {
	tok := "TlRMTVNTUAACAAAABgAGADgAAAAVgoniAAAAAPviNCIAAAAAAAAAAH4AfgA+AAAABgGxHQAAAA9MAEEAQgACAAYATABBAEIAAQAGAEQAQwAzAAQAGgBsAGEAYgAuAGQAbwBtAGEAaQBuAC4AZQB4AAMAIgBkAGMAMwAuAGwAYQBiAC4AZABvAG0AYQBpAG4ALgBlAHgABQASAGQAbwBtAGEAaQBuAC4AZQB4AAcACABG/pXRrX3QAQAAAAA="
	b, _ := base64.StdEncoding.DecodeString(tok)
	m, err := ntlm.Parse(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Type.Kind(), m.TargetName, m.ServerChallenge, m.Version)
	fmt.Println(m.Flags.Names()[:3])
	for _, p := range m.TargetInfo {
		fmt.Printf("%v=%s\n", p.ID, p.Value)
	}
	// Output:
	// ntlm_challenge LAB 00000000fbe23422 6.1.7601 (NTLM rev 15)
	// [NTLMSSP_NEGOTIATE_UNICODE NTLMSSP_REQUEST_TARGET NTLMSSP_NEGOTIATE_SIGN]
	// MsvAvNbDomainName=LAB
	// MsvAvNbComputerName=DC3
	// MsvAvDnsDomainName=lab.domain.ex
	// MsvAvDnsComputerName=dc3.lab.domain.ex
	// MsvAvDnsTreeName=domain.ex
	// MsvAvTimestamp=2015-04-23T10:11:09.2826694Z
}
