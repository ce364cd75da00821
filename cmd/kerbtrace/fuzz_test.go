package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
	"github.com/kerbtrace/kerbtrace/report"
)

// fuzzCommandSeeds are the lab captures FuzzAnalyzeCommand starts from: one
// of each format, and Kerberos over HTTP, SMB2 and NTLM.
var fuzzCommandSeeds = []string{
	"success.pcap", "success.pcapng", "success.cap",
	"ntlm-fallback.pcap", "smb-success.cap", "spn-missing.pcapng",
}

// FuzzAnalyzeCommand runs 'kerbtrace analyze' on arbitrary bytes written to
// a file, in a registered format chosen by the fuzzer: the whole program,
// from the input forms (compression, HAR) through the report renderers.
// Nothing may panic; the exit status is 0 or 1 with a report (table and
// JSON never empty), or 2 with a message; JSON parses; the terminal formats
// carry no control character from the capture.
func FuzzAnalyzeCommand(f *testing.F) {
	root := testutil.RepoRoot(f)
	formats := report.Formats()
	var seeds [][]byte
	for _, name := range fuzzCommandSeeds {
		b, err := os.ReadFile(filepath.Join(root, "testdata", "captures", name))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	small, err := os.ReadFile(filepath.Join(root, "testdata", "captures", "cached-ticket.pcap"))
	if err != nil {
		f.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(small)
	zw.Close()
	seeds = append(seeds, gz.Bytes())
	if har, err := os.ReadFile(filepath.Join(root, "decode", "har", "testdata", "success.har")); err == nil {
		seeds = append(seeds, har)
	}
	// Each seed in the next format: every format has a seed.
	for i, b := range seeds {
		f.Add(uint8(i%len(formats)), b)
	}
	// One file per fuzzing process, rewritten for every input: a worker
	// runs its inputs one after the other.
	path := filepath.Join(f.TempDir(), "input")
	f.Fuzz(func(t *testing.T, fi uint8, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		format := formats[int(fi)%len(formats)]
		var out, errOut bytes.Buffer
		code := run([]string{"analyze", "--format", format, path}, nil, &out, &errOut)
		checkCommandRun(t, format, code, out.Bytes(), errOut.Bytes())
	})
}

// checkCommandRun checks one run of analyze in format.
func checkCommandRun(t *testing.T, format string, code int, out, errOut []byte) {
	t.Helper()
	switch code {
	case exitUsage:
		if len(errOut) == 0 {
			t.Fatalf("format %s: exit 2 without a message", format)
		}
		return
	case exitOK, exitFindings:
	default:
		t.Fatalf("format %s: exit %d", format, code)
	}
	if len(out) == 0 && (format == "table" || format == "json") {
		// (The summary of a capture without a packet is empty.)
		t.Fatalf("format %s: exit %d and no report", format, code)
	}
	if format == "json" && !json.Valid(out) {
		t.Fatalf("json output does not parse:\n%s", out)
	}
	if isTerminalFormat(format) {
		if i := controlByte(out); i >= 0 {
			t.Fatalf("format %s: control byte 0x%02x at %d in %q", format, out[i], i, around(out, i))
		}
	}
}

// isTerminalFormat tells the formats read on a terminal, which must carry
// no control character from a capture.
func isTerminalFormat(format string) bool {
	switch format {
	case "json", "html", "markdown", "md":
		return false
	}
	return true
}

// controlByte returns the index of the first C0 control byte other than
// newline and tab, DEL, or C1 control (as UTF-8) in b, or -1.
func controlByte(b []byte) int {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\n' || c == '\t':
		case c < 0x20 || c == 0x7f:
			return i
		case c == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] < 0xa0:
			return i
		}
	}
	return -1
}

// around returns up to 40 bytes either side of b[i].
func around(b []byte, i int) []byte {
	return b[max(0, i-40):min(len(b), i+40)]
}
