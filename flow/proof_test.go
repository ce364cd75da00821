package flow_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/kcrypt"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// analyzeWithKeys decodes a lab capture with lab keytabs and analyses it.
func analyzeWithKeys(t *testing.T, capture string, keytabs ...string) *flow.Result {
	t.Helper()
	root := testutil.RepoRoot(t)
	k := &kcrypt.Keys{}
	for _, kt := range keytabs {
		b, err := os.ReadFile(filepath.Join(root, "testdata", "lab", "keys", kt))
		if err != nil {
			t.Fatal(err)
		}
		if err := k.AddKeytab(kt, b); err != nil {
			t.Fatal(err)
		}
	}
	fh, err := os.Open(filepath.Join(root, "testdata", "captures", capture))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	d := decode.NewDissector()
	d.SetKeys(k)
	if err := d.Add(capture, fh); err != nil {
		t.Fatal(err)
	}
	return flow.Analyze(d.Result())
}

// The proof decryption adds to SERVICE_REJECTED_TICKET and KRB_SKEW.
func TestProofs(t *testing.T) {
	tests := []struct {
		capture string
		keytabs []string
		id      string
		want    []string
	}{
		{"stale-key.pcap", []string{"http-www.stale.keytab"}, "SERVICE_REJECTED_TICKET", []string{
			"no key given decrypts the ticket, which needs kvno 2 aes256-cts-hmac-sha1-96 of HTTP/www.kerbtrace.test@KERBTRACE.TEST",
			"the keytab's key for HTTP/www.kerbtrace.test@KERBTRACE.TEST is kvno 1, the ticket needs kvno 2 (a stale keytab"}},
		{"wrong-key.pcap", []string{"http-www.wrong.keytab"}, "SERVICE_REJECTED_TICKET", []string{
			"a key with kvno 2 exists but is not the one the KDC used"}},
		// smbd had the wrong keytab; the good one opens the ticket: so the
		// KDC's key is fine and the service must be reading another keytab
		{"smb-rejected.pcap", []string{"cifs-fs.good.keytab"}, "SERVICE_REJECTED_TICKET", []string{
			"the ticket (kvno 1 aes256-cts-hmac-sha1-96) decrypts with cifs/fs.kerbtrace.test@KERBTRACE.TEST kvno 1 aes256-cts-hmac-sha1-96 from cifs-fs.good.keytab",
			"client alice@KERBTRACE.TEST"}},
		{"skew-client-tgs.pcap", []string{"krbtgt.keytab"}, "KRB_SKEW", []string{
			"Decrypted authenticator of frame 46: the client's clock (ctime 2026-11-25T10:24:29.640061Z) was 600 s ahead of the capture's clock."}},
		{"skew-server-behind.pcap", []string{"http-www.good.keytab"}, "KRB_ERROR_OTHER", []string{
			"KRB_AP_ERR_TKT_NYV", "Decrypted authenticator of frame 50: the client's clock", "was within 1 s of the capture's clock"}},
		{"skew-server.pcap", []string{"http-www.good.keytab"}, "KRB_SKEW", []string{
			"the client's clock (ctime 2026-11-25T10:14:33.922049Z) was within 1 s of the capture's clock"}},
	}
	for _, tc := range tests {
		t.Run(tc.capture, func(t *testing.T) {
			res := analyzeWithKeys(t, tc.capture, tc.keytabs...)
			var got []string
			for _, f := range res.Findings {
				if f.ID == tc.id {
					got = append(got, f.Summary)
				}
			}
			if len(got) == 0 {
				t.Fatalf("no %s", tc.id)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.Join(got, "\n"), w) {
					t.Errorf("%s lacks %q:\n%s", tc.id, w, strings.Join(got, "\n"))
				}
			}
		})
	}
	// without keys the summaries stay as they were
	for _, f := range labCapture(t, "stale-key.pcap").res.Findings {
		if strings.Contains(f.Summary, "Keytab check") {
			t.Errorf("keytab proof without keys: %s", f.Summary)
		}
	}
}
