package capture

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCaptureInfo checks format, record count, link types and time span
// against capinfos (TShark 4.0.17).
func TestCaptureInfo(t *testing.T) {
	tests := []struct {
		file        string
		format      Format
		packets     int
		links       []string
		first, last string // earliest and latest frame.time_epoch per tshark
		warnings    int
	}{
		{"pcapplusplus/sll.pcap", FormatPcap, 518, []string{"linux_sll"}, "1465939067.790511000", "1465939118.808423000", 0},
		{"pcapplusplus/nanosecs_big_endian.pcap", FormatPcap, 10, []string{"ethernet"}, "1766361926.167647291", "1766361926.168451894", 0},
		{"arkime/bigendian.pcap", FormatPcap, 2, []string{"ethernet"}, "1335958313.152630000", "1335958317.529201000", 0},
		{"arkime/twovlan.pcap", FormatPcap, 6, []string{"ethernet"}, "", "", 0},
		{"pcapplusplus/pcapng-example.pcapng", FormatPcapNG, 159, []string{"ethernet", "linux_sll"}, "1422527998.578402281", "18446744073204.277451000", 0},
		// 11 records: 8 packets and 3 custom blocks, which Wireshark numbers.
		{"gopacket/le_test202.pcapng", FormatPcapNG, 11, []string{"ethernet", "null"}, "", "", 0},
		{"gopacket/le_test017.pcapng", FormatPcapNG, 4, nil, "", "", 0},
		{"gopacket/le_test200.pcapng", FormatPcapNG, 0, nil, "", "", 0},
		{"gopacket/epb.pcapng", FormatPcapNG, 1, []string{"ethernet"}, "", "", 0},
		// A second section of version 2.0, which Wireshark does not read
		// either: one record, then a warning.
		{"gopacket/be_test901.pcapng", FormatPcapNG, 1, []string{"ethernet"}, "", "", 1},
		{"gopacket/linux_sll_oversized_addr.pcapng", FormatPcapNG, 209, []string{"linux_sll"}, "", "", 0},
		{"ndpi/kerberos_fuzz.pcapng", FormatPcapNG, 1, []string{"ipv4"}, "", "", 0},
		{"zeek/linux_dlt_sll2.pcap", FormatPcap, 6, []string{"linux_sll2"}, "", "", 0},
		{"suricata-verify/smb-length-5786__input.pcap", FormatPcap, 689, []string{"null"}, "", "", 0},
		{"ms-prot-od-netcaps/MS-ADOD_Example2_18_WS2019v2004_X64_Win10v2004_X64_Domain_ManageAccessControlOnDirectoryObjects.pcapng",
			FormatPcapNG, 5955, []string{"ethernet"}, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, info := readCapture(t, tt.file)
			if info.Format != tt.format || info.Packets != tt.packets {
				t.Errorf("format %s, %d records; want %s, %d", info.Format, info.Packets, tt.format, tt.packets)
			}
			if !slices.Equal(info.LinkTypes, tt.links) {
				t.Errorf("link types %v, want %v", info.LinkTypes, tt.links)
			}
			if tt.first != "" && epoch(info.First) != tt.first {
				t.Errorf("first %s, want %s", epoch(info.First), tt.first)
			}
			if tt.last != "" && epoch(info.Last) != tt.last {
				t.Errorf("last %s, want %s", epoch(info.Last), tt.last)
			}
			if len(info.Warnings) != tt.warnings {
				t.Errorf("warnings %v, want %d", info.Warnings, tt.warnings)
			}
		})
	}
}

// TestKerberosUDP checks the AS-REQ of arkime/krb5-udp.pcap (VLAN 300,
// udp.length 259 per tshark) at frame 1.
func TestKerberosUDP(t *testing.T) {
	rec, _ := readCapture(t, "arkime/krb5-udp.pcap")
	d, ok := rec.datagramAt(1)
	if !ok {
		t.Fatal("no datagram at frame 1")
	}
	if d.Src.String() != "10.172.10.172:58412" || d.Dst.String() != "10.150.10.150:88" ||
		len(d.Payload) != 259-8 || d.Payload[0] != 0x6a || d.Truncated || !slices.Equal(d.Frames, []int{1}) {
		t.Errorf("got %s -> %s, %d bytes starting %#x, truncated %v, frames %v",
			d.Src, d.Dst, len(d.Payload), d.Payload[0], d.Truncated, d.Frames)
	}
}

// framing finds the length of the PDU starting at b[0], or 0 if unknown.
type framing func(b []byte) int

// krbFraming is the 4-byte record mark of Kerberos over TCP (RFC 4120
// section 7.2.2).
func krbFraming(b []byte) int {
	if len(b) < 4 {
		return 0
	}
	return 4 + int(binary.BigEndian.Uint32(b)&0x7fffffff)
}

// nbssFraming is the 4-byte NetBIOS session header of SMB (RFC 1002).
func nbssFraming(b []byte) int {
	if len(b) < 4 {
		return 0
	}
	return 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
}

// TestTCPReassemblyAgainstTshark checks that the PDUs found in the
// reassembled streams come from the frames tshark lists in tcp.segment and
// complete at the frame it reports them in (tcp.reassembled_in).
func TestTCPReassemblyAgainstTshark(t *testing.T) {
	const adod9 = "ms-prot-od-netcaps/MS-ADOD_Example2_9_WS2019v2004_X64_Win10v2004_X64_Domain_ObtainaListOfUserAccountsUsingTheWebServicesProtocols.pcapng"
	const adod18 = "ms-prot-od-netcaps/MS-ADOD_Example2_18_WS2019v2004_X64_Win10v2004_X64_Domain_ManageAccessControlOnDirectoryObjects.pcapng"
	tests := []struct {
		file     string
		src, dst string
		frame    framing
		at       int   // frame where tshark shows the reassembled PDU
		segments []int // tcp.segment
		length   int   // tcp.reassembled.length
	}{
		{adod9, "192.168.0.1:88", "192.168.0.101:61300", krbFraming, 26, []int{25, 26}, 1567},
		{adod9, "192.168.0.1:88", "192.168.0.101:61301", krbFraming, 37, []int{36, 37}, 1653},
		{adod18, "192.168.0.1:88", "192.168.0.101:61346", krbFraming, 265, []int{264, 265}, 1637},
		{"zeek/kinit.pcap", "192.168.1.31:55442", "192.168.1.32:88", krbFraming, 197, []int{193, 195, 197}, 1471},
		{"zeek/kinit.pcap", "192.168.1.32:88", "192.168.1.31:55442", krbFraming, 200, []int{199, 200}, 2698},
		{"zeek/kinit.pcap", "192.168.1.31:55447", "192.168.1.32:88", krbFraming, 221, []int{213, 215, 217, 219, 221}, 2984},
		{"zeek/kinit.pcap", "192.168.1.32:88", "192.168.1.31:55447", krbFraming, 224, []int{223, 224}, 2621},
		{"suricata-verify/krb5-krb5_msg_type__input.pcap", "172.31.222.155:88", "172.31.222.157:50121", krbFraming, 18, []int{17, 18}, 1500},
		{"zeek/smb2_krb.pcap", "10.10.34.184:56493", "172.19.23.143:445", nbssFraming, 12, []int{10, 12}, 2737},
		{"zeek/smb2_krb.pcap", "172.19.23.143:445", "10.10.34.184:56493", nbssFraming, 59, []int{58, 59}, 6692},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.src, func(t *testing.T) {
			rec, _ := readCapture(t, tt.file)
			s := rec.stream(tt.src, tt.dst)
			if len(s.data) == 0 {
				t.Fatalf("no stream %s -> %s", tt.src, tt.dst)
			}
			for _, p := range s.pdus(tt.frame) {
				if slices.Max(p.frames) == tt.at {
					if !slices.Equal(p.frames, tt.segments) || p.n != tt.length {
						t.Errorf("PDU at stream offset %d: %d bytes from frames %v; tshark: %d bytes from %v",
							p.off, p.n, p.frames, tt.length, tt.segments)
					}
					return
				}
			}
			t.Errorf("no PDU completed at frame %d", tt.at)
		})
	}
}

// TestHTTPReassembly checks a 17637-byte HTTP response that tshark
// reassembles from 15 segments (ndpi/http_auth.pcap, frame 28).
func TestHTTPReassembly(t *testing.T) {
	rec, _ := readCapture(t, "ndpi/http_auth.pcap")
	s := rec.stream("192.254.189.169:80", "192.168.0.4:54337")
	off := bytes.Index(s.data, []byte("HTTP/1."))
	if off < 0 {
		t.Fatal("no HTTP response in the stream")
	}
	want := []int{6, 7, 9, 11, 13, 14, 16, 17, 19, 20, 22, 23, 25, 26, 28}
	if got := s.framesOf(off, 17637); !slices.Equal(got, want) {
		t.Errorf("response from frames %v, tshark: %v", got, want)
	}
}

// TestGapInRealCapture checks zeek/gap-data-missing.pcapng, where 1342
// bytes from the LDAP server were not captured (tshark: "previous segment
// not captured" at frame 10, "ACKed unseen segment" at frame 9): the data
// of frame 10 comes at once with the gap, and frame 14 (a retransmission
// of frame 13) adds nothing.
func TestGapInRealCapture(t *testing.T) {
	rec, _ := readCapture(t, "zeek/gap-data-missing.pcapng")
	src := netip.MustParseAddrPort("[2a00:6020:ad0b:8380::10]:389")
	var got []string
	for _, c := range rec.chunks {
		if c.Src == src {
			got = append(got, chunkSummary(c))
		}
	}
	want := []string{"frame 7: 210 bytes", "frame 10: 227 bytes after a gap of 1342", "frame 13: 210 bytes", "frame 18: end"}
	if !slices.Equal(got, want) {
		t.Errorf("chunks\n got %q\nwant %q", got, want)
	}
}

// noTransport lists shared captures with records but no TCP or UDP header
// to report (tshark agrees).
var noTransport = map[string]string{
	"arkime/bigendian.pcap":      "ICMP only",
	"zeek/linux_dlt_sll2.pcap":   "ICMP and ICMPv6 only",
	"zeek/linuxsll-arp.pcap":     "ARP only",
	"ndpi/kerberos_fuzz.pcapng":  "TCP data offset 8 bytes: malformed",
	"gopacket/le_test017.pcapng": "custom blocks only",
	"gopacket/le_test200.pcapng": "no records",
}

// TestAllSharedCaptures reads every shared capture: pcap and pcapng files
// and Network Monitor files without error, recovered panic or broken handler
// invariant (checked by the recorder).
func TestAllSharedCaptures(t *testing.T) {
	dir := capturesDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if ext := filepath.Ext(f); ext != ".pcap" && ext != ".pcapng" && ext != ".cap" {
			continue
		}
		n++
		rel, _ := filepath.Rel(dir, f)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rec := newRecorder(t)
			info, err := Read(bytes.NewReader(b), rec, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range info.Warnings {
				if strings.Contains(w.Msg, "internal error") {
					t.Error(w)
				}
			}
			if _, ok := noTransport[rel]; !ok && len(rec.udp)+len(rec.segs) == 0 {
				t.Errorf("%d records but no UDP or TCP", info.Packets)
			}
		})
	}
	if n < 50 {
		t.Errorf("only %d captures found", n)
	}
}
