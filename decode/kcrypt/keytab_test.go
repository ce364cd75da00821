package kcrypt

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func TestParseKeytab(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"http-www.good.keytab", "HTTP/www.kerbtrace.test@KERBTRACE.TEST kvno 2 aes256-cts-hmac-sha1-96,HTTP/www.kerbtrace.test@KERBTRACE.TEST kvno 2 aes128-cts-hmac-sha1-96"},
		{"http-www.stale.keytab", "HTTP/www.kerbtrace.test@KERBTRACE.TEST kvno 1 aes256-cts-hmac-sha1-96,HTTP/www.kerbtrace.test@KERBTRACE.TEST kvno 1 aes128-cts-hmac-sha1-96"},
		{"krbtgt.keytab", "krbtgt/KERBTRACE.TEST@KERBTRACE.TEST kvno 2 aes256-cts-hmac-sha1-96,krbtgt/KERBTRACE.TEST@KERBTRACE.TEST kvno 2 aes128-cts-hmac-sha1-96"},
	}
	for _, tc := range tests {
		ks, err := parseKeytab(labFile(t, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if got := entryList(ks); got != tc.want {
			t.Errorf("%s: entries %s", tc.file, got)
		}
	}
	ks, _ := parseKeytab(labFile(t, "http-www.good.keytab"))
	if hex.EncodeToString(ks[0].value) != "fe4acccfe8fae96c6da8d2e841233d038d3d40f6e6356b3a39723a9f57f2f410" {
		t.Error("key value differs from klist -K")
	}
}

func entryList(ks []key) string {
	var out []string
	for _, k := range ks {
		out = append(out, k.String())
	}
	return strings.Join(out, ",")
}

// labKeytabs returns every keytab of testdata/lab/keys.
func labKeytabs(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("..", "..", "testdata", "lab", "keys", "*.keytab"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no lab keytab: %v", err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(n)] = b
	}
	return out
}

// checkKeytabErr says a keytab that did not load gave an error naming the
// file, wrapping wire's sentinels, and quoting no key byte.
func checkKeytabErr(t *testing.T, what string, err error, keys [][]byte) {
	t.Helper()
	if err == nil {
		return
	}
	if !strings.HasPrefix(err.Error(), "x.keytab: kcrypt: ") {
		t.Fatalf("%s: %v", what, err)
	}
	if !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("%s: %v", what, err)
	}
	for _, k := range keys {
		if len(k) >= 8 && (strings.Contains(err.Error(), string(k[:8])) || strings.Contains(err.Error(), hex.EncodeToString(k[:8]))) {
			t.Fatalf("%s: the error quotes a key: %q", what, err)
		}
	}
}

// Every prefix of every lab keytab is an error (a whole keytab only at an
// entry's end), never a panic; so is every single-byte damage, or it
// loads.
func TestKeytabDamaged(t *testing.T) {
	for name, b := range labKeytabs(t) {
		good, err := parseKeytab(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var keys [][]byte
		for _, k := range good {
			keys = append(keys, k.value)
		}
		ends := map[int]bool{}
		for off := 2; off+4 <= len(b); {
			off += 4 + int(binary.BigEndian.Uint32(b[off:]))
			ends[off] = true
		}
		for n := 0; n < len(b); n++ {
			var k Keys
			err := k.AddKeytab("x.keytab", b[:n])
			if err == nil && !ends[n] {
				t.Fatalf("%s: prefix %d loaded", name, n)
			}
			checkKeytabErr(t, name, err, keys)
		}
		for i := range b {
			for _, v := range []byte{0x00, 0x7f, 0x80, 0xff, b[i] ^ 1} {
				d := bytes.Clone(b)
				d[i] = v
				var k Keys
				checkKeytabErr(t, name, k.AddKeytab("x.keytab", d), keys)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		g := make([]byte, r.IntN(300))
		for j := range g {
			g[j] = byte(r.Uint32())
		}
		if len(g) >= 2 {
			g[0], g[1] = 5, byte(1+i%2)
		}
		var k Keys
		checkKeytabErr(t, "garbage", k.AddKeytab("x.keytab", g), nil)
	}
}

// Damage inside an entry is named as such, without gokrb5's quoting of the
// entry (key bytes included).
func TestKeytabDamageReason(t *testing.T) {
	b := labFile(t, "http-www.good.keytab")
	key := b[63:95] // the first entry's aes256 key, after its length 0x0020 at 61
	if b[61] != 0 || b[62] != 0x20 {
		t.Fatal("lab keytab layout changed")
	}
	tests := []struct {
		off  int
		v    byte
		want string
	}{
		{62, 0x40, "x.keytab: kcrypt: damaged keytab: a field runs past its entry (entry's length is greater than"}, // key length 64
		{9, 0xff, "x.keytab: kcrypt: damaged keytab: "},                                                             // realm length 255
		{5, 0xff, "x.keytab: kcrypt: keytab.entry at 0x6: 255 bytes announced, 174 present: truncated"},
		{1, 3, "x.keytab: kcrypt: keytab.version at 0x0: not an MIT keytab (starts 0503): malformed"},
	}
	for _, tc := range tests {
		d := bytes.Clone(b)
		d[tc.off] = tc.v
		var k Keys
		err := k.AddKeytab("x.keytab", d)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("byte %d = %#x: %v, want %s", tc.off, tc.v, err, tc.want)
		}
		checkKeytabErr(t, "reason", err, [][]byte{key})
	}
	// an entry without name components: gokrb5 reads it, kcrypt refuses it
	be := binary.BigEndian
	e := be.AppendUint16(nil, 0)
	e = append(be.AppendUint16(e, 5), "REALM"...)
	e = be.AppendUint32(e, 1)          // name type
	e = be.AppendUint32(e, 0x6b06b121) // timestamp
	e = append(e, 2)                   // kvno
	e = be.AppendUint16(e, 17)
	e = append(be.AppendUint16(e, 16), make([]byte, 16)...)
	nameless := append(be.AppendUint32([]byte{5, 2}, uint32(len(e))), e...)
	var k Keys
	if err := k.AddKeytab("x.keytab", nameless); err == nil || err.Error() != "x.keytab: kcrypt: damaged keytab: entry 1 has no principal: malformed" {
		t.Errorf("nameless entry: %v", err)
	}
	if err := k.AddKeytab("x.keytab", []byte{5, 2}); err == nil || !errors.Is(err, errEmpty) {
		t.Errorf("empty keytab: %v", err)
	}
}

// Version 0x0501 (little-endian, the realm counted among the components,
// no name type) and holes are read like 0x0502.
func TestKeytabV1AndHoles(t *testing.T) {
	good, err := parseKeytab(labFile(t, "http-www.good.keytab"))
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	str := func(b []byte, s string) []byte { return append(le.AppendUint16(b, uint16(len(s))), s...) }
	v1 := []byte{5, 1}
	for i, k := range good {
		name, realm, _ := strings.Cut(k.Principal, "@")
		comps := strings.Split(name, "/")
		e := le.AppendUint16(nil, uint16(len(comps)+1))
		e = str(e, realm)
		for _, c := range comps {
			e = str(e, c)
		}
		e = le.AppendUint32(e, 0x6b06b121)
		e = append(e, byte(k.Kvno))
		e = le.AppendUint16(e, uint16(k.Etype))
		e = str(e, string(k.value))
		v1 = append(le.AppendUint32(v1, uint32(len(e))), e...)
		if i == 0 {
			v1 = append(le.AppendUint32(v1, uint32(0xfffffff9)), make([]byte, 7)...) // a hole of 7 bytes
		}
	}
	got, err := parseKeytab(v1)
	if err != nil {
		t.Fatal(err)
	}
	if entryList(got) != entryList(good) || !bytes.Equal(got[1].value, good[1].value) {
		t.Errorf("0x0501: %s", entryList(got))
	}
}
