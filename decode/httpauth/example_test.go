package httpauth_test

import (
	"errors"
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/httpauth"
)

// A 401 from IIS offering Negotiate and NTLM (MS-RMSOD Example 2, frame 59,
// head shortened), arriving in two TCP segments.
func ExampleParseHead() {
	stream := []byte("HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-IIS/10.0\r\n" +
		"WWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nContent-Length: 5\r\n\r\nerror")
	_, err := httpauth.ParseHead(stream[:40])
	fmt.Println(errors.Is(err, httpauth.ErrNeedMore))

	h, err := httpauth.ParseHead(stream)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range h.WWWAuthenticate {
		fmt.Println(h.Status, c.Scheme)
	}
	n, chunked, untilClose := httpauth.BodyLength(h)
	fmt.Println(h.HeadLen, n, chunked, untilClose)
	// Output:
	// true
	// 401 Negotiate
	// 401 NTLM
	// 129 5 false false
}
