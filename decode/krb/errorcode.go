package krb

import (
	"strconv"

	ec "github.com/jcmturner/gokrb5/v8/iana/errorcode"
)

// ErrorCode is a KRB-ERROR error-code (RFC 4120 7.5.9, RFC 4556, RFC 6113,
// RFC 8636, MS-KILE).
type ErrorCode int32

// The error codes the flow and findings refer to.
const (
	ErrCPrincipalUnknown  ErrorCode = ErrorCode(ec.KDC_ERR_C_PRINCIPAL_UNKNOWN)
	ErrSPrincipalUnknown  ErrorCode = ErrorCode(ec.KDC_ERR_S_PRINCIPAL_UNKNOWN)
	ErrPrincipalNotUnique ErrorCode = ErrorCode(ec.KDC_ERR_PRINCIPAL_NOT_UNIQUE)
	ErrPolicy             ErrorCode = ErrorCode(ec.KDC_ERR_POLICY)
	ErrBadOption          ErrorCode = ErrorCode(ec.KDC_ERR_BADOPTION)
	ErrEtypeNoSupp        ErrorCode = ErrorCode(ec.KDC_ERR_ETYPE_NOSUPP)
	ErrClientRevoked      ErrorCode = ErrorCode(ec.KDC_ERR_CLIENT_REVOKED)
	ErrKeyExpired         ErrorCode = ErrorCode(ec.KDC_ERR_KEY_EXPIRED)
	ErrPreauthFailed      ErrorCode = ErrorCode(ec.KDC_ERR_PREAUTH_FAILED)
	ErrPreauthRequired    ErrorCode = ErrorCode(ec.KDC_ERR_PREAUTH_REQUIRED)
	ErrTktExpired         ErrorCode = ErrorCode(ec.KRB_AP_ERR_TKT_EXPIRED)
	ErrSkew               ErrorCode = ErrorCode(ec.KRB_AP_ERR_SKEW)
	ErrModified           ErrorCode = ErrorCode(ec.KRB_AP_ERR_MODIFIED)
	ErrResponseTooBig     ErrorCode = ErrorCode(ec.KRB_ERR_RESPONSE_TOO_BIG)
	ErrGeneric            ErrorCode = ErrorCode(ec.KRB_ERR_GENERIC)
	ErrWrongRealm         ErrorCode = ErrorCode(ec.KDC_ERR_WRONG_REALM)
)

type codeInfo struct{ name, meaning string }

// errorCodes follows the names and texts of RFC 4120 7.5.9, completed by
// RFC 4556 (PKINIT, 62-81), RFC 6113 (FAST, 90-93), RFC 8636 (100) and the
// IAKERB draft (85-86); Microsoft calls 14 KDC_ERR_ETYPE_NOTSUPP.
var errorCodes = map[ErrorCode]codeInfo{
	ErrorCode(ec.KDC_ERR_NONE):                          {"KDC_ERR_NONE", "No error"},
	ErrorCode(ec.KDC_ERR_NAME_EXP):                      {"KDC_ERR_NAME_EXP", "Client's entry in database has expired"},
	ErrorCode(ec.KDC_ERR_SERVICE_EXP):                   {"KDC_ERR_SERVICE_EXP", "Server's entry in database has expired"},
	ErrorCode(ec.KDC_ERR_BAD_PVNO):                      {"KDC_ERR_BAD_PVNO", "Requested protocol version number not supported"},
	ErrorCode(ec.KDC_ERR_C_OLD_MAST_KVNO):               {"KDC_ERR_C_OLD_MAST_KVNO", "Client's key encrypted in old master key"},
	ErrorCode(ec.KDC_ERR_S_OLD_MAST_KVNO):               {"KDC_ERR_S_OLD_MAST_KVNO", "Server's key encrypted in old master key"},
	ErrCPrincipalUnknown:                                {"KDC_ERR_C_PRINCIPAL_UNKNOWN", "Client not found in Kerberos database"},
	ErrSPrincipalUnknown:                                {"KDC_ERR_S_PRINCIPAL_UNKNOWN", "Server not found in Kerberos database"},
	ErrPrincipalNotUnique:                               {"KDC_ERR_PRINCIPAL_NOT_UNIQUE", "Multiple principal entries in database"},
	ErrorCode(ec.KDC_ERR_NULL_KEY):                      {"KDC_ERR_NULL_KEY", "The client or server has a null key"},
	ErrorCode(ec.KDC_ERR_CANNOT_POSTDATE):               {"KDC_ERR_CANNOT_POSTDATE", "Ticket not eligible for postdating"},
	ErrorCode(ec.KDC_ERR_NEVER_VALID):                   {"KDC_ERR_NEVER_VALID", "Requested starttime is later than end time"},
	ErrPolicy:                                           {"KDC_ERR_POLICY", "KDC policy rejects request"},
	ErrBadOption:                                        {"KDC_ERR_BADOPTION", "KDC cannot accommodate requested option"},
	ErrEtypeNoSupp:                                      {"KDC_ERR_ETYPE_NOSUPP", "KDC has no support for encryption type"},
	ErrorCode(ec.KDC_ERR_SUMTYPE_NOSUPP):                {"KDC_ERR_SUMTYPE_NOSUPP", "KDC has no support for checksum type"},
	ErrorCode(ec.KDC_ERR_PADATA_TYPE_NOSUPP):            {"KDC_ERR_PADATA_TYPE_NOSUPP", "KDC has no support for padata type"},
	ErrorCode(ec.KDC_ERR_TRTYPE_NOSUPP):                 {"KDC_ERR_TRTYPE_NOSUPP", "KDC has no support for transited type"},
	ErrClientRevoked:                                    {"KDC_ERR_CLIENT_REVOKED", "Clients credentials have been revoked"},
	ErrorCode(ec.KDC_ERR_SERVICE_REVOKED):               {"KDC_ERR_SERVICE_REVOKED", "Credentials for server have been revoked"},
	ErrorCode(ec.KDC_ERR_TGT_REVOKED):                   {"KDC_ERR_TGT_REVOKED", "TGT has been revoked"},
	ErrorCode(ec.KDC_ERR_CLIENT_NOTYET):                 {"KDC_ERR_CLIENT_NOTYET", "Client not yet valid; try again later"},
	ErrorCode(ec.KDC_ERR_SERVICE_NOTYET):                {"KDC_ERR_SERVICE_NOTYET", "Server not yet valid; try again later"},
	ErrKeyExpired:                                       {"KDC_ERR_KEY_EXPIRED", "Password has expired; change password to reset"},
	ErrPreauthFailed:                                    {"KDC_ERR_PREAUTH_FAILED", "Pre-authentication information was invalid"},
	ErrPreauthRequired:                                  {"KDC_ERR_PREAUTH_REQUIRED", "Additional pre-authentication required"},
	ErrorCode(ec.KDC_ERR_SERVER_NOMATCH):                {"KDC_ERR_SERVER_NOMATCH", "Requested server and ticket don't match"},
	ErrorCode(ec.KDC_ERR_MUST_USE_USER2USER):            {"KDC_ERR_MUST_USE_USER2USER", "Server principal valid for user2user only"},
	ErrorCode(ec.KDC_ERR_PATH_NOT_ACCEPTED):             {"KDC_ERR_PATH_NOT_ACCEPTED", "KDC Policy rejects transited path"},
	ErrorCode(ec.KDC_ERR_SVC_UNAVAILABLE):               {"KDC_ERR_SVC_UNAVAILABLE", "A service is not available"},
	ErrorCode(ec.KRB_AP_ERR_BAD_INTEGRITY):              {"KRB_AP_ERR_BAD_INTEGRITY", "Integrity check on decrypted field failed"},
	ErrTktExpired:                                       {"KRB_AP_ERR_TKT_EXPIRED", "Ticket expired"},
	ErrorCode(ec.KRB_AP_ERR_TKT_NYV):                    {"KRB_AP_ERR_TKT_NYV", "Ticket not yet valid"},
	ErrorCode(ec.KRB_AP_ERR_REPEAT):                     {"KRB_AP_ERR_REPEAT", "Request is a replay"},
	ErrorCode(ec.KRB_AP_ERR_NOT_US):                     {"KRB_AP_ERR_NOT_US", "The ticket isn't for us"},
	ErrorCode(ec.KRB_AP_ERR_BADMATCH):                   {"KRB_AP_ERR_BADMATCH", "Ticket and authenticator don't match"},
	ErrSkew:                                             {"KRB_AP_ERR_SKEW", "Clock skew too great"},
	ErrorCode(ec.KRB_AP_ERR_BADADDR):                    {"KRB_AP_ERR_BADADDR", "Incorrect net address"},
	ErrorCode(ec.KRB_AP_ERR_BADVERSION):                 {"KRB_AP_ERR_BADVERSION", "Protocol version mismatch"},
	ErrorCode(ec.KRB_AP_ERR_MSG_TYPE):                   {"KRB_AP_ERR_MSG_TYPE", "Invalid msg type"},
	ErrModified:                                         {"KRB_AP_ERR_MODIFIED", "Message stream modified"},
	ErrorCode(ec.KRB_AP_ERR_BADORDER):                   {"KRB_AP_ERR_BADORDER", "Message out of order"},
	43:                                                  {"KRB_AP_ERR_ILL_CR_TKT", "Illegal cross-realm ticket"},
	ErrorCode(ec.KRB_AP_ERR_BADKEYVER):                  {"KRB_AP_ERR_BADKEYVER", "Specified version of key is not available"},
	ErrorCode(ec.KRB_AP_ERR_NOKEY):                      {"KRB_AP_ERR_NOKEY", "Service key not available"},
	ErrorCode(ec.KRB_AP_ERR_MUT_FAIL):                   {"KRB_AP_ERR_MUT_FAIL", "Mutual authentication failed"},
	ErrorCode(ec.KRB_AP_ERR_BADDIRECTION):               {"KRB_AP_ERR_BADDIRECTION", "Incorrect message direction"},
	ErrorCode(ec.KRB_AP_ERR_METHOD):                     {"KRB_AP_ERR_METHOD", "Alternative authentication method required"},
	ErrorCode(ec.KRB_AP_ERR_BADSEQ):                     {"KRB_AP_ERR_BADSEQ", "Incorrect sequence number in message"},
	ErrorCode(ec.KRB_AP_ERR_INAPP_CKSUM):                {"KRB_AP_ERR_INAPP_CKSUM", "Inappropriate type of checksum in message"},
	ErrorCode(ec.KRB_AP_PATH_NOT_ACCEPTED):              {"KRB_AP_PATH_NOT_ACCEPTED", "Policy rejects transited path"},
	ErrResponseTooBig:                                   {"KRB_ERR_RESPONSE_TOO_BIG", "Response too big for UDP; retry with TCP"},
	ErrGeneric:                                          {"KRB_ERR_GENERIC", "Generic error (description in e-text)"},
	ErrorCode(ec.KRB_ERR_FIELD_TOOLONG):                 {"KRB_ERR_FIELD_TOOLONG", "Field is too long for this implementation"},
	ErrorCode(ec.KDC_ERROR_CLIENT_NOT_TRUSTED):          {"KDC_ERR_CLIENT_NOT_TRUSTED", "PKINIT: client certificate not trusted"},
	ErrorCode(ec.KDC_ERROR_KDC_NOT_TRUSTED):             {"KDC_ERR_KDC_NOT_TRUSTED", "PKINIT: KDC certificate not trusted"},
	ErrorCode(ec.KDC_ERROR_INVALID_SIG):                 {"KDC_ERR_INVALID_SIG", "PKINIT: invalid signature"},
	ErrorCode(ec.KDC_ERR_KEY_TOO_WEAK):                  {"KDC_ERR_KEY_TOO_WEAK", "Key too weak (PKINIT: DH key parameters not accepted)"},
	ErrorCode(ec.KDC_ERR_CERTIFICATE_MISMATCH):          {"KDC_ERR_CERTIFICATE_MISMATCH", "PKINIT: certificate does not match principal"},
	ErrorCode(ec.KRB_AP_ERR_NO_TGT):                     {"KRB_AP_ERR_NO_TGT", "No TGT available to validate USER-TO-USER"},
	ErrWrongRealm:                                       {"KDC_ERR_WRONG_REALM", "Wrong realm (referral or misrouted request)"},
	ErrorCode(ec.KRB_AP_ERR_USER_TO_USER_REQUIRED):      {"KRB_AP_ERR_USER_TO_USER_REQUIRED", "Ticket must be for USER-TO-USER"},
	ErrorCode(ec.KDC_ERR_CANT_VERIFY_CERTIFICATE):       {"KDC_ERR_CANT_VERIFY_CERTIFICATE", "PKINIT: cannot verify certificate"},
	ErrorCode(ec.KDC_ERR_INVALID_CERTIFICATE):           {"KDC_ERR_INVALID_CERTIFICATE", "PKINIT: invalid certificate"},
	ErrorCode(ec.KDC_ERR_REVOKED_CERTIFICATE):           {"KDC_ERR_REVOKED_CERTIFICATE", "PKINIT: revoked certificate"},
	ErrorCode(ec.KDC_ERR_REVOCATION_STATUS_UNKNOWN):     {"KDC_ERR_REVOCATION_STATUS_UNKNOWN", "PKINIT: revocation status unknown"},
	ErrorCode(ec.KDC_ERR_REVOCATION_STATUS_UNAVAILABLE): {"KDC_ERR_REVOCATION_STATUS_UNAVAILABLE", "PKINIT: revocation status unavailable"},
	ErrorCode(ec.KDC_ERR_CLIENT_NAME_MISMATCH):          {"KDC_ERR_CLIENT_NAME_MISMATCH", "PKINIT: client name mismatch"},
	ErrorCode(ec.KDC_ERR_KDC_NAME_MISMATCH):             {"KDC_ERR_KDC_NAME_MISMATCH", "PKINIT: KDC name mismatch"},
	77:                                                  {"KDC_ERR_INCONSISTENT_KEY_PURPOSE", "PKINIT: certificate key purpose inconsistent"},
	78:                                                  {"KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED", "PKINIT: certificate digest not accepted"},
	79:                                                  {"KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED", "PKINIT: paChecksum must be included"},
	80:                                                  {"KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED", "PKINIT: signed-data digest not accepted"},
	81:                                                  {"KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED", "PKINIT: public key encryption not supported"},
	82:                                                  {"KRB_AP_ERR_PRINCIPAL_UNKNOWN", "Principal unknown (IAKERB)"},
	83:                                                  {"KRB_AP_ERR_REALM_UNKNOWN", "Realm unknown (IAKERB)"},
	85:                                                  {"KRB_AP_ERR_IAKERB_KDC_NOT_FOUND", "IAKERB proxy could not find a KDC"},
	86:                                                  {"KRB_AP_ERR_IAKERB_KDC_NO_RESPONSE", "IAKERB proxy got no response from the KDC"},
	90:                                                  {"KDC_ERR_PREAUTH_EXPIRED", "Pre-authentication data has expired (FAST)"},
	91:                                                  {"KDC_ERR_MORE_PREAUTH_DATA_REQUIRED", "More pre-authentication data required (FAST)"},
	92:                                                  {"KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET", "Bad authentication set (FAST)"},
	93:                                                  {"KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS", "Unknown critical FAST options"},
	100:                                                 {"KDC_ERR_NO_ACCEPTABLE_KDF", "PKINIT: no acceptable key derivation function"},
}

// String returns the RFC name ("KDC_ERR_S_PRINCIPAL_UNKNOWN",
// "KRB_AP_ERR_SKEW") or "error-N".
func (c ErrorCode) String() string {
	if i, ok := errorCodes[c]; ok {
		return i.name
	}
	return "error-" + strconv.Itoa(int(c))
}

// Meaning returns the short RFC description ("Clock skew too great"), or
// "" for unknown codes.
func (c ErrorCode) Meaning() string { return errorCodes[c].meaning }
