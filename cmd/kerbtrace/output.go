package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/kerbtrace/kerbtrace/decode/capture"
	"github.com/kerbtrace/kerbtrace/decode/framelist"
	"github.com/kerbtrace/kerbtrace/report"
)

// isTerminal reports whether w is a terminal. Tests replace it to see
// both sides of the colour and progress decisions.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// outputFlags are the options that change what the report shows and how
// it reaches the user: --redact, --redact-map and --all, and the terminal
// decisions (colour on stdout, progress on stderr).
type outputFlags struct {
	redact    bool
	redactMap string
	all       bool

	frames   bool         // --all applies: a second read lists the frames
	stdinBuf bytes.Buffer // standard input as the first read consumed it, for the second
	lines    []report.TransportFrame
}

// register declares the output flags.
func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.redact, "redact", false, "replace user, host, domain and realm names, addresses and file names by pseudonyms (user1, host1.realm1.example, 192.0.2.1), the same in every format, to share the report")
	fs.StringVar(&o.redactMap, "redact-map", "", "with --redact (implied), write the pseudonyms and their originals to `FILE` (mode 0600; JSON when FILE ends in .json, else tab-separated)")
	fs.BoolVar(&o.all, "all", false, "with --format summary, list every UDP datagram and TCP segment, not only the authentication messages (reads each capture twice; standard input is kept in memory)")
}

// extFormats maps an -o file's extension to the format written when
// --format is not given; only the registered formats are taken.
var extFormats = map[string]string{
	".json": "json", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
	".txt": "table", ".summary": "summary", ".log": "summary",
}

// formatFor returns the format to write: the --format flag, else the one
// -o's extension names, else table.
func formatFor(flagFormat, output string) string {
	if flagFormat != "" {
		return flagFormat
	}
	if f, ok := extFormats[strings.ToLower(filepath.Ext(output))]; ok {
		if _, ok := report.Lookup(f); ok {
			return f
		}
	}
	return "table"
}

// check validates the output flags against the others, warns about what
// they change, and reports whether analyze may go on.
func (o *outputFlags) check(format, output string, rawTokens bool, stderr io.Writer) bool {
	if o.redactMap != "" {
		o.redact = true
		if output != "" && samePath(o.redactMap, output) {
			fmt.Fprintf(stderr, "kerbtrace: --redact-map %s is the report file (-o): the map must stay apart from the report\n", o.redactMap)
			return false
		}
	}
	if o.redact && rawTokens {
		fmt.Fprintln(stderr, "kerbtrace: warning: --redact drops the --raw-tokens values: their bytes hold the names")
	}
	if o.all && format != "summary" {
		fmt.Fprintf(stderr, "kerbtrace: warning: --all lists frames in --format summary only; ignored for %s\n", format)
	}
	o.frames = o.all && format == "summary"
	return true
}

// samePath reports whether a and b name the same file: the same cleaned
// absolute path, or the same existing file through links.
func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == ab {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// begin prepares the reads: progress bars on stderr when it is a
// terminal, and with --all a copy of what is read from standard input,
// for the second read.
func (o *outputFlags) begin(stdin io.Reader, stderr io.Writer) io.Reader {
	progress = nil
	if isTerminal(stderr) {
		progress = &progressState{w: stderr}
	}
	if o.frames && stdin != nil {
		return io.TeeReader(stdin, &o.stdinBuf)
	}
	return stdin
}

// addFrames reads input name again, with --all, to list its frames as
// capture number idx. A second read that fails is a warning.
func (o *outputFlags) addFrames(name string, idx int, warn func(error)) {
	if !o.frames {
		return
	}
	var r io.Reader
	if name == stdinName {
		r = bytes.NewReader(o.stdinBuf.Bytes())
	} else {
		f, err := os.Open(name)
		if err != nil {
			warn(fmt.Errorf("--all: %w", err))
			return
		}
		defer f.Close()
		r = f
	}
	rd, closeAll, kinds, err := decompress(r)
	defer closeAll()
	if err != nil || isHAR(peekAll(rd)) {
		return // a HAR has no frames; decompression errors were reported by the first read
	}
	src := io.Reader(rd)
	if len(kinds) == 0 {
		src = readerWithSeek(rd, r)
	}
	l := framelist.New(0)
	capture.Read(src, l, capture.Options{}) // damage was reported by the first read
	for _, ln := range l.Lines {
		o.lines = append(o.lines, report.NewTransportFrame(idx, ln.Frame, ln.Time, ln.Src, ln.Dst, ln.Protocol, ln.Summary))
	}
	if l.Dropped > 0 {
		warn(fmt.Errorf("%s: --all: %d frames past the first %d not listed", name, l.Dropped, framelist.DefaultMaxLines))
	}
}

// endRead clears the last progress bar.
func (o *outputFlags) endRead() {
	progress.finish()
	progress = nil
}

// finish applies the output flags to the report before it is rendered:
// the frames of --all, then redaction, whose map it writes. It reports
// whether analyze may go on.
func (o *outputFlags) finish(rep *report.Report, stderr io.Writer) bool {
	rep.Frames = append(rep.Frames, o.lines...)
	if !o.redact {
		return true
	}
	mapping := report.Redact(rep)
	if o.redactMap == "" {
		return true
	}
	if err := writeRedactMap(o.redactMap, mapping); err != nil {
		fmt.Fprintf(stderr, "kerbtrace: --redact-map: %v\n", err)
		return false
	}
	return true
}

// writeRedactMap writes the mapping, readable by its owner only: a JSON
// array when path ends in .json, else tab-separated "kind original
// pseudonym" lines under a header.
func writeRedactMap(path string, mapping []report.Pseudonym) error {
	var b bytes.Buffer
	if strings.EqualFold(filepath.Ext(path), ".json") {
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if mapping == nil {
			mapping = []report.Pseudonym{}
		}
		if err := enc.Encode(mapping); err != nil {
			return err
		}
	} else {
		b.WriteString("kind\toriginal\tpseudonym\n")
		for _, p := range mapping {
			fmt.Fprintf(&b, "%s\t%s\t%s\n", p.Kind, tsvField(p.Original), p.Pseudonym)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	// An existing file keeps its mode through O_TRUNC: narrow it.
	err = errors.Join(f.Chmod(0o600), writeAll(f, b.Bytes()), f.Close())
	return err
}

func writeAll(f *os.File, b []byte) error {
	_, err := f.Write(b)
	return err
}

// tsvField escapes what would break a tab-separated line: control
// characters, tabs and line ends included, become \xNN escapes.
func tsvField(s string) string { return report.Sanitize(s) }

// color reports whether the report gets ANSI colours: written to
// standard output, which is a terminal, and NO_COLOR (no-color.org) unset
// or empty.
func (o *outputFlags) color(stdout io.Writer, output string) bool {
	return output == "" && os.Getenv("NO_COLOR") == "" && isTerminal(stdout)
}
