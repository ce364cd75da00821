package decode_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/kcrypt"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// labKeys loads lab keytabs (testdata/lab/keys/NAME.keytab) and password
// files (NAME ending in .tsv).
func labKeys(t *testing.T, names ...string) *kcrypt.Keys {
	t.Helper()
	k := &kcrypt.Keys{}
	for _, n := range names {
		p := filepath.Join(testutil.RepoRoot(t), "testdata", "lab", "keys", n)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(n, ".tsv") {
			err = k.AddPasswords(n, b)
		} else {
			err = k.AddKeytab(n, b)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return k
}

func dissectKeys(t *testing.T, capture string, k *kcrypt.Keys) *decode.Result {
	t.Helper()
	d := decode.NewDissector()
	d.SetKeys(k)
	if err := d.Add(capture, bytes.NewReader(readLab(t, capture))); err != nil {
		t.Fatal(err)
	}
	return d.Result()
}

func byFrame(t *testing.T, r *decode.Result, frame int, kind decode.Kind) *decode.Message {
	t.Helper()
	for i := range r.Len() {
		if m := new(r.Message(i)); m.Frame == frame && m.Kind == kind {
			return m
		}
	}
	t.Fatalf("no %s at frame %d", kind, frame)
	return nil
}

// success.pcap with the web service's good keytab: the AP-REQ of frame 50
// opens (ticket, PAC, authenticator) and so does the AP-REP of frame 51.
// Values checked against tshark -o kerberos.decrypt:TRUE with the same keytab.
func TestDecryptSuccess(t *testing.T) {
	r := dissectKeys(t, "success.pcap", labKeys(t, "http-www.good.keytab"))
	ap := byFrame(t, r, 50, decode.KindAPReq)
	if ap.Decrypted == nil || ap.Decrypted.Ticket == nil || ap.Decrypted.Ticket.Part == nil {
		t.Fatalf("ticket not decrypted: %+v", ap.Decrypted)
	}
	tk := ap.Decrypted.Ticket
	if e := tk.Entry; e.Principal != "HTTP/www.kerbtrace.test@KERBTRACE.TEST" || e.Kvno != 2 || e.Etype != 18 {
		t.Errorf("entry %+v", e)
	}
	p := tk.Part
	if p.Client() != "alice@KERBTRACE.TEST" || uint32(p.Flags) != 0x40a90000 || p.SessionEtype != 18 {
		t.Errorf("client %s flags %#x session %s", p.Client(), uint32(p.Flags), p.SessionEtype)
	}
	if got := strings.Join(p.Flags.Names(), ","); got != "forwardable,renewable,pre_authent,transited_policy_checked,name_canonicalize" {
		t.Errorf("flags %s", got)
	}
	times := p.AuthTime.Format("15:04:05") + " " + p.EndTime.Format("15:04:05") + " " + p.RenewTill.Format("2006-01-02 15:04:05")
	if times != "10:13:02 20:13:02 2026-11-26 10:13:02" || !p.StartTime.IsZero() {
		t.Errorf("times %s start %v", times, p.StartTime)
	}
	if p.PAC == nil || p.PAC.ClientInfo == nil || p.PAC.ClientInfo.Name != "alice" || len(p.PAC.Signatures) != 3 || p.PAC.LogonInfo != nil {
		t.Errorf("PAC %+v (err %s)", p.PAC, p.PACErr)
	}
	a := ap.Decrypted.Authenticator
	if a == nil {
		t.Fatalf("authenticator not decrypted: %v", ap.Decrypted.Errors)
	}
	if a.Client() != "alice@KERBTRACE.TEST" || a.CUSec != 640775 || a.SeqNumber != 1046882142 || a.SubkeyEtype != 18 {
		t.Errorf("authenticator %+v", a)
	}
	if got := strings.Join(a.GSSFlags.Names(), ","); got != "mutual,replay,confidentiality,integrity,0x100" {
		t.Errorf("GSS flags %s", got)
	}
	if d := a.CTime.Sub(ap.Time).Seconds(); d > 1 || d < -1 {
		t.Errorf("skew %.3f s", d)
	}
	rep := byFrame(t, r, 51, decode.KindAPRep)
	if rep.Decrypted == nil || rep.Decrypted.APRep == nil {
		t.Fatalf("AP-REP not decrypted: %+v", rep.Decrypted)
	}
	if !rep.Decrypted.APRep.CTime.Equal(a.CTime) {
		t.Errorf("AP-REP ctime %v, authenticator %v", rep.Decrypted.APRep.CTime, a.CTime)
	}
}

// rc4-service.pcap: the ticket of HTTP/rc4 is rc4-hmac; the keytab holds
// AES keys of another principal first, then the rc4 key.
func TestDecryptRC4(t *testing.T) {
	r := dissectKeys(t, "rc4-service.pcap", labKeys(t, "http-www-rc4.keytab"))
	for _, fr := range []struct {
		frame int
		kind  decode.Kind
	}{{47, decode.KindTGSRep}, {50, decode.KindAPReq}} {
		m := byFrame(t, r, fr.frame, fr.kind)
		if m.Decrypted == nil || m.Decrypted.Ticket == nil || m.Decrypted.Ticket.Part == nil {
			t.Fatalf("frame %d: ticket not decrypted: %+v", fr.frame, m.Decrypted)
		}
		tk := m.Decrypted.Ticket
		if tk.Etype != 23 || tk.Entry.String() != "HTTP/rc4.kerbtrace.test@KERBTRACE.TEST kvno 1 rc4-hmac" {
			t.Errorf("frame %d: etype %s entry %v", fr.frame, tk.Etype, tk.Entry)
		}
		if p := tk.Part; p.Client() != "alice@KERBTRACE.TEST" || p.PAC == nil || p.PAC.ClientInfo.Name != "alice" {
			t.Errorf("frame %d: %+v", fr.frame, p)
		}
	}
	ap := byFrame(t, r, 50, decode.KindAPReq)
	if ap.Decrypted.Authenticator == nil {
		t.Fatal("authenticator not decrypted")
	}
	if rep := byFrame(t, r, 51, decode.KindAPRep); rep.Decrypted == nil || rep.Decrypted.APRep == nil {
		t.Error("AP-REP not decrypted")
	}
}

// The stale and wrong keytabs of the lab's failures: no key opens the
// ticket, and the result says what the ticket needs and what was tried.
func TestDecryptNoKey(t *testing.T) {
	tests := []struct {
		capture, keytab string
		frame           int
		tried           string
	}{
		{"stale-key.pcap", "http-www.stale.keytab", 50, "HTTP/www.kerbtrace.test@KERBTRACE.TEST kvno 1 aes256-cts-hmac-sha1-96"},
		{"wrong-key.pcap", "http-www.wrong.keytab", 50, "HTTP/www.kerbtrace.test@KERBTRACE.TEST kvno 2 aes256-cts-hmac-sha1-96"},
		{"smb-rejected.pcap", "cifs-fs.wrong.keytab", 42, "cifs/fs.kerbtrace.test@KERBTRACE.TEST kvno 1 aes256-cts-hmac-sha1-96"},
	}
	for _, tc := range tests {
		t.Run(tc.capture, func(t *testing.T) {
			r := dissectKeys(t, tc.capture, labKeys(t, tc.keytab))
			ap := byFrame(t, r, tc.frame, decode.KindAPReq)
			if ap.Decrypted == nil || ap.Decrypted.Ticket == nil {
				t.Fatal("no ticket result")
			}
			tk := ap.Decrypted.Ticket
			if tk.Part != nil || tk.Entry != nil || ap.Decrypted.Authenticator != nil {
				t.Fatalf("decrypted with the wrong key: %+v", tk)
			}
			if tk.Etype != 18 || len(tk.Tried) != 1 || tk.Tried[0].String() != tc.tried || len(tk.Available) != 2 {
				t.Errorf("etype %s kvno %d tried %v available %v", tk.Etype, tk.Kvno, tk.Tried, tk.Available)
			}
		})
	}
}

// The keytab is mislabelled on purpose: every key of the etype is tried,
// whatever principal it names (here the krbtgt keytab and the stale web
// keytab come first).
func TestDecryptAnyPrincipal(t *testing.T) {
	r := dissectKeys(t, "smb-success.pcap", labKeys(t, "krbtgt.keytab", "http-www.stale.keytab", "cifs-fs.good.keytab"))
	ap := byFrame(t, r, 42, decode.KindAPReq)
	if ap.Carrier != decode.CarrierSMB2 || ap.Decrypted == nil || ap.Decrypted.Ticket.Part == nil {
		t.Fatalf("SMB2 AP-REQ not decrypted: %+v", ap.Decrypted)
	}
	if e := ap.Decrypted.Ticket.Entry; e.Principal != "cifs/fs.kerbtrace.test@KERBTRACE.TEST" || e.Kvno != 1 {
		t.Errorf("entry %+v", e)
	}
	if ap.Decrypted.Ticket.Part.PAC != nil {
		t.Error("the cifs principal has no_auth_data_required: no PAC expected")
	}
	// the TGT in the TGS-REQ of frame 40 opens with the krbtgt keytab
	tgs := byFrame(t, r, 40, decode.KindTGSReq)
	if tgs.Decrypted == nil || tgs.Decrypted.TGT == nil || tgs.Decrypted.TGT.Part == nil || tgs.Decrypted.Authenticator == nil {
		t.Fatalf("TGT not decrypted: %+v", tgs.Decrypted)
	}
	if !tgs.Decrypted.TGT.Part.Flags.Has(9) { // initial
		t.Errorf("TGT flags %v", tgs.Decrypted.TGT.Part.Flags.Names())
	}
	// The TGS-REP of frame 41: MIT's client armours its TGS exchange with
	// FAST (RFC 6113, implicit TGT armor); the reply key is the
	// authenticator's subkey strengthened with the FAST response's key.
	rep := byFrame(t, r, 41, decode.KindTGSRep)
	if rep.Decrypted == nil || rep.Decrypted.KDCRep == nil || rep.Decrypted.Ticket == nil || rep.Decrypted.Ticket.Part == nil {
		t.Fatalf("TGS-REP: %+v", rep.Decrypted)
	}
	if p := rep.Decrypted.KDCRep; p.Usage != 9 || !p.FAST || p.SName.String() != "cifs/fs.kerbtrace.test" || p.SessionEtype != 18 {
		t.Errorf("TGS-REP enc-part %+v", p)
	}
}

// With only the lab's password file: the AS-REP opens with alice's
// password (salt from its PA-ETYPE-INFO2), which gives the TGT session
// key, which opens the authenticator of the TGS-REQ, whose subkey and the
// FAST armor open the TGS-REP, which gives the service ticket's session
// key: the AP-REQ's authenticator and the AP-REP open without any keytab.
func TestDecryptPassword(t *testing.T) {
	r := dissectKeys(t, "success.pcap", labKeys(t, "passwords.tsv"))
	as := byFrame(t, r, 20, decode.KindASRep)
	if as.Decrypted == nil || as.Decrypted.KDCRep == nil {
		t.Fatalf("AS-REP not decrypted: %+v", as.Decrypted)
	}
	if e := as.Decrypted.KDCRep.Entry; e == nil || e.Principal != "alice@KERBTRACE.TEST" || e.Kvno != 1 {
		t.Errorf("AS-REP entry %+v", e)
	}
	if as.Decrypted.Ticket != nil {
		t.Error("a ticket result without any keytab")
	}
	tgs := byFrame(t, r, 46, decode.KindTGSReq)
	if tgs.Decrypted == nil || tgs.Decrypted.Authenticator == nil || tgs.Decrypted.TGT != nil {
		t.Fatalf("TGS-REQ: %+v", tgs.Decrypted)
	}
	if a := tgs.Decrypted.Authenticator; a.Client() != "alice@KERBTRACE.TEST" || a.SubkeyEtype != 18 {
		t.Errorf("TGS-REQ authenticator %+v", a)
	}
	if got := as.Decrypted.KDCRep.SName.String(); got != "krbtgt/KERBTRACE.TEST" {
		t.Errorf("AS-REP sname %s", got)
	}
	if rep := byFrame(t, r, 47, decode.KindTGSRep); rep.Decrypted == nil || rep.Decrypted.KDCRep == nil || !rep.Decrypted.KDCRep.FAST {
		t.Fatalf("TGS-REP: %+v", rep.Decrypted)
	}
	ap := byFrame(t, r, 50, decode.KindAPReq)
	if ap.Decrypted == nil || ap.Decrypted.Authenticator == nil || ap.Decrypted.Ticket != nil {
		t.Fatalf("AP-REQ: %+v", ap.Decrypted)
	}
	if a := ap.Decrypted.Authenticator; a.Client() != "alice@KERBTRACE.TEST" || a.SeqNumber != 1046882142 {
		t.Errorf("AP-REQ authenticator %+v", a)
	}
	if rep := byFrame(t, r, 51, decode.KindAPRep); rep.Decrypted == nil || rep.Decrypted.APRep == nil {
		t.Error("AP-REP not decrypted")
	}
}
