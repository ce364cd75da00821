package decode

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/dns"
)

// dnsResponse builds a response to an A query for name with the answer
// 192.0.2.<last>, under the message ID id.
func dnsResponse(id uint16, name string, last byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = append(b, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0) // response, RD RA; 1 question, 1 answer
	for _, l := range []string{name, "test"} {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	b = append(b, 0, 0, 1, 0, 1)          // root; A IN
	b = append(b, 0xc0, 12, 0, 1, 0, 1)   // the question's name; A IN
	b = append(b, 0, 0, 0x0e, 0x10, 0, 4) // TTL 3600; 4 bytes
	return append(b, 192, 0, 2, last)
}

// TestDNSShare checks that a DNS message that repeats an earlier one but for
// the ID decodes to what decoding it afresh gives, ID included, while
// sharing the sections of the first; and that a message decoded with an
// error, or one that differs anywhere else, is decoded afresh.
func TestDNSShare(t *testing.T) {
	d := NewDissector()
	decodeOne := func(p []byte) *Message {
		t.Helper()
		n := d.msgs.len()
		d.dnsMessage(Message{Frame: n + 1, Parent: -1}, p)
		m := d.msgs.get(n)
		return &m
	}
	first := decodeOne(dnsResponse(0x1111, "www", 20))
	again := decodeOne(dnsResponse(0x2222, "www", 20))
	other := decodeOne(dnsResponse(0x3333, "www", 21))
	cut := dnsResponse(0x4444, "web", 22)
	cut = cut[:len(cut)-2]
	cut1 := decodeOne(cut)
	cut2 := decodeOne(append([]byte{0x55, 0x55}, cut[2:]...))

	fresh, err := dns.Parse(dnsResponse(0x2222, "www", 20))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.DNS(), fresh) {
		t.Errorf("repeat: got %+v, want %+v", again.DNS(), fresh)
	}
	if again.DNS().ID != 0x2222 || first.DNS().ID != 0x1111 {
		t.Errorf("IDs %#x and %#x, want 0x1111 and 0x2222", first.DNS().ID, again.DNS().ID)
	}
	if &again.DNS().Answers[0] != &first.DNS().Answers[0] {
		t.Error("the repeat does not share the answers of the first")
	}
	if &other.DNS().Answers[0] == &first.DNS().Answers[0] || other.DNS().Answers[0].Data != "192.0.2.21" {
		t.Errorf("a different answer is shared or wrong: %+v", other.DNS().Answers)
	}
	for _, m := range []*Message{cut1, cut2} {
		if !m.Truncated || m.Err == "" || !m.DNS().Cut {
			t.Errorf("frame %d: cut message decoded as truncated=%v err=%q", m.Frame, m.Truncated, m.Err)
		}
	}
	if cut2.DNS().ID != 0x5555 {
		t.Errorf("cut repeat has ID %#x", cut2.DNS().ID)
	}
}

// TestDNSShareBound checks that the share starts afresh once full and stays
// right across the restart.
func TestDNSShareBound(t *testing.T) {
	var s dnsShare
	for i := range dnsShareMaxEntries + 10 {
		p := dnsResponse(uint16(i), fmt.Sprintf("h%d", i), byte(i))
		m, err := dns.Parse(p)
		if err != nil {
			t.Fatal(err)
		}
		s.put(p, m)
		if len(s.seen) > dnsShareMaxEntries {
			t.Fatalf("%d entries kept, bound %d", len(s.seen), dnsShareMaxEntries)
		}
	}
	last := dnsShareMaxEntries + 9
	p := dnsResponse(7, fmt.Sprintf("h%d", last), byte(last))
	if m := s.get(p); m == nil || m.ID != 7 || m.Answers[0].Data != fmt.Sprintf("192.0.2.%d", byte(last)) {
		t.Errorf("after the restart: %+v", m)
	}
	if m := s.get(dnsResponse(7, "h1", 1)); m != nil {
		t.Errorf("an entry from before the restart is still kept: %+v", m)
	}
	if m := s.get(make([]byte, dnsShareMaxLen+1)); m != nil {
		t.Error("a message longer than the bound was found")
	}
}

// TestDNSShareSlab checks that the repeats' messages, taken from slabs,
// are each their own (every one keeps its ID across several slabs), and
// that a repeat costs less than one allocation (one per dnsShareSlab).
func TestDNSShareSlab(t *testing.T) {
	var s dnsShare
	p := dnsResponse(1, "www", 20)
	first, err := dns.Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	s.put(p, first)
	var got []*dns.Message
	for id := range 3*dnsShareSlab + 7 {
		binary.BigEndian.PutUint16(p, uint16(id))
		got = append(got, s.get(p))
	}
	for id, m := range got {
		if m == nil || m.ID != uint16(id) || m.Content != first.Content || m == first {
			t.Fatalf("repeat %d: %+v", id, m)
		}
	}
	if n := testing.AllocsPerRun(1000, func() { s.get(p) }); n != 0 {
		t.Errorf("%v allocations per repeat, want less than one", n)
	}
}
