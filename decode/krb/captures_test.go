package krb

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestCaptures walks every Kerberos message on port 88 of a few shared
// captures: each must decode without error, and the message types must
// add up to what tshark 4.0 counts for the same file (tshark -r F -o
// tcp.desegment_tcp_streams:TRUE -Y '(udp.port==88||tcp.port==88) &&
// kerberos' -T fields -e kerberos.msg_type, every type of a frame counted
// except the AP-REQ inside PA-TGS-REQ). Every TGS-REQ of a real client
// carries its TGT.
func TestCaptures(t *testing.T) {
	caps := capturesDir(t)
	cases := []struct {
		file string
		want map[MsgType]int
	}{
		{"arkime/krb5-udp.pcap", map[MsgType]int{MsgASReq: 1}},
		{"ndpi/kerberos.pcap", map[MsgType]int{MsgASReq: 8, MsgTGSReq: 3, MsgTGSRep: 3, MsgKRBError: 5}},
		{"ndpi/kerberos-login.pcap", map[MsgType]int{MsgTGSReq: 13, MsgTGSRep: 13}},
		{"zeek/auth.pcap", map[MsgType]int{MsgTGSReq: 1, MsgTGSRep: 1}},
		{"zeek/kinit.pcap", map[MsgType]int{MsgASReq: 93, MsgASRep: 51, MsgTGSReq: 1, MsgKRBError: 43}},
		{"suricata-verify/krb5-krb5_msg_type__input.pcap", map[MsgType]int{MsgASReq: 2, MsgASRep: 1, MsgTGSReq: 3, MsgTGSRep: 3, MsgKRBError: 1}},
		{"suricata-verify/krb5-probing__krb.pcap", map[MsgType]int{MsgASReq: 1, MsgKRBError: 1}},
		{"suricata-verify/krb5-kerberoasting__kerberoast.pcap", map[MsgType]int{MsgTGSReq: 1, MsgTGSRep: 1}},
		{"suricata-verify/bug-8278-krb5-03__baseline.2.flows.pcap", map[MsgType]int{MsgASReq: 2, MsgASRep: 1, MsgTGSReq: 1, MsgKRBError: 2}},
		// Two records in one segment, the second a TGS-REQ without padata
		// (suricata-verify expects both: krb5_msg_type 10 and 12).
		{"suricata-verify/bug-8278-krb5-01__evasion.1.flow.1.segment.pcap", map[MsgType]int{MsgASReq: 1, MsgTGSReq: 1}},
		{"ms-prot-od-netcaps/MS-ADOD_Example2_9_WS2019v2004_X64_Win10v2004_X64_Domain_ObtainaListOfUserAccountsUsingTheWebServicesProtocols.pcapng",
			map[MsgType]int{MsgASReq: 2, MsgASRep: 1, MsgTGSReq: 2, MsgTGSRep: 2, MsgKRBError: 1}},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			got := map[MsgType]int{}
			for i, b := range krbPayloads(t, filepath.Join(caps, c.file)) {
				m, err := Parse(b)
				if err != nil {
					t.Errorf("message %d (%d bytes, %x...): %v", i, len(b), b[:min(len(b), 16)], err)
					continue
				}
				got[m.Type]++
				checkShape(t, m)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("message types %v, tshark counts %v", got, c.want)
			}
		})
	}
}

// checkShape asserts what every well-formed message of its type carries.
func checkShape(t *testing.T, m *Message) {
	t.Helper()
	if m.PVNO != 5 {
		t.Errorf("%v: pvno %d", m.Type, m.PVNO)
	}
	switch m.Type {
	case MsgASReq, MsgTGSReq:
		if m.Realm == "" || len(m.Etypes) == 0 || m.Till.IsZero() {
			t.Errorf("%v: realm %q etypes %v till %v", m.Type, m.Realm, m.Etypes, m.Till)
		}
	case MsgASRep, MsgTGSRep:
		if m.CRealm == "" || m.Ticket == nil || m.Ticket.Realm == "" || m.EncPartCipherLen == 0 {
			t.Errorf("%v: crealm %q ticket %+v", m.Type, m.CRealm, m.Ticket)
		}
	case MsgKRBError:
		if m.STime.IsZero() || m.Realm == "" {
			t.Errorf("KRB-ERROR: stime %v realm %q", m.STime, m.Realm)
		}
	}
}
