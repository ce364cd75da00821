package spnego

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// der encodes a DER TLV with a definite length (long form as needed).
func der(tag byte, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	n := len(body)
	switch {
	case n < 0x80:
		return append([]byte{tag, byte(n)}, body...)
	case n < 0x100:
		return append([]byte{tag, 0x81, byte(n)}, body...)
	case n < 0x10000:
		return append([]byte{tag, 0x82, byte(n >> 8), byte(n)}, body...)
	}
	return append([]byte{tag, 0x83, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

var (
	oidSPNEGO = []byte{0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}
	oidKRB5   = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02}
)

// initWith wraps the fields of a NegTokenInit in the GSS header.
func initWith(fields ...[]byte) []byte {
	return der(0x60, oidSPNEGO, der(0xa0, der(0x30, fields...)))
}

// TestBoundMechTypes checks maxMechTypes: a list of 10000 mechanisms keeps
// the first maxMechTypes, reports the excess as malformed, and still
// decodes the fields after the list.
func TestBoundMechTypes(t *testing.T) {
	var list []byte
	for range 10000 {
		list = append(list, oidKRB5...)
	}
	tok, err := Parse(initWith(der(0xa0, der(0x30, list)), der(0xa2, der(0x04, []byte("token")))))
	if !errors.Is(err, wire.ErrMalformed) || len(tok.MechTypes) != maxMechTypes {
		t.Fatalf("%v, %d mechTypes", err, len(tok.MechTypes))
	}
	if string(tok.MechToken) != "token" {
		t.Errorf("mechToken after the list: %q", tok.MechToken)
	}
	tok, err = Parse(initWith(der(0xa0, der(0x30, list[:maxMechTypes*len(oidKRB5)]))))
	if err != nil || len(tok.MechTypes) != maxMechTypes {
		t.Errorf("exactly %d mechTypes: %v, %d", maxMechTypes, err, len(tok.MechTypes))
	}
}
