package krb

import (
	"strconv"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
)

// Etype is an encryption type number (RFC 3961 8, IANA Kerberos
// parameters; negative values are Microsoft's private ones).
type Etype int32

// The encryption types an analyst meets most.
const (
	EtypeDESCBCCRC    Etype = Etype(etypeID.DES_CBC_CRC)
	EtypeDESCBCMD5    Etype = Etype(etypeID.DES_CBC_MD5)
	EtypeDES3CBCSHA1  Etype = Etype(etypeID.DES3_CBC_SHA1_KD)
	EtypeAES128SHA1   Etype = Etype(etypeID.AES128_CTS_HMAC_SHA1_96)
	EtypeAES256SHA1   Etype = Etype(etypeID.AES256_CTS_HMAC_SHA1_96)
	EtypeAES128SHA256 Etype = Etype(etypeID.AES128_CTS_HMAC_SHA256_128)
	EtypeAES256SHA384 Etype = Etype(etypeID.AES256_CTS_HMAC_SHA384_192)
	EtypeRC4HMAC      Etype = Etype(etypeID.RC4_HMAC)
	EtypeRC4HMACExp   Etype = Etype(etypeID.RC4_HMAC_EXP)
)

// etypeNames uses the RFC 3961 / MIT krb5 spellings and the Microsoft ones
// for the negative numbers (MS-KILE, kerberos.h).
var etypeNames = map[Etype]string{
	0:                                           "null",
	Etype(etypeID.DES_CBC_CRC):                  "des-cbc-crc",
	Etype(etypeID.DES_CBC_MD4):                  "des-cbc-md4",
	Etype(etypeID.DES_CBC_MD5):                  "des-cbc-md5",
	Etype(etypeID.DES_CBC_RAW):                  "des-cbc-raw",
	Etype(etypeID.DES3_CBC_MD5):                 "des3-cbc-md5",
	Etype(etypeID.DES3_CBC_RAW):                 "des3-cbc-raw",
	Etype(etypeID.DES3_CBC_SHA1):                "des3-cbc-sha1",
	Etype(etypeID.DES_HMAC_SHA1):                "des-hmac-sha1",
	Etype(etypeID.DSAWITHSHA1_CMSOID):           "dsaWithSHA1-CmsOID",
	Etype(etypeID.MD5WITHRSAENCRYPTION_CMSOID):  "md5WithRSAEncryption-CmsOID",
	Etype(etypeID.SHA1WITHRSAENCRYPTION_CMSOID): "sha1WithRSAEncryption-CmsOID",
	Etype(etypeID.RC2CBC_ENVOID):                "rc2CBC-EnvOID",
	Etype(etypeID.RSAENCRYPTION_ENVOID):         "rsaEncryption-EnvOID",
	Etype(etypeID.RSAES_OAEP_ENV_OID):           "rsaES-OAEP-ENV-OID",
	Etype(etypeID.DES_EDE3_CBC_ENV_OID):         "des-ede3-cbc-Env-OID",
	EtypeDES3CBCSHA1:                            "des3-cbc-sha1-kd",
	EtypeAES128SHA1:                             "aes128-cts-hmac-sha1-96",
	EtypeAES256SHA1:                             "aes256-cts-hmac-sha1-96",
	EtypeAES128SHA256:                           "aes128-cts-hmac-sha256-128",
	EtypeAES256SHA384:                           "aes256-cts-hmac-sha384-192",
	EtypeRC4HMAC:                                "rc4-hmac",
	EtypeRC4HMACExp:                             "rc4-hmac-exp",
	Etype(etypeID.CAMELLIA128_CTS_CMAC):         "camellia128-cts-cmac",
	Etype(etypeID.CAMELLIA256_CTS_CMAC):         "camellia256-cts-cmac",
	Etype(etypeID.SUBKEY_KEYMATERIAL):           "subkey-keymaterial",
	-128:                                        "rc4-md4",
	-129:                                        "rc4-plain2",
	-130:                                        "rc4-lm",
	-131:                                        "rc4-sha",
	-132:                                        "des-plain",
	-133:                                        "rc4-hmac-old",
	-134:                                        "rc4-plain-old",
	-135:                                        "rc4-hmac-old-exp",
	-136:                                        "rc4-plain-old-exp",
	-140:                                        "rc4-plain",
	-141:                                        "rc4-plain-exp",
}

// String returns the etype's name ("aes256-cts-hmac-sha1-96", "rc4-hmac")
// or "etype-N".
func (e Etype) String() string {
	if s, ok := etypeNames[e]; ok {
		return s
	}
	return "etype-" + strconv.Itoa(int(e))
}

// Weak reports whether e is a DES, RC4 or export-grade etype, the ones
// Microsoft and RFC 6649 / RFC 8429 deprecate.
func (e Etype) Weak() bool {
	switch {
	case e >= 1 && e <= 8, e == EtypeRC4HMAC, e == EtypeRC4HMACExp, e < 0:
		return true
	}
	return false
}
