package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/report"
)

// Hostile text a crafted capture can carry in any name: terminal colour and
// title sequences, carriage return and backspaces that overwrite what was
// printed, a right-to-left override, invalid UTF-8, HTML that runs script,
// Markdown and Mermaid syntax.
const (
	hostileANSI   = "\x1b[31mRED\x1b[0m\x1b]0;owned\x07"
	hostileCtl    = "ok\rEVIL\x08\x08\x08\x08bad"
	hostileBidi   = "\u202egnp.exe"
	hostileBadUTF = "bad\xff\xfeutf8"
	hostileScript = "</script><script>alert(1)</script>"
	hostileImg    = "<img src=x onerror=alert(1)>"
	hostileMD     = "a|b](javascript:alert(1))**x**`y`<!--"
	hostileMmd    = "x\"];click A call alert();%%{init:{}}%%"
)

// der encodes a DER TLV with a definite length.
func der(tag byte, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	n := len(body)
	switch {
	case n < 0x80:
		return append([]byte{tag, byte(n)}, body...)
	case n < 0x100:
		return append([]byte{tag, 0x81, byte(n)}, body...)
	}
	return append([]byte{tag, 0x82, byte(n >> 8), byte(n)}, body...)
}

func derInt(v int) []byte { return der(0x02, []byte{byte(v)}) }

func derString(s string) []byte { return der(0x1b, []byte(s)) } // GeneralString

// principal encodes a PrincipalName of name type typ.
func principal(typ int, names ...string) []byte {
	var comps [][]byte
	for _, n := range names {
		comps = append(comps, derString(n))
	}
	return der(0x30, der(0xa0, derInt(typ)), der(0xa1, der(0x30, comps...)))
}

// hostileASReq is an AS-REQ whose client, realm and service are hostile.
func hostileASReq(cname, realm, sname string) []byte {
	body := der(0x30,
		der(0xa0, der(0x03, []byte{0, 0x40, 0x81, 0, 0x10})),
		der(0xa1, principal(1, cname)),
		der(0xa2, derString(realm)),
		der(0xa3, principal(2, "krbtgt", sname)),
		der(0xa5, der(0x18, []byte("20370913024805Z"))),
		der(0xa7, der(0x02, []byte{0x12, 0x34, 0x56, 0x78})),
		der(0xa8, der(0x30, derInt(18))))
	return der(0x6a, der(0x30, der(0xa1, derInt(5)), der(0xa2, derInt(10)), der(0xa4, body)))
}

// hostileKRBError is the KDC's KDC_ERR_C_PRINCIPAL_UNKNOWN for it, with a
// hostile e-text.
func hostileKRBError(cname, realm, sname, etext string) []byte {
	return der(0x7e, der(0x30,
		der(0xa0, derInt(5)), der(0xa1, derInt(30)),
		der(0xa4, der(0x18, []byte("20240301090000Z"))), der(0xa5, derInt(0)),
		der(0xa6, derInt(6)),
		der(0xa7, derString(realm)), der(0xa8, principal(1, cname)),
		der(0xa9, derString(realm)), der(0xaa, principal(2, "krbtgt", sname)),
		der(0xab, derString(etext))))
}

// hostileNTLM is an NTLMSSP AUTHENTICATE message (MS-NLMP 2.2.1.3) with
// hostile domain, user and workstation names in UTF-16LE.
func hostileNTLM(domain, user, workstation string) []byte {
	u16 := func(s string) []byte {
		var b []byte
		for _, c := range utf16.Encode([]rune(s)) {
			b = binary.LittleEndian.AppendUint16(b, c)
		}
		return b
	}
	fields := [][]byte{make([]byte, 24), make([]byte, 24), u16(domain), u16(user), u16(workstation), nil}
	h := append([]byte("NTLMSSP\x00"), 3, 0, 0, 0)
	off := 64
	var payload []byte
	for _, f := range fields {
		h = binary.LittleEndian.AppendUint16(h, uint16(len(f)))
		h = binary.LittleEndian.AppendUint16(h, uint16(len(f)))
		h = binary.LittleEndian.AppendUint32(h, uint32(off+len(payload)))
		payload = append(payload, f...)
	}
	h = binary.LittleEndian.AppendUint32(h, 0x00000201) // UNICODE | NTLM
	return append(h, payload...)
}

// dnsName encodes a name label by label (labels may hold any byte).
func dnsName(labels ...string) []byte {
	var b []byte
	for _, l := range labels {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

// hostileCapture builds a capture whose DNS names, HTTP Host, Kerberos
// names and NTLM names are all hostile.
func hostileCapture() []byte {
	const cli, web, kdc, dns = "192.0.2.101:50000", "192.0.2.80:80", "192.0.2.10:88", "192.0.2.53:53"
	label := hostileANSI + hostileBidi + hostileImg
	name := dnsName(label, hostileCtl+hostileBadUTF, hostileScript, "kerbtrace", "test")
	query := append([]byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}, name...)
	query = append(query, 0, 1, 0, 1)
	resp := append([]byte{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0}, name...)
	resp = append(resp, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 80)

	host := hostileANSI + hostileBidi + hostileBadUTF + hostileScript + hostileImg + hostileMD + hostileMmd
	get := "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
	challenge := "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n"
	ntlm := hostileNTLM(hostileANSI+hostileScript, hostileCtl+hostileBidi+hostileImg, hostileMD+hostileMmd)
	auth := "GET / HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: NTLM " + base64.StdEncoding.EncodeToString(ntlm) + "\r\n\r\n"
	ok := "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"

	cname := "alice" + hostileCtl + hostileANSI + hostileImg
	realm := "EVIL" + hostileBidi + hostileScript
	sname := hostileMD + hostileMmd + hostileBadUTF
	frames := [][]byte{
		ct.UDP("192.0.2.101:50001", dns, query),
		ct.UDP(dns, "192.0.2.101:50001", resp),
		ct.UDP("192.0.2.101:50002", kdc, hostileASReq(cname, realm, sname)),
		ct.UDP(kdc, "192.0.2.101:50002", hostileKRBError(cname, realm, sname, hostileANSI+hostileCtl+hostileScript)),
		ct.TCP(cli, web, 1000, 0, ct.SYN, nil),
		ct.TCP(web, cli, 5000, 1001, ct.SYN|ct.ACK, nil),
		ct.TCP(cli, web, 1001, 5001, ct.ACK, nil),
		ct.TCP(cli, web, 1001, 5001, ct.ACK|ct.PSH, []byte(get)),
		ct.TCP(web, cli, 5001, 1001+uint32(len(get)), ct.ACK|ct.PSH, []byte(challenge)),
		ct.TCP(cli, web, 1001+uint32(len(get)), 5001+uint32(len(challenge)), ct.ACK|ct.PSH, []byte(auth)),
		ct.TCP(web, cli, 5001+uint32(len(challenge)), 1001+uint32(len(get)+len(auth)), ct.ACK|ct.PSH, []byte(ok)),
	}
	for i := range frames {
		frames[i] = ct.Ethernet(frames[i])
	}
	return ct.PCAP(ct.LinkEthernet, ct.Frames(frames...)...)
}

// TestOutputEscapesCaptureText renders a capture full of hostile names in
// every format: the terminal formats hold no control character, no
// bidirectional override and no invalid UTF-8; JSON is valid and gives
// back the names as they were (escaped per JSON only); HTML and Markdown
// hold no markup from the capture.
func TestOutputEscapesCaptureText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hostile.pcap")
	if err := os.WriteFile(path, hostileCapture(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range report.Formats() {
		var out, errOut bytes.Buffer
		code := run([]string{"analyze", "--format", format, path}, nil, &out, &errOut)
		if code == exitUsage {
			t.Fatalf("%s: exit %d: %s", format, code, errOut.String())
		}
		b := out.Bytes()
		switch {
		case format == "json":
			checkJSONKeepsNames(t, b)
		case format == "html" || format == "markdown":
			checkNoMarkup(t, format, b)
			checkNoTerminalBytes(t, format, b)
		default:
			checkNoTerminalBytes(t, format, b)
		}
	}
}

// checkNoTerminalBytes rejects control bytes but newline and tab, C1
// controls, bidirectional overrides and invalid UTF-8.
func checkNoTerminalBytes(t *testing.T, format string, b []byte) {
	t.Helper()
	if i := controlByte(b); i >= 0 {
		t.Errorf("%s: control byte 0x%02x at %d: %q", format, b[i], i, around(b, i))
	}
	for _, r := range []rune{0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069} {
		if i := bytes.IndexRune(b, r); i >= 0 {
			t.Errorf("%s: bidi control U+%04X at %d: %q", format, r, i, around(b, i))
		}
	}
	if !utf8.Valid(b) {
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				t.Errorf("%s: invalid UTF-8 at %d: %q", format, i, around(b, i))
				break
			}
			i += n
		}
	}
}

// checkNoMarkup rejects HTML from the capture in HTML or Markdown output:
// markup outside Markdown code spans (where nothing is markup) and not
// backslash-escaped.
func checkNoMarkup(t *testing.T, format string, b []byte) {
	t.Helper()
	text := b
	if format == "markdown" {
		text = outsideCodeSpans(b)
	}
	lower := bytes.ToLower(text)
	bads := []string{"<script", "</script", "<img", "<!--"}
	if format == "markdown" {
		bads = append(bads, "](javascript:")
	}
	for _, bad := range bads {
		for i := 0; ; {
			j := bytes.Index(lower[i:], []byte(bad))
			if j < 0 {
				break
			}
			i += j
			if i == 0 || text[i-1] != '\\' {
				t.Errorf("%s: unescaped %q: %q", format, bad, around(text, i))
				break
			}
			i++
		}
	}
}

// outsideCodeSpans blanks the Markdown code spans of b (a run of n
// backticks up to the next run of exactly n on the same line), keeping the
// rest.
func outsideCodeSpans(b []byte) []byte {
	out := bytes.Clone(b)
	run := func(i int) int {
		n := 0
		for i+n < len(b) && b[i+n] == '`' {
			n++
		}
		return n
	}
	for i := 0; i < len(b); {
		n := run(i)
		if n == 0 {
			i++
			continue
		}
		end := -1
		for j := i + n; j < len(b) && b[j] != '\n'; {
			if m := run(j); m == n {
				end = j
				break
			} else if m > 0 {
				j += m
			} else {
				j++
			}
		}
		if end < 0 {
			i += n
			continue
		}
		for k := i; k < end+n; k++ {
			out[k] = ' '
		}
		i = end + n
	}
	return out
}

// checkJSONKeepsNames checks that the JSON report is valid and that the
// hostile names come back from it as they were in the capture (invalid
// UTF-8 replaced, as JSON requires), so that only JSON's own escaping was
// applied.
func checkJSONKeepsNames(t *testing.T, b []byte) {
	t.Helper()
	if !json.Valid(b) {
		t.Fatalf("json output does not parse")
	}
	var doc struct {
		Messages []map[string]any `json:"messages"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var all []string
	var collect func(v any)
	collect = func(v any) {
		switch v := v.(type) {
		case string:
			all = append(all, v)
		case []any:
			for _, e := range v {
				collect(e)
			}
		case map[string]any:
			for _, e := range v {
				collect(e)
			}
		}
	}
	for _, m := range doc.Messages {
		collect(m)
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		"alice" + hostileCtl + hostileANSI + hostileImg,                          // Kerberos cname
		"EVIL" + hostileBidi + hostileScript,                                     // realm
		hostileCtl + hostileBidi + hostileImg,                                    // NTLM user
		jsonRoundTrip(hostileANSI + hostileBidi + hostileBadUTF + hostileScript), // HTTP Host
	} {
		if !strings.Contains(text, want) {
			t.Errorf("json: %q not found as such in the messages", want)
		}
	}
}

// jsonRoundTrip is s after encoding/json: each invalid UTF-8 byte becomes
// U+FFFD.
func jsonRoundTrip(s string) string {
	b, _ := json.Marshal(s)
	var out string
	json.Unmarshal(b, &out)
	return out
}

// TestTokenEscapesText decodes pasted tokens whose names are hostile: the
// text tree holds no control character, bidi override or invalid UTF-8,
// and the JSON gives the names back as they were.
func TestTokenEscapesText(t *testing.T) {
	cname := "alice" + hostileCtl + hostileANSI
	tokens := []string{
		base64.StdEncoding.EncodeToString(hostileASReq(cname, "EVIL"+hostileBidi, hostileBadUTF)),
		base64.StdEncoding.EncodeToString(hostileNTLM(hostileANSI, hostileCtl, hostileBidi)),
	}
	for _, tok := range tokens {
		code, out, errOut := runCmd("token", tok)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		checkNoTerminalBytes(t, "token text", []byte(out))
		code, out, _ = runCmd("token", "--format", "json", tok)
		if code != exitOK || !json.Valid([]byte(out)) {
			t.Fatalf("token json: exit %d, valid %v", code, json.Valid([]byte(out)))
		}
	}
	_, out, _ := runCmd("token", "--format", "json", tokens[0])
	var doc struct {
		Token struct {
			Kerberos struct {
				CName struct {
					Text string `json:"text"`
				} `json:"cname"`
			} `json:"kerberos"`
		} `json:"token"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Token.Kerberos.CName.Text != cname {
		t.Errorf("token json cname %q (%v), want %q", doc.Token.Kerberos.CName.Text, err, cname)
	}
}
