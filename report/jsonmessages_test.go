package report

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// streamedAndKept returns the JSON of d and its analysis written straight
// from the decoded messages (as analyze writes it) and from the report
// that keeps their model form.
func streamedAndKept(t *testing.T, d *decode.Result) (streamed, kept []byte) {
	t.Helper()
	f := flow.Analyze(d)
	var s, k bytes.Buffer
	if err := JSON(&s, Build(d, f, Options{StreamMessages: true}), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&k, Build(d, f, Options{}), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	return s.Bytes(), k.Bytes()
}

// TestStreamedMessagesShared checks that the messages written straight
// from the decoded result (streamedMessage: the members every message has
// written in place, a DNS content's members kept and written again for
// every message that shares it) are the bytes of their model form on every
// public capture: IPv6, DNS over TCP, LDAP, SMB2, NTLM, damaged records.
func TestStreamedMessagesShared(t *testing.T) {
	dir := testutil.SharedCaptures(t)
	n := 0
	for _, c := range testutil.CaptureFiles(t, dir) {
		d := decode.NewDissector()
		if err := d.Add(c.Name, bytes.NewReader(c.Data)); err != nil {
			continue // not a capture kerbtrace reads: its own tests say so
		}
		n++
		s, k := streamedAndKept(t, d.Result())
		if !bytes.Equal(s, k) {
			i := firstDiff(s, k)
			t.Errorf("%s: streamed JSON differs at byte %d:\n%q\nwant\n%q", c.Name, i, around(s, i), around(k, i))
		}
	}
	t.Logf("%d captures", n)
}

// TestStreamedMessagesEdges checks streamedMessage on what captures seldom
// hold: an IPv6 address with a zone that JSON must escape, an IPv4-mapped
// IPv6 address, a missing address and time, a time past year 9999, a DNS
// message without a question, and more distinct DNS contents than are kept
// (maxDNSFragments), each met again once the kept ones were let go.
func TestStreamedMessagesEdges(t *testing.T) {
	at := time.Date(2024, 3, 1, 9, 0, 0, 123456789, time.UTC)
	client := netip.MustParseAddrPort("192.0.2.7:50000")
	server := netip.MustParseAddrPort("192.0.2.10:53")
	query := func(name string) *dns.Content {
		return &dns.Content{RecursionDesired: true, Questions: []dns.Question{{Name: name, Type: dns.TypeA, Class: 1}}}
	}
	answer := &dns.Content{Response: true, Questions: []dns.Question{{Name: "www.example.test", Type: dns.TypeA, Class: 1}},
		Answers: []dns.RR{{Name: "www.example.test", Type: dns.TypeA, Class: 1, TTL: 60, Data: "192.0.2.20"}}}
	msgs := []decode.Message{
		{Frame: 1, Time: at, Src: netip.MustParseAddrPort(`[fe80::1%eth"0\]:5353`), Dst: netip.MustParseAddrPort("[ff02::fb]:5353"),
			Transport: decode.TransportUDP, Kind: decode.KindDNSQuery, Parent: -1, Body: &dns.Message{ID: 1, Content: query("a.example.test")}},
		{Frame: 2, Time: at, Src: netip.MustParseAddrPort("[::ffff:192.0.2.10]:53"), Dst: client,
			Transport: decode.TransportUDP, Kind: decode.KindDNSResponse, Parent: -1, Body: &dns.Message{ID: 1, Content: answer}},
		{Frame: 3, Transport: decode.TransportUDP, Kind: decode.KindDNSQuery, Parent: -1, Body: &dns.Message{ID: 2, Content: &dns.Content{}}},
		{Frame: 4, Frames: []int{3, 4}, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Src: client, Dst: server,
			Transport: decode.TransportTCP, Kind: decode.KindDNSResponse, Parent: -1, Truncated: true, Err: "dns: cut \"short\"",
			Body: &dns.Message{ID: 3, Content: answer}},
	}
	var names []*dns.Content
	for i := range maxDNSFragments + 10 {
		names = append(names, query("n"+string(rune('a'+i%26))+".example.test"))
	}
	for round := range 2 {
		for i, c := range names {
			msgs = append(msgs, decode.Message{Frame: 5 + round*len(names) + i, Time: at.Add(time.Duration(i) * time.Millisecond),
				Src: client, Dst: server, Transport: decode.TransportUDP, Kind: decode.KindDNSQuery, Parent: -1,
				Body: &dns.Message{ID: uint16(i), Content: c}})
		}
	}
	var d decode.Result
	d.SetMessages(msgs)
	s, k := streamedAndKept(t, &d)
	if !bytes.Equal(s, k) {
		i := firstDiff(s, k)
		t.Fatalf("streamed JSON differs at byte %d:\n%q\nwant\n%q", i, around(s, i), around(k, i))
	}
	for _, want := range []string{`"src": "[fe80::1%eth\"0\\]:5353"`, `"src": "[::ffff:192.0.2.10]:53"`,
		`"time": "10000-01-01T00:00:00.000000000Z"`, `"src": "invalid AddrPort"`, `"time": ""`} {
		if !bytes.Contains(s, []byte(want)) {
			t.Errorf("streamed JSON lacks %s", want)
		}
	}
}
