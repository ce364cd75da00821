package krb

import (
	"strconv"

	pa "github.com/jcmturner/gokrb5/v8/iana/patype"
)

// PADataType is a padata-type (RFC 4120 5.2.7 and 7.5.2, IANA "Kerberos
// Pre-authentication and Typed Data", MS-KILE, MS-SFU).
type PADataType int32

// The padata types the decoder looks into, and a few the flow checks.
const (
	PATGSReq          PADataType = PADataType(pa.PA_TGS_REQ)
	PAEncTimestamp    PADataType = PADataType(pa.PA_ENC_TIMESTAMP)
	PAPWSalt          PADataType = PADataType(pa.PA_PW_SALT)
	PAETypeInfo       PADataType = PADataType(pa.PA_ETYPE_INFO)
	PAETypeInfo2      PADataType = PADataType(pa.PA_ETYPE_INFO2)
	PAPACRequest      PADataType = PADataType(pa.PA_PAC_REQUEST)
	PAForUser         PADataType = PADataType(pa.PA_FOR_USER)
	PAFXFast          PADataType = PADataType(pa.PA_FX_FAST)
	PAEncChallenge    PADataType = PADataType(pa.PA_ENCRYPTED_CHALLENGE)
	PAReqEncPARep     PADataType = PADataType(pa.PA_REQ_ENC_PA_REP)
	PAPACOptions      PADataType = 167
	PAPKASReq         PADataType = PADataType(pa.PA_PK_AS_REQ)
	PASupportedEtypes PADataType = PADataType(pa.PA_SUPPORTED_ETYPES)
)

var paNames = map[PADataType]string{
	0:                                         "PA-NONE",
	PATGSReq:                                  "PA-TGS-REQ",
	PAEncTimestamp:                            "PA-ENC-TIMESTAMP",
	PAPWSalt:                                  "PA-PW-SALT",
	PADataType(pa.PA_ENC_UNIX_TIME):           "PA-ENC-UNIX-TIME",
	PADataType(pa.PA_SANDIA_SECUREID):         "PA-SANDIA-SECUREID",
	PADataType(pa.PA_SESAME):                  "PA-SESAME",
	PADataType(pa.PA_OSF_DCE):                 "PA-OSF-DCE",
	PADataType(pa.PA_CYBERSAFE_SECUREID):      "PA-CYBERSAFE-SECUREID",
	PADataType(pa.PA_AFS3_SALT):               "PA-AFS3-SALT",
	PAETypeInfo:                               "PA-ETYPE-INFO",
	PADataType(pa.PA_SAM_CHALLENGE):           "PA-SAM-CHALLENGE",
	PADataType(pa.PA_SAM_RESPONSE):            "PA-SAM-RESPONSE",
	PADataType(pa.PA_PK_AS_REQ_OLD):           "PA-PK-AS-REQ-OLD",
	PADataType(pa.PA_PK_AS_REP_OLD):           "PA-PK-AS-REP-OLD",
	PAPKASReq:                                 "PA-PK-AS-REQ",
	PADataType(pa.PA_PK_AS_REP):               "PA-PK-AS-REP",
	PADataType(pa.PA_PK_OCSP_RESPONSE):        "PA-PK-OCSP-RESPONSE",
	PAETypeInfo2:                              "PA-ETYPE-INFO2",
	PADataType(pa.PA_USE_SPECIFIED_KVNO):      "PA-USE-SPECIFIED-KVNO",
	PADataType(pa.PA_SAM_REDIRECT):            "PA-SAM-REDIRECT",
	PADataType(pa.PA_GET_FROM_TYPED_DATA):     "PA-GET-FROM-TYPED-DATA",
	PADataType(pa.PA_SAM_ETYPE_INFO):          "PA-SAM-ETYPE-INFO",
	PADataType(pa.PA_ALT_PRINC):               "PA-ALT-PRINC",
	PADataType(pa.PA_SERVER_REFERRAL):         "PA-SERVER-REFERRAL",
	PADataType(pa.PA_SAM_CHALLENGE2):          "PA-SAM-CHALLENGE2",
	PADataType(pa.PA_SAM_RESPONSE2):           "PA-SAM-RESPONSE2",
	PADataType(pa.PA_EXTRA_TGT):               "PA-EXTRA-TGT",
	PADataType(pa.TD_PKINIT_CMS_CERTIFICATES): "TD-PKINIT-CMS-CERTIFICATES",
	PADataType(pa.TD_KRB_PRINCIPAL):           "TD-KRB-PRINCIPAL",
	PADataType(pa.TD_KRB_REALM):               "TD-KRB-REALM",
	PADataType(pa.TD_TRUSTED_CERTIFIERS):      "TD-TRUSTED-CERTIFIERS",
	PADataType(pa.TD_CERTIFICATE_INDEX):       "TD-CERTIFICATE-INDEX",
	PADataType(pa.TD_APP_DEFINED_ERROR):       "TD-APP-DEFINED-ERROR",
	PADataType(pa.TD_REQ_NONCE):               "TD-REQ-NONCE",
	PADataType(pa.TD_REQ_SEQ):                 "TD-REQ-SEQ",
	PADataType(pa.TD_DH_PARAMETERS):           "TD-DH-PARAMETERS",
	PADataType(pa.TD_CMS_DIGEST_ALGORITHMS):   "TD-CMS-DIGEST-ALGORITHMS",
	PADataType(pa.TD_CERT_DIGEST_ALGORITHMS):  "TD-CERT-DIGEST-ALGORITHMS",
	PAPACRequest:                              "PA-PAC-REQUEST",
	PAForUser:                                 "PA-FOR-USER",
	PADataType(pa.PA_FOR_X509_USER):           "PA-FOR-X509-USER",
	PADataType(pa.PA_FOR_CHECK_DUPS):          "PA-FOR-CHECK-DUPS",
	PADataType(pa.PA_AS_CHECKSUM):             "PA-AS-CHECKSUM",
	PADataType(pa.PA_FX_COOKIE):               "PA-FX-COOKIE",
	PADataType(pa.PA_AUTHENTICATION_SET):      "PA-AUTHENTICATION-SET",
	PADataType(pa.PA_AUTH_SET_SELECTED):       "PA-AUTH-SET-SELECTED",
	PAFXFast:                                  "PA-FX-FAST",
	PADataType(pa.PA_FX_ERROR):                "PA-FX-ERROR",
	PAEncChallenge:                            "PA-ENCRYPTED-CHALLENGE",
	PADataType(pa.PA_OTP_CHALLENGE):           "PA-OTP-CHALLENGE",
	PADataType(pa.PA_OTP_REQUEST):             "PA-OTP-REQUEST",
	PADataType(pa.PA_OTP_CONFIRM):             "PA-OTP-CONFIRM",
	PADataType(pa.PA_OTP_PIN_CHANGE):          "PA-OTP-PIN-CHANGE",
	PADataType(pa.PA_EPAK_AS_REQ):             "PA-EPAK-AS-REQ",
	PADataType(pa.PA_EPAK_AS_REP):             "PA-EPAK-AS-REP",
	PADataType(pa.PA_PKINIT_KX):               "PA-PKINIT-KX",
	PADataType(pa.PA_PKU2U_NAME):              "PA-PKU2U-NAME",
	PAReqEncPARep:                             "PA-REQ-ENC-PA-REP",
	PADataType(pa.PA_AS_FRESHNESS):            "PA-AS-FRESHNESS",
	151:                                       "PA-SPAKE",
	161:                                       "PA-KERB-KEY-LIST-REQ",
	162:                                       "PA-KERB-KEY-LIST-REP",
	PASupportedEtypes:                         "PA-SUPPORTED-ETYPES",
	PADataType(pa.PA_EXTENDED_ERROR):          "PA-EXTENDED-ERROR",
	PAPACOptions:                              "PA-PAC-OPTIONS",
	-1:                                        "PA-PROV-SRV-LOCATION",
}

// String returns the padata type's name ("PA-ENC-TIMESTAMP") or
// "padata-N".
func (t PADataType) String() string {
	if s, ok := paNames[t]; ok {
		return s
	}
	return "padata-" + strconv.Itoa(int(t))
}
