package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kerbtrace/kerbtrace/report"
)

const tokenUsage = `usage: kerbtrace token [--format text|json] VALUE
       kerbtrace token [--format text|json] -      (read VALUE from standard input)

VALUE is a Negotiate/Kerberos/NTLM token as pasted from a support ticket:
base64 (standard or URL-safe, wrapped, padding missing), a whole header line
("Authorization: Negotiate YII...", "WWW-Authenticate: Negotiate oYG..."),
or hex (plain, spaced, colon-separated, or a tshark/NetMon hex dump).
Ticket ciphertext, authenticators and NTLM responses are shown as lengths.
Exit status: 0 decoded (also when cut short), 2 not a token or bad usage.
`

// tokenCmd implements 'kerbtrace token': it decodes one pasted
// authentication token and prints its tree.
func tokenCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kerbtrace token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, tokenUsage) }
	format := fs.String("format", "text", "output format: text or json")
	args, err := parseTokenArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "kerbtrace token: unknown format %q (text or json)\n", *format)
		return exitUsage
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, tokenUsage)
		return exitUsage
	}
	text, err := tokenText(args, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "kerbtrace token: %v\n", err)
		return exitUsage
	}
	r, err := analyzeToken(text)
	if err != nil {
		fmt.Fprintf(stderr, "kerbtrace token: %v\n", err)
		return exitUsage
	}
	if *format == "json" {
		err = report.TokenJSON(stdout, r)
	} else {
		err = report.TokenText(stdout, r)
	}
	if err != nil {
		fmt.Fprintf(stderr, "kerbtrace token: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// parseTokenArgs allows the flags before or after VALUE; "-" is VALUE.
func parseTokenArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		a := fs.Args()
		if len(a) == 0 {
			return rest, nil
		}
		if a[0] == "--" {
			return append(rest, a[1:]...), nil
		}
		rest = append(rest, a[0])
		args = a[1:]
	}
}

// tokenText joins the arguments (a header pasted unquoted arrives as
// several words) or reads standard input for "-".
func tokenText(args []string, stdin io.Reader) (string, error) {
	if len(args) == 1 && args[0] == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, maxTokenInput+1))
		if err != nil {
			return "", fmt.Errorf("reading standard input: %w", err)
		}
		if len(b) > maxTokenInput {
			return "", fmt.Errorf("standard input is over %d bytes; a token is a few kilobytes", maxTokenInput)
		}
		return string(b), nil
	}
	s := strings.Join(args, " ")
	if len(s) > maxTokenInput {
		return "", fmt.Errorf("VALUE is over %d bytes; a token is a few kilobytes", maxTokenInput)
	}
	return s, nil
}

// analyzeToken reads and decodes the pasted text. The error is non-nil only
// when the text holds no token.
func analyzeToken(text string) (*report.TokenReport, error) {
	b, in, err := readTokenInput(text)
	if err != nil {
		return nil, err
	}
	root, errs := decodeToken(b)
	if root == nil {
		if w := len(strings.Fields(text)); w > 1 && in.Header == "" && in.Scheme == "" {
			return nil, &notToken{fmt.Sprintf("plain text of %d words; a token is one base64 or hex string, optionally after \"Authorization: Negotiate\"", w)}
		}
		return nil, &notToken{describeBytes(b, in)}
	}
	r := &report.TokenReport{Input: in, Token: root, Truncated: root.Truncated || anyTruncated(root)}
	r.Cut, r.Errors = cutAndErrors(b, errs)
	if r.Cut != nil {
		r.Truncated = true
	}
	return r, nil
}

func anyTruncated(n *report.TokenNode) bool {
	for ; n != nil; n = n.Inner {
		if n.Truncated {
			return true
		}
	}
	return false
}

// describeBytes says what decoded bytes that are no token look like.
func describeBytes(b []byte, in report.TokenInput) string {
	if len(b) == 0 {
		return "the " + in.Encoding + " decodes to no bytes"
	}
	printable := 0
	for _, c := range b {
		if c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f) {
			printable++
		}
	}
	head := b
	if len(head) > 8 {
		head = head[:8]
	}
	if printable == len(b) {
		return fmt.Sprintf("%s of plain text (%d bytes), not SPNEGO, Kerberos or NTLMSSP", in.Encoding, len(b))
	}
	return fmt.Sprintf("%s of %d bytes starting % x: not SPNEGO (0x60 + OID, 0xa0, 0xa1), Kerberos (0x6a-0x7e) or NTLMSSP (\"NTLMSSP\\0\")",
		in.Encoding, len(b), head)
}
