package kcrypt

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// String-to-key through kcrypt's plumbing (etype, salt, s2kparams, RC4's
// UTF-16): the lab's keytab (4096 iterations, the default), RFC 3962 B
// (other iteration counts, as s2kparams), RFC 8009 A, and NT hashes.
func TestStringToKey(t *testing.T) {
	rfc8009Salt := string(unhex(t, "10df9dd783e5bc8acea1730e74355f61")) + "ATHENA.MIT.EDUraeburn"
	tests := []struct {
		e                  krb.Etype
		pass, salt, params string
		want               string
	}{
		// lab: HTTP/www.kerbtrace.test kvno 2 "www-key-2", keys as klist -K shows them.
		{krb.EtypeAES256SHA1, "www-key-2", "KERBTRACE.TESTHTTPwww.kerbtrace.test", "", "fe4acccfe8fae96c6da8d2e841233d038d3d40f6e6356b3a39723a9f57f2f410"},
		{krb.EtypeAES128SHA1, "www-key-2", "KERBTRACE.TESTHTTPwww.kerbtrace.test", "", "00322dae7fa0303d0d2adf8f1d071cb9"},
		// RFC 3962 B: iteration counts 1, 2, 1200 and 5.
		{krb.EtypeAES128SHA1, "password", "ATHENA.MIT.EDUraeburn", "00000001", "42263c6e89f4fc28b8df68ee09799f15"},
		{krb.EtypeAES256SHA1, "password", "ATHENA.MIT.EDUraeburn", "00000002", "a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff"},
		{krb.EtypeAES256SHA1, "password", "ATHENA.MIT.EDUraeburn", "000004b0", "55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a"},
		{krb.EtypeAES256SHA1, "password", string(unhex(t, "1234567878563412")), "00000005", "97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31"},
		// RFC 8009 A (32768 iterations, the default).
		{krb.EtypeAES128SHA256, "password", rfc8009Salt, "", "089bca48b105ea6ea77ca5d2f39dc5e7"},
		{krb.EtypeAES256SHA384, "password", rfc8009Salt, "", "45bd806dbf6a833a9cffc1c94589a222367a79bc21c413718906e9f578a78467"},
		// NT hashes (MD4 of UTF-16LE); the non-ASCII ones were computed
		// with kcrypt's former MD4, independent of x/crypto's.
		{krb.EtypeRC4HMAC, "password", "", "", "8846f7eaee8fb117ad06bdd830b7586c"},
		{krb.EtypeRC4HMAC, "Pässwörd€", "", "", "04e9d4087e1303bea8e5239aa5ddd064"},
		{krb.EtypeRC4HMAC, "p😀ss", "", "", "b1847a4f90ec6e6793d813f9992e54a5"},
	}
	for _, tc := range tests {
		k, err := stringToKey(tc.e, tc.pass, tc.salt, tc.params)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(k); got != tc.want {
			t.Errorf("%s s2k(%q, %q, %q) = %s, want %s", tc.e, tc.pass, tc.salt, tc.params, got, tc.want)
		}
	}
	if _, err := stringToKey(krb.EtypeDES3CBCSHA1, "password", "salt", ""); err == nil {
		t.Error("des3 string-to-key accepted")
	}
	if _, err := stringToKey(krb.EtypeAES256SHA1, "password", "salt", "zz"); err == nil {
		t.Error("bad s2kparams accepted")
	}
}

// RFC 8009 A: encryption vectors, decrypted (usage 2).
func TestDecryptRFC8009(t *testing.T) {
	tests := []struct {
		e     krb.Etype
		key   string
		plain string
		ct    string
	}{
		{krb.EtypeAES128SHA256, "3705d96080c17728a0e800eab6e0d23c", "", "ef85fb890bb8472f4dab20394dca781dad877eda39d50c870c0d5a0a8e48c718"},
		{krb.EtypeAES128SHA256, "3705d96080c17728a0e800eab6e0d23c", "000102030405", "84d7f30754ed987bab0bf3506beb09cfb55402cef7e6877ce99e247e52d16ed4421dfdf8976c"},
		{krb.EtypeAES128SHA256, "3705d96080c17728a0e800eab6e0d23c", "000102030405060708090a0b0c0d0e0f", "3517d640f50ddc8ad3628722b3569d2ae07493fa8263254080ea65c1008e8fc295fb4852e7d83e1e7c48c37eebe6b0d3"},
		{krb.EtypeAES128SHA256, "3705d96080c17728a0e800eab6e0d23c", "000102030405060708090a0b0c0d0e0f1011121314", "720f73b18d9859cd6ccb4346115cd336c70f58edc0c4437c5573544c31c813bce1e6d072c186b39a413c2f92ca9b8334a287ffcbfc"},
		{krb.EtypeAES256SHA384, "6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52", "", "41f53fa5bfe7026d91faf9be959195a058707273a96a40f0a01960621ac612748b9bbfbe7eb4ce3c"},
		{krb.EtypeAES256SHA384, "6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52", "000102030405060708090a0b0c0d0e0f1011121314", "40013e2df58e8751957d2878bcd2d6fe101ccfd556cb1eae79db3c3ee86429f2b2a602ac86fef6ecb647d6295fae077a1feb517508d2c16b4192e01f62"},
	}
	for i, tc := range tests {
		p, err := decrypt(tc.e, unhex(t, tc.key), unhex(t, tc.ct), 2)
		if err != nil {
			t.Errorf("%d: %v", i, err)
			continue
		}
		if got := hex.EncodeToString(p); got != tc.plain {
			t.Errorf("%d: plain %s, want %s", i, got, tc.plain)
		}
		ct := unhex(t, tc.ct)
		ct[0] ^= 1
		if _, err := decrypt(tc.e, unhex(t, tc.key), ct, 2); err != errIntegrity {
			t.Errorf("%d: flipped bit: %v", i, err)
		}
	}
}

// Short ciphertexts and keys of the wrong size are errors, never panics
// (gokrb5's DecryptMessage slices without checking).
func TestDecryptLengths(t *testing.T) {
	for e, kl := range keyLens {
		for n := 0; n < 80; n++ {
			_, err := decrypt(e, make([]byte, kl), make([]byte, n), 2)
			if err == nil {
				t.Errorf("%s: %d zero bytes decrypted", e, n)
			}
		}
		if _, err := decrypt(e, make([]byte, kl+1), make([]byte, 64), 2); err == nil {
			t.Errorf("%s: wrong key length accepted", e)
		}
	}
	if _, err := decrypt(krb.EtypeDES3CBCSHA1, make([]byte, 24), make([]byte, 64), 2); err == nil {
		t.Error("des3 accepted")
	}
}

// PRF: RFC 8009 A ("test"); for AES-SHA1 (no RFC vector), values of
// kcrypt's former standard-library PRF, which opened the lab's FAST
// TGS-REPs (decode/decrypt_test.go checks those end to end).
func TestPRF(t *testing.T) {
	tests := []struct {
		e        krb.Etype
		key, out string
	}{
		{krb.EtypeAES128SHA256, "3705d96080c17728a0e800eab6e0d23c", "9d188616f63852fe86915bb840b4a886ff3e6bb0f819b49b893393d393854295"},
		{krb.EtypeAES256SHA384, "6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52", "9801f69a368c2bf675e59521e177d9a07f67efe1cfde8d3c8d6f6a0256e3b17db3c1b62ad1b8553360d17367eb1514d2"},
		{krb.EtypeAES128SHA1, "000102030405060708090a0b0c0d0e0f", "859bfee93fa17ce57b1acdbc480e3314"},
		{krb.EtypeAES256SHA1, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "c8e16d23675eee1f3109dd6c795012e0"},
	}
	for _, tc := range tests {
		if got := hex.EncodeToString(prf(tc.e, unhex(t, tc.key), []byte("test"))); got != tc.out {
			t.Errorf("%s PRF = %s, want %s", tc.e, got, tc.out)
		}
	}
	if prf(krb.EtypeRC4HMAC, make([]byte, 16), []byte("test")) != nil {
		t.Error("rc4-hmac PRF")
	}
	if prf(krb.EtypeAES256SHA1, make([]byte, 7), []byte("test")) != nil {
		t.Error("PRF with a 7-byte key")
	}
}

// KRB-FX-CF2 (RFC 6113 5.1), against the former implementation's values.
func TestCF2(t *testing.T) {
	k := func(e krb.Etype, h string) *key { return &key{Entry: Entry{Etype: e}, value: unhex(t, h)} }
	tests := []struct {
		k1, k2 *key
		want   string
	}{
		{k(krb.EtypeAES256SHA1, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
			k(krb.EtypeAES256SHA1, "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100"),
			"5b94c6bd8bc8e443e5b272336d9e9932913d6ed64f39e4ba997237dbe201b8fd"},
		{k(krb.EtypeAES128SHA1, "000102030405060708090a0b0c0d0e0f"), k(krb.EtypeAES128SHA1, "0f0e0d0c0b0a09080706050403020100"),
			"3442f94cfb4060c05358b9f6bfb464f1"},
	}
	for _, tc := range tests {
		got := cf2(tc.k1, tc.k2, "a", "b")
		if got == nil || hex.EncodeToString(got.value) != tc.want || got.Etype != tc.k1.Etype {
			t.Errorf("%s cf2 = %+v, want %s", tc.k1.Etype, got, tc.want)
		}
	}
	if cf2(k(krb.EtypeRC4HMAC, "000102030405060708090a0b0c0d0e0f"), k(krb.EtypeRC4HMAC, "000102030405060708090a0b0c0d0e0f"), "a", "b") != nil {
		t.Error("rc4-hmac cf2")
	}
}

// guard turns a panic into an error wrapping wire.ErrMalformed.
func TestGuard(t *testing.T) {
	err := func() (err error) {
		defer guard(&err, "test")
		var b []byte
		_ = b[3]
		return nil
	}()
	if err == nil || !errors.Is(err, wire.ErrMalformed) || !strings.HasPrefix(err.Error(), "kcrypt: test failed: runtime error") {
		t.Errorf("guard: %v", err)
	}
}
