package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
)

// svgFacts is what the inline diagrams of an HTML report hold, read back
// with a strict XML parser (so each SVG is also well-formed on its own).
type svgFacts struct {
	diagrams int
	arrows   int
	failed   int
	frames   []string // data-frame of each arrow, in order
	texts    []string // the <text> contents
}

var svgElement = regexp.MustCompile(`(?s)<svg .*?</svg>`)

func readSVGs(t testing.TB, page string) svgFacts {
	t.Helper()
	var f svgFacts
	for _, s := range svgElement.FindAllString(page, -1) {
		f.diagrams++
		d := xml.NewDecoder(strings.NewReader(s))
		var inText bool
		var text strings.Builder
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("svg %d is not well-formed: %v", f.diagrams, err)
			}
			switch e := tok.(type) {
			case xml.StartElement:
				if e.Name.Local == "g" {
					for _, a := range e.Attr {
						if a.Name.Local == "class" && strings.HasPrefix(a.Value, "arrow") {
							f.arrows++
							if a.Value == "arrow failed" {
								f.failed++
							}
						}
						if a.Name.Local == "data-frame" {
							f.frames = append(f.frames, a.Value)
						}
					}
				}
				if e.Name.Local == "text" {
					inText = true
					text.Reset()
				}
			case xml.CharData:
				if inText {
					text.Write(e)
				}
			case xml.EndElement:
				if e.Name.Local == "text" {
					inText = false
					f.texts = append(f.texts, text.String())
				}
			}
		}
	}
	return f
}

// checkSelfContained fails on anything that would make a browser fetch or
// run something: scripts, external references, CSS imports or URLs.
func checkSelfContained(t testing.TB, page string) {
	t.Helper()
	low := strings.ToLower(page)
	for _, bad := range []string{"<script", "javascript:", " src=", "<link", "@import", "url(", "<iframe", "<object", "<embed", "<img", " on"} {
		if bad == " on" {
			if m := regexp.MustCompile(`<[^>]* on[a-z]+=`).FindString(low); m != "" {
				t.Errorf("event handler attribute in %q", m)
			}
			continue
		}
		if strings.Contains(low, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	// Links only within the page; the SVG namespace name is never fetched.
	for _, m := range regexp.MustCompile(`(?i)(href|xmlns)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[2], "#") && m[2] != "http://www.w3.org/2000/svg" {
			t.Errorf("page refers to %q", m[2])
		}
	}
	if strings.ContainsAny(page, "\x1b\x07\u202e") {
		t.Error("page holds a control or bidi character")
	}
}

func renderHTML(t testing.TB, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestHTMLLab(t *testing.T) {
	cases := []struct {
		capture          string
		diagrams, arrows int
		failed           int
		texts            []string
		page             []string
	}{
		{"spn-missing", 1, 19, 4,
			[]string{"TGS-REQ HTTP/noprinc.kerbtrace.test (frame 46)", "KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN (frame 47)",
				"✖ step 6 ticket_reply failed: KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN", "KDC 192.0.2.10"},
			[]string{`<span class="badge outcome-failed">FAILED</span>`, "<dt>remedy</dt><dd>setspn -Q HTTP/noprinc.kerbtrace.test;",
				`<td class="status-failed">failed</td><td>47, 57, 73, 83</td>`}},
		{"two-clients", 2, 26, 1,
			[]string{"KRB-ERROR KDC_ERR_PREAUTH_FAILED (frame 42)", "Client 192.0.2.102"},
			[]string{`<span class="badge outcome-kerberos_ok">KERBEROS_OK</span>`}},
		{"success", 1, 0, 0, nil, []string{`<span class="badge outcome-kerberos_ok">`}},
	}
	for _, c := range cases {
		t.Run(c.capture, func(t *testing.T) {
			page := renderHTML(t, goldenReport(t, c.capture))
			checkSelfContained(t, page)
			f := readSVGs(t, page)
			if f.diagrams != c.diagrams || (c.arrows > 0 && f.arrows != c.arrows) || f.failed != c.failed {
				t.Errorf("%d diagrams, %d arrows, %d failed; want %d, %d, %d", f.diagrams, f.arrows, f.failed, c.diagrams, c.arrows, c.failed)
			}
			for _, w := range c.texts {
				if !contains(f.texts, w) {
					t.Errorf("no SVG text %q in %q", w, f.texts)
				}
			}
			for _, w := range c.page {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if s, fl := strings.Index(page, `id="summary"`), strings.Index(page, `id="flow-1"`); s < 0 || fl < s {
				t.Errorf("summary at %d, first flow at %d", s, fl)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestHTMLHostile checks that capture strings come out as text: no markup,
// no script, the SVG well-formed and holding the string as it was (with
// control characters shown as escapes).
func TestHTMLHostile(t *testing.T) {
	for _, s := range hostileStrings {
		t.Run(strings.ToValidUTF8(s[:min(len(s), 12)], "?"), func(t *testing.T) {
			page := renderHTML(t, hostileReport(s))
			checkSelfContained(t, page)
			if strings.Contains(page, "<b>bold") || strings.Contains(page, "<!-- comment") || strings.Contains(page, "</script>") {
				t.Error("capture markup reached the page")
			}
			f := readSVGs(t, page)
			if want := "TGS-REQ " + htmlClean(s) + " (frame 3)"; !contains(f.texts, want) {
				t.Errorf("no SVG text %q in %q", want, f.texts)
			}
			if f.arrows != 5 || f.failed != 2 {
				t.Errorf("%d arrows, %d failed; want 5, 2", f.arrows, f.failed)
			}
		})
	}
}

func TestHTMLDeterministic(t *testing.T) {
	r := goldenReport(t, "two-clients")
	if a, b := renderHTML(t, r), renderHTML(t, r); a != b {
		t.Error("two renderings differ")
	}
}

// FuzzMarkdownHTML puts random strings in every capture-derived field of a
// report, and moves a step to random frames and status: neither renderer
// may panic, the Mermaid must stay valid, the HTML must hold no script and
// well-formed SVG.
func FuzzMarkdownHTML(f *testing.F) {
	for i, s := range hostileStrings {
		f.Add(s, i, uint8(i))
	}
	f.Add("", -1, uint8(0))
	f.Add("\uFFFF\uFFFE\x00", 1<<30, uint8(255))
	statuses := []string{"ok", "failed", "missing", "skipped", "not_applicable"}
	f.Fuzz(func(t *testing.T, s string, frame int, pick uint8) {
		r := hostileReport(s)
		st := &r.Flows[0].Steps[int(pick)%len(r.Flows[0].Steps)]
		st.Status = statuses[int(pick)%len(statuses)]
		st.Frames = []int{frame, frame % 7, 4}
		var md bytes.Buffer
		if err := Markdown(&md, r, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		checkMermaid(t, md.String())
		page := renderHTML(t, r)
		if strings.Contains(strings.ToLower(page), "<script") {
			t.Error("script in the page")
		}
		readSVGs(t, page)
	})
}
