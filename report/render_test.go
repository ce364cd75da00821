package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"HTTP/www.example.com", "HTTP/www.example.com"},
		{"bell\x07", `bell\x07`},
		{"\x1b[31mred", `\x1b[31mred`},
		{"line\nbreak", `line\x0abreak`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"rtl\u202eevil", `rtl\u202eevil`},
		{"ünïcode", "ünïcode"},
	}
	for _, c := range cases {
		if got := Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func sample() *Report {
	kvno := 2
	code := int32(7)
	flow := 1
	return &Report{
		Version:  SchemaVersion,
		Captures: []Capture{{File: "x.pcap", Format: "pcap", LinkTypes: []string{"ethernet"}, Packets: 3, Warnings: []string{}}},
		Messages: []Message{
			{Frame: 1, Time: "2026-01-01T00:00:00.000000000Z", Src: "192.0.2.1:5000", Dst: "192.0.2.10:88", Transport: "udp", Kind: "tgs_req", Realm: "EXAMPLE.COM", SName: "HTTP/www.example.com"},
			{Frame: 2, Time: "2026-01-01T00:00:00.000000000Z", Src: "192.0.2.10:88", Dst: "192.0.2.1:5000", Transport: "udp", Kind: "krb_error", ErrorCode: &code, ErrorName: "KDC_ERR_S_PRINCIPAL_UNKNOWN", TicketKvno: &kvno},
		},
		Flows: []Flow{{Client: "192.0.2.1", Server: "www.example.com", Service: "http", SPN: "HTTP/www.example.com", Outcome: "failed",
			Steps: []Step{{Step: "ticket_reply", Status: "failed", Frames: []int{2}, Detail: "KRB-ERROR \x1b[2J"}}, Findings: []string{"KRB_S_PRINCIPAL_UNKNOWN"}}},
		Findings: []Finding{{ID: "KRB_S_PRINCIPAL_UNKNOWN", Severity: "error", Frames: []int{1, 2}, Summary: "s", Cause: "c", Remedy: "r", Flow: &flow}},
	}
}

// TestJSONContract checks the fixed key names of spec/report-json.md.
func TestJSONContract(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sample(), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "captures", "messages", "flows", "findings"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("top-level key %q missing", k)
		}
	}
	has := func(obj any, keys ...string) {
		t.Helper()
		m := obj.(map[string]any)
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("key %q missing in %v", k, m)
			}
		}
	}
	has(doc["captures"].([]any)[0], "file", "format", "link_types", "packets", "warnings")
	has(doc["messages"].([]any)[0], "frame", "capture", "time", "src", "dst", "transport", "kind", "realm", "sname")
	has(doc["messages"].([]any)[1], "error_code", "error_name")
	has(doc["flows"].([]any)[0], "client", "server", "service", "spn", "steps", "outcome", "findings")
	has(doc["flows"].([]any)[0].(map[string]any)["steps"].([]any)[0], "step", "status", "frames", "detail")
	has(doc["findings"].([]any)[0], "id", "severity", "frames", "summary", "cause", "remedy")
	if doc["version"] != "kerbtrace/1" {
		t.Errorf("version = %v", doc["version"])
	}
}

// TestTableEscapes checks that capture strings cannot drive the terminal.
func TestTableEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, sample(), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsRune(out, 0x1b) {
		t.Errorf("table output holds a raw escape character:\n%s", out)
	}
	for _, want := range []string{"ticket_reply", "failed", `\x1b[2J`, "[ERROR] KRB_S_PRINCIPAL_UNKNOWN (flow 1) frames 1, 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("table output lacks %q:\n%s", want, out)
		}
	}
}

// TestRenderDeterministic renders the same model twice in each format.
func TestRenderDeterministic(t *testing.T) {
	for _, name := range Formats() {
		r, _ := Lookup(name)
		var a, b bytes.Buffer
		if err := r(&a, sample(), RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := r(&b, sample(), RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two renderings differ", name)
		}
	}
}
