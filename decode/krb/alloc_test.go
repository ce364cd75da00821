package krb

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestParseAllocs pins the allocations of decoding the lab's requests
// again: the Message, and for a TGS-REQ the TGT's Ticket. The name, etype
// and padata lists are those of the message before (share.go), realms
// and name components come from the intern table, and the decoder state
// from a pool (decoders). A first decoding also copies each list.
func TestParseAllocs(t *testing.T) {
	if testutil.Race {
		t.Skip("the race detector drops pooled decoders at random")
	}
	for _, tc := range []struct {
		typ  MsgType
		want float64
	}{
		{MsgASReq, 1},
		{MsgTGSReq, 2},
	} {
		p := labMessage(t, tc.typ)
		if got := testing.AllocsPerRun(100, func() { Parse(p) }); got > tc.want {
			t.Errorf("%v: %v allocs per Parse, want <= %v", tc.typ, got, tc.want)
		}
	}
}

// TestListsShared checks that messages that repeat a name or an etype list
// share one copy of it, and that every lab message decodes to the same
// values whatever the lists decoded before it (the lists of a decoder
// that never saw another message).
func TestListsShared(t *testing.T) {
	p := labMessage(t, MsgASReq)
	var d dec // as the pool would give back: the same decoder
	a, _ := d.parse(p)
	b, _ := d.parse(p)
	if unsafe.SliceData(a.SName.Components) != unsafe.SliceData(b.SName.Components) ||
		unsafe.SliceData(a.Etypes) != unsafe.SliceData(b.Etypes) {
		t.Error("an AS-REQ decoded twice does not share its sname and etype lists")
	}
	var seq dec // decodes every message in turn, and keeps their lists
	for i, p := range labKrb(t) {
		got, gerr := seq.parse(p)
		want, werr := new(dec).parse(p)
		if !reflect.DeepEqual(got, want) || (gerr == nil) != (werr == nil) {
			t.Fatalf("message %d: %+v (%v) after the others, %+v (%v) alone", i, got, gerr, want, werr)
		}
	}
}
