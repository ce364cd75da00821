package capture

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tsharkFrame is one line of testdata/tshark/*.tsv (see gen.sh there).
type tsharkFrame struct {
	number          int
	time            string // frame.time_epoch, "" when the record has none
	proto           string // "tcp", "udp" or "" (none, or ICMP carrying a copy)
	src, dst        string // addr:port as netip.AddrPort prints it
	seq, len, flags string // TCP only
}

func loadTshark(t *testing.T, name string) []tsharkFrame {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "tshark", strings.ReplaceAll(name, "/", "_")+".tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []tsharkFrame
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 15 {
			t.Fatalf("%s: bad line %q", name, sc.Text())
		}
		fr, err := parseTsharkLine(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fr)
	}
	return out
}

// parseTsharkLine reads the 15 columns of a line of gen.sh.
func parseTsharkLine(c []string) (tsharkFrame, error) {
	n, err := strconv.Atoi(c[0])
	if err != nil {
		return tsharkFrame{}, err
	}
	fr := tsharkFrame{number: n, time: c[1]}
	src, dst := c[2], c[3]
	if src == "" {
		src, dst = "["+c[4]+"]", "["+c[5]+"]"
	}
	switch {
	case c[10] != "" || c[11] != "": // ICMP (its quoted header is not ours)
	case c[6] != "":
		fr.proto, fr.src, fr.dst = "tcp", src+":"+c[6], dst+":"+c[7]
		fr.seq, fr.len, fr.flags = c[12], c[13], c[14]
	case c[8] != "":
		fr.proto, fr.src, fr.dst = "udp", src+":"+c[8], dst+":"+c[9]
	}
	return fr, nil
}

// epoch formats a time as tshark's frame.time_epoch.
func epoch(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

func tcpFlags(s Segment) string {
	v := 0
	for bit, on := range []bool{s.FIN, s.SYN, s.RST, false, s.ACK} {
		if on {
			v |= 1 << bit
		}
	}
	return fmt.Sprintf("0x%04x", v)
}

// TestAgainstTshark compares, frame by frame, the records and the TCP/UDP
// headers Read reports with what tshark 4.0 lists for the same files.
func TestAgainstTshark(t *testing.T) {
	tests := []struct {
		file   string
		format Format
		links  []string
		// tcp.flags compared only on the bits Segment carries
	}{
		{"arkime/twovlan.pcap", FormatPcap, []string{"ethernet"}},
		{"arkime/krb5-udp.pcap", FormatPcap, []string{"ethernet"}},
		{"arkime/ntlm_synthetic.pcap", FormatPcap, []string{"ethernet"}},
		{"gopacket/le_test202.pcapng", FormatPcapNG, []string{"ethernet", "null"}},
		{"gopacket/be_test202.pcapng", FormatPcapNG, []string{"ethernet", "null"}},
		{"ms-prot-od-netcaps/MS-FASOD_Example1_Win2019v2004_X64_Win10v2004_X64_Workgroup.pcapng", FormatPcapNG, []string{"ethernet"}},
		{"ndpi/kerberos-login.pcap", FormatPcap, []string{"ethernet"}},
		{"pcapplusplus/nanosecs_big_endian.pcap", FormatPcap, []string{"ethernet"}},
		{"pcapplusplus/pcapng-example.pcapng", FormatPcapNG, []string{"ethernet", "linux_sll"}},
		{"pcapplusplus/ldap.pcapng", FormatPcapNG, []string{"ethernet", "linux_sll"}},
		{"pcapplusplus/sll.pcap", FormatPcap, []string{"linux_sll"}},
		{"suricata-verify/http-auth-bearer__input.pcap", FormatPcap, []string{"null"}},
		{"zeek/basic-auth-with-colon.pcap", FormatPcap, []string{"ipv4"}},
		{"zeek/gap-data-missing.pcapng", FormatPcapNG, []string{"ethernet"}},
		{"zeek/http-qinq-0.pcap", FormatPcap, []string{"ethernet"}},
		{"zeek/kinit.pcap", FormatPcap, []string{"ethernet"}},
		{"zeek/linux_dlt_sll2.pcap", FormatPcap, []string{"linux_sll2"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			want := loadTshark(t, tt.file)
			rec, info := readCapture(t, tt.file)
			if info.Format != tt.format || info.Packets != len(want) {
				t.Errorf("format %s, %d records; tshark lists %d", info.Format, info.Packets, len(want))
			}
			if fmt.Sprint(info.LinkTypes) != fmt.Sprint(tt.links) {
				t.Errorf("link types %v, want %v", info.LinkTypes, tt.links)
			}
			if len(info.Warnings) > 0 {
				t.Errorf("warnings: %v", info.Warnings)
			}
			compareFrames(t, rec, want)
		})
	}
}

func compareFrames(t *testing.T, rec *recorder, want []tsharkFrame) {
	t.Helper()
	got := map[int]tsharkFrame{}
	for _, s := range rec.segs {
		got[s.Frame.Number] = tsharkFrame{number: s.Frame.Number, time: epoch(s.Frame.Time), proto: "tcp",
			src: s.Src.String(), dst: s.Dst.String(), seq: strconv.FormatUint(uint64(s.Seq), 10),
			len: strconv.Itoa(s.PayloadLen), flags: tcpFlags(s)}
	}
	for _, d := range rec.udp {
		got[d.Frame.Number] = tsharkFrame{number: d.Frame.Number, time: epoch(d.Frame.Time), proto: "udp",
			src: d.Src.String(), dst: d.Dst.String()}
	}
	bad := 0
	for _, w := range want {
		g, ok := got[w.number]
		delete(got, w.number)
		if w.proto == "" {
			continue // tshark shows no transport header of ours in this frame
		}
		if w.proto == "tcp" {
			// tshark's flags include PSH, URG, ...: keep the ones compared.
			v, _ := strconv.ParseUint(strings.TrimPrefix(w.flags, "0x"), 16, 16)
			w.flags = fmt.Sprintf("0x%04x", v&0x17)
		}
		if !ok || g != w {
			bad++
			if bad <= 5 {
				t.Errorf("frame %d:\n got %+v\nwant %+v", w.number, g, w)
			}
		}
	}
	for n, g := range got {
		bad++
		if bad <= 10 {
			t.Errorf("frame %d: %+v reported, tshark shows no such header", n, g)
		}
	}
	if bad > 5 {
		t.Errorf("%d frames differ", bad)
	}
}
