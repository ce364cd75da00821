package ldap_test

import (
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/ldap"
)

// Example reads a refused simple bind: the request keeps the bind DN and
// only the password's length, the response the result code.
func Example() {
	stream := []byte{
		// BindRequest, messageID 1, version 3, "cn=u", simple "secret"
		0x30, 0x16, 0x02, 0x01, 0x01, 0x60, 0x11, 0x02, 0x01, 0x03,
		0x04, 0x04, 'c', 'n', '=', 'u', 0x80, 0x06, 's', 'e', 'c', 'r', 'e', 't',
		// BindResponse, messageID 1, invalidCredentials
		0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x31, 0x04, 0x00, 0x04, 0x00,
	}
	for len(stream) > 0 {
		msg, n, err := ldap.SplitMessage(stream)
		if err != nil {
			panic(err)
		}
		m, err := ldap.Parse(msg)
		if err != nil {
			panic(err)
		}
		switch m.Op {
		case ldap.OpBindRequest:
			fmt.Println(m.Op, m.Name, m.Auth, m.PasswordLen, m.Credentials == nil)
		case ldap.OpBindResponse:
			fmt.Println(m.Op, m.ResultCode)
		}
		stream = stream[n:]
	}
	// Output:
	// bindRequest cn=u simple 6 true
	// bindResponse invalidCredentials
}
