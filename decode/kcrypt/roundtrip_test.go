package kcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"encoding/binary"
	"hash"
	"testing"

	"github.com/jcmturner/gokrb5/v8/crypto"

	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// Test-only encryption, written from RFC 3962 and RFC 4757 independently of
// gokrb5's decryption (CTS here is built from plain CBC; only the AES key
// derivation is gokrb5's), so that a round trip checks kcrypt's use of
// gokrb5 (usages, lengths, RC4's usage mapping) for every length; the
// lab captures check AES and rc4-hmac against real MIT krb5 output.

func ctsEncrypt(t *testing.T, key, p []byte) []byte {
	blk, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	const bs = aes.BlockSize
	if len(p) == bs {
		out := make([]byte, bs)
		blk.Encrypt(out, p)
		return out
	}
	padded := append(append([]byte(nil), p...), make([]byte, (bs-len(p)%bs)%bs)...)
	c := make([]byte, len(padded))
	cipher.NewCBCEncrypter(blk, make([]byte, bs)).CryptBlocks(c, padded)
	n := len(c) / bs
	r := len(p) - bs*(n-1)
	// swap the last two blocks and cut the (new) last one to r bytes
	out := append([]byte(nil), c[:bs*(n-2)]...)
	out = append(out, c[bs*(n-1):]...)
	return append(out, c[bs*(n-2):bs*(n-2)+r]...)
}

func hmacSum(h func() hash.Hash, key []byte, parts ...[]byte) []byte {
	m := hmac.New(h, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// dk is DK(key, usage | b) of RFC 3961 5.1, gokrb5's.
func dk(t *testing.T, key []byte, usage uint32, b byte) []byte {
	et, err := crypto.GetEtype(int32(krb.EtypeAES256SHA1))
	if err != nil {
		t.Fatal(err)
	}
	k, err := et.DeriveKey(key, append(binary.BigEndian.AppendUint32(nil, usage), b))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rc4Usage maps RFC 4120 key usages to the message types of RFC 4757 3.
func rc4Usage(usage uint32) []byte {
	switch usage {
	case 3, 9:
		usage = 8
	case 23:
		usage = 13
	}
	return binary.LittleEndian.AppendUint32(nil, usage)
}

func aesSHA1Encrypt(t *testing.T, key, plain []byte, usage uint32) []byte {
	ke, ki := dk(t, key, usage, 0xAA), dk(t, key, usage, 0x55)
	p := append(bytes.Repeat([]byte{0x5a}, 16), plain...) // confounder
	h := hmac.New(sha1.New, ki)
	h.Write(p)
	return append(ctsEncrypt(t, ke, p), h.Sum(nil)[:12]...)
}

func rc4Encrypt(t *testing.T, key, plain []byte, usage uint32) []byte {
	k1 := hmacSum(md5.New, key, rc4Usage(usage))
	p := append(bytes.Repeat([]byte{0xa5}, 8), plain...)
	sum := hmacSum(md5.New, k1, p)
	c, err := rc4.NewCipher(hmacSum(md5.New, k1, sum))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(p))
	c.XORKeyStream(out, p)
	return append(sum, out...)
}

func TestRoundTrip(t *testing.T) {
	rc4Key, _ := stringToKey(krb.EtypeRC4HMAC, "Alice-Lab-Pw1", "", "")
	aesKey, _ := stringToKey(krb.EtypeAES256SHA1, "www-key-2", "KERBTRACE.TESTHTTPwww.kerbtrace.test", "")
	for n := 0; n < 70; n++ {
		plain := bytes.Repeat([]byte{byte(n)}, n)
		for _, tc := range []struct {
			e   krb.Etype
			key []byte
			ct  []byte
		}{
			{krb.EtypeRC4HMAC, rc4Key, rc4Encrypt(t, rc4Key, plain, 3)},
			{krb.EtypeAES256SHA1, aesKey, aesSHA1Encrypt(t, aesKey, plain, 11)},
		} {
			usage := uint32(3)
			if tc.e == krb.EtypeAES256SHA1 {
				usage = 11
			}
			got, err := decrypt(tc.e, tc.key, tc.ct, usage)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%s, %d bytes: %x, %v", tc.e, n, got, err)
			}
			// rc4-hmac maps usage 3 and 9 to 8 (RFC 4757 3)
			if tc.e == krb.EtypeRC4HMAC {
				if _, err := decrypt(tc.e, tc.key, tc.ct, 8); err != nil {
					t.Fatalf("rc4 usage 8: %v", err)
				}
			}
			if _, err := decrypt(tc.e, tc.key, tc.ct, usage+1); err == nil {
				t.Fatalf("%s: another usage decrypted", tc.e)
			}
		}
	}
}
