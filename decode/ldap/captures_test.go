package ldap

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// krbOIDs are the DER of the Kerberos mechanism OIDs a SPNEGO token
// offering Kerberos carries: RFC 1964's and Microsoft's legacy one.
var krbOIDs = [][]byte{
	{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02},
	{0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02},
}

func hasKrbOID(b []byte) bool {
	return bytes.Contains(b, krbOIDs[0]) || bytes.Contains(b, krbOIDs[1])
}

// isRequest reports the operations a client sends.
func isRequest(o Op) bool {
	switch o {
	case OpBindRequest, OpUnbindRequest, OpSearchRequest, OpModifyRequest, OpAddRequest, OpDelRequest,
		OpModifyDNRequest, OpCompareRequest, OpAbandonRequest, OpExtendedRequest:
		return true
	}
	return false
}

// TestSharedCaptures walks every LDAP stream and CLDAP datagram of the
// shared public captures: nothing may fail to parse but SASL buffers and
// TLS records, requests must flow to the server, and the binds and pings
// the captures are known for must be found:
//   - MS-ADOD Example 2.18: 26 GSS-SPNEGO binds with Kerberos, all
//     successful, then SASL-wrapped traffic;
//   - arkime ldap-simpleauth: simple binds whose password is in no field;
//   - suricata-verify bug-8619: CLDAP pings with NtVer.
func TestSharedCaptures(t *testing.T) {
	const adod18 = "ms-prot-od-netcaps/MS-ADOD_Example2_18_WS2019v2004_X64_Win10v2004_X64_Domain_ManageAccessControlOnDirectoryObjects.pcapng"
	var total, sasl, tls int
	krbBinds, okResponses, simple, pings := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	pcaptest.Shared(t, func(name string, c *pcaptest.Capture) {
		for _, p := range pdus(c) {
			total++
			switch {
			case errors.Is(p.splitErr, ErrSASLWrapped):
				sasl++
				continue
			case errors.Is(p.splitErr, ErrTLS):
				tls++
				continue
			}
			m, err := Parse(p.raw)
			if err != nil {
				if !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrUnsupported) {
					t.Errorf("%s frame %d: error outside the vocabulary: %v", name, p.frame, err)
				}
				t.Errorf("%s frame %d: %v", name, p.frame, err)
				continue
			}
			if isRequest(m.Op) != p.toServer {
				t.Errorf("%s frame %d: %v in the wrong direction", name, p.frame, m.Op)
			}
			switch {
			case m.Op == OpBindRequest && m.SASLMechanism == "GSS-SPNEGO" && hasKrbOID(m.Credentials):
				krbBinds[name]++
			case m.Op == OpBindResponse && m.ResultCode == ResultSuccess:
				okResponses[name]++
			case m.Op == OpBindRequest && m.Auth == AuthSimple:
				simple[name]++
				pw := password(p.raw)
				if m.Credentials != nil || m.PasswordLen != len(pw) || (len(pw) > 0 && strings.Contains(render(m), string(pw))) {
					t.Errorf("%s frame %d: simple bind password kept", name, p.frame)
				}
			case m.Op == OpSearchRequest && strings.Contains(m.Filter, "(NtVer=0x"):
				pings[name]++
				if !p.udp || m.Attributes[0] != "Netlogon" {
					t.Errorf("%s frame %d: LDAP ping %+v", name, p.frame, m)
				}
			}
		}
	})
	t.Logf("%d LDAP units: %d SASL buffers, %d TLS records; Kerberos binds %v; simple binds %v; pings %v",
		total, sasl, tls, krbBinds, simple, pings)
	if krbBinds[adod18] != 26 || okResponses[adod18] != 26 {
		t.Errorf("MS-ADOD 2.18: %d Kerberos binds, %d successful responses; want 26 and 26", krbBinds[adod18], okResponses[adod18])
	}
	if sasl < 1000 {
		t.Errorf("only %d SASL buffers", sasl)
	}
	if simple["arkime/ldap-simpleauth.pcap"] != 2 {
		t.Errorf("ldap-simpleauth: %d simple binds, want 2", simple["arkime/ldap-simpleauth.pcap"])
	}
	if pings["suricata-verify/bug-8619__cldap-leak.pcap"] == 0 || pings[adod18] == 0 {
		t.Errorf("LDAP pings: %v", pings)
	}
}
