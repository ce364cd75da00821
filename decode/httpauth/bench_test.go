package httpauth

import (
	"github.com/kerbtrace/kerbtrace/decode/internal/memtest"
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
)

// labHeads returns the HTTP heads of the lab capture
// testdata/captures/success.pcap in stream order: the anonymous GET, the
// 401 with "Negotiate" and "NTLM" challenges, the GET with "Authorization:
// Negotiate <AP-REQ>" and the 200 with the AP-REP. Each is sliced to its
// head, as the dissector hands it over.
func labHeads(tb testing.TB) [][]byte {
	tb.Helper()
	c, err := pcaptest.Read(filepath.Join("..", "..", "testdata", "captures", "success.pcap"))
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, s := range c.Streams {
		for b := s.Data; len(b) > 0; {
			if req, resp := LooksLikeHTTP(b); !req && !resp {
				break
			}
			h, err := ParseHead(b)
			if err != nil {
				break
			}
			out = append(out, b[:h.HeadLen])
			n, _, _ := BodyLength(h)
			if n < 0 || n > int64(len(b)-h.HeadLen) {
				break
			}
			b = b[h.HeadLen+int(n):]
		}
	}
	if len(out) < 4 {
		tb.Fatalf("only %d HTTP heads in success.pcap", len(out))
	}
	return out
}

// labHead returns the first lab head for which pick is true.
func labHead(tb testing.TB, what string, pick func(*Head) bool) []byte {
	tb.Helper()
	for _, b := range labHeads(tb) {
		if h, err := ParseHead(b); err == nil && pick(h) {
			return b
		}
	}
	tb.Fatalf("no %s in success.pcap", what)
	return nil
}

func negotiateRequest(tb testing.TB) []byte {
	return labHead(tb, "request with Authorization: Negotiate", func(h *Head) bool {
		return h.Request && h.Authorization != nil && h.Authorization.Scheme == "Negotiate"
	})
}

func challengeResponse(tb testing.TB) []byte {
	return labHead(tb, "401 with challenges", func(h *Head) bool {
		return h.Status == 401 && len(h.WWWAuthenticate) >= 2
	})
}

// BenchmarkParseHeadLab parses every head of success.pcap once per
// iteration; retained-B/head is the heap the parsed heads keep (with the
// decoded tokens).
func BenchmarkParseHeadLab(b *testing.B) {
	heads := labHeads(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range heads {
			ParseHead(p)
		}
	}
	b.ReportMetric(float64(memtest.Retained(heads, func(p []byte) *Head { m, _ := ParseHead(p); return m }))/float64(len(heads)), "retained-B/head")
}

// BenchmarkParseHeadNegotiate parses the GET carrying the AP-REQ.
func BenchmarkParseHeadNegotiate(b *testing.B) {
	p := negotiateRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		ParseHead(p)
	}
}

// BenchmarkParseHead401 parses the 401 with Negotiate and NTLM challenges.
func BenchmarkParseHead401(b *testing.B) {
	p := challengeResponse(b)
	b.ReportAllocs()
	for b.Loop() {
		ParseHead(p)
	}
}
