package httpauth

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/vectorfile"
)

// vector is one block of testdata/vectors.txt: an HTTP head from a public
// capture and what tshark decoded from it.
type vector struct {
	name, source string
	raw          []byte
	lines        []string // expectation lines in file order, "key value"
}

func loadVectors(tb testing.TB) []vector {
	tb.Helper()
	var out []vector
	for _, b := range vectorfile.Load(tb, "testdata/vectors.txt") {
		v := vector{name: b.Name, source: b.Source}
		for _, l := range b.Lines {
			if l.Key == "hex" {
				v.raw = b.Hex(tb, "hex")
				continue
			}
			v.lines = append(v.lines, strings.TrimRight(l.String(), " "))
		}
		out = append(out, v)
	}
	return out
}

// describe renders a challenge the way testdata/gen_vectors.py does.
func describe(c Challenge) string {
	s := c.Scheme
	switch {
	case c.Token != nil:
		s += fmt.Sprintf(" tok=%d b64=%d", len(c.Token), c.TokenB64Len)
	case c.TokenB64Len > 0 && c.Params == "":
		s += fmt.Sprintf(" b64=%d", c.TokenB64Len)
	case c.Scheme == "Basic" && c.TokenB64Len > 0:
		s += " " + c.Params
	case c.Params != "":
		s += " params=" + c.Params
	}
	return s
}

func b01(x bool) string {
	if x {
		return "1"
	}
	return "0"
}

// render gives h in the line format of testdata/vectors.txt.
func render(h *Head) []string {
	var out []string
	out = append(out, "headlen "+strconv.Itoa(h.HeadLen))
	if h.Request {
		out = append(out, fmt.Sprintf("req %s %s %s", h.Method, h.URI, h.Proto))
	} else {
		out = append(out, strings.TrimRight(fmt.Sprintf("resp %s %d %s", h.Proto, h.Status, h.Reason), " "))
	}
	if h.Host != "" {
		out = append(out, "host "+h.Host)
	}
	for _, c := range h.WWWAuthenticate {
		out = append(out, "www "+describe(c))
	}
	for _, c := range h.ProxyAuthenticate {
		out = append(out, "pwww "+describe(c))
	}
	if h.Authorization != nil {
		out = append(out, "auth "+describe(*h.Authorization))
	}
	if h.ProxyAuthorization != nil {
		out = append(out, "pauth "+describe(*h.ProxyAuthorization))
	}
	return append(out, "clen "+strconv.FormatInt(h.ContentLength, 10), "chunked "+b01(h.Chunked), "close "+b01(h.ConnectionClose))
}

// TestVectorsAgainstTshark parses every head of testdata/vectors.txt and
// compares it line by line with tshark's reading.
func TestVectorsAgainstTshark(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 40 {
		t.Fatalf("only %d vectors", len(vs))
	}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			h, err := ParseHead(v.raw)
			if err != nil {
				t.Fatalf("%s: %v", v.source, err)
			}
			got := strings.Join(render(h), "\n")
			want := strings.Join(v.lines, "\n")
			if got != want {
				t.Errorf("%s:\n got: %s\nwant: %s", v.source, got, want)
			}
		})
	}
}
