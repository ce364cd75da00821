// Package flowvectors holds the two Negotiate tokens quoted in
// spec/flow.md ("Test vectors from the reference trace"), both cut short by
// the text export they were taken from, for the tests of every package that
// decodes them (spnego, krb, the token command).
package flowvectors

import "encoding/base64"

const (
	// ServerToken is 174 of the 185 bytes of the server's
	// WWW-Authenticate: Negotiate token: a NegTokenResp carrying an AP-REP.
	ServerToken = "oYG2MIGzoAMKAQChCwYJKoZIgvcSAQICooGeBIGbYIGYBgkqhkiG9xIBAgICAG+BiDCBhaADAgEFoQMCAQ+ieTB3oAMCARKicARuIF62dHj2/qKDRV5XjGKmyFl2/z6b9OHTCTKigAatXS1vZTVC1dMvtNniSN8GpXJspqNvEfbETSinF0ee7KLaprxNgTYwTrMVMnd95SoqBkm/FuY7WbTAuPvyRmUuBY3EKZEy"
	// ClientToken is the start of the client's Authorization: Negotiate
	// token: a NegTokenInit carrying an AP-REQ. It ends in the middle of a
	// base64 quantum.
	ClientToken = "YIIHGwYGKwYBBQUCoIIHDzCCBwugMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICHgYKKwYBBAGCNwICCqKCBtUEggbRYIIGzQYJKoZIhvcSAQICAQBugga8MIIGuKADAgEFoQMCAQ6iBwMFACAAAACjggTvYYIE6zCCBOegAwIBBaENGwtDT05UT1NPLkNPTaIoMCagAwIBAqEfMB0bBEhUVFAbF"
)

// Decode decodes base64 that may stop mid-quantum, keeping every whole byte
// (what a lenient HTTP header decoder does): a lone trailing 6-bit symbol
// holds no whole byte and is dropped, padding is ignored.
func Decode(s string) ([]byte, error) {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	for len(s)%4 == 1 {
		s = s[:len(s)-1]
	}
	return base64.RawStdEncoding.DecodeString(s)
}
