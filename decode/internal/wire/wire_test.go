package wire

import (
	"errors"
	"testing"
)

func TestBytesBounds(t *testing.T) {
	b := []byte{1, 2, 3, 4}
	cases := []struct {
		name    string
		off, n  int
		wantErr bool
	}{
		{"all", 0, 4, false},
		{"tail", 3, 1, false},
		{"empty at end", 4, 0, false},
		{"past end", 3, 2, true},
		{"negative off", -1, 1, true},
		{"negative n", 0, -1, true},
		{"huge n", 1, int(^uint(0) >> 1), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Bytes(b, c.off, c.n)
			if (err != nil) != c.wantErr {
				t.Fatalf("Bytes(%d,%d) err=%v, want error %v", c.off, c.n, err, c.wantErr)
			}
			if err != nil && !errors.Is(err, ErrTruncated) {
				t.Fatalf("error %v is not ErrTruncated", err)
			}
		})
	}
}

func TestIntegers(t *testing.T) {
	b := []byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}
	if v, n, _ := U16LE(b, 0); v != 0x0201 || n != 2 {
		t.Errorf("U16LE = %#x,%d", v, n)
	}
	if v, _, _ := U16BE(b, 0); v != 0x0102 {
		t.Errorf("U16BE = %#x", v)
	}
	if v, _, _ := U32LE(b, 0); v != 0x04030201 {
		t.Errorf("U32LE = %#x", v)
	}
	if v, _, _ := U32BE(b, 4); v != 0x05060708 {
		t.Errorf("U32BE = %#x", v)
	}
	if v, _, _ := U64LE(b, 0); v != 0x0807060504030201 {
		t.Errorf("U64LE = %#x", v)
	}
	if _, _, err := U32LE(b, 6); !errors.Is(err, ErrTruncated) {
		t.Errorf("U32LE past end: %v", err)
	}
}

func TestUTF16LE(t *testing.T) {
	if got := UTF16LE([]byte{'J', 0, 'o', 0, 'h', 0, 'n', 0, 'x'}); got != "John" {
		t.Errorf("UTF16LE = %q", got)
	}
}

func TestErrorFormat(t *testing.T) {
	e := Errorf("ntlm", "authenticate.UserName", 0x48, ErrTruncated)
	if e.Error() != "ntlm: authenticate.UserName at 0x48: truncated" {
		t.Errorf("Error() = %q", e.Error())
	}
	if !errors.Is(e, ErrTruncated) {
		t.Error("does not unwrap to ErrTruncated")
	}
}
