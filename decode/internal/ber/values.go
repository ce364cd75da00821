package ber

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/intern"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// maxOIDArcs bounds the arcs of an OBJECT IDENTIFIER; real mechanism OIDs
// have fewer than 12.
const maxOIDArcs = 32

// complete returns an error when a primitive was cut short: its value is
// then unusable (a partial integer or string would mislead).
func complete(t TLV, what string) error {
	if t.Truncated {
		return errAt(t.ValueOff()+len(t.Value), what, wire.ErrTruncated)
	}
	return nil
}

// expect checks the universal tag of a primitive and that it is complete.
func expect(t TLV, tag int, what string) error {
	if !t.Is(ClassUniversal, false, tag) {
		return errAt(t.Off, what, fmt.Errorf("tag %d/%d: %w", t.Class, t.Tag, wire.ErrMalformed))
	}
	return complete(t, what)
}

// Int decodes an INTEGER (X.690 8.3) of at most 8 octets.
func Int(t TLV) (int64, error) {
	if err := expect(t, TagInteger, "integer"); err != nil {
		return 0, err
	}
	return intValue(t, "integer")
}

// Enumerated decodes an ENUMERATED (X.690 8.4).
func Enumerated(t TLV) (int64, error) {
	if err := expect(t, TagEnumerated, "enumerated"); err != nil {
		return 0, err
	}
	return intValue(t, "enumerated")
}

func intValue(t TLV, what string) (int64, error) {
	v := t.Value
	if len(v) == 0 || len(v) > 8 {
		return 0, errAt(t.Off, what, wire.ErrMalformed)
	}
	n := int64(int8(v[0])) // sign-extend the first octet
	for _, c := range v[1:] {
		n = n<<8 | int64(c)
	}
	return n, nil
}

// Int32 decodes an INTEGER that must fit Kerberos' Int32.
func Int32(t TLV) (int32, error) {
	n, err := Int(t)
	if err != nil {
		return 0, err
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, errAt(t.Off, "int32", wire.ErrMalformed)
	}
	return int32(n), nil
}

// UInt32 decodes Kerberos' UInt32 (nonce, kvno). Windows has been seen
// encoding nonces as negative 4-octet INTEGERs (Wireshark tolerates it too),
// so any value in the int32 or uint32 range is accepted and returned modulo
// 2^32.
func UInt32(t TLV) (uint32, error) {
	n, err := Int(t)
	if err != nil {
		return 0, err
	}
	if n < -1<<31 || n > 1<<32-1 {
		return 0, errAt(t.Off, "uint32", wire.ErrMalformed)
	}
	return uint32(n), nil
}

// BitString32 decodes a BIT STRING (X.690 8.6) into its first 32 bits,
// bit 0 being the most significant bit of the result, as Kerberos flags
// (RFC 4120 5.2.8) are numbered. Shorter strings are zero-padded.
func BitString32(t TLV) (uint32, error) {
	if err := expect(t, TagBitString, "bit string"); err != nil {
		return 0, err
	}
	v := t.Value
	if len(v) == 0 || v[0] > 7 {
		return 0, errAt(t.Off, "bit string", wire.ErrMalformed)
	}
	var n uint32
	for i := 0; i < 4; i++ {
		n <<= 8
		if 1+i < len(v) {
			n |= uint32(v[1+i])
		}
	}
	return n, nil
}

// OctetString returns the content of an OCTET STRING, which may be partial
// when t.Truncated is set: callers decide whether a partial value is useful.
func OctetString(t TLV) ([]byte, error) {
	if !t.Is(ClassUniversal, false, TagOctetString) {
		return nil, errAt(t.Off, "octet string", fmt.Errorf("tag %d/%d: %w", t.Class, t.Tag, wire.ErrMalformed))
	}
	return t.Value, nil
}

// String decodes a complete GeneralString (KerberosString, RFC 4120 5.2.1).
// IA5String and UTF8String are accepted too. The bytes are returned as they
// are; output code escapes them.
func String(t TLV) (string, error) {
	if t.Class != ClassUniversal || t.Constructed {
		return "", errAt(t.Off, "string", wire.ErrMalformed)
	}
	switch t.Tag {
	case TagGeneralString, 12, 22, 19, 26: // UTF8String, IA5String, PrintableString, VisibleString
	default:
		return "", errAt(t.Off, "string", fmt.Errorf("tag %d: %w", t.Tag, wire.ErrMalformed))
	}
	if err := complete(t, "string"); err != nil {
		return "", err
	}
	// Realms and name components repeat in every message of a capture:
	// share one copy.
	return intern.Bytes(t.Value), nil
}

// GeneralizedTime decodes KerberosTime, a GeneralizedTime of the form
// YYYYMMDDHHMMSSZ (RFC 4120 5.2.3). Fractions, accepted by BER but
// forbidden by Kerberos, are tolerated.
func GeneralizedTime(t TLV) (time.Time, error) {
	if err := expect(t, TagGeneralizedTime, "time"); err != nil {
		return time.Time{}, err
	}
	if tm, ok := kerberosTime(t.Value); ok {
		return tm, nil
	}
	s := string(t.Value)
	tm, err := time.Parse("20060102150405Z", s)
	if err != nil {
		tm, err = time.Parse("20060102150405.999999999Z", s)
	}
	if err != nil {
		return time.Time{}, errAt(t.Off, "time", wire.ErrMalformed)
	}
	return tm, nil
}

// OID decodes an OBJECT IDENTIFIER (X.690 8.19) to dotted form.
func OID(t TLV) (string, error) {
	if err := expect(t, TagOID, "oid"); err != nil {
		return "", err
	}
	s, err := OIDString(t.Value)
	if err != nil {
		return "", errAt(t.Off, "oid", wire.ErrMalformed)
	}
	return s, nil
}

// errOID is returned by OIDString for content that is not an OID.
var errOID = fmt.Errorf("ber: oid: %w", wire.ErrMalformed)

// OIDString decodes the content octets of an OBJECT IDENTIFIER.
func OIDString(v []byte) (string, error) {
	if len(v) == 0 || v[len(v)-1]&0x80 != 0 {
		return "", errOID
	}
	var buf [128]byte
	sb := buf[:0]
	arcs := 0
	var arc uint64
	for _, c := range v {
		if arc > 1<<56 {
			return "", errOID
		}
		arc = arc<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			continue
		}
		if arcs == 0 {
			// The first subidentifier packs the first two arcs (8.19.4).
			first := min(arc/40, 2)
			sb = strconv.AppendUint(sb, first, 10)
			sb = append(sb, '.')
			sb = strconv.AppendUint(sb, arc-40*first, 10)
			arcs = 2
		} else {
			sb = append(sb, '.')
			sb = strconv.AppendUint(sb, arc, 10)
			arcs++
		}
		if arcs > maxOIDArcs {
			return "", errOID
		}
		arc = 0
	}
	// Mechanism OIDs are a handful of values: share one copy of each.
	return intern.Bytes(sb), nil
}

// kerberosTime decodes the exact form RFC 4120 5.2.3 prescribes,
// YYYYMMDDHHMMSSZ, without going through time.Parse. It reports false for
// anything else, including out-of-range fields, so that time.Parse decides
// (and rejects) those as before.
func kerberosTime(v []byte) (time.Time, bool) {
	if len(v) != 15 || v[14] != 'Z' {
		return time.Time{}, false
	}
	var n [7]int // year, month, day, hour, minute, second
	widths := [6]int{4, 2, 2, 2, 2, 2}
	p := 0
	for i, w := range widths {
		for range w {
			c := v[p]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			n[i] = n[i]*10 + int(c-'0')
			p++
		}
	}
	year, month, day, hour, minute, sec := n[0], n[1], n[2], n[3], n[4], n[5]
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	tm := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if tm.Day() != day { // the 31st of a 30-day month, February 29th, ...
		return time.Time{}, false
	}
	return tm, true
}
