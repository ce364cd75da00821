package decode

import (
	"fmt"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/ntlm"
)

// contractKinds are the message kinds spec/report-json.md names.
var contractKinds = []string{"dns_query", "dns_response", "http_request", "http_response", "as_req", "as_rep",
	"tgs_req", "tgs_rep", "ap_req", "ap_rep", "krb_error", "spnego_init", "spnego_resp", "ntlm_negotiate",
	"ntlm_challenge", "ntlm_authenticate", "smb2_session_setup_request", "smb2_session_setup_response",
	"ldap_bind_request", "ldap_bind_response"}

// TestKindNames checks that every Kind has its own name, which ParseKind
// reads back, that the contract's kinds are all there, and that the kinds
// of Kerberos and NTLMSSP message types are the names their decoders give.
func TestKindNames(t *testing.T) {
	seen := map[string]Kind{}
	for k := KindNone + 1; k < numKinds; k++ {
		name := k.String()
		if name == "" {
			t.Errorf("kind %d has no name", k)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("kinds %d and %d are both %q", other, k, name)
		}
		seen[name] = k
		if got, ok := ParseKind(name); !ok || got != k {
			t.Errorf("ParseKind(%q) = %d, %v; want %d", name, got, ok, k)
		}
	}
	for _, name := range contractKinds {
		if _, ok := seen[name]; !ok {
			t.Errorf("the contract's kind %q has no Kind", name)
		}
	}
	if KindNone.String() != "" || numKinds.String() != fmt.Sprintf("kind(%d)", int(numKinds)) {
		t.Errorf("KindNone %q, out of range %q", KindNone.String(), numKinds.String())
	}
	if _, ok := ParseKind(""); ok {
		t.Error(`ParseKind("") found a kind`)
	}
	for _, mt := range []krb.MsgType{krb.MsgASReq, krb.MsgASRep, krb.MsgTGSReq, krb.MsgTGSRep, krb.MsgAPReq,
		krb.MsgAPRep, krb.MsgTGTReq, krb.MsgTGTRep, krb.MsgSafe, krb.MsgPriv, krb.MsgCred, krb.MsgKRBError} {
		if got := krbKind(mt).String(); got != mt.Kind() {
			t.Errorf("Kerberos %s: kind %q, want %q", mt, got, mt.Kind())
		}
	}
	for _, mt := range []ntlm.MsgType{ntlm.Negotiate, ntlm.Challenge, ntlm.Authenticate, 0, 7} {
		if got := ntlmKind(mt).String(); got != mt.Kind() {
			t.Errorf("NTLMSSP type %d: kind %q, want %q", mt, got, mt.Kind())
		}
	}
	for _, c := range []struct {
		got, want string
	}{{CarrierNone.String(), ""}, {CarrierHTTP.String(), "http"}, {CarrierSMB2.String(), "smb2"},
		{CarrierLDAP.String(), "ldap"}, {TransportUDP.String(), "udp"}, {TransportTCP.String(), "tcp"}, {TransportNone.String(), ""}} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
