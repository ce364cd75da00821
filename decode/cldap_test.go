package decode_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestCLDAPPing checks that the DC locator's LDAP pings over UDP 389 are
// reported (suricata-verify bug-8619__cldap-leak.pcap: tshark shows a
// searchRequest with the Netlogon filter in frame 1 and its searchResEntry
// in frame 2).
func TestCLDAPPing(t *testing.T) {
	path := filepath.Join(testutil.SharedCaptures(t), "suricata-verify", "bug-8619__cldap-leak.pcap")
	f, err := os.Open(path)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	d := decode.NewDissector()
	if err := d.Add("cldap", f); err != nil {
		t.Fatal(err)
	}
	r := d.Result()
	if r.Len() < 2 {
		t.Fatalf("%d messages, want at least 2", r.Len())
	}
	ping, resp := r.Message(0), r.Message(1)
	if ping.Frame != 1 || ping.Kind != decode.KindCLDAPPing || ping.Transport != decode.TransportUDP || ping.Dst.Port() != 389 {
		t.Errorf("first message: frame %d kind %s %s -> %s", ping.Frame, ping.Kind, ping.Src, ping.Dst)
	}
	if !strings.Contains(ping.LDAP().Filter, "DnsDomain=s4.howto.abartlet.net") || !strings.Contains(ping.LDAP().Filter, "NtVer=") {
		t.Errorf("filter %q", ping.LDAP().Filter)
	}
	if resp.Frame != 2 || resp.Kind != decode.KindCLDAPPingResponse {
		t.Errorf("second message: frame %d kind %s", resp.Frame, resp.Kind)
	}
}
