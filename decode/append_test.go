package decode_test

import (
	"reflect"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
)

// TestAppendMessage checks that a result built message by message with
// AppendMessage, in the compact form, gives back every message of the
// decoded results it copies, field for field (Bodies by content), with its
// accessors agreeing; and that a result set by hand takes the message into
// its list.
func TestAppendMessage(t *testing.T) {
	for _, name := range []string{"success.pcap", "smb-success.cap", "ntlm-fallback.pcap", "spn-missing.pcapng"} {
		in := dissectLab(t, name)
		var out decode.Result
		for i := range in.Len() {
			out.AppendMessage(in.Message(i))
		}
		if out.Len() != in.Len() || in.Len() == 0 {
			t.Fatalf("%s: %d messages appended, want %d", name, out.Len(), in.Len())
		}
		for i := range in.Len() {
			want, got := in.Message(i), out.Message(i)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: message %d appended as\n%+v\nwant\n%+v", name, i, got, want)
			}
			if out.Frame(i) != want.Frame || out.Parent(i) != want.Parent || out.Kind(i) != want.Kind || out.Capture(i) != want.Capture ||
				out.Transport(i) != want.Transport {
				t.Errorf("%s: message %d: accessors say frame %d, parent %d, kind %v, capture %d, transport %v", name, i,
					out.Frame(i), out.Parent(i), out.Kind(i), out.Capture(i), out.Transport(i))
			}
		}
	}
	var list decode.Result
	list.SetMessages([]decode.Message{{Frame: 1, Parent: -1}})
	list.AppendMessage(decode.Message{Frame: 2, Parent: 0})
	if list.Len() != 2 || list.Frame(1) != 2 || list.Parent(1) != 0 {
		t.Errorf("a hand-built result: %d messages, the second frame %d parent %d; want 2, 2, 0", list.Len(), list.Frame(1), list.Parent(1))
	}
}
