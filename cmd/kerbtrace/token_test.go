package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/flowvectors"
)

// The two Negotiate tokens of /work/shared/spec/flow.md ("Test vectors from
// the reference trace"), both cut short by the text export they came from.
const (
	flowServerToken = flowvectors.ServerToken
	flowClientToken = flowvectors.ClientToken
)

// NTLMSSP inside SPNEGO from testdata/captures/ntlm-fallback.pcap, frames
// 60 (Authorization: NEGOTIATE), 61 (WWW-Authenticate: CHALLENGE) and 62
// (Authorization: AUTHENTICATE), extracted with
// tshark -r ntlm-fallback.pcap -T fields -e http.authorization -e http.www_authenticate.
const (
	ntlmFrame60 = "YEgGBisGAQUFAqA+MDygDjAMBgorBgEEAYI3AgIKoioEKE5UTE1TU1AAAQAAABeCCOIAAAAAAAAAAAAAAAAAAAAABgIAAAAAAA8="
	ntlmFrame61 = "oYGgMIGdoAMKAQGhDAYKKwYBBAGCNwICCqKBhwSBhE5UTE1TU1AAAgAAAAYABgA4AAAAFYKK4tf0Wm6u6KVbAAAAAAAAAABGAEYAPgAAAAYCAAAAAAAPVwBXAFcAAQAGAFcAVwBXAAIAFgBXAE8AUgBLAFMAVABBAFQASQBPAE4AAwAGAHcAdwB3AAYABAAAAAAABwAIAFhBmfHFfN0BAAAAAA=="
	ntlmFrame62 = "oYIBZzCCAWOgAwoBAaKCAUYEggFCTlRMTVNTUAADAAAAAAAAAFgAAACwALAAWAAAABIAEgAIAQAACgAKABoBAAAOAA4AJAEAABAAEAAyAQAAFYKK4gYCAAAAAAAPilmUf2ZUYeVTTmAPKny42IIzsO/wCSSQAr2IzEC86V0BAQAAAAAAAFhBmfHFfN0BLk5yeLoBv+IAAAAAAQAGAFcAVwBXAAIAFgBXAE8AUgBLAFMAVABBAFQASQBPAE4AAwAGAHcAdwB3AAYABAACAAAABwAIAFhBmfHFfN0BCQA2AEgAVABUAFAALwBuAG8AcAByAGkAbgBjAC4AawBlAHIAYgB0AHIAYQBjAGUALgB0AGUAcwB0AAAAAAAAAAAASwBFAFIAQgBUAFIAQQBDAEUAYQBsAGkAYwBlAEMATABJAEUATgBUADEAaF954KYuidSsu5KIE/rG4KMSBBABAAAAK8V3QeAFVw8AAAAA"
)

// A complete SPNEGO AP-REQ from testdata/captures/success.pcap frame 50
// (tshark -r success.pcap -Y frame.number==50 -T fields -e http.authorization).
const successFrame50 = "YIIDBwYGKwYBBQUCoIIC+zCCAvegDTALBgkqhkiG9xIBAgKiggLkBIIC4GCCAtwGCSqGSIb3EgECAgEAboICyzCCAsegAwIBBaEDAgEOogcDBQAgAAAAo4IB3GGCAdgwggHUoAMCAQWhEBsOS0VSQlRSQUNFLlRFU1SiJTAjoAMCAQOhHDAaGwRIVFRQGxJ3d3cua2VyYnRyYWNlLnRlc3SjggGSMIIBjqADAgESoQMCAQKiggGABIIBfLC7ZEsC59gtTh54Ik8t9Ewko5IbnwHlzPCjPcpLu3H/Jtkh3YsUfGVgJuFxiK5mZ4ib9YAwCWTfLNyQ0HyDnT/zuZAvCIs61xjnF/qki2Zegi4iaJ2T2xHlX/EZNhf5wJzMFPtMej910EBv8SrBEgvwZnTBOPOCNJGURnbZPk4RZckso/rYY+lGJg+wzJbtUFuQ9Ryen38I09YNHuATzUVLg6x2/Wj3V7ldG+CQGv2kDzvcXN5dmV3+PmkarOpjg1UqCI5WRcabx9YnZ3C5CD2VpTZNrqL2EKfC4PE6tdEY863XUBfRO0Fq8BeKl5Ydd5+zXD9ZXkvlhYsMXyDLLe0sKDVe+50+6U6TgIRtUo/NEkltGV7Urjid0Z2MKq6Ls2YFdTIRlSFBzXVoOn1Kf7Yh6SO/pPJvIg6pU9HZZ0jSDEWIYMZLJrAKm3c+FoPdfr4DZWczBfssiCatUNGpy1ZqrZZUcinjCOJ0Tzb88MbQvlNURSU4I/7NgW+2pIHRMIHOoAMCARKigcYEgcMwJOjuOayl5Ayshdcjeu2Ae4HB4Z40FSGdIpgjuh2+si8grI1qWtRjeItH3/B/y90aWofhTrtroYzjYusV27ezPl+MT0aXXWjYqmN8Xt8jI5uO5OKAMIpBfETmZGDJ/IS9k1n/53DI91Z4YeTdFiR7w3ZR2fx7qIFZ5fl0GMHWHFrjlV30Wj81Ww6ZdbPuRNDUT1OOKTnHwykUt5L2fRqTP9DXw5jn5NpeNyTdYFDCoDdBHmjuX1ViWDHZnnVRrMMNYFE="

// Expected lines of the text tree, checked as substrings.
var (
	serverWant = []string{
		"type: negTokenResp",
		"negState: accept-completed (0)",
		"supportedMech: 1.2.840.48018.1.2.2 (MS KRB5 - Microsoft Kerberos 5)",
		"gss-krb5 (offset 0x1e, 144 bytes, truncated)",
		"oid: 1.2.840.113554.1.2.2 (KRB5 - Kerberos 5)",
		"tok-id: 0x0200 (KRB_AP_REP)",
		"pvno: 5",
		"msg-type: 15 (AP-REP)",
		"etype: 18 (aes256-cts-hmac-sha1-96)",
		"truncated: cut at 0xae inside ap-rep.enc-part.cipher (spnego > gss-krb5 > kerberos): 174 of at least 185 bytes present",
	}
	clientWant = []string{
		"gss-oid: 1.3.6.1.5.5.2 (SPNEGO)",
		"type: negTokenInit",
		"  -: 1.2.840.48018.1.2.2 (MS KRB5 - Microsoft Kerberos 5)\n",
		"  -: 1.2.840.113554.1.2.2 (KRB5 - Kerberos 5)\n",
		"  -: 1.3.6.1.4.1.311.2.2.30 (NEGOEX - SPNEGO Extended Negotiation Security Mechanism)\n",
		"  -: 1.3.6.1.4.1.311.2.2.10 (NTLMSSP - Microsoft NTLM Security Support Provider)\n",
		"tok-id: 0x0100 (KRB_AP_REQ)",
		"pvno: 5",
		"msg-type: 14 (AP-REQ)",
		"ap-options: 0x20000000 (mutual-required)",
		"tkt-vno: 5",
		"realm: CONTOSO.COM",
		"name-type: 2 (NT-SRV-INST)",
		"name-string[0]: HTTP\n",
		"truncated: cut at 0xae inside ap-req.ticket.sname.name-string (spnego > gss-krb5 > kerberos): 174 of at least 1823 bytes present",
	}
	ntlmNegotiateWant = []string{
		"input: header Authorization, scheme Negotiate, base64, 74 bytes",
		"-: 1.3.6.1.4.1.311.2.2.10 (NTLMSSP - Microsoft NTLM Security Support Provider)",
		"ntlmssp (offset 0x22, 40 bytes)",
		"message-type: NEGOTIATE",
		"flags: 0xe2088217 (NTLMSSP_NEGOTIATE_UNICODE, NTLM_NEGOTIATE_OEM, NTLMSSP_REQUEST_TARGET,",
		"version: 6.2.0 (NTLM rev 15)",
		"truncated: no (complete)",
	}
	ntlmChallengeWant = []string{
		"input: header WWW-Authenticate, scheme Negotiate, base64, 163 bytes",
		"negState: accept-incomplete (1)",
		"supportedMech: 1.3.6.1.4.1.311.2.2.10 (NTLMSSP",
		"message-type: CHALLENGE",
		"NTLMSSP_TARGET_TYPE_SERVER",
		"target-name: WWW",
		"server-challenge: d7f45a6eaee8a55b",
		"MsvAvNbDomainName: WORKSTATION",
		"MsvAvDnsComputerName: www",
	}
	ntlmAuthenticateWant = []string{
		"message-type: AUTHENTICATE",
		"domain: KERBTRACE",
		"user: alice",
		"workstation: CLIENT1",
		"version: 6.2.0 (NTLM rev 15)",
		"nt-response: 176 bytes (not shown)",
		"ntlm-version: v2",
		"MsvAvTargetName: HTTP/noprinc.kerbtrace.test",
		"mic: present",
		"mechListMIC: present",
		"session-key: 16 bytes (not shown)",
	}
	successWant = []string{
		"gss-oid: 1.3.6.1.5.5.2 (SPNEGO)",
		"-: 1.2.840.113554.1.2.2 (KRB5 - Kerberos 5)",
		"tok-id: 0x0100 (KRB_AP_REQ)",
		"msg-type: 14 (AP-REQ)",
		"ap-options: 0x20000000 (mutual-required)",
		"realm: KERBTRACE.TEST",
		"sname: HTTP/www.kerbtrace.test",
		"name-type: 3 (NT-SRV-HST)",
		"enc-part\n",
		"etype: 18 (aes256-cts-hmac-sha1-96)\n",
		"kvno: 2\n",
		"cipher: 380 bytes (not shown)",
		"authenticator\n",
		"cipher: 195 bytes (not shown)",
		"truncated: no (complete)",
	}
)

// b64 decodes a vector; the client one ends in a lone character, which
// carries no whole byte and is dropped.
func b64(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.TrimRight(s, "=")
	if len(s)%4 == 1 {
		s = s[:len(s)-1]
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wrap breaks s into lines of n characters, as browser dev tools and
// e-mail clients do.
func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\r\n")
		s = s[n:]
	}
	return b.String() + s
}

func spaced(b []byte, sep string) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = hex.EncodeToString([]byte{c})
	}
	return strings.Join(parts, sep)
}

// tsharkDump formats b like tshark -x / Wireshark "Copy as Hex Dump".
func tsharkDump(b []byte) string {
	var sb strings.Builder
	for off := 0; off < len(b); off += 16 {
		end := min(off+16, len(b))
		line := b[off:end]
		sb.WriteString(hex.EncodeToString([]byte{byte(off >> 8), byte(off)}) + "  ")
		for i, c := range line {
			if i == 8 {
				sb.WriteByte(' ')
			}
			sb.WriteString(hex.EncodeToString([]byte{c}) + " ")
		}
		sb.WriteString(strings.Repeat("   ", 16-len(line)) + "  ")
		for _, c := range line {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			sb.WriteByte(c)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

func urlSafe(s string) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(s), "=")
}

func runToken(t *testing.T, args []string, stdin string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := tokenCmd(args, strings.NewReader(stdin), &out, &errb)
	return rc, out.String(), errb.String()
}

func TestTokenDecodes(t *testing.T) {
	server, client := b64(t, flowServerToken), b64(t, flowClientToken)
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string
	}{
		{"server base64", []string{flowServerToken}, "", serverWant},
		{"server header line", []string{"WWW-Authenticate: Negotiate " + flowServerToken}, "", append([]string{"input: header WWW-Authenticate, scheme Negotiate"}, serverWant...)},
		{"server header unquoted", []string{"WWW-Authenticate:", "Negotiate", flowServerToken}, "", serverWant},
		{"server stdin wrapped", []string{"-"}, "WWW-Authenticate: Negotiate\n " + wrap(flowServerToken, 76) + "\n", serverWant},
		{"server hex", []string{hex.EncodeToString(server)}, "", append([]string{"input: hex, 174 bytes"}, serverWant...)},
		{"server hex spaced", []string{"-"}, spaced(server, " "), serverWant},
		{"server hex colons", []string{spaced(server, ":")}, "", serverWant},
		{"server tshark dump", []string{"-"}, tsharkDump(server), append([]string{"input: hex, 174 bytes"}, serverWant...)},
		{"server go hex.Dump", []string{"-"}, hex.Dump(server), serverWant},
		{"server url-safe", []string{urlSafe(flowServerToken)}, "", append([]string{"base64url"}, serverWant...)},
		{"client base64", []string{flowClientToken}, "", clientWant},
		{"client header line", []string{"Authorization: Negotiate " + flowClientToken}, "", append([]string{"input: header Authorization, scheme Negotiate"}, clientWant...)},
		{"client proxy header", []string{"-"}, "Proxy-Authorization: Negotiate " + wrap(flowClientToken, 64), append([]string{"header Proxy-Authorization"}, clientWant...)},
		{"client lower-case with ellipsis", []string{"authorization: negotiate " + flowClientToken + "..."}, "", clientWant},
		{"client hex", []string{hex.EncodeToString(client)}, "", clientWant},
		{"client tshark dump", []string{"-"}, tsharkDump(client), clientWant},
		{"client then more headers", []string{"-"}, "Authorization: Negotiate " + flowClientToken + "\nHost: intranet\n", append([]string{"decoded the first header only"}, clientWant...)},
		{"ntlm negotiate frame 60", []string{"Authorization: Negotiate " + ntlmFrame60}, "", ntlmNegotiateWant},
		{"ntlm challenge frame 61", []string{"WWW-Authenticate: Negotiate " + ntlmFrame61}, "", ntlmChallengeWant},
		{"ntlm authenticate frame 62", []string{"Authorization: Negotiate " + ntlmFrame62}, "", ntlmAuthenticateWant},
		{"ntlm bare NTLM scheme", []string{"Authorization: NTLM " + base64.StdEncoding.EncodeToString(b64(t, ntlmFrame62)[0x15:0x15+322])}, "", append([]string{"scheme NTLM", "ntlmssp (offset 0x0, 322 bytes)"}, ntlmAuthenticateWant[:9]...)},
		{"success frame 50", []string{"Authorization: Negotiate " + successFrame50}, "", successWant},
		{"raw kerberos AP-REQ", []string{"Authorization: Kerberos " + base64.StdEncoding.EncodeToString(b64(t, successFrame50)[0x3c:])}, "", append([]string{"scheme Kerberos", "kerberos (offset 0x0, 719 bytes)"}, successWant[3:]...)},
		{"format after value", []string{flowServerToken, "--format", "text"}, "", serverWant},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, out, stderr := runToken(t, tc.args, tc.stdin)
			if rc != 0 {
				t.Fatalf("exit %d, stderr %q", rc, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q\n%s", w, out)
				}
			}
		})
	}
}

func TestTokenJSON(t *testing.T) {
	tests := []struct {
		name  string
		value string
		check func(t *testing.T, r map[string]any)
	}{
		{"server", flowServerToken, func(t *testing.T, r map[string]any) {
			eq(t, r, "token.spnego.neg_state", "accept-completed")
			eq(t, r, "token.spnego.neg_state_value", 0.0)
			eq(t, r, "token.spnego.supported_mech.oid", "1.2.840.48018.1.2.2")
			eq(t, r, "token.spnego.supported_mech.name", "MS KRB5 - Microsoft Kerberos 5")
			eq(t, r, "token.inner.gss_krb5.tok_id", "0x0200")
			eq(t, r, "token.inner.inner.kerberos.pvno", 5.0)
			eq(t, r, "token.inner.inner.kerberos.msg_type", 15.0)
			eq(t, r, "token.inner.inner.kerberos.enc_part.etype", 18.0)
			eq(t, r, "token.inner.inner.kerberos.enc_part.etype_name", "aes256-cts-hmac-sha1-96")
			eq(t, r, "truncated", true)
			eq(t, r, "cut.offset", 174.0)
			eq(t, r, "cut.field", "ap-rep.enc-part.cipher")
			eq(t, r, "cut.present", 174.0)
			eq(t, r, "cut.declared", 185.0)
		}},
		{"client", flowClientToken, func(t *testing.T, r map[string]any) {
			eq(t, r, "token.spnego.gss_oid.oid", "1.3.6.1.5.5.2")
			eq(t, r, "token.spnego.mech_types.2.name", "NEGOEX - SPNEGO Extended Negotiation Security Mechanism")
			eq(t, r, "token.spnego.mech_types.3.oid", "1.3.6.1.4.1.311.2.2.10")
			eq(t, r, "token.inner.gss_krb5.tok_id", "0x0100")
			k := "token.inner.inner.kerberos."
			eq(t, r, k+"msg_type", 14.0)
			eq(t, r, k+"ap_options.value", "0x20000000")
			eq(t, r, k+"ap_options.names.0", "mutual-required")
			eq(t, r, k+"ticket.tkt_vno", 5.0)
			eq(t, r, k+"ticket.realm", "CONTOSO.COM")
			eq(t, r, k+"ticket.sname.name_type", 2.0)
			eq(t, r, k+"ticket.sname.name_type_name", "NT-SRV-INST")
			eq(t, r, k+"ticket.sname.components.0", "HTTP")
			eq(t, r, "cut.field", "ap-req.ticket.sname.name-string")
			eq(t, r, "cut.layers", "spnego > gss-krb5 > kerberos")
		}},
		{"success", successFrame50, func(t *testing.T, r map[string]any) {
			k := "token.inner.inner.kerberos.ticket."
			eq(t, r, k+"sname.text", "HTTP/www.kerbtrace.test")
			eq(t, r, k+"realm", "KERBTRACE.TEST")
			eq(t, r, k+"enc_part.etype_name", "aes256-cts-hmac-sha1-96")
			eq(t, r, k+"enc_part.kvno", 2.0)
			eq(t, r, k+"enc_part.cipher_len", 380.0)
			eq(t, r, "truncated", false)
		}},
		{"ntlm authenticate", ntlmFrame62, func(t *testing.T, r map[string]any) {
			eq(t, r, "token.inner.ntlmssp.user", "alice")
			eq(t, r, "token.inner.ntlmssp.domain", "KERBTRACE")
			eq(t, r, "token.inner.ntlmssp.nt_response_len", 176.0)
			eq(t, r, "token.inner.ntlmssp.flags.value", "0xe28a8215")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, out, stderr := runToken(t, []string{"--format", "json", tc.value}, "")
			if rc != 0 {
				t.Fatalf("exit %d: %s", rc, stderr)
			}
			var r map[string]any
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			tc.check(t, r)
		})
	}
}

// eq follows a dotted path (numbers index arrays) and compares.
func eq(t *testing.T, r map[string]any, path string, want any) {
	t.Helper()
	var v any = r
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := int(k[0] - '0')
			if i >= len(x) {
				t.Errorf("%s: index %d out of %d", path, i, len(x))
				return
			}
			v = x[i]
		default:
			t.Errorf("%s: no %q in %v", path, k, v)
			return
		}
	}
	if v != want {
		t.Errorf("%s = %v (%T), want %v", path, v, v, want)
	}
}

func TestTokenNotAToken(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"garbage bytes", []string{"SGVsbG8sIHdvcmxkIQ=="}, "", "base64 of plain text (13 bytes)"},
		{"binary", []string{"AAECAwQFBgc="}, "", "starting 00 01 02 03"},
		{"words", []string{"hello", "world"}, "", "plain text of 2 words"},
		{"punctuation", []string{"not*a*token"}, "", "neither hex nor base64"},
		{"basic", []string{"Authorization: Basic YWxpY2U6c2VjcmV0"}, "", "a Basic authorization"},
		{"bearer", []string{"Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig"}, "", "a Bearer (OAuth) token"},
		{"bare scheme", []string{"WWW-Authenticate: Negotiate"}, "", `a bare "Negotiate" header without a token`},
		{"jwt", []string{"eyJhbGciOi.eyJzdWIi.sig"}, "", "JSON Web Token"},
		{"empty stdin", []string{"-"}, "  \n", "empty input"},
		{"url", []string{"https://intranet.contoso.com/"}, "", "a URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, out, stderr := runToken(t, tc.args, tc.stdin)
			if rc != 2 {
				t.Fatalf("exit %d, want 2; out %q", rc, out)
			}
			if !strings.Contains(stderr, "not an authentication token: "+tc.want) && !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", stderr, tc.want)
			}
			if strings.Contains(stderr, "secret") {
				t.Errorf("stderr shows Basic credentials: %q", stderr)
			}
		})
	}
}

func TestTokenUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"--format", "xml", flowServerToken}, {"--bogus"}} {
		if rc, _, _ := runToken(t, args, ""); rc != 2 {
			t.Errorf("%q: exit %d, want 2", args, rc)
		}
	}
}

// TestTokenNoSecrets checks that no ciphertext, authenticator or NTLM
// response reaches the output, in base64 or hex.
func TestTokenNoSecrets(t *testing.T) {
	tok := b64(t, successFrame50)
	i := bytes.Index(tok, []byte{0xa2, 0x82, 0x01, 0x80, 0x04, 0x82, 0x01, 0x7c})
	if i < 0 {
		t.Fatal("ticket cipher not found in frame 50")
	}
	cipher := tok[i+8 : i+8+380]
	auth := tok[len(tok)-195:]
	ntlmTok := b64(t, ntlmFrame62)
	ntResp := ntlmTok[0x15+0x58 : 0x15+0x58+176]
	secrets := [][]byte{cipher, auth, ntResp}
	for _, format := range []string{"text", "json"} {
		for _, v := range []string{successFrame50, ntlmFrame62} {
			_, out, _ := runToken(t, []string{"--format", format, v}, "")
			for _, s := range secrets {
				for _, enc := range []string{
					base64.StdEncoding.EncodeToString(s)[:32],
					base64.StdEncoding.EncodeToString(s[1:])[:32],
					base64.StdEncoding.EncodeToString(s[2:])[:32],
					hex.EncodeToString(s[:16]),
				} {
					if strings.Contains(out, enc) {
						t.Errorf("%s output holds secret bytes %q", format, enc)
					}
				}
			}
			if strings.Contains(out, v[:40]) {
				t.Errorf("%s output echoes the token", format)
			}
		}
	}
}

// TestTokenDeterministic runs each vector twice and compares the bytes.
func TestTokenDeterministic(t *testing.T) {
	for _, v := range []string{flowServerToken, flowClientToken, ntlmFrame61, successFrame50} {
		for _, f := range []string{"text", "json"} {
			_, a, _ := runToken(t, []string{"--format", f, v}, "")
			_, b, _ := runToken(t, []string{"--format", f, v}, "")
			if a != b || a == "" {
				t.Errorf("%s output differs between runs or is empty", f)
			}
		}
	}
}

// TestTokenEveryPrefix feeds every prefix of the vectors: each either
// decodes (exit 0, truncated unless complete) or is refused (exit 2).
func TestTokenEveryPrefix(t *testing.T) {
	for _, v := range []string{flowServerToken, flowClientToken, successFrame50, ntlmFrame62} {
		b := b64(t, v)
		for n := 1; n <= len(b); n++ {
			rc, out, _ := runToken(t, []string{hex.EncodeToString(b[:n])}, "")
			if rc != 0 && rc != 2 {
				t.Fatalf("prefix %d: exit %d", n, rc)
			}
			if rc == 0 && n < len(b) && !strings.Contains(out, "truncated: cut at") && !strings.Contains(out, "truncated") {
				t.Errorf("prefix %d of %d decoded without saying truncated:\n%s", n, len(b), out)
			}
		}
	}
}

func FuzzToken(f *testing.F) {
	for _, v := range []string{flowServerToken, flowClientToken, ntlmFrame60, ntlmFrame61, ntlmFrame62, successFrame50} {
		f.Add("Authorization: Negotiate " + v)
		f.Add(v[:len(v)/2])
		b, _ := base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "=")[:len(strings.TrimRight(v, "="))/4*4])
		f.Add(tsharkDump(b[:min(len(b), 64)]))
	}
	f.Add("not a token")
	f.Fuzz(func(t *testing.T, s string) {
		for _, format := range []string{"text", "json"} {
			var out, errb bytes.Buffer
			rc := tokenCmd([]string{"--format", format, "--", s}, strings.NewReader(""), &out, &errb)
			if rc != 0 && rc != 2 {
				t.Fatalf("exit %d", rc)
			}
			if rc == 0 && out.Len() == 0 {
				t.Fatal("exit 0 without output")
			}
		}
	})
}
