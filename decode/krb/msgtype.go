package krb

import (
	"strconv"
	"strings"

	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
)

// MsgType is a Kerberos message type (RFC 4120 5.10, 7.5.7), equal to the
// message's APPLICATION tag number.
type MsgType int

// Message types.
const (
	MsgASReq    MsgType = msgtype.KRB_AS_REQ
	MsgASRep    MsgType = msgtype.KRB_AS_REP
	MsgTGSReq   MsgType = msgtype.KRB_TGS_REQ
	MsgTGSRep   MsgType = msgtype.KRB_TGS_REP
	MsgAPReq    MsgType = msgtype.KRB_AP_REQ
	MsgAPRep    MsgType = msgtype.KRB_AP_REP
	MsgTGTReq   MsgType = msgtype.KRB_RESERVED16 // user-to-user TGT request
	MsgTGTRep   MsgType = msgtype.KRB_RESERVED17 // user-to-user TGT reply
	MsgSafe     MsgType = msgtype.KRB_SAFE
	MsgPriv     MsgType = msgtype.KRB_PRIV
	MsgCred     MsgType = msgtype.KRB_CRED
	MsgKRBError MsgType = msgtype.KRB_ERROR
)

var msgTypeNames = map[MsgType]string{
	MsgASReq: "AS-REQ", MsgASRep: "AS-REP", MsgTGSReq: "TGS-REQ", MsgTGSRep: "TGS-REP",
	MsgAPReq: "AP-REQ", MsgAPRep: "AP-REP", MsgTGTReq: "TGT-REQ", MsgTGTRep: "TGT-REP",
	MsgSafe: "KRB-SAFE", MsgPriv: "KRB-PRIV", MsgCred: "KRB-CRED", MsgKRBError: "KRB-ERROR",
}

// msgTypePaths are the lower-case names of the message types, the first
// element of the field path in errors ("as-req.req-body.cname").
var msgTypePaths = func() map[MsgType]string {
	out := make(map[MsgType]string, len(msgTypeNames))
	for t, s := range msgTypeNames {
		out[t] = strings.ToLower(s)
	}
	return out
}()

// pathName is the lower-case name of t for error paths.
func (t MsgType) pathName() string {
	if s, ok := msgTypePaths[t]; ok {
		return s
	}
	return strings.ToLower(t.String())
}

// String returns "AS-REQ", "TGS-REP", "KRB-ERROR", ..., or "msg-type-N".
func (t MsgType) String() string {
	if s, ok := msgTypeNames[t]; ok {
		return s
	}
	return "msg-type-" + strconv.Itoa(int(t))
}

// Kind returns a lower-case identifier for reports: "as_req", "as_rep",
// "tgs_req", "tgs_rep", "ap_req", "ap_rep", "krb_error", otherwise "krb_N".
func (t MsgType) Kind() string {
	switch t {
	case MsgASReq:
		return "as_req"
	case MsgASRep:
		return "as_rep"
	case MsgTGSReq:
		return "tgs_req"
	case MsgTGSRep:
		return "tgs_rep"
	case MsgAPReq:
		return "ap_req"
	case MsgAPRep:
		return "ap_rep"
	case MsgKRBError:
		return "krb_error"
	}
	return "krb_" + strconv.Itoa(int(t))
}

var nameTypeNames = map[int32]string{
	nametype.KRB_NT_UNKNOWN:        "NT-UNKNOWN",
	nametype.KRB_NT_PRINCIPAL:      "NT-PRINCIPAL",
	nametype.KRB_NT_SRV_INST:       "NT-SRV-INST",
	nametype.KRB_NT_SRV_HST:        "NT-SRV-HST",
	nametype.KRB_NT_SRV_XHST:       "NT-SRV-XHST",
	nametype.KRB_NT_UID:            "NT-UID",
	nametype.KRB_NT_X500_PRINCIPAL: "NT-X500-PRINCIPAL",
	nametype.KRB_NT_SMTP_NAME:      "NT-SMTP-NAME",
	nametype.KRB_NT_ENTERPRISE:     "NT-ENTERPRISE",
	11:                             "NT-WELLKNOWN", // RFC 6111
	12:                             "NT-SRV-HST-DOMAIN",
	-128:                           "NT-MS-PRINCIPAL", // MS-KILE
	-129:                           "NT-MS-PRINCIPAL-AND-ID",
	-130:                           "NT-ENT-PRINCIPAL-AND-ID",
}

// TypeName names the principal's name type ("NT-SRV-INST"), or
// "name-type-N".
func (p Principal) TypeName() string {
	if s, ok := nameTypeNames[p.NameType]; ok {
		return s
	}
	return "name-type-" + strconv.Itoa(int(p.NameType))
}
