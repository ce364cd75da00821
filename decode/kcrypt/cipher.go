package kcrypt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// errIntegrity is what a wrong key gives: the checksum over the decrypted
// bytes does not match.
var errIntegrity = errors.New("kcrypt: integrity check failed (wrong key)")

// keyLens are the etypes kcrypt decrypts, with their key lengths. The
// lengths are kept here because gokrb5 says 24 bytes for
// aes256-cts-hmac-sha384-192, whose keys are 32 (RFC 8009 5). gokrb5 also
// does des3-cbc-sha1-kd, which kcrypt leaves out (reported unsupported).
var keyLens = map[krb.Etype]int{
	krb.EtypeAES128SHA1:   16,
	krb.EtypeAES256SHA1:   32,
	krb.EtypeAES128SHA256: 16,
	krb.EtypeAES256SHA384: 32,
	krb.EtypeRC4HMAC:      16,
}

// Supported reports whether kcrypt can decrypt with etype e.
func Supported(e krb.Etype) bool { _, ok := keyLens[e]; return ok }

// etypeOf returns gokrb5's implementation of a supported etype.
func etypeOf(e krb.Etype) (etype.EType, error) {
	if !Supported(e) {
		return nil, fmt.Errorf("kcrypt: etype %s is not supported", e)
	}
	return crypto.GetEtype(int32(e))
}

// minCipher is the shortest ciphertext of an etype: confounder and
// checksum. gokrb5's DecryptMessage slices by these lengths unchecked.
func minCipher(et etype.EType) int {
	return et.GetConfounderByteSize() + et.GetHMACBitLength()/8
}

// guard turns a panic of gokrb5 into an error; defer it.
func guard(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("kcrypt: %s failed: %v: %w", what, r, wire.ErrMalformed)
	}
}

// decrypt decrypts ct with key for usage (RFC 3961 key usages) with
// gokrb5, checking every length first.
func decrypt(e krb.Etype, key, ct []byte, usage uint32) (plain []byte, err error) {
	et, err := etypeOf(e)
	if err != nil {
		return nil, err
	}
	if len(key) != keyLens[e] {
		return nil, fmt.Errorf("kcrypt: %s key of %d bytes (want %d)", e, len(key), keyLens[e])
	}
	if len(ct) < minCipher(et) {
		return nil, fmt.Errorf("kcrypt: %s ciphertext of %d bytes is too short", e, len(ct))
	}
	defer guard(&err, e.String()+" decryption")
	p, err := et.DecryptMessage(key, ct, usage)
	if err != nil {
		if strings.Contains(err.Error(), "integrity") {
			return nil, errIntegrity
		}
		return nil, fmt.Errorf("kcrypt: %s: %v", e, err)
	}
	return p, nil
}

// stringToKey derives the key of a password for etype e with gokrb5 (RFC
// 3962 4, RFC 8009 4, RFC 4757 2). params are the s2kparams in hex, ""
// for the etype's default (4096 or 32768 PBKDF2 iterations).
func stringToKey(e krb.Etype, password, salt, params string) (k []byte, err error) {
	et, err := etypeOf(e)
	if err != nil {
		return nil, err
	}
	defer guard(&err, "string-to-key")
	if e == krb.EtypeRC4HMAC {
		// The NT hash is MD4 of the UTF-16LE password. gokrb5's
		// rfc4757.StringToKey places each character at its UTF-8 byte
		// offset (a wrong key for any non-ASCII password, an error past
		// U+FFFF); its RC4 RandomToKey is that MD4 of the bytes given.
		return et.RandomToKey(utf16LE(password)), nil
	}
	if params == "" {
		params = et.GetDefaultStringToKeyParams()
	}
	k, err = et.StringToKey(password, salt, params)
	if err != nil {
		return nil, fmt.Errorf("kcrypt: %s string-to-key: %v", e, err)
	}
	return k, nil
}

func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}
