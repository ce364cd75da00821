package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Renderer writes a report in one format.
type Renderer func(w io.Writer, r *Report, o RenderOptions) error

// RenderOptions are the choices a renderer takes from the command line and
// the terminal, never from the report itself.
type RenderOptions struct {
	// Color asks for ANSI colours (stdout is a terminal and NO_COLOR unset).
	Color bool
	// Release, when set, says that this is the report's last rendering. A
	// renderer that is done with the messages before it reads the analysis
	// (JSON) then lets go of them (Report.DropMessages) once they are
	// written and the analysis has ended, and calls Release before it makes
	// the report form of the flows and findings: the caller can collect
	// there, so that those take memory the messages held rather than grow
	// the heap past its peak.
	Release func()
}

// renderers maps format names to renderers. Every renderer completes a
// report made by BuildPending: JSON and summary after writing the
// messages, the others first. None needs every message at hand: on a
// report built with Options.StreamMessages, they are built as they are
// read (Report.eachMessage, flowSequences).
var renderers = map[string]Renderer{
	"table":    Table,
	"json":     JSON,
	"summary":  Summary,
	"markdown": completed(Markdown),
	"html":     completed(HTML),
}

// completed wraps a renderer that needs the flows from the start.
func completed(render Renderer) Renderer {
	return func(w io.Writer, r *Report, o RenderOptions) error {
		r.Complete()
		return render(w, r, o)
	}
}

// messageFree are the formats whose renderer reads no message of a
// report, only their number: the step tables.
var messageFree = map[string]bool{"table": true}

// ReadsMessages reports whether the renderer of format reads the messages
// of a report. When it does not, a caller that renders a report only in
// that format can drop them (Report.DropMessages) before rendering.
func ReadsMessages(format string) bool { return !messageFree[format] }

// Lookup returns the renderer for a format name.
func Lookup(format string) (Renderer, bool) {
	r, ok := renderers[format]
	return r, ok
}

// Formats lists the format names, sorted, for help texts.
func Formats() []string {
	out := make([]string, 0, len(renderers))
	for k := range renderers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Sanitize makes a string from a capture safe for a terminal: control
// characters, invalid UTF-8 and bidirectional overrides become visible
// escapes, so that no capture can move the cursor or recolour the screen.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || isBidi(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) || isBidi(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f
}
