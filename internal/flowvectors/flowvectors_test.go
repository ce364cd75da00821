package flowvectors

import "testing"

func TestDecodeLengths(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want int
	}{
		{"server token", ServerToken, 174},
		{"client token", ClientToken, 174},
		{"padded", "TlRMTQ==", 4},
		{"lone symbol", "TlRMTVNTUAA1x", 9},
	} {
		b, err := Decode(c.in)
		if err != nil || len(b) != c.want {
			t.Errorf("%s: %d bytes, %v; want %d", c.name, len(b), err, c.want)
		}
	}
}
