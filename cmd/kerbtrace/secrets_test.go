package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/capture"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
	"github.com/kerbtrace/kerbtrace/report"
)

// secretCaptures are lab captures with tickets, authenticators, KDC replies
// and NTLM responses, over HTTP, SMB2 and the KDC ports.
var secretCaptures = []string{"success.pcap", "ntlm-fallback.pcap", "smb-success.pcap", "stale-key.pcap", "kdc-tcp-split.pcap"}

// minSecret is the shortest run of secret bytes looked for in outputs.
const minSecret = 16

// payloads collects every UDP payload and the reassembled bytes of every
// TCP direction of a capture.
type payloads struct {
	blobs   [][]byte
	streams map[[2]string]*bytes.Buffer
}

func (p *payloads) UDP(d *capture.Datagram) { p.blobs = append(p.blobs, bytes.Clone(d.Payload)) }
func (p *payloads) TCP(*capture.Segment)    {}
func (p *payloads) Stream(c *capture.Chunk) {
	k := [2]string{c.Src.String(), c.Dst.String()}
	if p.streams[k] == nil {
		p.streams[k] = &bytes.Buffer{}
	}
	p.streams[k].Write(c.Data)
}

// captureBlobs returns the payload bytes of a capture file.
func captureBlobs(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &payloads{streams: map[[2]string]*bytes.Buffer{}}
	if _, err := capture.Read(f, p, capture.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.streams {
		p.blobs = append(p.blobs, s.Bytes())
	}
	return p.blobs
}

// derLen reads a DER length at b[i:]: the length and the header octets.
func derLen(b []byte, i int) (n, hl int, ok bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	if b[i] < 0x80 {
		return int(b[i]), 1, true
	}
	k := int(b[i] & 0x7f)
	if k == 0 || k > 3 || i+k >= len(b) {
		return 0, 0, false
	}
	for _, c := range b[i+1 : i+1+k] {
		n = n<<8 | int(c)
	}
	return n, 1 + k, true
}

// kerberosCiphers finds the cipher of every EncryptedData (RFC 4120 5.2.9:
// SEQUENCE { [0] etype, [1] kvno OPTIONAL, [2] cipher OCTET STRING }) in b:
// ticket and KDC reply parts, authenticators, encrypted timestamps.
func kerberosCiphers(b []byte) [][]byte {
	var out [][]byte
	for i := 0; i+5 < len(b); i++ {
		// [0] INTEGER etype of one or two octets.
		if b[i] != 0xa0 || b[i+2] != 0x02 || b[i+1] != b[i+3]+2 || b[i+3] < 1 || b[i+3] > 2 {
			continue
		}
		j := i + 2 + int(b[i+1])
		if j < len(b) && b[j] == 0xa1 { // kvno
			n, hl, ok := derLen(b, j+1)
			if !ok {
				continue
			}
			j += 1 + hl + n
		}
		if j+1 >= len(b) || b[j] != 0xa2 {
			continue
		}
		_, hl, ok := derLen(b, j+1)
		if !ok || j+1+hl >= len(b) || b[j+1+hl] != 0x04 {
			continue
		}
		k := j + 1 + hl + 1
		n, hl2, ok := derLen(b, k)
		if !ok || n < minSecret {
			continue
		}
		out = append(out, b[k+hl2:min(len(b), k+hl2+n)])
	}
	return out
}

// ntlmSecrets finds the LM and NT responses and the encrypted session key
// of every NTLMSSP AUTHENTICATE message (MS-NLMP 2.2.1.3) in b.
func ntlmSecrets(b []byte) [][]byte {
	var out [][]byte
	sig := []byte("NTLMSSP\x00\x03\x00\x00\x00")
	for i := bytes.Index(b, sig); i >= 0; {
		m := b[i:]
		for _, at := range []int{12, 20, 52} { // LM, NT, session key fields
			if len(m) < at+8 {
				break
			}
			n, off := int(binary.LittleEndian.Uint16(m[at:])), int(binary.LittleEndian.Uint32(m[at+4:]))
			if n >= minSecret && off+n <= len(m) {
				out = append(out, m[off:off+n])
			}
		}
		j := bytes.Index(b[i+1:], sig)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return out
}

// keytabKeys returns the keys of an MIT keytab (version 0x502).
func keytabKeys(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	if len(b) < 2 || b[0] != 5 || b[1] != 2 {
		t.Fatalf("not a keytab")
	}
	for p := 2; p+4 <= len(b); {
		size := int(int32(binary.BigEndian.Uint32(b[p:])))
		p += 4
		if size <= 0 || p+size > len(b) {
			break
		}
		e := b[p : p+size]
		p += size
		q := 0
		comps := int(binary.BigEndian.Uint16(e[q:]))
		q += 2
		for range comps + 1 { // realm, then components
			q += 2 + int(binary.BigEndian.Uint16(e[q:]))
		}
		q += 4 + 4 + 1 + 2 // name type, timestamp, kvno, key type
		n := int(binary.BigEndian.Uint16(e[q:]))
		out = append(out, e[q+2:q+2+n])
	}
	return out
}

// encodings are the forms a secret could take in an output: base64 at the
// three alignments, hex in both cases, and the bytes themselves.
func encodings(s []byte) []string {
	s = s[:min(len(s), 48)]
	var out []string
	for k := range 3 {
		if e := base64.StdEncoding.EncodeToString(s[k:]); len(e) >= 20 {
			out = append(out, e[:20], strings.NewReplacer("+", "-", "/", "_").Replace(e[:20]))
		}
	}
	h := hex.EncodeToString(s[:minSecret])
	return append(out, h, strings.ToUpper(h), string(s[:minSecret]))
}

// TestNoSecretsInOutput checks that no ticket or KDC reply ciphertext,
// authenticator, NTLM response, session key, raw token or keytab key
// reaches any output format unless --raw-tokens is given; and that with
// --raw-tokens the tokens are there and stderr warns. Flag sets a version
// does not know (--keytab before it existed) are skipped.
func TestNoSecretsInOutput(t *testing.T) {
	root := testutil.RepoRoot(t)
	keys := filepath.Join(root, "testdata", "lab", "keys")
	extra := [][]string{
		nil,
		{"--keytab", filepath.Join(keys, "http-www.good.keytab"), "--keytab", filepath.Join(keys, "krbtgt.keytab"),
			"--keytab", filepath.Join(keys, "cifs-fs.good.keytab")},
		{"--password-file", filepath.Join(keys, "passwords.tsv")},
	}
	var keySecrets [][]byte
	for _, k := range []string{"http-www.good.keytab", "krbtgt.keytab", "cifs-fs.good.keytab"} {
		b, err := os.ReadFile(filepath.Join(keys, k))
		if err != nil {
			t.Fatal(err)
		}
		keySecrets = append(keySecrets, keytabKeys(t, b)...)
	}
	passwords := []string{"Alice-Lab-Pw1", "Bob-Lab-Pw1"}
	for _, name := range secretCaptures {
		path := filepath.Join(root, "testdata", "captures", name)
		secrets, tokens := captureSecrets(t, path)
		if len(secrets) == 0 {
			t.Fatalf("%s: no secret found to look for", name)
		}
		secrets = append(secrets, keySecrets...)
		for _, flags := range extra {
			for _, format := range report.Formats() {
				args := append(append([]string{"analyze", "--format", format}, flags...), path)
				var out, errOut bytes.Buffer
				code := run(args, nil, &out, &errOut)
				if code == exitUsage && strings.Contains(errOut.String(), "flag provided but not defined") {
					continue
				}
				if code == exitUsage {
					t.Fatalf("%v: exit 2: %s", args, errOut.String())
				}
				label := name + " " + strings.Join(args[1:len(args)-1], " ")
				checkNoSecret(t, label, out.String()+errOut.String(), secrets, tokens)
				for _, pw := range passwords {
					if strings.Contains(out.String()+errOut.String(), pw) {
						t.Errorf("%s: output holds the password %q", label, pw)
					}
				}
			}
		}
	}
}

// captureSecrets returns the secret byte runs of a capture (from its
// payloads and from its HTTP tokens, got with --raw-tokens) and the raw
// tokens in base64.
func captureSecrets(t *testing.T, path string) (secrets [][]byte, tokens []string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run([]string{"analyze", "--format", "json", "--raw-tokens", path}, nil, &out, &errOut); code == exitUsage {
		t.Fatalf("%s: %s", path, errOut.String())
	}
	if !strings.Contains(errOut.String(), "warning: --raw-tokens") {
		t.Errorf("%s: --raw-tokens without a warning on stderr: %q", path, errOut.String())
	}
	var doc struct {
		Messages []struct {
			RawToken string `json:"raw_token"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	blobs := captureBlobs(t, path)
	for _, m := range doc.Messages {
		if m.RawToken == "" {
			continue
		}
		tokens = append(tokens, m.RawToken)
		b, err := base64.StdEncoding.DecodeString(m.RawToken)
		if err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, b)
	}
	for _, b := range blobs {
		secrets = append(secrets, kerberosCiphers(b)...)
		secrets = append(secrets, ntlmSecrets(b)...)
	}
	return secrets, tokens
}

// checkNoSecret fails when out holds a secret in any encoding, or a raw
// token.
func checkNoSecret(t *testing.T, label, out string, secrets [][]byte, tokens []string) {
	t.Helper()
	for _, s := range secrets {
		for _, e := range encodings(s) {
			if strings.Contains(out, e) {
				t.Errorf("%s: output holds secret bytes (%d-byte secret as %q)", label, len(s), e)
				return
			}
		}
	}
	for _, tok := range tokens {
		if len(tok) >= 24 && strings.Contains(out, tok[:24]) {
			t.Errorf("%s: output holds a raw token %q...", label, tok[:24])
			return
		}
	}
}

// TestRawTokensShown checks that --raw-tokens shows the tokens it is asked
// for in the JSON report, and so that the search of TestNoSecretsInOutput
// finds secrets where they are.
func TestRawTokensShown(t *testing.T) {
	path := filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "success.pcap")
	secrets, tokens := captureSecrets(t, path)
	if len(tokens) < 2 || len(secrets) < 4 {
		t.Fatalf("%d raw tokens, %d secrets in success.pcap", len(tokens), len(secrets))
	}
	var out, errOut bytes.Buffer
	run([]string{"analyze", "--format", "json", "--raw-tokens", path}, nil, &out, &errOut)
	found := 0
	for _, s := range secrets {
		// A raw token holds its secrets at some base64 alignment.
		for _, e := range encodings(s)[:6] {
			if strings.Contains(out.String(), e) {
				found++
				break
			}
		}
	}
	if found == 0 {
		t.Errorf("none of %d secrets found in the --raw-tokens report", len(secrets))
	}
	t.Logf("%d tokens, %d secrets, %d of them inside the raw tokens", len(tokens), len(secrets), found)
}
