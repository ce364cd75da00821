package main

import (
	"bytes"
	"io"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/report"
)

// synthCapture builds a synthetic capture of copies client flows and bulk
// bytes of bulk traffic from the lab captures.
func synthCapture(tb testing.TB, copies int, bulk int64) []byte {
	tb.Helper()
	root, err := findRoot()
	if err != nil {
		tb.Skip(err)
	}
	tpls, err := templates(root)
	if err != nil {
		tb.Skip(err)
	}
	var buf bytes.Buffer
	if _, err := capturetest.WriteSynth(&buf, capturetest.Synth{Templates: tpls, Copies: copies, BulkBytes: bulk}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkPipeline times each stage of 'kerbtrace analyze --format json'
// on an auth-only and on a mixed synthetic capture.
func BenchmarkPipeline(b *testing.B) {
	for _, c := range []struct {
		name   string
		copies int
		bulk   int64
	}{{"auth-1000", 1000, 0}, {"mixed-200-64MB", 200, 64 << 20}} {
		data := synthCapture(b, c.copies, c.bulk)
		b.Run(c.name+"/decode", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				d := decode.NewDissector()
				if err := d.Add("x.pcap", bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
				d.Result()
			}
		})
		d := decode.NewDissector()
		if err := d.Add("x.pcap", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		dres := d.Result()
		b.Run(c.name+"/flow", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				flow.Analyze(dres)
			}
		})
		fres := flow.Analyze(dres)
		b.Run(c.name+"/report", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rep := report.Build(dres, fres, report.Options{})
				if err := report.JSON(io.Discard, rep, report.RenderOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
