package krb

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{MsgASReq.String(), "AS-REQ"},
		{MsgKRBError.String(), "KRB-ERROR"},
		{MsgType(99).String(), "msg-type-99"},
		{MsgTGSReq.Kind(), "tgs_req"},
		{MsgKRBError.Kind(), "krb_error"},
		{MsgCred.Kind(), "krb_22"},
		{EtypeAES256SHA1.String(), "aes256-cts-hmac-sha1-96"},
		{EtypeAES128SHA1.String(), "aes128-cts-hmac-sha1-96"},
		{EtypeRC4HMAC.String(), "rc4-hmac"},
		{EtypeDESCBCMD5.String(), "des-cbc-md5"},
		{EtypeDES3CBCSHA1.String(), "des3-cbc-sha1-kd"},
		{EtypeAES256SHA384.String(), "aes256-cts-hmac-sha384-192"},
		{Etype(-135).String(), "rc4-hmac-old-exp"},
		{Etype(99).String(), "etype-99"},
		{ErrSPrincipalUnknown.String(), "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
		{ErrSkew.String(), "KRB_AP_ERR_SKEW"},
		{ErrResponseTooBig.String(), "KRB_ERR_RESPONSE_TOO_BIG"},
		{ErrPreauthRequired.String(), "KDC_ERR_PREAUTH_REQUIRED"},
		{ErrorCode(41).String(), "KRB_AP_ERR_MODIFIED"},
		{ErrorCode(68).String(), "KDC_ERR_WRONG_REALM"},
		{ErrorCode(93).String(), "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS"},
		{ErrorCode(30).String(), "error-30"},
		{ErrSkew.Meaning(), "Clock skew too great"},
		{ErrorCode(30).Meaning(), ""},
		{PATGSReq.String(), "PA-TGS-REQ"},
		{PAEncTimestamp.String(), "PA-ENC-TIMESTAMP"},
		{PAETypeInfo2.String(), "PA-ETYPE-INFO2"},
		{PAPACRequest.String(), "PA-PAC-REQUEST"},
		{PAFXFast.String(), "PA-FX-FAST"},
		{PAPACOptions.String(), "PA-PAC-OPTIONS"},
		{PAReqEncPARep.String(), "PA-REQ-ENC-PA-REP"},
		{PADataType(200).String(), "padata-200"},
		{StatusAccountLockedOut.String(), "STATUS_ACCOUNT_LOCKED_OUT"},
		{StatusAccountDisabled.String(), "STATUS_ACCOUNT_DISABLED"},
		{StatusAccountExpired.String(), "STATUS_ACCOUNT_EXPIRED"},
		{StatusPasswordExpired.String(), "STATUS_PASSWORD_EXPIRED"},
		{StatusLogonFailure.String(), "STATUS_LOGON_FAILURE"},
		{StatusWrongPassword.String(), "STATUS_WRONG_PASSWORD"},
		{StatusInvalidLogonHours.String(), "STATUS_INVALID_LOGON_HOURS"},
		{StatusInvalidWorkstation.String(), "STATUS_INVALID_WORKSTATION"},
		{StatusTimeDifferenceAtDC.String(), "STATUS_TIME_DIFFERENCE_AT_DC"},
		{StatusNoSuchUser.String(), "STATUS_NO_SUCH_USER"},
		{NTStatus(0xc00000bb).String(), "STATUS_NOT_SUPPORTED"},
		{NTStatus(0xc0001234).String(), "0xc0001234"},
		{pn(2, "HTTP", "iisserver.contoso.com").String(), "HTTP/iisserver.contoso.com"},
		{Principal{}.String(), ""},
		{string(pn(2, "HTTP", "iisserver.contoso.com").AppendTo([]byte("x "))), "x HTTP/iisserver.contoso.com"},
		{string(pn(1, "", "").AppendTo(nil)), "/"},
		{string(Principal{}.AppendTo(nil)), ""},
		{strconv.FormatBool(Principal{}.Empty()), "true"},
		{strconv.FormatBool(pn(1, "").Empty()), "true"},
		{strconv.FormatBool(pn(1, "", "").Empty()), "false"},
		{strconv.FormatBool(pn(1, "u").Empty()), "false"},
		{pn(10, "a@B").TypeName(), "NT-ENTERPRISE"},
		{pn(77).TypeName(), "name-type-77"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestFlagNames(t *testing.T) {
	cases := []struct {
		got  []string
		want []string
	}{
		// ndpi/kerberos.pcap frame 1: tshark "kdc-options: 40810010"
		{KDCOptions(0x40810010).Names(), []string{"forwardable", "renewable", "canonicalize", "renewable-ok"}},
		{KDCOptions(0x00020000).Names(), []string{"cname-in-addl-tkt"}},
		{KDCOptions(0x00000008).Names(), []string{"enc-tkt-in-skey"}},
		{KDCOptions(0x00100000).Names(), []string{"opt-hardware-auth"}},
		{KDCOptions(0x00200000).Names(), []string{"bit-10"}}, // unused in RFC 4120
		{APOptions(0x20000000).Names(), []string{"mutual-required"}},
		{APOptions(0x60000000).Names(), []string{"use-session-key", "mutual-required"}},
		{APOptions(0x00000001).Names(), []string{"bit-31"}},
		// flow.md: klist shows 0x40a10000
		{TicketFlags(0x40a10000).Names(), []string{"forwardable", "renewable", "pre_authent", "name_canonicalize"}},
		{TicketFlags(0x00040000).Names(), []string{"ok_as_delegate"}},
		{KDCOptions(0).Names(), nil},
	}
	for i, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%d: got %v, want %v", i, c.got, c.want)
		}
	}
	for _, o := range []APOptions{0, 0x20000000, 0x60000000, 0x00000001, 0x60000001} {
		if got, want := string(o.AppendNames([]byte("x"), ",")), "x"+strings.Join(o.Names(), ","); got != want {
			t.Errorf("%#x: AppendNames %q, want %q", uint32(o), got, want)
		}
	}
	if !APOptions(0x20000000).MutualRequired() || APOptions(0x40000000).MutualRequired() {
		t.Error("MutualRequired")
	}
	if !KDCOptions(0x40000000).Has(1) || KDCOptions(0x40000000).Has(-1) || KDCOptions(1).Has(32) {
		t.Error("Has")
	}
	if !EtypeRC4HMAC.Weak() || !EtypeDESCBCMD5.Weak() || EtypeAES256SHA1.Weak() || !Etype(-128).Weak() {
		t.Error("Weak")
	}
}
