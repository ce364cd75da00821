package krb

import "fmt"

// NTStatus is a Windows NTSTATUS (MS-ERREF 2.3) as carried in KERB-EXT-ERROR
// (MS-KILE 2.2.2). It says why a KDC refused, e.g. which of locked out,
// disabled or expired lies behind KDC_ERR_CLIENT_REVOKED.
type NTStatus uint32

// The NTSTATUS values a Windows KDC reports for logon failures.
const (
	StatusSuccess                NTStatus = 0x00000000
	StatusLogonFailure           NTStatus = 0xC000006D
	StatusWrongPassword          NTStatus = 0xC000006A
	StatusAccountRestriction     NTStatus = 0xC000006E
	StatusInvalidLogonHours      NTStatus = 0xC000006F
	StatusInvalidWorkstation     NTStatus = 0xC0000070
	StatusPasswordExpired        NTStatus = 0xC0000071
	StatusAccountDisabled        NTStatus = 0xC0000072
	StatusNoSuchUser             NTStatus = 0xC0000064
	StatusTimeDifferenceAtDC     NTStatus = 0xC0000133
	StatusAccountExpired         NTStatus = 0xC0000193
	StatusPasswordMustChange     NTStatus = 0xC0000224
	StatusAccountLockedOut       NTStatus = 0xC0000234
	StatusLogonTypeNotGranted    NTStatus = 0xC000015B
	StatusAuthFirewallFailed     NTStatus = 0xC0000413
	StatusSmartcardLogonRequired NTStatus = 0xC00002FA
)

// ntStatusNames spells the codes as MS-ERREF 2.3.1 does.
var ntStatusNames = map[NTStatus]string{
	StatusSuccess:                "STATUS_SUCCESS",
	0xC000000D:                   "STATUS_INVALID_PARAMETER",
	0xC0000016:                   "STATUS_MORE_PROCESSING_REQUIRED",
	0xC0000022:                   "STATUS_ACCESS_DENIED",
	0xC000005E:                   "STATUS_NO_LOGON_SERVERS",
	0xC000005F:                   "STATUS_NO_SUCH_LOGON_SESSION",
	StatusNoSuchUser:             "STATUS_NO_SUCH_USER",
	StatusWrongPassword:          "STATUS_WRONG_PASSWORD",
	0xC000006C:                   "STATUS_PASSWORD_RESTRICTION",
	StatusLogonFailure:           "STATUS_LOGON_FAILURE",
	StatusAccountRestriction:     "STATUS_ACCOUNT_RESTRICTION",
	StatusInvalidLogonHours:      "STATUS_INVALID_LOGON_HOURS",
	StatusInvalidWorkstation:     "STATUS_INVALID_WORKSTATION",
	StatusPasswordExpired:        "STATUS_PASSWORD_EXPIRED",
	StatusAccountDisabled:        "STATUS_ACCOUNT_DISABLED",
	0xC000009A:                   "STATUS_INSUFFICIENT_RESOURCES",
	0xC00000BB:                   "STATUS_NOT_SUPPORTED",
	0xC00000DF:                   "STATUS_NO_SUCH_DOMAIN",
	StatusTimeDifferenceAtDC:     "STATUS_TIME_DIFFERENCE_AT_DC",
	StatusLogonTypeNotGranted:    "STATUS_LOGON_TYPE_NOT_GRANTED",
	0xC000018A:                   "STATUS_NO_TRUST_LSA_SECRET",
	0xC000018B:                   "STATUS_NO_TRUST_SAM_ACCOUNT",
	0xC000018C:                   "STATUS_TRUSTED_DOMAIN_FAILURE",
	StatusAccountExpired:         "STATUS_ACCOUNT_EXPIRED",
	0xC0000198:                   "STATUS_NOLOGON_INTERDOMAIN_TRUST_ACCOUNT",
	0xC0000199:                   "STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT",
	0xC000019A:                   "STATUS_NOLOGON_SERVER_TRUST_ACCOUNT",
	StatusPasswordMustChange:     "STATUS_PASSWORD_MUST_CHANGE",
	0xC0000225:                   "STATUS_NOT_FOUND",
	StatusAccountLockedOut:       "STATUS_ACCOUNT_LOCKED_OUT",
	StatusSmartcardLogonRequired: "STATUS_SMARTCARD_LOGON_REQUIRED",
	0xC0000320:                   "STATUS_PKINIT_FAILURE",
	0xC0000388:                   "STATUS_DOWNGRADE_DETECTED",
	StatusAuthFirewallFailed:     "STATUS_AUTHENTICATION_FIREWALL_FAILED",
}

// String returns the status name ("STATUS_ACCOUNT_LOCKED_OUT") or the
// value as "0x%08x".
func (s NTStatus) String() string {
	if n, ok := ntStatusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("0x%08x", uint32(s))
}
