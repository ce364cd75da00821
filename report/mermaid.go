package report

import (
	"bufio"
	"fmt"
	"strings"
)

// Mermaid label limits: the step table has the full texts.
const (
	mermaidArrowRunes = 100
	mermaidNoteRunes  = 120
	mermaidPartRunes  = 80
)

// mermaid writes a sequence as a fenced Mermaid sequenceDiagram: one
// participant per lifeline, one arrow per message (responses dotted, the
// failing ones crossed), and notes for failures and steps never seen.
func mermaid(w *bufio.Writer, s *Sequence) {
	fmt.Fprintf(w, "```mermaid\nsequenceDiagram\n")
	for _, p := range s.Participants {
		fmt.Fprintf(w, "    participant %s as %s\n", p.ID, mermaidText(clip(p.Label(), mermaidPartRunes)))
	}
	for _, it := range s.Items {
		switch {
		case it.Arrow != nil:
			a := it.Arrow
			fmt.Fprintf(w, "    %s%s%s: %s\n", s.Participants[a.From].ID, mermaidArrow(a), s.Participants[a.To].ID,
				mermaidText(a.label(mermaidArrowRunes)))
		case it.Note != nil:
			n := it.Note
			over := s.Participants[n.From].ID
			if n.To != n.From {
				over += "," + s.Participants[n.To].ID
			}
			text := clip(n.Text, mermaidNoteRunes)
			if n.Failed {
				text = "✖ " + text
			}
			fmt.Fprintf(w, "    Note over %s: %s\n", over, mermaidText(text))
		}
	}
	if s.Omitted > 0 {
		last := s.Participants[len(s.Participants)-1].ID
		fmt.Fprintf(w, "    Note over %s,%s: %d more messages not drawn (see the JSON report)\n", s.Participants[0].ID, last, s.Omitted)
	}
	fmt.Fprintf(w, "```\n")
}

// mermaidArrow picks the arrow: solid for requests, dotted for responses,
// a cross instead of the head for a failing message.
func mermaidArrow(a *Arrow) string {
	switch {
	case a.Failed && a.Response:
		return "--x"
	case a.Failed:
		return "-x"
	case a.Response:
		return "-->>"
	}
	return "->>"
}

// mermaidEntities replaces the characters that end or change a Mermaid
// text (";" and "#" end it, "%%" starts a comment, "<" ">" "&" are HTML to
// Mermaid, a backtick could close the Markdown fence, quotes and braces
// are directive syntax) by Mermaid's entity codes, which it decodes when
// drawing. ":" is kept: text after an arrow's colon may hold colons.
var mermaidEntities = strings.NewReplacer(
	"#", "#35;", ";", "#59;", "%", "#37;", "<", "#lt;", ">", "#gt;", "&", "#amp;",
	"`", "#96;", `"`, "#quot;", "{", "#123;", "}", "#125;",
)

// mermaidText makes a string safe as a Mermaid participant alias, message
// or note: one line (Sanitize shows control characters as escapes), the
// syntax characters as entity codes, and the words "style" and "classDef"
// broken by an entity, because Mermaid's entity pre-pass drops a ';' on any
// line holding "style…:…#…;" and would corrupt the codes after it.
func mermaidText(s string) string {
	s = mermaidEntities.Replace(Sanitize(s))
	s = strings.ReplaceAll(s, "style", "styl#101;")
	s = strings.ReplaceAll(s, "classDef", "classDe#102;")
	return s
}
