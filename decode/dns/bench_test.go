package dns

import (
	"github.com/kerbtrace/kerbtrace/decode/internal/memtest"
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
)

// labDNS returns the DNS messages (UDP port 53) of the lab capture
// testdata/captures/success.pcap: SRV queries for the KDC and their
// answers with A/AAAA glue, A/AAAA queries for the DC and the web server.
func labDNS(tb testing.TB) [][]byte {
	tb.Helper()
	c, err := pcaptest.Read(filepath.Join("..", "..", "testdata", "captures", "success.pcap"))
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, g := range c.Datagrams {
		if g.Src.Port() == 53 || g.Dst.Port() == 53 {
			out = append(out, g.Payload)
		}
	}
	if len(out) < 10 {
		tb.Fatalf("only %d DNS messages in success.pcap", len(out))
	}
	return out
}

// labSRVResponse is the answer to "_kerberos._udp.KERBTRACE.TEST SRV" in
// success.pcap (frame 4): one SRV answer, A and AAAA glue.
func labSRVResponse(tb testing.TB) []byte {
	tb.Helper()
	for _, p := range labDNS(tb) {
		m, err := Parse(p)
		if err == nil && m.Response && len(m.Questions) == 1 && m.Questions[0].Type == TypeSRV &&
			len(m.Answers) == 1 && len(m.Additional) == 2 {
			return p
		}
	}
	tb.Fatal("no SRV response with glue in success.pcap")
	return nil
}

// BenchmarkParseLab decodes every DNS message of success.pcap once per
// iteration. retained-B/msg is the heap still held by the decoded messages
// (what the dissector keeps for each of them).
func BenchmarkParseLab(b *testing.B) {
	msgs := labDNS(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range msgs {
			Parse(p)
		}
	}
	b.ReportMetric(float64(memtest.Retained(msgs, func(p []byte) *Message { m, _ := Parse(p); return m }))/float64(len(msgs)), "retained-B/msg")
}

// BenchmarkParseSRVResponse decodes one SRV response with A/AAAA glue.
func BenchmarkParseSRVResponse(b *testing.B) {
	p := labSRVResponse(b)
	b.ReportAllocs()
	for b.Loop() {
		Parse(p)
	}
}
