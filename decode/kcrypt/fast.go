package kcrypt

import (
	"crypto/aes"
	"crypto/sha1"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/rfc8009"

	"github.com/kerbtrace/kerbtrace/decode/internal/ber"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// FAST (RFC 6113) as MIT clients use it for the TGS exchange: the TGT of
// the PA-TGS-REQ is the implicit armor, the KDC's reply carries a
// PA-FX-FAST KrbFastResponse encrypted in the armor key, and its
// strengthen-key changes the key of the TGS-REP's enc-part.

const (
	paFXFast       = 136
	usageFastRep   = 52
	pepperSubkey   = "subkeyarmor"
	pepperTicket   = "ticketarmor"
	pepperStrength = "strengthenkey"
	pepperReplyKey = "replykey"
	maxFastPending = 1024
	prfLabel       = "prf"
	// minFastKeyBytes is the shortest key cf2 combines (AES-128).
	minFastKeyBytes = 16
)

// prf is the pseudo-random function of an etype (RFC 3961 3), built from
// gokrb5's pieces: nil for the etypes without one here (rc4-hmac).
//
// It is not simply gokrb5's, which has no PRF in its EType interface and
// whose two candidates are wrong for these etypes: rfc3961.PseudoRandom
// truncates SHA-1 to GetMessageBlockByteSize, 1 byte for the AES etypes,
// where RFC 3962 6 keeps the 16-byte cipher block; and the AES-SHA2
// DeriveRandom passes the hash size in bytes where KDF-HMAC-SHA2 wants
// bits (a 4- or 6-byte output instead of RFC 8009 5's 32 or 48).
func prf(e krb.Etype, key, in []byte) (out []byte) {
	et, err := crypto.GetEtype(int32(e))
	if err != nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	switch e {
	case krb.EtypeAES128SHA1, krb.EtypeAES256SHA1:
		// RFC 3962 6: E(DK(key, "prf"), SHA-1(in) cut to one block)
		h := sha1.Sum(in)
		dk, err := et.DeriveKey(key, []byte(prfLabel))
		if err != nil {
			return nil
		}
		_, c, err := et.EncryptData(dk, h[:aes.BlockSize])
		if err != nil || len(c) != aes.BlockSize {
			return nil
		}
		return c
	case krb.EtypeAES128SHA256:
		return rfc8009.KDF_HMAC_SHA2(key, []byte(prfLabel), in, 256, et)
	case krb.EtypeAES256SHA384:
		return rfc8009.KDF_HMAC_SHA2(key, []byte(prfLabel), in, 384, et)
	}
	return nil
}

// prfPlus is PRF+ of RFC 6113 5.1: PRF(key, 1 | in) | PRF(key, 2 | in) ...
// cut to n bytes.
func prfPlus(e krb.Etype, key, in []byte, n int) []byte {
	var out []byte
	for i := byte(1); len(out) < n && i < 16; i++ {
		p := prf(e, key, append([]byte{i}, in...))
		if len(p) == 0 {
			return nil
		}
		out = append(out, p...)
	}
	if len(out) < n {
		return nil
	}
	return out[:n]
}

// cf2 is KRB-FX-CF2 (RFC 6113 5.1): random-to-key(PRF+(k1, pepper1) XOR
// PRF+(k2, pepper2)), a key of k1's etype (gokrb5's random-to-key, the
// identity for AES). gokrb5 has no KRB-FX-CF2. It returns nil when an
// etype has no PRF here.
func cf2(k1, k2 *key, p1, p2 string) *key {
	if k1 == nil || k2 == nil {
		return nil
	}
	n := len(k1.value)
	if n < minFastKeyBytes {
		return nil
	}
	a, b := prfPlus(k1.Etype, k1.value, []byte(p1), n), prfPlus(k2.Etype, k2.value, []byte(p2), n)
	if a == nil || b == nil {
		return nil
	}
	out := make([]byte, n)
	for i := range out {
		out[i] = a[i] ^ b[i]
	}
	et, err := crypto.GetEtype(int32(k1.Etype))
	if err != nil {
		return nil
	}
	return &key{Entry: Entry{Etype: k1.Etype}, value: et.RandomToKey(out)}
}

// fastState is what a TGS-REQ leaves for its reply: the armor key and the
// keys the reply key may be.
type fastState struct {
	armor   *key
	subkey  *key
	session *key
}

// parseFastResponse reads the strengthen-key of KrbFastResponse ::=
// SEQUENCE { padata [0], strengthen-key [1] EncryptionKey OPTIONAL,
// finished [2] OPTIONAL, nonce [3] } (RFC 6113 5.4.3).
func parseFastResponse(b []byte) *key {
	t, err := ber.ReadTop(b)
	if err != nil || !t.Is(ber.ClassUniversal, true, ber.TagSequence) {
		return nil
	}
	d := newPdec("krb-fast-response")
	var k *key
	d.Fields(t, func(tag int, f ber.TLV) {
		if tag == 1 {
			k = d.encKey("strengthen-key", f)
		}
	})
	if k == nil || len(k.value) == 0 {
		return nil
	}
	return k
}

// fastReply finds the enc-fast-rep of PA-FX-FAST-REPLY ::= CHOICE {
// armored-data [0] KrbFastArmoredRep ::= SEQUENCE { enc-fast-rep [0]
// EncryptedData } } in a padata value.
func (d *xdec) fastReply(v ber.TLV) *encData {
	t, err := ber.Read(v.Value, 0, v.ValueOff(), false)
	if err != nil || !t.IsContext(0) {
		return nil
	}
	var e *encData
	d.Fields(t, func(tag int, f ber.TLV) {
		if tag == 0 {
			e = d.encData(f)
		}
	})
	return e
}

// tgsFast decrypts the FAST reply of a TGS-REP and returns the candidate
// reply keys with their usages: the strengthened subkey (9) and session
// key (8).
func (s *Session) tgsFast(e *encData, conn string) []usedKey {
	fs, ok := s.fast[conn]
	if !ok || e == nil || fs.armor == nil {
		return nil
	}
	plain, err := decrypt(e.etype, fs.armor.value, e.cipher, usageFastRep)
	if err != nil {
		return nil
	}
	sk := parseFastResponse(plain)
	if sk == nil {
		return nil
	}
	var out []usedKey
	if k := cf2(sk, fs.subkey, pepperStrength, pepperReplyKey); k != nil {
		out = append(out, usedKey{k, usageTGSRepSub})
	}
	if k := cf2(sk, fs.session, pepperStrength, pepperReplyKey); k != nil {
		out = append(out, usedKey{k, usageTGSRepSess})
	}
	return out
}

// usedKey is a candidate key with the usage to try it with.
type usedKey struct {
	k     *key
	usage uint32
}

// rememberFast keeps the armor of a TGS-REQ for its reply.
func (s *Session) rememberFast(conn string, session, subkey *key) {
	if conn == "" || session == nil || subkey == nil {
		return
	}
	armor := cf2(subkey, session, pepperSubkey, pepperTicket)
	if armor == nil {
		return
	}
	if len(s.fast) >= maxFastPending {
		clear(s.fast)
	}
	s.fast[conn] = fastState{armor: armor, subkey: subkey, session: session}
}
