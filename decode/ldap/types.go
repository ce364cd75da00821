package ldap

import "fmt"

// Op is the protocolOp choice of an LDAPMessage: the APPLICATION tag
// number (RFC 4511 4.2-4.14).
type Op int

// The LDAP operations.
const (
	OpBindRequest          Op = 0
	OpBindResponse         Op = 1
	OpUnbindRequest        Op = 2
	OpSearchRequest        Op = 3
	OpSearchResultEntry    Op = 4
	OpSearchResultDone     Op = 5
	OpModifyRequest        Op = 6
	OpModifyResponse       Op = 7
	OpAddRequest           Op = 8
	OpAddResponse          Op = 9
	OpDelRequest           Op = 10
	OpDelResponse          Op = 11
	OpModifyDNRequest      Op = 12
	OpModifyDNResponse     Op = 13
	OpCompareRequest       Op = 14
	OpCompareResponse      Op = 15
	OpAbandonRequest       Op = 16
	OpSearchResultRef      Op = 19
	OpExtendedRequest      Op = 23
	OpExtendedResponse     Op = 24
	OpIntermediateResponse Op = 25
)

var opNames = map[Op]string{
	OpBindRequest: "bindRequest", OpBindResponse: "bindResponse", OpUnbindRequest: "unbindRequest",
	OpSearchRequest: "searchRequest", OpSearchResultEntry: "searchResEntry", OpSearchResultDone: "searchResDone",
	OpModifyRequest: "modifyRequest", OpModifyResponse: "modifyResponse", OpAddRequest: "addRequest",
	OpAddResponse: "addResponse", OpDelRequest: "delRequest", OpDelResponse: "delResponse",
	OpModifyDNRequest: "modDNRequest", OpModifyDNResponse: "modDNResponse", OpCompareRequest: "compareRequest",
	OpCompareResponse: "compareResponse", OpAbandonRequest: "abandonRequest", OpSearchResultRef: "searchResRef",
	OpExtendedRequest: "extendedReq", OpExtendedResponse: "extendedResp", OpIntermediateResponse: "intermediateResponse",
}

// String returns the RFC 4511 ASN.1 name ("bindRequest", "searchResDone",
// as Wireshark shows them) or "op(N)".
func (o Op) String() string {
	if n, ok := opNames[o]; ok {
		return n
	}
	return fmt.Sprintf("op(%d)", int(o))
}

// isResult reports whether the operation is, or starts with, an LDAPResult
// (RFC 4511 4.1.9).
func (o Op) isResult() bool {
	switch o {
	case OpBindResponse, OpSearchResultDone, OpModifyResponse, OpAddResponse, OpDelResponse,
		OpModifyDNResponse, OpCompareResponse, OpExtendedResponse:
		return true
	}
	return false
}

// ResultCode is the resultCode of an LDAPResult (RFC 4511 4.1.9 and
// appendix A).
type ResultCode int

// The result codes that matter for binds; String knows all of RFC 4511's.
const (
	ResultSuccess                     ResultCode = 0
	ResultOperationsError             ResultCode = 1
	ResultProtocolError               ResultCode = 2
	ResultAuthMethodNotSupported      ResultCode = 7
	ResultStrongerAuthRequired        ResultCode = 8
	ResultConfidentialityRequired     ResultCode = 13
	ResultSaslBindInProgress          ResultCode = 14
	ResultInappropriateAuthentication ResultCode = 48
	ResultInvalidCredentials          ResultCode = 49
	ResultInsufficientAccessRights    ResultCode = 50
	ResultBusy                        ResultCode = 51
	ResultUnavailable                 ResultCode = 52
	ResultUnwillingToPerform          ResultCode = 53
	ResultOther                       ResultCode = 80
)

var resultNames = map[ResultCode]string{
	0: "success", 1: "operationsError", 2: "protocolError", 3: "timeLimitExceeded",
	4: "sizeLimitExceeded", 5: "compareFalse", 6: "compareTrue", 7: "authMethodNotSupported",
	8: "strongerAuthRequired", 10: "referral", 11: "adminLimitExceeded",
	12: "unavailableCriticalExtension", 13: "confidentialityRequired", 14: "saslBindInProgress",
	16: "noSuchAttribute", 17: "undefinedAttributeType", 18: "inappropriateMatching",
	19: "constraintViolation", 20: "attributeOrValueExists", 21: "invalidAttributeSyntax",
	32: "noSuchObject", 33: "aliasProblem", 34: "invalidDNSyntax", 36: "aliasDereferencingProblem",
	48: "inappropriateAuthentication", 49: "invalidCredentials", 50: "insufficientAccessRights",
	51: "busy", 52: "unavailable", 53: "unwillingToPerform", 54: "loopDetect",
	64: "namingViolation", 65: "objectClassViolation", 66: "notAllowedOnNonLeaf",
	67: "notAllowedOnRDN", 68: "entryAlreadyExists", 69: "objectClassModsProhibited",
	71: "affectsMultipleDSAs", 80: "other",
	118: "canceled", 119: "noSuchOperation", 120: "tooLate", 121: "cannotCancel", // RFC 3909
	122: "assertionFailed",     // RFC 4528
	123: "authorizationDenied", // RFC 4370
}

// String returns the RFC 4511 name ("invalidCredentials") or
// "resultCode(N)".
func (r ResultCode) String() string {
	if n, ok := resultNames[r]; ok {
		return n
	}
	return fmt.Sprintf("resultCode(%d)", int(r))
}

// Authentication choices of a BindRequest (Message.Auth).
const (
	AuthSimple = "simple" // [0] simple: a password
	AuthSASL   = "sasl"   // [3] SaslCredentials
	// Microsoft's NTLM binds (MS-ADTS 5.1.1.1.3): package discovery [9],
	// NTLM NEGOTIATE [10] and NTLM AUTHENTICATE [11].
	AuthSicilyPackageDiscovery = "sicilyPackageDiscovery"
	AuthSicilyNegotiate        = "sicilyNegotiate"
	AuthSicilyResponse         = "sicilyResponse"
)

// Message is a decoded LDAPMessage (RFC 4511 4.2). Fields that do not
// belong to Op are zero.
type Message struct {
	MessageID int
	Op        Op

	// BindRequest (RFC 4511 4.2).
	Version int
	Name    string // the bind DN or user name ("" for anonymous and most SASL binds)
	Auth    string // AuthSimple, AuthSASL, AuthSicily*, or "auth[N]" for other choices
	// SASLMechanism is the SASL mechanism name: "GSS-SPNEGO", "GSSAPI",
	// "EXTERNAL", "DIGEST-MD5", ...
	SASLMechanism string
	// Credentials are the SASL credentials (the GSS-API / SPNEGO token) or
	// the NTLM message of a Sicily bind, as a sub-slice of the input
	// (partial when Truncated). Always nil for a simple bind.
	Credentials []byte
	// PasswordLen is the length of a simple bind's password (0 for an
	// anonymous or unauthenticated bind); the password itself is not kept.
	PasswordLen int

	// LDAPResult of BindResponse, SearchResultDone and the other responses
	// (RFC 4511 4.1.9). For a sicilyNegotiate BindResponse, MatchedDN
	// holds the NTLM CHALLENGE message (MS-ADTS 5.1.1.1.3).
	ResultCode        ResultCode
	MatchedDN         string
	DiagnosticMessage string
	// ServerSASLCreds is the serverSaslCreds of a BindResponse (the
	// server's GSS-API token), a sub-slice of the input.
	ServerSASLCreds []byte

	// SearchRequest (RFC 4511 4.5.1): the base DN, the filter as RFC 4515
	// text (at most 128 items and 1024 bytes, then cut with "..."; the LDAP
	// ping's NtVer, DomainSid and DomainGuid shown as Wireshark does), and
	// the requested attributes (at most 64).
	BaseDN     string
	Filter     string
	Attributes []string

	// RequestName is the OID of an ExtendedRequest or ExtendedResponse
	// ("1.3.6.1.4.1.1466.20037" for StartTLS, RFC 4511 4.14).
	RequestName string

	// Truncated reports that the input ended inside the message; the
	// fields lying in the bytes present are filled.
	Truncated bool
}

// OIDStartTLS is the requestName of the StartTLS extended operation
// (RFC 4511 4.14.1).
const OIDStartTLS = "1.3.6.1.4.1.1466.20037"
