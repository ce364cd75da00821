// Command tmpsynth is a temporary helper (to be removed) writing synthetic captures.
package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

func main() {
	n, _ := strconv.Atoi(os.Args[2])
	bulk, _ := strconv.ParseInt(os.Args[3], 10, 64)
	files, _ := filepath.Glob("/work/main/testdata/captures/*.pcap")
	var tpls [][]byte
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "ipv6") {
			continue
		}
		b, _ := os.ReadFile(f)
		tpls = append(tpls, b)
	}
	f, _ := os.Create(os.Args[1])
	if _, err := capturetest.WriteSynth(f, capturetest.Synth{Templates: tpls, Copies: n, BulkBytes: bulk}); err != nil {
		panic(err)
	}
	f.Close()
}
