package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// hostileStrings are what a crafted capture could put in a host name, an
// SPN, a URI or an error text, to break out of a report.
var hostileStrings = []string{
	"evil</script><script>alert(1)</script>",
	"a;b#c%%d --> x",
	"line\nbreak\r\x1b[31mred\x07",
	"`code` ```fence",
	"pipe|cell|",
	"[link](http://evil.example/) ![img](http://evil.example/x.png)",
	`"quotes' & <b>bold</b> <!-- comment`,
	"style: #x; classDef x fill:#f00;",
	"%%{init: {'theme':'dark'}}%%",
	"\u202eRTL override",
	"end\nparticipant X as Y",
	"*emph* _under_ ~~strike~~ # heading",
	"&lt;entity&gt; &#35; #35; #lt;",
	"\xff\xfe invalid utf-8",
}

// hostileReport is one flow whose every capture string is s.
func hostileReport(s string) *Report {
	code := int32(7)
	one := 1
	return &Report{
		Version:   SchemaVersion,
		Captures:  []Capture{{File: s, Format: "pcap", LinkTypes: []string{s}, Packets: 9, First: s, Last: s, Warnings: []string{s}}},
		Anomalies: []string{s},
		Messages: []Message{
			{Frame: 1, Src: "192.0.2.1:5000", Dst: "192.0.2.53:53", Kind: "dns_query", QName: s, QType: "A"},
			{Frame: 2, Src: "192.0.2.53:53", Dst: "192.0.2.1:5000", Kind: "dns_response", QName: s, QType: "A", RCode: "NOERROR", Answers: []Answer{{Name: s, Type: "CNAME", Data: s}}},
			{Frame: 3, Src: "192.0.2.1:5001", Dst: "192.0.2.10:88", Kind: "tgs_req", SName: s},
			{Frame: 4, Src: "192.0.2.10:88", Dst: "192.0.2.1:5001", Kind: "krb_error", ErrorCode: &code, ErrorName: s, SName: s},
			{Frame: 5, Src: "192.0.2.1:5002", Dst: "192.0.2.20:80", Kind: "http_request", Method: s, URI: s, Authorization: s},
			{Frame: 5, Src: "192.0.2.1:5002", Dst: "192.0.2.20:80", Kind: "ntlm_authenticate", Carrier: "http", Domain: s, User: s},
			{Frame: 6, Src: "192.0.2.20:80", Dst: "192.0.2.1:5002", Kind: "http_response", Status: 401, WWWAuthenticate: []string{s}},
		},
		Flows: []Flow{{Client: "192.0.2.1", User: s, Server: s, Service: s, SPN: s, Outcome: s, Findings: []string{s},
			Steps: []Step{
				{Step: "name_resolution", Status: "ok", Frames: []int{1, 2}, Refs: []string{s + "#1", s + "#2"}, Detail: s},
				{Step: "ticket_request", Status: "ok", Frames: []int{3}, Detail: s},
				{Step: "ticket_reply", Status: "failed", Frames: []int{4}, Detail: s},
				{Step: "authenticated_request", Status: "failed", Frames: []int{5}, Detail: s},
				{Step: "acceptance", Status: "missing", Detail: s},
				{Step: s, Status: s, Detail: s},
			}}},
		Findings: []Finding{
			{ID: s, Severity: s, Frames: []int{3, 4}, Refs: []string{s, s}, Summary: s, Cause: s, Remedy: s, Flow: &one},
			{ID: s, Severity: s, Summary: s, Cause: s, Remedy: s},
		},
	}
}

var (
	mermaidEntity = regexp.MustCompile(`#\w+;`)
	mermaidStmt   = regexp.MustCompile(`^    (participant [A-Z][0-9]* as [^\n]+|[A-Z][0-9]*(->>|-->>|-x|--x)[A-Z][0-9]*: [^\n]+|Note over [A-Z][0-9]*(,[A-Z][0-9]*)?: [^\n]+)$`)
	mermaidStyle  = regexp.MustCompile(`(style|classDef).*:\S*#.*;`)
)

// checkMermaid checks every Mermaid block of a Markdown report the way
// Mermaid's lexer reads it: after its entity pre-pass (#name; codes become
// placeholders) no statement may hold what ends a text or starts a comment
// or HTML, and no line may trigger the pre-pass's style rule. It returns
// the number of blocks.
func checkMermaid(t *testing.T, md string) int {
	t.Helper()
	blocks := 0
	in := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case line == "```mermaid":
			in, blocks = true, blocks+1
			continue
		case in && line == "```":
			in = false
			continue
		case !in:
			continue
		case line == "sequenceDiagram":
			continue
		}
		if mermaidStyle.MatchString(line) {
			t.Errorf("mermaid line triggers the style pre-pass: %q", line)
		}
		if !mermaidStmt.MatchString(line) {
			t.Errorf("not a mermaid statement: %q", line)
		}
		text := line[strings.Index(line, ": ")+2:]
		if strings.HasPrefix(line, "    participant ") {
			text = line[strings.Index(line, " as ")+4:]
		}
		bare := mermaidEntity.ReplaceAllString(text, "")
		if i := strings.IndexAny(bare, "#;<>`%&\"{}\r\n\x1b"); i >= 0 {
			t.Errorf("mermaid line holds %q unescaped: %q", bare[i], line)
		}
	}
	if in {
		t.Error("mermaid block not closed")
	}
	return blocks
}

// checkMarkdownText checks the Markdown outside the diagrams: no raw HTML,
// link, image or code fence from the capture, no terminal control, and
// table rows with their column count.
func checkMarkdownText(t *testing.T, md string) {
	t.Helper()
	in := false
	for _, line := range strings.Split(md, "\n") {
		if line == "```mermaid" || (in && line == "```") {
			in = !in
			continue
		}
		if in {
			continue
		}
		if l := strings.TrimLeft(line, " "); len(line)-len(l) < 4 && (strings.HasPrefix(l, "```") || strings.HasPrefix(l, "~~~")) {
			t.Errorf("code fence outside a diagram: %q", line)
		}
		if strings.ContainsAny(line, "\x1b\x07\r\u202e") {
			t.Errorf("control character in %q", line)
		}
		for i := 0; i < len(line); i++ {
			if strings.IndexByte("<>[]|*", line[i]) < 0 || line[i] == '|' && strings.HasPrefix(line, "|") {
				continue
			}
			if line[i] == '*' && (strings.Contains(line[max(i-1, 0):min(i+2, len(line))], "**")) {
				continue // the report's own bold
			}
			if inCode(line, i) {
				continue
			}
			if i == 0 || line[i-1] != '\\' {
				t.Errorf("unescaped %q at %d in %q", line[i], i, line)
				break
			}
		}
		if strings.HasPrefix(line, "| ") {
			if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 6 && n != 7 {
				t.Errorf("table row with %d cell borders: %q", n, line)
			}
		}
	}
}

// inCode reports whether byte i of line lies inside a code span (a run
// of n backticks up to the next run of exactly n, as CommonMark reads it).
func inCode(line string, i int) bool {
	for j := 0; j < len(line); {
		if line[j] != '`' || (j > 0 && line[j-1] == '\\') {
			j++
			continue
		}
		n := 0
		for j+n < len(line) && line[j+n] == '`' {
			n++
		}
		end := closingRun(line, j+n, n)
		if end < 0 {
			j += n
			continue
		}
		if i > j && i < end {
			return true
		}
		j = end + n
	}
	return false
}

// closingRun finds the next run of exactly n backticks from off, or -1.
func closingRun(line string, off, n int) int {
	for k := off; k < len(line); {
		if line[k] != '`' {
			k++
			continue
		}
		m := 0
		for k+m < len(line) && line[k+m] == '`' {
			m++
		}
		if m == n {
			return k
		}
		k += m
	}
	return -1
}

func TestMarkdownSPNMissing(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, goldenReport(t, "spn-missing"), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"```mermaid\nsequenceDiagram\n",
		"    participant K1 as KDC 192.0.2.10\n",
		"    C->>K1: TGS-REQ HTTP/noprinc.kerbtrace.test (frame 46)\n",
		"    K1--xC: KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN (frame 47)\n",
		"    Note over C,K1: ✖ step 6 ticket_reply failed: KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN\n",
		"    Note over C,S1: not seen: authenticated request (step 7), server's answer (step 8)\n",
		"    K1-->>C: KRB-ERROR KDC_ERR_PREAUTH_REQUIRED (frame 10)\n", // normal: not crossed
		"| 6 | ticket_reply | **failed** | 47, 57, 73, 83 | KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN |\n",
		"  - failed at step 6 ticket_reply (frames 47, 57, 73, 83): KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN\n",
		"  - remedy: setspn -Q HTTP/noprinc.kerbtrace.test;",
		"### ERROR KRB_S_PRINCIPAL_UNKNOWN\n",
		"| 1 | testdata/captures/spn-missing.pcap | pcap, ethernet | 88 | 2026-11-25T10:13:18.418094000Z | 2026-11-25T10:13:18.538503000Z |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// The summary leads: the failing step and remedy come before the flow.
	if s, f := strings.Index(md, "## Summary"), strings.Index(md, "## Flow 1"); s < 0 || f < s {
		t.Errorf("summary at %d, flow at %d", s, f)
	}
	if n := checkMermaid(t, md); n != 1 {
		t.Errorf("%d mermaid blocks, want 1", n)
	}
	checkMarkdownText(t, md)
}

func TestMarkdownHostile(t *testing.T) {
	for _, s := range hostileStrings {
		t.Run(strings.ToValidUTF8(s[:min(len(s), 12)], "?"), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Markdown(&buf, hostileReport(s), RenderOptions{}); err != nil {
				t.Fatal(err)
			}
			md := buf.String()
			if n := checkMermaid(t, md); n != 1 {
				t.Errorf("%d mermaid blocks, want 1", n)
			}
			checkMarkdownText(t, md)
			if t.Failed() {
				t.Logf("output:\n%s", md)
			}
		})
	}
}

func TestMermaidText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"TGS-REQ HTTP/www.example.com (frame 12)", "TGS-REQ HTTP/www.example.com (frame 12)"},
		{"a;b#c", "a#59;b#35;c"},
		{"<br>", "#lt;br#gt;"},
		{"50% & `x`", "50#37; #amp; #96;x#96;"},
		{"line\nbreak", `line\x0abreak`},
		{"style: x", "styl#101;: x"},
	}
	for _, c := range cases {
		if got := mermaidText(c.in); got != c.want {
			t.Errorf("mermaidText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	cases := []struct{ in, want string }{
		{"KDC_ERR_S_PRINCIPAL_UNKNOWN", "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
		{"_emph_ *b*", `\_emph\_ \*b\*`},
		{"a|b", `a\|b`},
		{"[x](y)", `\[x\](y)`},
		{"<script>", `\<script\>`},
		{"\x1b[2J", `\\x1b\[2J`},
	}
	for _, c := range cases {
		if got := mdText(c.in); got != c.want {
			t.Errorf("mdText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for in, want := range map[string]string{"x": "`x`", "a`b": "`` a`b ``", "": "` `"} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}
