package krb

import (
	"github.com/kerbtrace/kerbtrace/decode/internal/memtest"
	"path/filepath"
	"testing"
)

// labKrb returns the Kerberos messages of lab captures (testdata/captures):
// success.pcap (AS and TGS exchanges, PREAUTH_REQUIRED) and
// wrong-password.pcap (KRB-ERROR with e-data).
func labKrb(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, name := range []string{"success.pcap", "wrong-password.pcap"} {
		out = append(out, krbPayloads(tb, filepath.Join("..", "..", "testdata", "captures", name))...)
	}
	if len(out) < 8 {
		tb.Fatalf("only %d Kerberos messages in the lab captures", len(out))
	}
	return out
}

// labMessage returns the first lab message of type typ.
func labMessage(tb testing.TB, typ MsgType) []byte {
	tb.Helper()
	for _, p := range labKrb(tb) {
		if m, err := Parse(p); err == nil && m.Type == typ {
			return p
		}
	}
	tb.Fatalf("no %v in the lab captures", typ)
	return nil
}

// BenchmarkParseLab decodes every Kerberos message of the lab captures once
// per iteration; retained-B/msg is the heap the decoded messages keep.
func BenchmarkParseLab(b *testing.B) {
	msgs := labKrb(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range msgs {
			Parse(p)
		}
	}
	b.ReportMetric(float64(memtest.Retained(msgs, func(p []byte) *Message { m, _ := Parse(p); return m }))/float64(len(msgs)), "retained-B/msg")
}

// BenchmarkParseASReq decodes the lab's AS-REQ (PA-ENC-TIMESTAMP,
// PA-PAC-REQUEST... as MIT kinit sends it).
func BenchmarkParseASReq(b *testing.B) {
	p := labMessage(b, MsgASReq)
	b.ReportAllocs()
	for b.Loop() {
		Parse(p)
	}
}

// BenchmarkParseTGSReq decodes the lab's TGS-REQ (AP-REQ with the TGT in
// PA-TGS-REQ).
func BenchmarkParseTGSReq(b *testing.B) {
	p := labMessage(b, MsgTGSReq)
	b.ReportAllocs()
	for b.Loop() {
		Parse(p)
	}
}
