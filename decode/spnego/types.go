package spnego

import "strconv"

// OID is a mechanism OBJECT IDENTIFIER in dotted form.
type OID string

// The mechanisms met in Windows authentication.
const (
	OIDSPNEGO  OID = "1.3.6.1.5.5.2"          // RFC 4178
	OIDKRB5    OID = "1.2.840.113554.1.2.2"   // RFC 1964
	OIDMSKRB5  OID = "1.2.840.48018.1.2.2"    // Microsoft's legacy Kerberos OID (MS-KILE)
	OIDKRB5U2U OID = "1.2.840.113554.1.2.2.3" // Kerberos user-to-user (MS-KILE, draft-swift-win2k-krb-user2user)
	OIDNTLMSSP OID = "1.3.6.1.4.1.311.2.2.10" // MS-NLMP
	OIDNEGOEX  OID = "1.3.6.1.4.1.311.2.2.30" // MS-NEGOEX
	OIDIAKERB  OID = "1.3.6.1.5.2.5"          // IAKERB (draft-ietf-kitten-iakerb): Kerberos through the service
)

// oidNames uses Wireshark's descriptions.
var oidNames = map[OID]string{
	OIDMSKRB5:  "MS KRB5 - Microsoft Kerberos 5",
	OIDKRB5:    "KRB5 - Kerberos 5",
	OIDNTLMSSP: "NTLMSSP - Microsoft NTLM Security Support Provider",
	OIDNEGOEX:  "NEGOEX - SPNEGO Extended Negotiation Security Mechanism",
	OIDSPNEGO:  "SPNEGO",
	OIDKRB5U2U: "KRB5 - Kerberos 5 - User to User",
	OIDIAKERB:  "IAKERB - Initial and Pass Through Authentication Using Kerberos",
}

// Name describes a known mechanism ("MS KRB5 - Microsoft Kerberos 5"), or
// returns "".
func (o OID) Name() string { return oidNames[o] }

// shortNames are the labels of the known mechanisms in a list: Wireshark's
// but for user-to-user, which is "KRB5" there too, as if a list such as
// Windows servers send offered Kerberos twice.
var shortNames = map[OID]string{
	OIDMSKRB5:  "MS KRB5",
	OIDKRB5:    "KRB5",
	OIDNTLMSSP: "NTLMSSP",
	OIDNEGOEX:  "NEGOEX",
	OIDSPNEGO:  "SPNEGO",
	OIDKRB5U2U: "KRB5 U2U",
	OIDIAKERB:  "IAKERB",
}

// ShortName labels o in a list of mechanisms ("MS KRB5", "KRB5 U2U",
// "NTLMSSP"): its dotted form when it is not a known mechanism.
func (o OID) ShortName() string {
	if n, ok := shortNames[o]; ok {
		return n
	}
	return string(o)
}

// IsKerberos reports whether o is one of the Kerberos mechanism OIDs.
func (o OID) IsKerberos() bool {
	return o == OIDKRB5 || o == OIDMSKRB5 || o == OIDKRB5U2U || o == OIDIAKERB
}

// NegState is the negState of a NegTokenResp (RFC 4178 4.2.2).
type NegState int

// Negotiation states; NegStateAbsent when the field is not present.
const (
	NegStateAbsent           NegState = -1
	NegStateAcceptCompleted  NegState = 0
	NegStateAcceptIncomplete NegState = 1
	NegStateReject           NegState = 2
	NegStateRequestMIC       NegState = 3
)

// String returns "accept-completed", "accept-incomplete", "reject",
// "request-mic", "absent", or "neg-state-N".
func (s NegState) String() string {
	switch s {
	case NegStateAbsent:
		return "absent"
	case NegStateAcceptCompleted:
		return "accept-completed"
	case NegStateAcceptIncomplete:
		return "accept-incomplete"
	case NegStateReject:
		return "reject"
	case NegStateRequestMIC:
		return "request-mic"
	}
	return "neg-state-" + strconv.Itoa(int(s))
}

// Kind is the form of a token.
type Kind int

// Token kinds.
const (
	KindUnknown      Kind = iota
	KindNegTokenInit      // SPNEGO NegTokenInit / NegTokenInit2
	KindNegTokenResp      // SPNEGO NegTokenResp
	KindKRB5              // a GSS Kerberos token without SPNEGO
)

// String returns "negTokenInit", "negTokenResp", "krb5" or "unknown".
func (k Kind) String() string {
	switch k {
	case KindNegTokenInit:
		return "negTokenInit"
	case KindNegTokenResp:
		return "negTokenResp"
	case KindKRB5:
		return "krb5"
	}
	return "unknown"
}

// Token is a decoded SPNEGO token, or a raw GSS Kerberos one (KindKRB5).
type Token struct {
	Kind      Kind
	Truncated bool
	// GSSOID is the OID of the InitialContextToken header when there is
	// one (SPNEGO, or a Kerberos OID for KindKRB5); "" for a bare
	// NegotiationToken (0xa0 / 0xa1).
	GSSOID OID

	// NegTokenInit (RFC 4178 4.2.1, MS-SPNG 2.2.1).
	MechTypes    []OID
	ReqFlags     bool   // reqFlags present
	MechToken    []byte // sub-slice of the input; partial when Truncated
	HasMechToken bool
	MechListMIC  bool   // mechListMIC present (init or resp)
	NegHintsName string // NegTokenInit2 negHints hintName

	// NegTokenResp (RFC 4178 4.2.2).
	NegState         NegState
	SupportedMech    OID
	ResponseToken    []byte // sub-slice of the input; partial when Truncated
	HasResponseToken bool

	KRB5 *KRB5Token // Kind == KindKRB5
}

// DropBytes lets go of the sub-slices of the input (MechToken,
// ResponseToken, KRB5.Inner) once a reader has decoded them further and
// keeps the token: they would keep all of the input's bytes alive.
// HasMechToken and HasResponseToken still tell that they were there.
func (t *Token) DropBytes() {
	t.MechToken, t.ResponseToken = nil, nil
	if t.KRB5 != nil {
		t.KRB5.Inner = nil
	}
}

// TokID values of the Kerberos GSS mechanism (RFC 4121 4.1; the TGT ones
// for user-to-user).
const (
	TokIDAPReq    uint16 = 0x0100
	TokIDAPRep    uint16 = 0x0200
	TokIDKRBError uint16 = 0x0300
	TokIDTGTReq   uint16 = 0x0400
	TokIDTGTRep   uint16 = 0x0401
)

// KRB5Token is a Kerberos GSS-API initial context token.
type KRB5Token struct {
	OID       OID
	TokID     uint16 // 0x0100 AP-REQ, 0x0200 AP-REP, 0x0300 KRB-ERROR, 0x0400 TGT-REQ; 0 for a bare message
	Inner     []byte // the Kerberos message, a sub-slice of the input
	Truncated bool
}
