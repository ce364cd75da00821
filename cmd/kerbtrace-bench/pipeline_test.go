package main

import (
	"bytes"
	"io"
	"net/netip"
	"reflect"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/report"
)

// synthCapture builds the synthetic capture s describes from the lab
// captures (s.Templates is set here).
func synthCapture(tb testing.TB, s capturetest.Synth) []byte {
	tb.Helper()
	root, err := findRoot()
	if err != nil {
		tb.Skip(err)
	}
	if s.Templates, err = capturetest.LabTemplates(root); err != nil {
		tb.Skip(err)
	}
	var buf bytes.Buffer
	if _, err := capturetest.WriteSynth(&buf, s); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkPipeline times each stage of 'kerbtrace analyze' on an
// auth-only and on a mixed synthetic capture: decoding, the analysis, and
// the report in each format.
func BenchmarkPipeline(b *testing.B) {
	for _, c := range []struct {
		name   string
		copies int
		bulk   int64
	}{{"auth-1000", 1000, 0}, {"mixed-200-64MB", 200, 64 << 20}} {
		data := synthCapture(b, capturetest.Synth{Copies: c.copies, BulkBytes: c.bulk})
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
		// Each format, from a report built as analyze builds it: the
		// messages streamed from the decoded result.
		for _, format := range report.Formats() {
			render, _ := report.Lookup(format)
			b.Run(c.name+"/report-"+format, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rep := report.Build(dres, fres, report.Options{StreamMessages: true})
					if err := render(io.Discard, rep, report.RenderOptions{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestSynthSharedAddresses checks the capture of clients sharing their
// addresses (-addresses): the same messages as with an address set per
// copy, every client within the one set, and no two copies on one
// connection (which would lose HTTP exchanges to a garbled stream).
func TestSynthSharedAddresses(t *testing.T) {
	const copies = 3 * 45 // each template several times
	kinds := func(clients int) (map[decode.Kind]int, map[netip.Addr]bool) {
		data := synthCapture(t, capturetest.Synth{Copies: copies, Clients: clients})
		d := decode.NewDissector()
		if err := d.Add("synth.pcap", bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		res := d.Result()
		if len(res.Anomalies) > 0 {
			t.Errorf("clients %d: anomalies %q", clients, res.Anomalies)
		}
		count := map[decode.Kind]int{}
		addrs := map[netip.Addr]bool{}
		for i := range res.Len() {
			m := new(res.Message(i))
			count[m.Kind]++
			for _, a := range []netip.Addr{m.Src.Addr(), m.Dst.Addr()} {
				if netip.MustParsePrefix("10.0.0.0/8").Contains(a) {
					addrs[a] = true
				}
			}
		}
		return count, addrs
	}
	own, ownAddrs := kinds(0)
	shared, sharedAddrs := kinds(1)
	if !reflect.DeepEqual(own, shared) {
		t.Errorf("messages by kind: shared addresses %v, own addresses %v", shared, own)
	}
	if own[decode.KindHTTPRequest] < copies {
		t.Errorf("%d HTTP requests in %d copies", own[decode.KindHTTPRequest], copies)
	}
	for a := range sharedAddrs {
		if !netip.MustParsePrefix("10.0.0.0/29").Contains(a) {
			t.Errorf("shared addresses: client %v outside the first copy's 10.0.0.0/29", a)
		}
	}
	if len(ownAddrs) <= len(sharedAddrs) {
		t.Errorf("%d client addresses with one set per copy, %d shared", len(ownAddrs), len(sharedAddrs))
	}
}
