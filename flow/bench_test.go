package flow_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// synthDecoded decodes a synthetic capture of copies client flows replayed
// from the IPv4 lab captures, as cmd/kerbtrace-bench builds them.
func synthDecoded(b *testing.B, copies int) *decode.Result {
	b.Helper()
	return decodeSynth(b, capturetest.Synth{Templates: testutil.LabTemplates(b), Copies: copies})
}

// decodeSynth decodes the synthetic capture s describes.
func decodeSynth(tb testing.TB, s capturetest.Synth) *decode.Result {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := capturetest.WriteSynth(&buf, s); err != nil {
		tb.Fatal(err)
	}
	d := decode.NewDissector()
	if err := d.Add("synth.pcap", &buf); err != nil {
		tb.Fatal(err)
	}
	return d.Result()
}

// BenchmarkAnalyze times flow.Analyze on synthetic captures of growing size;
// ns/flow must stay flat as the number of flows grows.
func BenchmarkAnalyze(b *testing.B) {
	for _, c := range []struct {
		name   string
		copies int
	}{{"1k", 1000}, {"5k", 5000}} {
		b.Run(c.name, func(b *testing.B) {
			in := synthDecoded(b, c.copies)
			flows := len(flow.Analyze(in).Flows)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				flow.Analyze(in)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(flows), "ns/flow")
			b.ReportMetric(float64(flows), "flows")
		})
	}
}

// BenchmarkAnalyzeFile times flow.Analyze on the capture named by
// $KERBTRACE_BENCH_PCAP (skipped when unset), e.g. one written by
// cmd/kerbtrace-bench -keep.
func BenchmarkAnalyzeFile(b *testing.B) {
	path := os.Getenv("KERBTRACE_BENCH_PCAP")
	if path == "" {
		b.Skip("KERBTRACE_BENCH_PCAP not set")
	}
	fh, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer fh.Close()
	d := decode.NewDissector()
	if err := d.Add(filepath.Base(path), bufio.NewReaderSize(fh, 1<<20)); err != nil {
		b.Fatal(err)
	}
	in := d.Result()
	flows := len(flow.Analyze(in).Flows)
	b.ReportAllocs()
	for b.Loop() {
		flow.Analyze(in)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(flows), "ns/flow")
	b.ReportMetric(float64(flows), "flows")
	b.ReportMetric(float64(in.Len()), "msgs")
}
