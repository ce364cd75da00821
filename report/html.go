package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"
)

// HTML writes the report as one self-contained HTML page: inline CSS (with
// print rules), an inline SVG sequence diagram per flow drawn by kerbtrace
// (svg.go), and the same content as the Markdown report. It has no script,
// and fetches nothing: no font, image or style sheet from anywhere. Every
// string goes through html/template's contextual escaping after Sanitize.
// The bytes are a function of the report alone. Color is ignored.
func HTML(w io.Writer, r *Report, _ RenderOptions) error {
	hs := headlines(r)
	seqs := newFlowSequences(r)
	v := htmlView{R: r, Multi: len(r.Captures) > 1, Other: otherFindings(r)}
	v.Errors, v.Warnings, v.Infos = severityCounts(r.Findings)
	for i := range hs {
		v.Flows = append(v.Flows, htmlFlow{headline: hs[i], Multi: v.Multi, seqs: seqs})
	}
	v.Anomalies = r.Anomalies
	if len(v.Anomalies) > maxAnomalies {
		v.Anomalies, v.MoreAnomalies = v.Anomalies[:maxAnomalies], len(r.Anomalies)-maxAnomalies
	}
	// Written as it is made: a page of thousands of flows is tens of MB.
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := htmlTemplate().Execute(bw, &v); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return bw.Flush()
}

// htmlView is what the template reads.
type htmlView struct {
	R                       *Report
	Multi                   bool
	Errors, Warnings, Infos int
	Flows                   []htmlFlow
	Other                   []*Finding
	Anomalies               []string
	MoreAnomalies           int
}

type htmlFlow struct {
	headline
	Multi bool // several captures: say which one
	seqs  *flowSequences
}

// Diagram lays out the flow's sequence diagram when the template draws
// it, so that the page is made holding one diagram, not one per flow.
func (f *htmlFlow) Diagram() svgDiagram {
	seq := f.seqs.flow(f.N - 1)
	return layoutSVG(&seq)
}

var htmlFuncs = template.FuncMap{
	"clean":  htmlClean,
	"class":  classWord,
	"upper":  strings.ToUpper,
	"frames": frameList,
	"plural": pluralWord,
	"inc":    func(i int) int { return i + 1 },
}

// htmlClean is Sanitize, plus the two characters XML forbids that it lets
// through (U+FFFE, U+FFFF), so that the inline SVG stays well-formed XML
// when saved on its own.
func htmlClean(s string) string {
	s = Sanitize(s)
	if strings.ContainsAny(s, "\uFFFE\uFFFF") {
		s = strings.NewReplacer("\uFFFE", `\ufffe`, "\uFFFF", `\uffff`).Replace(s)
	}
	return s
}

// classWord makes a value (an outcome, a status, a severity) usable in a
// class name: lower-case letters, digits and "_" only, anything else "x".
func classWord(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return "x"
		}
	}
	return s
}

// htmlTemplate is the page's template, parsed on first use: parsing it
// took a millisecond of every run's start, whatever the format.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(htmlFuncs).Parse(htmlSource))
})

// htmlSource is the page. Colours: severities, outcomes and step statuses
// each have one; the print rules keep them (print-color-adjust) and let the
// diagram shrink to the page width.
const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kerbtrace">
<title>kerbtrace report</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
h3 { font-size: 1.05em; margin: .2em 0 .3em; }
code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; font-size: .92em; }
table { border-collapse: collapse; margin: .8em 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { white-space: nowrap; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .3em; font-weight: bold; border: 1px solid currentColor; }
.outcome-kerberos_ok, .status-ok { color: #1b6e20; }
.outcome-ntlm_fallback, .status-missing, .sev-warning { color: #8a5300; }
.outcome-failed, .status-failed, .sev-error { color: #b3261e; }
.outcome-incomplete, .status-skipped, .status-not_applicable { color: #555; }
.sev-info { color: #1f5fa8; }
.status-failed { font-weight: bold; }
.summary li { margin-bottom: .6em; }
.finding { border-left: 4px solid currentColor; padding: .1em .8em; margin: 1em 0; }
.finding p, .finding dl { color: #1b1b1b; }
dl { margin: .3em 0; }
dt { font-weight: bold; float: left; clear: left; width: 4.5em; }
dd { margin-left: 5em; }
figure { margin: 1em 0; overflow-x: auto; }
figcaption { font-size: .9em; color: #555; }
svg.seq { max-width: 100%; height: auto; }
svg.seq text { font-family: "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; font-size: 12px; }
@media print {
  body { margin: 0; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  figure, .finding, tr { break-inside: avoid; }
  figure { overflow: visible; }
}
</style>
</head>
<body>
<h1>kerbtrace report</h1>
<p>{{len .R.Captures}} {{plural (len .R.Captures) "capture" "captures"}}, {{.R.MessageCount}} messages decoded, {{len .Flows}} {{plural (len .Flows) "flow" "flows"}}; findings: <span class="sev-error">{{.Errors}} error</span>, <span class="sev-warning">{{.Warnings}} warning</span>, <span class="sev-info">{{.Infos}} info</span>.</p>

<h2 id="summary">Summary</h2>
{{if not .Flows -}}
<p>No authentication flow was found in the capture.</p>
{{else -}}
<ul class="summary">
{{range .Flows -}}
<li><a href="#flow-{{.N}}">Flow {{.N}}</a>: <span class="badge outcome-{{class .Flow.Outcome}}">{{upper (clean .Flow.Outcome)}}</span> {{template "flowtitle" .}}
{{- if .Step}}<br><span class="status-{{class .Step.Status}}">{{clean .Step.Status}}</span> at step {{.StepN}} <code>{{clean .Step.Step}}</code>{{if .Step.Frames}} (frames {{clean (frames .Step.Frames .Step.Refs)}}){{end}}: {{clean .Step.Detail}}{{end}}
{{- with .Finding}}<br><span class="sev-{{class .Severity}}">{{clean .Severity}}</span> <code>{{clean .ID}}</code>: {{clean .Summary}}<br><b>Remedy:</b> {{clean .Remedy}}{{end}}</li>
{{end -}}
</ul>
{{end -}}
{{range .Flows}}
<section class="flow" id="flow-{{.N}}">
<h2>Flow {{.N}}: {{template "flowtitle" .}}</h2>
<p>Outcome: <span class="badge outcome-{{class .Flow.Outcome}}">{{upper (clean .Flow.Outcome)}}</span>{{with .Flow.User}}, user <code>{{clean .}}</code>{{end}}{{with .Flow.SPN}}, SPN <code>{{clean .}}</code>{{end}}</p>
<figure>
{{template "svg" .Diagram}}
<figcaption>Flow {{.N}} as seen on the wire: one arrow per message with its frame number; responses dashed; failing messages red and crossed.</figcaption>
</figure>
<table class="steps">
<thead><tr><th>#</th><th>step</th><th>status</th><th>frames</th><th>detail</th></tr></thead>
<tbody>
{{range $i, $s := .Flow.Steps -}}
<tr><td class="num">{{inc $i}}</td><td><code>{{clean $s.Step}}</code></td><td class="status-{{class $s.Status}}">{{clean $s.Status}}</td><td>{{clean (frames $s.Frames $s.Refs)}}</td><td>{{clean $s.Detail}}</td></tr>
{{end -}}
</tbody>
</table>
{{range .Findings}}{{template "finding" .}}{{end -}}
</section>
{{end -}}
{{with .Other}}
<section id="other-findings">
<h2>Other findings</h2>
{{range .}}{{template "finding" .}}{{end -}}
</section>
{{end}}
<section id="captures">
<h2>Captures</h2>
<table>
<thead><tr><th>#</th><th>file</th><th>format</th><th>packets</th><th>first</th><th>last</th></tr></thead>
<tbody>
{{range $i, $c := .R.Captures -}}
<tr><td class="num">{{inc $i}}</td><td><code>{{clean $c.File}}</code></td><td>{{clean $c.Format}}{{range $c.LinkTypes}}, {{clean .}}{{end}}</td><td>{{$c.Packets}}{{if $c.Metadata}} ({{$c.Metadata}} metadata records){{end}}</td><td>{{clean $c.First}}</td><td>{{clean $c.Last}}</td></tr>
{{end -}}
</tbody>
</table>
{{range $i, $c := .R.Captures}}{{range $c.Warnings -}}
<p class="sev-warning">warning (capture {{inc $i}}): {{clean .}}</p>
{{end}}{{end -}}
{{if .Anomalies -}}
<h3>Not decoded ({{len .R.Anomalies}})</h3>
<ul>
{{range .Anomalies}}<li><code>{{clean .}}</code></li>
{{end -}}
{{if .MoreAnomalies}}<li>... and {{.MoreAnomalies}} more (see the JSON report)</li>
{{end -}}
</ul>
{{end -}}
</section>
</body>
</html>
{{define "flowtitle"}}<code>{{clean .Flow.Client}}</code> → <code>{{clean .Flow.Server}}</code> ({{clean .Flow.Service}}){{if .Multi}} in capture {{inc .Flow.Capture}}{{end}}{{end}}
{{- define "finding"}}<div class="finding sev-{{class .Severity}}">
<h3><span class="badge">{{upper (clean .Severity)}}</span> <code>{{clean .ID}}</code></h3>
<p>{{clean .Summary}}</p>
<dl>{{if .Frames}}<dt>frames</dt><dd>{{clean (frames .Frames .Refs)}}</dd>{{end}}<dt>cause</dt><dd>{{clean .Cause}}</dd><dt>remedy</dt><dd>{{clean .Remedy}}</dd></dl>
</div>
{{end}}
{{- define "svg"}}<svg class="seq" xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="sequence diagram">
{{range .Lifelines}}<line class="lifeline" x1="{{.X}}" y1="{{.Y1}}" x2="{{.X}}" y2="{{.Y2}}" stroke="#999" stroke-dasharray="4 4"/>
{{end -}}
{{range .Boxes}}<g class="participant"><rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="4" fill="#eef3fb" stroke="#4a6fa5"/><text x="{{.TX}}" y="{{.TY}}" text-anchor="middle" fill="#1b1b1b">{{clean .Label}}</text></g>
{{end -}}
{{range .Arrows}}<g class="arrow{{if .Failed}} failed{{end}}" data-frame="{{.Frame}}"><title>{{clean .Title}}</title>
{{- if .Failed}}<line x1="{{.X1}}" y1="{{.Y}}" x2="{{.X2}}" y2="{{.Y}}" stroke="#d0021b" stroke-width="2.5"{{if .Response}} stroke-dasharray="7 4"{{end}}/><path d="{{.Cross}}" stroke="#d0021b" stroke-width="3"/><text x="{{.TX}}" y="{{.TY}}" text-anchor="middle" fill="#d0021b" font-weight="bold">{{clean .Label}}</text>
{{- else}}<line x1="{{.X1}}" y1="{{.Y}}" x2="{{.X2}}" y2="{{.Y}}" stroke="#333" stroke-width="1.2"{{if .Response}} stroke-dasharray="6 4"{{end}}/><polygon points="{{.Head}}" fill="#333"/><text x="{{.TX}}" y="{{.TY}}" text-anchor="middle" fill="#1b1b1b">{{clean .Label}}</text>
{{- end}}</g>
{{end -}}
{{range .Notes}}{{$n := .}}<g class="note{{if .Failed}} failed{{end}}"><rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="3" {{if .Failed}}fill="#fdecea" stroke="#d0021b"{{else}}fill="#fff8e1" stroke="#c9a227"{{end}}/>
{{- range .Lines}}<text x="{{$n.TX}}" y="{{.Y}}" fill="{{if $n.Failed}}#a4001b{{else}}#5d4300{{end}}">{{clean .Text}}</text>{{end}}</g>
{{end -}}
</svg>{{end}}
`
