package decode

import (
	"bytes"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// synth builds a capture replaying copies lab flows among bulk bytes of
// traffic that carries no authentication.
func synth(tb testing.TB, copies int, bulk int64) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := capturetest.WriteSynth(&buf, capturetest.Synth{Templates: testutil.LabTemplates(tb), Copies: copies, BulkBytes: bulk}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func dissect(tb testing.TB, data []byte) *Result {
	d := NewDissector()
	if err := d.Add("synth.pcap", bytes.NewReader(data)); err != nil {
		tb.Fatal(err)
	}
	return d.Result()
}

// BenchmarkDissect measures the dissector on a capture of authentication
// flows only and on one that is mostly bulk traffic.
func BenchmarkDissect(b *testing.B) {
	for _, c := range []struct {
		name   string
		copies int
		bulk   int64
	}{{"auth-1000", 1000, 0}, {"mixed-200-64MB", 200, 64 << 20}} {
		data := synth(b, c.copies, c.bulk)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				dissect(b, data)
			}
		})
	}
}

// TestPacketPathAllocs checks that traffic kerbtrace does not decode costs
// (almost) no allocation per packet: bulk SMB2 reads, TLS and an unknown
// protocol, reassembled or ignored, with no authentication in them. The
// allocations left are per connection (its state) and per capture.
func TestPacketPathAllocs(t *testing.T) {
	var buf bytes.Buffer
	st, err := capturetest.WriteSynth(&buf, capturetest.Synth{BulkBytes: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	allocs := testing.AllocsPerRun(3, func() { dissect(t, data) })
	// Some ten allocations per connection (its state on both sides) and
	// a few per capture: 16 connections here.
	if per := allocs / float64(st.Packets); per > 0.05 {
		t.Errorf("%.0f allocations for %d packets (%.3f per packet)", allocs, st.Packets, per)
	}
	t.Logf("%.0f allocations for %d packets", allocs, st.Packets)
}
