package capture

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// NotCaptureError is returned by Read when the first bytes of the input
// match no format that Read can read. No packet was read.
type NotCaptureError struct {
	// Magic holds the first bytes of the input (at most 4).
	Magic []byte
	// Looks says what the bytes look like instead, when recognisable
	// ("a Network Monitor 1.x capture, which this version cannot read",
	// "gzip-compressed data", ...); empty otherwise.
	Looks string
}

// Error formats as "not a pcap, pcapng or Network Monitor capture (starts with 52 54 53 53:
// a Network Monitor 1.x capture, which this version cannot read)".
func (e *NotCaptureError) Error() string {
	var b strings.Builder
	b.WriteString("not a pcap, pcapng or Network Monitor capture (")
	if len(e.Magic) == 0 {
		b.WriteString("the input is empty")
	} else {
		b.WriteString("starts with ")
		for i, c := range e.Magic {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%02x", c)
		}
	}
	if e.Looks != "" {
		b.WriteString(": ")
		b.WriteString(e.Looks)
	}
	b.WriteByte(')')
	return b.String()
}

// Unwrap lets errors.Is(err, wire.ErrUnsupported) hold.
func (e *NotCaptureError) Unwrap() error { return wire.ErrUnsupported }

// sniffLen is how many leading bytes detection looks at.
const sniffLen = 64

// Magic numbers, as the first four bytes appear in the file.
var (
	magicPcapUsLE   = []byte{0xd4, 0xc3, 0xb2, 0xa1}
	magicPcapUsBE   = []byte{0xa1, 0xb2, 0xc3, 0xd4}
	magicPcapNsLE   = []byte{0x4d, 0x3c, 0xb2, 0xa1}
	magicPcapNsBE   = []byte{0xa1, 0xb2, 0x3c, 0x4d}
	magicPcapNG     = []byte{0x0a, 0x0d, 0x0d, 0x0a}
	magicNetMon2    = []byte("GMBU")
	magicNetMon1    = []byte("RTSS")
	magicKuznetzovL = []byte{0x34, 0xcd, 0xb2, 0xa1}
	magicKuznetzovB = []byte{0xa1, 0xb2, 0xcd, 0x34}
)

// looksLike names a few well-known non-capture magics, checked in order.
var looksLike = []struct {
	prefix []byte
	looks  string
}{
	{magicNetMon1, "a Network Monitor 1.x capture, which this version cannot read"},
	{magicKuznetzovL, "a modified (Kuznetzov) pcap, which this version cannot read"},
	{magicKuznetzovB, "a modified (Kuznetzov) pcap, which this version cannot read"},
	{[]byte{0x1f, 0x8b}, "gzip-compressed data: decompress it first"},
	{[]byte{0x28, 0xb5, 0x2f, 0xfd}, "zstd-compressed data: decompress it first"},
	{[]byte{0xfd, 0x37, 0x7a, 0x58}, "xz-compressed data: decompress it first"},
	{[]byte("BZh"), "bzip2-compressed data: decompress it first"},
	{[]byte{0x04, 0x22, 0x4d, 0x18}, "lz4-compressed data: decompress it first"},
	{[]byte("PK\x03\x04"), "a ZIP archive: extract the capture first"},
	{[]byte{0x37, 0x7a, 0xbc, 0xaf}, "a 7-Zip archive: extract the capture first"},
	{[]byte("Rar!"), "a RAR archive: extract the capture first"},
	{[]byte("snoop\x00\x00\x00"), "a Sun snoop capture, which this version cannot read"},
	{[]byte("%PDF"), "a PDF document"},
	{[]byte("\xef\xbb\xbf"), "text (UTF-8 with byte order mark)"},
}

// detect returns the format of a capture starting with head (the first
// sniffLen bytes or fewer), or a *NotCaptureError.
func detect(head []byte) (Format, error) {
	if len(head) >= 4 {
		m := head[:4]
		switch {
		case bytes.Equal(m, magicPcapUsLE), bytes.Equal(m, magicPcapUsBE),
			bytes.Equal(m, magicPcapNsLE), bytes.Equal(m, magicPcapNsBE):
			return FormatPcap, nil
		case bytes.Equal(m, magicPcapNG):
			return FormatPcapNG, nil
		case bytes.Equal(m, magicNetMon2):
			return FormatNetMon2, nil
		}
	}
	n := min(len(head), 4)
	return "", &NotCaptureError{Magic: append([]byte(nil), head[:n]...), Looks: describe(head)}
}

// describe guesses what a non-capture input is.
func describe(head []byte) string {
	if len(head) == 0 {
		return ""
	}
	for _, l := range looksLike {
		if bytes.HasPrefix(head, l.prefix) {
			return l.looks
		}
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	lower := bytes.ToLower(trimmed)
	switch {
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.HasPrefix(lower, []byte("<html")),
		bytes.HasPrefix(lower, []byte("<!do")), bytes.HasPrefix(lower, []byte("<htm")):
		return "an HTML page, not a capture (a download that went wrong?)"
	case bytes.HasPrefix(lower, []byte("<?xml")):
		return "an XML document, not a capture"
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		return "JSON text (a HAR file? save the capture as pcap or pcapng instead)"
	case isText(head):
		return "text, not a capture"
	}
	return ""
}

// isText reports whether b is printable ASCII text with the usual
// whitespace.
func isText(b []byte) bool {
	for _, c := range b {
		if c == '\t' || c == '\n' || c == '\r' {
			continue
		}
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
