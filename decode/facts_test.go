package decode_test

import (
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestFacts checks that Facts gives, for every message of every lab
// capture, what the accessors give one at a time: from the compact
// entries of a decoded result, from a list of whole messages (SetMessages)
// and from messages appended one by one, and with messages the keys
// opened.
func TestFacts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "*.pcap"))
	if len(files) < 5 {
		t.Fatalf("%d lab captures", len(files))
	}
	results := map[string]*decode.Result{"success.pcap with keys": dissectKeys(t, "success.pcap", labKeys(t, "http-www.good.keytab"))}
	for _, f := range files {
		r := dissectLab(t, filepath.Base(f))
		results[filepath.Base(f)] = r
		list := &decode.Result{}
		list.SetMessages(r.All())
		results[filepath.Base(f)+" as a list"] = list
		appended := &decode.Result{}
		for i := range r.Len() {
			appended.AppendMessage(r.Message(i))
		}
		results[filepath.Base(f)+" appended"] = appended
	}
	decrypted, kinds := 0, map[decode.Kind]bool{}
	for name, r := range results {
		for i := range r.Len() {
			got := r.Facts(i)
			want := decode.Facts{Kind: r.Kind(i), Carrier: r.Carrier(i), Truncated: r.Truncated(i),
				Decrypted: r.Decrypted(i) != nil, Parent: r.Parent(i), Krb: r.Krb(i), HTTP: r.HTTP(i)}
			if got != want {
				t.Fatalf("%s, message %d: Facts %+v, the accessors %+v", name, i, got, want)
			}
			if got.Decrypted {
				decrypted++
			}
			kinds[got.Kind] = true
		}
	}
	if decrypted == 0 || len(kinds) < 10 {
		t.Errorf("%d messages opened and %d kinds: the cases above are not all there", decrypted, len(kinds))
	}
}
