package krb

import "strings"

// Principal is a PrincipalName (RFC 4120 5.2.2) without its realm. Parse
// shares Components among the messages that repeat a name: read only.
type Principal struct {
	NameType   int32    // KRB5-NT-*, e.g. 1 NT-PRINCIPAL, 2 NT-SRV-INST
	Components []string // name-string, e.g. ["HTTP", "iisserver.contoso.com"]
}

// String joins the components with "/" ("HTTP/iisserver.contoso.com"); it
// is empty when the name has no components.
func (p Principal) String() string { return strings.Join(p.Components, "/") }

// AppendTo appends p.String() to b, without making the string.
func (p Principal) AppendTo(b []byte) []byte {
	for i, c := range p.Components {
		if i > 0 {
			b = append(b, '/')
		}
		b = append(b, c...)
	}
	return b
}

// Empty reports whether p.String() is "", without making it.
func (p Principal) Empty() bool {
	return len(p.Components) == 0 || len(p.Components) == 1 && p.Components[0] == ""
}

// IsZero reports whether p was absent from the message.
func (p Principal) IsZero() bool { return p.NameType == 0 && len(p.Components) == 0 }

// Ticket is the clear part of a Ticket (RFC 4120 5.3). The encrypted part
// is described by its etype, kvno and length only.
type Ticket struct {
	TktVNO    int
	Realm     string
	SName     Principal
	Etype     Etype // etype of the ticket's enc-part (the service key's)
	Kvno      int   // key version number of the service key; -1 absent
	CipherLen int   // declared ciphertext length, even when cut short
}

// ETypeInfo is an ETYPE-INFO2-ENTRY (RFC 4120 5.2.7.5) or ETYPE-INFO-ENTRY
// (5.2.7.4): an etype the KDC will accept and the salt to derive its key.
type ETypeInfo struct {
	Etype   Etype
	Salt    string
	HasSalt bool
}

// EData is the decoded e-data of a KRB-ERROR (RFC 4120 5.9.1): METHOD-DATA
// (a SEQUENCE OF PA-DATA, sent with KDC_ERR_PREAUTH_REQUIRED and friends),
// TYPED-DATA, or Microsoft's KERB-ERROR-DATA (MS-KILE 2.2.1).
type EData struct {
	// MethodData lists the padata types of a METHOD-DATA e-data.
	MethodData []PADataType
	// ETypeInfo2 holds the PA-ETYPE-INFO2 entries found in METHOD-DATA (or
	// the older PA-ETYPE-INFO ones when no ETYPE-INFO2 is present).
	ETypeInfo2 []ETypeInfo
	// TypedData lists the data-types of a TYPED-DATA e-data.
	TypedData []PADataType
	// NTStatus is the Windows status code from KERB-EXT-ERROR (MS-KILE
	// 2.2.2), found in KERB-ERROR-DATA type 3 or, as Windows KDCs send it,
	// in a 12-byte PA-PW-SALT of METHOD-DATA.
	NTStatus    NTStatus
	HasNTStatus bool
	// KerbErrType is the data-type of a KERB-ERROR-DATA (2 skew recovery,
	// 3 extended error); 0 when the e-data is not a KERB-ERROR-DATA.
	KerbErrType int32
}

// Message is one decoded Kerberos message. Which fields are set depends on
// Type; fields of a message cut short are set when they lie inside the
// bytes present, and Truncated says the input ended early. Its lists (name
// components, etypes, padata types, ETYPE-INFO2) may be shared with other
// messages that had the same (share.go): read them, never write to them.
//
// The fields of only one type are apart, behind a pointer that is set
// for that type alone, whatever the message holds: ReqBody for AS-REQ and
// TGS-REQ, ErrorInfo for KRB-ERROR (Parse sets them, even when the bytes
// end before the fields; see NewMessage). Their fields read as the
// Message's own (m.ErrorCode), but only on a message of that type. Every
// other message is the smaller for it: 224 bytes, not 352, and a capture
// keeps tens of thousands.
type Message struct {
	Type MsgType // from the APPLICATION tag
	PVNO int

	// KDC-REQ (AS-REQ, TGS-REQ): padata types and the req-body. For a
	// TGS-REQ, SName is the server requested in the body (the SPN), not
	// the krbtgt of the TGT. PAData is also set for KDC-REP.
	PAData []PADataType
	Realm  string // req-body realm; for KRB-ERROR the server's realm
	CName  Principal
	SName  Principal // for KRB-ERROR the server's name
	*ReqBody
	// TGT is the ticket of the AP-REQ inside PA-TGS-REQ (krbtgt/REALM).
	TGT *Ticket

	// KDC-REP: CRealm, CName, Ticket, and the enc-part's etype/kvno.
	CRealm string
	Ticket *Ticket // also the ticket of an AP-REQ, TGT-REP and KRB-CRED
	// ETypeInfo2 holds PA-ETYPE-INFO2 entries found in a KDC-REP's padata.
	ETypeInfo2 []ETypeInfo

	// EncPartEtype and EncPartKvno describe the enc-part of a KDC-REP,
	// AP-REP, KRB-PRIV or KRB-CRED, or the authenticator of an AP-REQ.
	// EncPartKvno is -1 when absent.
	EncPartEtype Etype
	// AP-REQ.
	APOptions APOptions
	// Truncated says the bytes ended before the message did.
	Truncated        bool
	EncPartKvno      int
	EncPartCipherLen int

	*ErrorInfo
}

// ReqBody is the part of a KDC-REQ's req-body (RFC 4120 5.4.1) that no
// other message has; its names and realm are the Message's.
type ReqBody struct {
	KDCOptions KDCOptions
	Nonce      uint32
	From       Time
	Till       Time
	RTime      Time
	Etypes     []Etype
	// AdditionalTickets are the req-body additional-tickets (user-to-user,
	// S4U2Proxy).
	AdditionalTickets []Ticket
}

// ErrorInfo is the part of a KRB-ERROR (RFC 4120 5.9.1) that no other
// message has; its names and realms are the Message's. CTime/CUSec are
// optional; STime/SUSec the server's clock (KerberosTime has whole
// seconds, the microseconds are apart).
type ErrorInfo struct {
	ErrorCode ErrorCode
	STime     Time
	SUSec     int
	CTime     Time
	CUSec     int
	EText     string
	EData     *EData
	// EDataLen is the length of the raw e-data (0 when absent).
	EDataLen int
}

// NewMessage returns an empty Message of type t, with the fields of that
// type set up (ReqBody or ErrorInfo) and EncPartKvno -1 (absent). A
// message and its fields are one allocation (320 bytes).
func NewMessage(t MsgType) *Message {
	var m *Message
	switch t {
	case MsgASReq, MsgTGSReq:
		x := &struct {
			m Message
			b ReqBody
		}{}
		m, x.m.ReqBody = &x.m, &x.b
	case MsgKRBError:
		x := &struct {
			m Message
			e ErrorInfo
		}{}
		m, x.m.ErrorInfo = &x.m, &x.e
	default:
		m = &Message{}
	}
	m.Type, m.EncPartKvno = t, -1
	return m
}

// ReqFields returns the KDC-REQ fields of m, zero for any other message.
func (m *Message) ReqFields() ReqBody {
	if m.ReqBody == nil {
		return ReqBody{}
	}
	return *m.ReqBody
}

// ErrorFields returns the KRB-ERROR fields of m, zero for any other
// message.
func (m *Message) ErrorFields() ErrorInfo {
	if m.ErrorInfo == nil {
		return ErrorInfo{}
	}
	return *m.ErrorInfo
}
