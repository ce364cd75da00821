package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Markdown writes the report as GitHub / Azure DevOps flavoured Markdown:
// a summary leading with each flow's first failing step and remedy, then
// per flow a Mermaid sequence diagram, the step table and the findings,
// then the captures and what could not be decoded. Every string from the
// capture is escaped: it can neither format the page, nor link, nor break
// out of the diagram. Color is ignored.
func Markdown(w io.Writer, r *Report, _ RenderOptions) error {
	bw := bufio.NewWriter(w)
	e, wn, in := severityCounts(r.Findings)
	fmt.Fprintf(bw, "# kerbtrace report\n\n%d %s, %d messages decoded, %d %s; findings: %d error, %d warning, %d info.\n",
		len(r.Captures), pluralWord(len(r.Captures), "capture", "captures"), r.MessageCount(),
		len(r.Flows), pluralWord(len(r.Flows), "flow", "flows"), e, wn, in)
	hs := headlines(r)
	seqs := newFlowSequences(r)
	mdSummary(bw, hs, len(r.Captures) > 1)
	for i := range hs {
		seq := seqs.flow(i)
		mdFlow(bw, &hs[i], &seq, len(r.Captures) > 1)
	}
	if other := otherFindings(r); len(other) > 0 {
		fmt.Fprintf(bw, "\n## Other findings\n")
		for _, f := range other {
			mdFinding(bw, f)
		}
	}
	mdCaptures(bw, r)
	return bw.Flush()
}

func mdSummary(w *bufio.Writer, hs []headline, multi bool) {
	fmt.Fprintf(w, "\n## Summary\n\n")
	if len(hs) == 0 {
		fmt.Fprintf(w, "No authentication flow was found in the capture.\n")
		return
	}
	for i := range hs {
		h := &hs[i]
		fmt.Fprintf(w, "- **Flow %d: %s**, %s\n", h.N, strings.ToUpper(mdText(h.Flow.Outcome)), mdFlowTitle(h.Flow, multi))
		if h.Step != nil {
			fmt.Fprintf(w, "  - %s at step %d %s%s: %s\n", mdText(h.Step.Status), h.StepN, mdText(h.Step.Step),
				mdFrames(h.Step.Frames, h.Step.Refs), mdText(h.Step.Detail))
		}
		if h.Finding != nil {
			fmt.Fprintf(w, "  - %s %s: %s\n", mdText(h.Finding.Severity), mdText(h.Finding.ID), mdText(h.Finding.Summary))
			fmt.Fprintf(w, "  - remedy: %s\n", mdText(h.Finding.Remedy))
		}
	}
}

// mdFlowTitle is "client → server (service)", with the capture number when
// there are several.
func mdFlowTitle(f *Flow, multi bool) string {
	s := mdCode(f.Client) + " → " + mdCode(f.Server) + " (" + mdText(f.Service) + ")"
	if multi {
		s += " in capture " + strconv.Itoa(f.Capture+1)
	}
	return s
}

func mdFrames(fr []int, refs []string) string {
	if len(fr) == 0 {
		return ""
	}
	return " (" + pluralWord(len(fr), "frame", "frames") + " " + mdText(frameList(fr, refs)) + ")"
}

func mdFlow(w *bufio.Writer, h *headline, seq *Sequence, multi bool) {
	f := h.Flow
	fmt.Fprintf(w, "\n## Flow %d: %s\n\n", h.N, mdFlowTitle(f, multi))
	line := "Outcome: **" + strings.ToUpper(mdText(f.Outcome)) + "**"
	if f.User != "" {
		line += ", user " + mdCode(f.User)
	}
	if f.SPN != "" {
		line += ", SPN " + mdCode(f.SPN)
	}
	fmt.Fprintf(w, "%s\n\n", line)
	mermaid(w, seq)
	fmt.Fprintf(w, "\n| # | step | status | frames | detail |\n|---|---|---|---|---|\n")
	for i, s := range f.Steps {
		status := mdText(s.Status)
		if s.Status == "failed" {
			status = "**" + status + "**"
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s |\n", i+1, mdText(s.Step), status, mdText(frameList(s.Frames, s.Refs)), mdText(s.Detail))
	}
	for _, fd := range h.Findings {
		mdFinding(w, fd)
	}
}

func mdFinding(w *bufio.Writer, f *Finding) {
	fmt.Fprintf(w, "\n### %s %s\n\n", strings.ToUpper(mdText(f.Severity)), mdText(f.ID))
	fmt.Fprintf(w, "%s\n\n", mdText(f.Summary))
	if len(f.Frames) > 0 {
		fmt.Fprintf(w, "- frames: %s\n", mdText(frameList(f.Frames, f.Refs)))
	}
	fmt.Fprintf(w, "- cause: %s\n- remedy: %s\n", mdText(f.Cause), mdText(f.Remedy))
}

func mdCaptures(w *bufio.Writer, r *Report) {
	fmt.Fprintf(w, "\n## Captures\n\n| # | file | format | packets | first | last |\n|---|---|---|---|---|---|\n")
	for i, c := range r.Captures {
		packets := strconv.Itoa(c.Packets)
		if c.Metadata > 0 {
			packets += " (" + strconv.Itoa(c.Metadata) + " metadata records)"
		}
		format := mdText(c.Format)
		if len(c.LinkTypes) > 0 {
			format += ", " + mdText(strings.Join(c.LinkTypes, "+"))
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s |\n", i+1, mdText(c.File), format, packets, mdText(c.First), mdText(c.Last))
	}
	for i, c := range r.Captures {
		for _, wn := range c.Warnings {
			fmt.Fprintf(w, "\n- warning (capture %d): %s", i+1, mdText(wn))
		}
	}
	if len(r.Anomalies) > 0 {
		fmt.Fprintf(w, "\n### Not decoded (%d)\n\n", len(r.Anomalies))
		for i, a := range r.Anomalies {
			if i == maxAnomalies {
				fmt.Fprintf(w, "- ... and %d more (see the JSON report)\n", len(r.Anomalies)-maxAnomalies)
				break
			}
			fmt.Fprintf(w, "- %s\n", mdText(a))
		}
	}
}

// mdText makes a string from the capture inert in Markdown: terminal
// controls become visible escapes (Sanitize), and every character that
// could start markup (emphasis, links, images, HTML, code, table cells,
// headings, strike-through, entities) is backslash-escaped. An underscore
// inside a word is left alone, as GFM never reads it as emphasis, so that
// KDC_ERR_S_PRINCIPAL_UNKNOWN stays readable in the source.
func mdText(s string) string {
	s = Sanitize(s)
	var b strings.Builder
	prev := rune(-1)
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '[', ']', '<', '>', '|', '#', '~', '&', '!', '{', '}':
			b.WriteByte('\\')
		case '_':
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if !(isWordRune(prev) && isWordRune(next)) {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// mdCode writes s as a code span (nothing inside is markup), with a fence
// longer than any run of backticks inside it. Not for table cells: a pipe
// there would end the cell.
func mdCode(s string) string {
	s = Sanitize(s)
	if s == "" {
		return "` `"
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
