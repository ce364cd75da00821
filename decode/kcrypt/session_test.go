package kcrypt

import (
	"bufio"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// vectors reads testdata/success-messages.txt: "name hex" lines.
func vectors(t testing.TB) map[string][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "success-messages.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, h, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

func labFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "lab", "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPasswordFile(t *testing.T) {
	var k Keys
	if err := k.AddPasswords("passwords.tsv", labFile(t, "passwords.tsv")); err != nil {
		t.Fatal(err)
	}
	if len(k.passwords) != 14 || k.passwords[0].principal != "alice@KERBTRACE.TEST" || k.passwords[0].kvno != 1 || k.passwords[0].secret != "Alice-Lab-Pw1" {
		t.Errorf("passwords %d, first %+v", len(k.passwords), k.passwords[0].principal)
	}
	if err := k.AddPasswords("p", []byte("bob@R\tpw\n")); err != nil || k.passwords[14].kvno != -1 {
		t.Errorf("two columns: %v", err)
	}
	for _, bad := range []string{"alice\tpw\n", "alice@R\n", "# only a comment\n"} {
		if err := k.AddPasswords("p", []byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if s := defaultSalt("HTTP/www.kerbtrace.test@KERBTRACE.TEST"); s != "KERBTRACE.TESTHTTPwww.kerbtrace.test" {
		t.Errorf("salt %s", s)
	}
}

// The messages of success.pcap decrypt in order with the krbtgt and web
// keytabs: AS-REP ticket (krbtgt), TGS-REQ TGT and authenticator, AP-REQ
// ticket and authenticator, AP-REP.
func TestSessionVectors(t *testing.T) {
	v := vectors(t)
	var k Keys
	for _, f := range []string{"krbtgt.keytab", "http-www.good.keytab"} {
		if err := k.AddKeytab(f, labFile(t, f)); err != nil {
			t.Fatal(err)
		}
	}
	s := k.NewSession()
	dec := func(name string) *Result {
		m, err := krb.Parse(v[name])
		if err != nil {
			t.Fatal(err)
		}
		return s.Decrypt(v[name], m, "c")
	}
	if r := dec("as-rep-20"); r == nil || r.Ticket == nil || r.Ticket.Part == nil || r.Ticket.Entry.Principal != "krbtgt/KERBTRACE.TEST@KERBTRACE.TEST" {
		t.Fatalf("AS-REP: %+v", r)
	}
	if r := dec("tgs-req-46"); r == nil || r.TGT == nil || r.TGT.Part == nil || r.Authenticator == nil {
		t.Fatalf("TGS-REQ: %+v", r)
	}
	r := dec("ap-req-50")
	if r == nil || r.Ticket.Part == nil || r.Authenticator == nil || !r.Authenticator.HasGSS || r.Authenticator.GSSFlags&2 == 0 {
		t.Fatalf("AP-REQ: %+v", r)
	}
	if r := dec("ap-rep-51"); r == nil || r.APRep == nil || r.APRep.CUSec != 640775 || !r.APRep.HasSeq {
		t.Fatalf("AP-REP: %+v", r)
	}
	// every prefix of the AP-REQ: nothing decrypted, nothing panics
	for n := 0; n < len(v["ap-req-50"]); n++ {
		b := v["ap-req-50"][:n]
		m, _ := krb.Parse(b)
		_ = k.NewSession().Decrypt(b, m, "c")
	}
}

// FuzzParse feeds arbitrary bytes to every parser of decrypted or
// key-file input and to a session holding the lab's keys.
func FuzzParse(f *testing.F) {
	for _, b := range vectors(f) {
		f.Add(b)
	}
	f.Add(labFile(f, "http-www.good.keytab"))
	f.Add(labFile(f, "passwords.tsv"))
	var k Keys
	_ = k.AddKeytab("good", labFile(f, "http-www.good.keytab"))
	// no password: string-to-key (PBKDF2, up to 32768 rounds) would make
	// each execution slow without testing any parsing
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseKeytab(b)
		var kk Keys
		_ = kk.AddPasswords("p", b)
		_, _ = parseEncTicketPart(b)
		_, _ = parseAuthenticator(b)
		_, _ = parseAPRepPart(b)
		_, _ = parseKDCRepPart(b)
		if m, _ := krb.Parse(b); m != nil {
			s := k.NewSession()
			_ = s.Decrypt(b, m, "c")
			_ = s.Decrypt(b, m, "c")
		}
	})
}
