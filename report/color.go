package report

import (
	"io"
	"regexp"
	"sync"
)

// ANSI colours (ECMA-48 SGR) of the table report, used only when
// RenderOptions.Color is set.
const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// wordColors colour the severities and the flow outcomes.
var wordColors = map[string]string{
	"ERROR": ansiRed, "WARNING": ansiYellow, "INFO": ansiCyan,
	"FAILED": ansiRed, "NTLM_FALLBACK": ansiYellow, "INCOMPLETE": ansiYellow, "KERBEROS_OK": ansiGreen,
}

// colorPattern finds the words the table colours: a finding's "[ERROR]"
// at the start of its line and a flow's "outcome: FAILED" at the end of
// its line. Capture strings never hold line breaks (Sanitize), so a
// capture cannot place either at those positions.
// It is compiled on first use, as the other patterns of the program, so
// that a run's start compiles none it does not use.
var colorPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\[(ERROR|WARNING|INFO)\]|  outcome: (FAILED|NTLM_FALLBACK|INCOMPLETE|KERBEROS_OK)$`)
})

// colorWriter colours the severities and outcomes of the table as it is
// written. The bytes between them pass unchanged; a word that the table's
// buffer happens to split between two writes stays uncoloured.
type colorWriter struct{ w io.Writer }

// colorLines returns w itself unless o asks for colours.
func colorLines(w io.Writer, o RenderOptions) io.Writer {
	if !o.Color {
		return w
	}
	return colorWriter{w}
}

func (c colorWriter) Write(p []byte) (int, error) {
	out := colorPattern().ReplaceAllFunc(p, func(m []byte) []byte {
		sub := colorPattern().FindSubmatch(m)
		word, prefix, suffix := string(sub[1]), "[", "]"
		if word == "" {
			word, prefix, suffix = string(sub[2]), "  outcome: ", ""
		}
		return []byte(prefix + ansiBold + wordColors[word] + word + ansiReset + suffix)
	})
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
