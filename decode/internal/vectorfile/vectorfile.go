// Package vectorfile reads the testdata/vectors.txt files shared by the
// decoder tests: "# ..." provenance comments, "vector NAME" lines that
// start a block, and "key value" lines that belong to the current block.
// Empty lines are ignored; values are kept exactly as written after the
// first space, trailing spaces included.
package vectorfile

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// Block is one "vector NAME" block with the "# ..." comment before it.
type Block struct {
	Name   string // text after "vector "
	Source string // most recent "# ..." comment, without "#" and outer spaces
	Lines  []Line // the block's key lines in file order
}

// Line is one "key value" line of a Block.
type Line struct {
	Key   string // text before the first space
	Value string // text after the first space, unmodified; "" if none
}

// Load reads the vector file at path. It fails tb on I/O errors and on
// key lines before the first vector.
func Load(tb testing.TB, path string) []Block {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	return parse(tb, path, bufio.NewScanner(f))
}

func parse(tb testing.TB, path string, sc *bufio.Scanner) []Block {
	tb.Helper()
	var out []Block
	var comment string
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			comment = strings.TrimSpace(line[1:])
			continue
		}
		if line == "" {
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		if key == "vector" {
			out = append(out, Block{Name: val, Source: comment})
			continue
		}
		if len(out) == 0 {
			tb.Fatalf("%s: %q before the first vector", path, line)
		}
		b := &out[len(out)-1]
		b.Lines = append(b.Lines, Line{Key: key, Value: val})
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return out
}

// Get returns the value of the first line with key, and whether there is one.
func (b Block) Get(key string) (string, bool) {
	for _, l := range b.Lines {
		if l.Key == key {
			return l.Value, true
		}
	}
	return "", false
}

// All returns the values of every line with key, in file order.
func (b Block) All(key string) []string {
	var out []string
	for _, l := range b.Lines {
		if l.Key == key {
			out = append(out, l.Value)
		}
	}
	return out
}

// Hex decodes the value of the first line with key as hex. It fails tb if
// the key is missing or the value is not valid hex.
func (b Block) Hex(tb testing.TB, key string) []byte {
	tb.Helper()
	v, ok := b.Get(key)
	if !ok {
		tb.Fatalf("%s: no %q line", b.Name, key)
	}
	raw, err := hex.DecodeString(v)
	if err != nil {
		tb.Fatalf("%s: %v", b.Name, err)
	}
	return raw
}

// String gives the line back as Key + " " + Value; callers that compare
// whole lines trim trailing spaces themselves.
func (l Line) String() string {
	return l.Key + " " + l.Value
}
