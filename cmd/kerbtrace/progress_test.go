package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestBarLine(t *testing.T) {
	cases := []struct {
		size, done int64
		want       string
	}{
		{291 << 20, 0, "reading x.pcap   0% |                              | (0.0 MB/291 MB)"},
		{291 << 20, 122 << 20, "reading x.pcap  41% |████████████                  | (122 MB/291 MB)"},
		{291 << 20, 291 << 20, "reading x.pcap 100% |██████████████████████████████| (291 MB/291 MB)"},
		{291 << 20, 300 << 20, "reading x.pcap 100% |██████████████████████████████| (291 MB/291 MB)"},
		{5 << 20, 1 << 19, "reading x.pcap  10% |███                           | (0.5 MB/5.0 MB)"},
		{-1, 12 << 20, "reading x.pcap (12 MB)"},
		{0, 3 << 19, "reading x.pcap (1.5 MB)"},
	}
	for _, c := range cases {
		b := &bar{desc: "reading x.pcap", size: c.size}
		if got := b.line(c.done); got != c.want {
			t.Errorf("size %d, done %d:\n got %q\nwant %q", c.size, c.done, got, c.want)
		}
	}
}

// TestBarRedraw checks that the bar is redrawn in place at most every
// barEvery, padded over a longer line drawn before, and cleared.
func TestBarRedraw(t *testing.T) {
	var out bytes.Buffer
	b := &bar{w: &out, desc: "reading x", size: -1}
	t0 := time.Unix(1000, 0)
	b.set(120<<20, t0)
	b.set(121<<20, t0.Add(barEvery/2)) // too soon
	b.set(122<<20, t0.Add(barEvery))
	b.set(12<<20, t0.Add(3*barEvery)) // shorter: padded
	b.set(12<<20, t0.Add(4*barEvery)) // the same line: not drawn again
	b.clear()
	want := "\rreading x (120 MB)\rreading x (122 MB)\rreading x (12 MB) \r" + strings.Repeat(" ", 18) + "\r"
	if got := out.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
