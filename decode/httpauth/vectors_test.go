package httpauth

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
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
	f, err := os.Open("testdata/vectors.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []vector
	var comment string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
			comment = strings.TrimSpace(line[1:])
		case line == "":
		case strings.HasPrefix(line, "vector "):
			out = append(out, vector{name: line[7:], source: comment})
		case strings.HasPrefix(line, "hex "):
			v := &out[len(out)-1]
			if v.raw, err = hex.DecodeString(line[4:]); err != nil {
				tb.Fatal(err)
			}
		default:
			v := &out[len(out)-1]
			v.lines = append(v.lines, strings.TrimRight(line, " "))
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
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
