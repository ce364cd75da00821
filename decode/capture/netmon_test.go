package capture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// nmRecord is one record of a synthetic Network Monitor file.
type nmRecord struct {
	media uint16
	time  time.Time // zero: ct.Base + i*10ms
	data  []byte
	gap   int // junk bytes written before the record (a hole in the file)
}

// nmFile describes a synthetic Network Monitor 2.x file.
type nmFile struct {
	minor uint8
	media uint16 // the file header's media type
	// order is the frame table as indexes into recs (nil: file order).
	order []int
	recs  []nmRecord
}

// bytes writes the file: header, records in file order (each after its
// gap), then the frame table. The start time is the first record's, to the
// millisecond, as Network Monitor and editcap write it.
func (f nmFile) bytes() []byte {
	times := make([]time.Time, len(f.recs))
	for i, r := range f.recs {
		times[i] = r.time
		if r.time.IsZero() {
			times[i] = ct.Base.Add(time.Duration(i) * 10 * time.Millisecond)
		}
	}
	start := ct.Base
	if len(times) > 0 {
		start = times[0].Truncate(time.Millisecond)
	}
	b := make([]byte, netmonFirstFrame)
	copy(b, "GMBU")
	b[4], b[5] = f.minor, 2
	binary.LittleEndian.PutUint16(b[6:], f.media)
	for i, v := range []int{start.Year(), int(start.Month()), int(start.Weekday()), start.Day(),
		start.Hour(), start.Minute(), start.Second(), start.Nanosecond() / 1e6} {
		binary.LittleEndian.PutUint16(b[8+2*i:], uint16(v))
	}
	offs := make([]uint32, len(f.recs))
	for i, r := range f.recs {
		b = append(b, bytes.Repeat([]byte{0xee}, r.gap)...)
		offs[i] = uint32(len(b))
		// Microseconds since the start, rounded down (negative before it).
		us := times[i].Sub(start).Microseconds()
		if times[i].Sub(start)%time.Microsecond < 0 {
			us--
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(us))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(r.data)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(r.data)))
		b = append(b, r.data...)
		if f.minor >= 1 {
			b = binary.LittleEndian.AppendUint16(b, r.media)
		}
		if f.minor >= 2 {
			b = binary.LittleEndian.AppendUint32(b, 0) // process info index
		}
		if f.minor >= 3 {
			ft := uint64(times[i].Unix()+filetimeEpoch)*1e7 + uint64(times[i].Nanosecond()/100)
			b = binary.LittleEndian.AppendUint64(b, ft)
			b = append(b, 0) // time zone index
		}
	}
	order := f.order
	if order == nil {
		for i := range f.recs {
			order = append(order, i)
		}
	}
	binary.LittleEndian.PutUint32(b[24:], uint32(len(b)))
	binary.LittleEndian.PutUint32(b[28:], uint32(4*len(order)))
	for _, i := range order {
		b = binary.LittleEndian.AppendUint32(b, offs[i])
	}
	return b
}

// snap prefixes an IP packet with an LLC/SNAP header (RFC 1042).
func snap(ip []byte) []byte {
	et := uint16(etherIPv4)
	if ip[0]>>4 == 6 {
		et = etherIPv6
	}
	return binary.BigEndian.AppendUint16([]byte{0xaa, 0xaa, 0x03, 0, 0, 0}, et)
}

// wlan80211 returns an 802.11 data frame carrying ip: QoS data when qos,
// with the frame control flags given (0x01 to DS, 0x02 from DS).
func wlan80211(ip []byte, qos bool, flags byte) []byte {
	fc := byte(0x08) // data
	if qos {
		fc = 0x88 // QoS data
	}
	b := []byte{fc, flags, 0, 0}
	for i := range 3 {
		b = append(b, 0x02, 0, 0, 0, 0, byte(i+1))
	}
	b = append(b, 0x10, 0) // sequence 1, fragment 0
	if flags&wlanToFromDS == wlanToFromDS {
		b = append(b, 0x02, 0, 0, 0, 0, 4)
	}
	if qos {
		b = append(b, 0, 0)
	}
	return append(append(b, snap(ip)...), ip...)
}

// withNetmonHeader prefixes an 802.11 frame with Network Monitor's 32-byte
// metadata header (version 2).
func withNetmonHeader(frame []byte) []byte {
	h := make([]byte, 32)
	h[0] = 2
	binary.LittleEndian.PutUint16(h[1:], 32)
	binary.LittleEndian.PutUint32(h[3:], 1)  // station mode
	binary.LittleEndian.PutUint32(h[11:], 7) // 802.11n
	binary.LittleEndian.PutUint32(h[15:], 6) // channel
	binary.LittleEndian.PutUint32(h[19:], uint32(0xffffffce))
	h[23] = 0x6c
	return append(h, frame...)
}

// mixedRecords covers every kind of record: the media types kerbtrace
// decodes, Network Monitor's pseudo-frames numbered by Wireshark (ETW
// event, adapter list, filter) and those it does not number (payload
// header, network info, DNS cache).
func mixedRecords() []nmRecord {
	return []nmRecord{
		{media: netmonEthernet, data: ct.Ethernet(ct.UDP("10.0.0.1:50000", "10.0.0.2:88", []byte("as-req")))},
		{media: netmonPayloadHdr, data: []byte("payload header")},
		{media: netmonWLAN, data: withNetmonHeader(wlan80211(ct.TCP("10.0.0.1:50001", "10.0.0.2:88", 1000, 0, ct.SYN, nil), true, 0x01))},
		{media: netmonNetEvent, data: make([]byte, 80), gap: 7},
		{media: netmonRawIP, data: ct.UDP("[2001:db8::1]:50002", "[2001:db8::2]:53", []byte("dns"))},
		{media: netmonNetInfo, data: []byte{0, 0, 0, 0}},
		{media: netmonPcapBase + linkSLL, data: ct.SLL(ct.UDP("10.0.0.3:50003", "10.0.0.2:389", []byte("cldap")))},
		{media: netmonDNSCache, data: []byte{0, 0}},
		{media: netmonFilter, data: []byte{1, 0, 0, 0, 0, 0, 0, 0}},
		{media: netmonInfoEx, data: []byte{0, 0, 0, 0}},
		{media: 0, data: ct.Ethernet(ct.TCP("10.0.0.1:50004", "10.0.0.2:445", 7, 9, ct.ACK|ct.PSH, []byte("smb")))},
		{media: netmonTunnel, data: ct.TCP("10.0.0.1:50005", "10.0.0.2:80", 5, 6, ct.ACK, []byte("GET / HTTP/1.1\r\n\r\n"))},
		{media: netmonWLAN, data: withNetmonHeader(wlan80211(ct.UDP("10.0.0.2:88", "10.0.0.1:50000", []byte("as-rep")), false, 0x02))},
		{media: netmonWLAN, data: withNetmonHeader(wlan80211(ct.TCP("[2001:db8::1]:50006", "[2001:db8::2]:88", 1, 2, ct.ACK, []byte("x")), true, 0x03))},
		{media: netmonPcapBase + linkEthernet, data: ct.VLAN(ct.UDP("10.0.0.4:50007", "10.0.0.2:88", []byte("vlan")), ct.Tag{TPID: 0x8100, VID: 5})},
	}
}

// mixedFile returns a Network Monitor 2.<minor> file of mixedRecords, with
// a frame table that is not in file order.
func mixedFile(minor uint8) []byte {
	recs := mixedRecords()
	// Write the last two records first in the file; the frame table keeps
	// them last.
	n := len(recs)
	file := append(slices.Clone(recs[n-2:]), recs[:n-2]...)
	order := []int{}
	for i := 2; i < n; i++ {
		order = append(order, i)
	}
	order = append(order, 0, 1)
	// Times follow the frame order, not the file order.
	for i := range file {
		frame := (i - 2 + n) % n
		file[i].time = ct.Base.Add(time.Duration(frame)*10*time.Millisecond + time.Duration(frame)*1100*time.Nanosecond)
	}
	return nmFile{minor: minor, media: netmonEthernet, order: order, recs: file}.bytes()
}

// TestWriteNetmonTestdata rewrites testdata/netmon/mixed-2.N.cap when
// KERBTRACE_WRITE_TESTDATA is set; gen-netmon.sh then lists them with tshark.
func TestWriteNetmonTestdata(t *testing.T) {
	if os.Getenv("KERBTRACE_WRITE_TESTDATA") == "" {
		t.Skip("KERBTRACE_WRITE_TESTDATA not set")
	}
	for minor := uint8(1); minor <= 3; minor++ {
		name := filepath.Join("testdata", "netmon", fmt.Sprintf("mixed-2.%d.cap", minor))
		if err := os.WriteFile(name, mixedFile(minor), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// listedFrame is one line of a Network Monitor listing by tshark: the
// columns of testdata/tshark/gen.sh, then frame.len and frame.protocols.
type listedFrame struct {
	tsharkFrame
	len  int
	link string
}

// loadListing reads a listing written by testdata/tshark/gen-netmon.sh.
func loadListing(t *testing.T, path string) []listedFrame {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	var out []listedFrame
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 17 {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		fr, err := parseTsharkLine(c[:15])
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(c[15])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, listedFrame{fr, n, listedLink(c[16])})
	}
	return out
}

// listedLink names the link layer of a frame.protocols value as
// Info.LinkTypes does, "meta" for Network Monitor's pseudo-frames.
func listedLink(protocols string) string {
	p := strings.TrimPrefix(protocols, "netmon_header:") // a frame with a comment
	first, _, _ := strings.Cut(p, ":")
	switch first {
	case "eth":
		return "ethernet"
	case "raw":
		return "raw"
	case "sll":
		return "linux_sll"
	case "netmon_802_11":
		return "ieee802_11_netmon"
	case "netmon_event", "netmon_filter", "netmon_network_info":
		return "meta"
	}
	return first
}

// records lists the frames of a Network Monitor file as the source reads
// them, without decoding.
func records(t *testing.T, b []byte) []listedFrame {
	t.Helper()
	in := newInput(bytes.NewReader(b))
	if _, err := in.peek(sniffLen); err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	var meta int
	s, err := newNetmonSource(bytes.NewReader(b), in, func(w Warning) { t.Errorf("warning %s", w) }, &meta)
	if err != nil {
		t.Fatal(err)
	}
	var out []listedFrame
	var rec record
	for {
		if err := s.next(&rec); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			return out
		}
		f := listedFrame{len: rec.origLen, link: "meta"}
		f.number, f.time = len(out)+1, epoch(rec.ts)
		if rec.link != noLink {
			f.link = linkName(rec.link)
		}
		out = append(out, f)
	}
}

// compareListing checks a Network Monitor file against tshark's listing:
// frame numbers, lengths, times to the nanosecond and link types of every
// record, then the TCP and UDP headers reported by Read.
func compareListing(t *testing.T, b []byte, want []listedFrame) {
	t.Helper()
	got := records(t, b)
	if len(got) != len(want) {
		t.Errorf("%d frames, tshark lists %d", len(got), len(want))
	}
	bad := 0
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.number != w.number || g.time != w.time || g.len != w.len || g.link != w.link {
			if bad++; bad <= 5 {
				t.Errorf("frame %d: got #%d %s len %d %s; tshark #%d %s len %d %s",
					i+1, g.number, g.time, g.len, g.link, w.number, w.time, w.len, w.link)
			}
		}
	}
	rec := newRecorder(t)
	info, err := Read(bytes.NewReader(b), rec, Options{})
	if err != nil || info.Format != FormatNetMon2 || info.Packets != len(want) || len(info.Warnings) > 0 {
		t.Errorf("Read: %v, format %s, %d packets, warnings %v", err, info.Format, info.Packets, info.Warnings)
	}
	frames := make([]tsharkFrame, len(want))
	for i, w := range want {
		frames[i] = w.tsharkFrame
	}
	compareFrames(t, rec, frames)
}

// TestNetmonMixedAgainstTshark reads the synthetic files of every media
// type in versions 2.1 to 2.3, and compares them with tshark's listings
// (testdata/tshark/netmon_mixed-2.N.cap.tsv): the pseudo-frames that
// Wireshark does not number are left out of the numbering, the 802.11,
// raw IP, SLL and converted-pcap frames decoded alike.
func TestNetmonMixedAgainstTshark(t *testing.T) {
	for minor := 1; minor <= 3; minor++ {
		name := fmt.Sprintf("mixed-2.%d.cap", minor)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "netmon", name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, mixedFile(uint8(minor))) {
				t.Errorf("%s differs from mixedFile(%d): rerun TestWriteNetmonTestdata and gen-netmon.sh", name, minor)
			}
			compareListing(t, b, loadListing(t, filepath.Join("testdata", "tshark", "netmon_"+name+".tsv")))
			_, info := readBytes(t, b)
			wantLinks := []string{"ethernet", "ieee802_11_netmon", "raw", "linux_sll"}
			if !slices.Equal(info.LinkTypes, wantLinks) || info.Metadata != 6 || info.Packets != 12 {
				t.Errorf("links %v, %d metadata records, %d packets", info.LinkTypes, info.Metadata, info.Packets)
			}
		})
	}
}

// TestNetmonSharedAgainstTshark compares every Network Monitor file of the
// shared captures with tshark's listing (testdata/tshark/netmon/*.tsv.gz).
func TestNetmonSharedAgainstTshark(t *testing.T) {
	dir := filepath.Join(capturesDir(t), "ms-prot-od-netcaps")
	files, err := filepath.Glob(filepath.Join(dir, "*.cap"))
	if err != nil || len(files) == 0 {
		t.Skipf("no Network Monitor captures in %s", dir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			compareListing(t, b, loadListing(t, filepath.Join("testdata", "tshark", "netmon", filepath.Base(f)+".tsv.gz")))
		})
	}
}

// readBytes reads a capture held in memory into a recorder.
func readBytes(t *testing.T, b []byte) (*recorder, Info) {
	t.Helper()
	rec := newRecorder(t)
	info, err := Read(bytes.NewReader(b), rec, Options{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return rec, info
}

// labDir returns the repository's testdata/captures (the directory
// holding go.mod, then testdata/captures).
func labDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "captures")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found")
		}
		dir = parent
	}
}

// TestNetmonLabCopies checks that the Network Monitor copies of the lab
// captures (editcap -F netmon2, version 2.0) give exactly the events of
// their pcap originals: frame numbers, times, tuples and payload bytes.
func TestNetmonLabCopies(t *testing.T) {
	dir := labDir(t)
	for _, name := range []string{"success", "spn-missing", "stale-key", "ntlm-fallback", "smb-success"} {
		t.Run(name, func(t *testing.T) {
			read := func(ext string, wrap func(*os.File) io.Reader) (*recorder, Info) {
				f, err := os.Open(filepath.Join(dir, name+ext))
				if err != nil {
					t.Skip(err)
				}
				defer f.Close()
				rec := newRecorder(t)
				info, err := Read(wrap(f), rec, Options{})
				if err != nil {
					t.Fatal(err)
				}
				return rec, info
			}
			file := func(f *os.File) io.Reader { return f }
			stream := func(f *os.File) io.Reader { return struct{ io.Reader }{f} }
			want, wantInfo := read(".pcap", file)
			for _, how := range []struct {
				name string
				wrap func(*os.File) io.Reader
			}{{"file", file}, {"stream", stream}} {
				got, info := read(".cap", how.wrap)
				if info.Format != FormatNetMon2 {
					t.Errorf("%s: format %s", how.name, info.Format)
				}
				info.Format = wantInfo.Format
				if !reflect.DeepEqual(info, wantInfo) {
					t.Errorf("%s: info\n got %+v\nwant %+v", how.name, info, wantInfo)
				}
				// Record offsets differ between the formats; nothing else may.
				if !reflect.DeepEqual(withoutOffsets(got.udp), withoutOffsets(want.udp)) || !reflect.DeepEqual(got.segs, want.segs) ||
					!reflect.DeepEqual(got.chunks, want.chunks) {
					t.Errorf("%s: events differ: %d/%d datagrams, %d/%d segments, %d/%d chunks", how.name,
						len(got.udp), len(want.udp), len(got.segs), len(want.segs), len(got.chunks), len(want.chunks))
				}
			}
			if len(want.segs) == 0 || len(want.chunks) == 0 {
				t.Error("nothing compared")
			}
		})
	}
}

// TestNetmonVersions reads the same frames in each version: times from the
// start time and offsets (2.0-2.2, microseconds) or from the UTC FILETIME
// (2.3, 100 ns), the media type from the file header (2.0) or each record.
func TestNetmonVersions(t *testing.T) {
	t0 := time.Date(2025, 12, 31, 23, 59, 59, 987_654_300, time.UTC)
	times := []time.Time{t0, t0.Add(1500 * time.Millisecond), t0.Add(-5 * time.Millisecond), t0.Add(48 * time.Hour)}
	recs := func(media uint16) []nmRecord {
		var out []nmRecord
		for i, at := range times {
			out = append(out, nmRecord{media: media, time: at,
				data: ct.Ethernet(ct.UDP("10.0.0.1:5000"+strconv.Itoa(i), "10.0.0.2:88", []byte{byte(i)}))})
		}
		return out
	}
	for minor := uint8(0); minor <= 3; minor++ {
		t.Run(fmt.Sprintf("2.%d", minor), func(t *testing.T) {
			rec, info := readBytes(t, nmFile{minor: minor, media: netmonEthernet, recs: recs(netmonEthernet)}.bytes())
			if info.Packets != len(times) || len(rec.udp) != len(times) || len(info.Warnings) > 0 {
				t.Fatalf("%d packets, %d datagrams, warnings %v", info.Packets, len(rec.udp), info.Warnings)
			}
			for i, d := range rec.udp {
				want := times[i]
				if minor < 3 {
					want = want.Truncate(time.Microsecond)
				}
				if !d.Frame.Time.Equal(want) || d.Frame.Number != i+1 || d.Src.Port() != uint16(50000+i) {
					t.Errorf("frame %d at %s from %s; want frame %d at %s", d.Frame.Number, d.Frame.Time, d.Src, i+1, want)
				}
			}
			if !info.First.Equal(rec.udp[2].Frame.Time) || !info.Last.Equal(rec.udp[3].Frame.Time) {
				t.Errorf("first %s, last %s", info.First, info.Last)
			}
		})
	}
	// 2.0 takes the media type from the header: 802.11 for all records.
	var wl []nmRecord
	for _, r := range recs(netmonWLAN) {
		ip := r.data[14:]
		r.data = withNetmonHeader(wlan80211(ip, false, 0x01))
		wl = append(wl, r)
	}
	rec, info := readBytes(t, nmFile{media: netmonWLAN, recs: wl}.bytes())
	if len(rec.udp) != len(times) || !slices.Equal(info.LinkTypes, []string{"ieee802_11_netmon"}) {
		t.Errorf("2.0 802.11: %d datagrams, links %v", len(rec.udp), info.LinkTypes)
	}
}

// TestNetmonMediaTypes checks the link type each media type maps to and
// whether its frames are decoded.
func TestNetmonMediaTypes(t *testing.T) {
	udp := ct.UDP("10.0.0.1:1", "10.0.0.2:88", []byte("k"))
	tests := []struct {
		media   uint16
		data    []byte
		link    string // "" for a pseudo-frame
		decoded bool
	}{
		{0, ct.Ethernet(udp), "ethernet", true},
		{netmonEthernet, ct.Ethernet(udp), "ethernet", true},
		{netmonTokenRing, ct.Ethernet(udp), "linktype_6", false},
		{netmonFDDI, ct.Ethernet(udp), "linktype_10", false},
		{netmonWAN, ct.Ethernet(udp), "netmon_4", false},
		{5, udp, "netmon_5", false},
		{netmonWLAN, withNetmonHeader(wlan80211(udp, true, 0x01)), "ieee802_11_netmon", true},
		{netmonTunnel, udp, "raw", true},
		{netmonWWAN, udp, "raw", true},
		{netmonRawIP, udp, "raw", true},
		{netmonPcapBase + linkRaw, udp, "raw", true},
		{netmonPcapBase + linkIPv4, udp, "ipv4", true},
		{netmonPcapBase + linkNull, ct.Null(udp, 2, binary.LittleEndian), "null", true},
		{netmonWiFiMessage, wlan80211(udp, false, 0x02), "ieee802_11", true},
		{0x1234, udp, "netmon_4660", false},
		{netmonNetEvent, udp, "", false},
		{netmonInfoEx, udp, "", false},
		{netmonFilter, udp, "", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("0x%x", tt.media), func(t *testing.T) {
			rec, info := readBytes(t, nmFile{minor: 1, recs: []nmRecord{{media: tt.media, data: tt.data}}}.bytes())
			var links []string
			meta := 1
			if tt.link != "" {
				links, meta = []string{tt.link}, 0
			}
			if info.Packets != 1 || !slices.Equal(info.LinkTypes, links) || info.Metadata != meta || (len(rec.udp) == 1) != tt.decoded {
				t.Errorf("%d packets, links %v, %d metadata, %d datagrams", info.Packets, info.LinkTypes, info.Metadata, len(rec.udp))
			}
		})
	}
}

// TestWLANFrames checks the 802.11 data frames that are read down to IP
// and those that are not.
func TestWLANFrames(t *testing.T) {
	ip := ct.UDP("10.0.0.1:1", "10.0.0.2:88", []byte("k"))
	set := func(b []byte, i int, v byte) []byte { b = slices.Clone(b); b[i] = v; return b }
	plain := wlan80211(ip, false, 0x01)
	tests := []struct {
		name  string
		frame []byte
		want  netProto
	}{
		{"data to DS", plain, netIPv4},
		{"data from DS", wlan80211(ip, false, 0x02), netIPv4},
		{"QoS data, 4 addresses", wlan80211(ip, true, 0x03), netIPv4},
		{"IPv6", wlan80211(ct.UDP("[::1]:1", "[::2]:2", nil), true, 0), netIPv6},
		{"802.1H", set(plain, 24+5, 0xf8), netIPv4},
		{"protected", set(plain, 1, 0x41), netNone},
		{"more fragments", set(plain, 1, 0x05), netNone},
		{"second fragment", set(plain, 22, 0x11), netNone},
		{"null data", set(plain, 0, 0x48), netNone},
		{"management", set(plain, 0, 0x80), netNone},
		{"protocol version 1", set(plain, 0, 0x09), netNone},
		{"A-MSDU", set(wlan80211(ip, true, 0x01), 24, 0x80), netNone},
		{"not SNAP", set(plain, 24, 0xab), netNone},
		{"short", plain[:30], netNone},
	}
	for _, tt := range tests {
		got, b := wlanFrame(tt.frame)
		if got != tt.want || (got != netNone && (len(b) == 0 || (b[0]>>4 != 4 && b[0]>>4 != 6))) {
			t.Errorf("%s: %v % x", tt.name, got, b[:min(len(b), 4)])
		}
	}
	// The metadata header is skipped by its length, whatever it says.
	if got, _ := netmonWLANFrame(withNetmonHeader(plain)); got != netIPv4 {
		t.Errorf("metadata header: %v", got)
	}
	if got, _ := netmonWLANFrame([]byte{2, 0xff, 0}); got != netNone {
		t.Errorf("metadata length past the frame: %v", got)
	}
}

// damaged returns a 2.1 file of four UDP frames and the offsets of its
// records and frame table.
func damaged() ([]byte, []int, int) {
	var recs []nmRecord
	for i := range 4 {
		recs = append(recs, nmRecord{media: netmonEthernet,
			data: ct.Ethernet(ct.UDP("10.0.0.1:5000"+strconv.Itoa(i), "10.0.0.2:88", []byte("payload")))})
	}
	b := nmFile{minor: 1, recs: recs}.bytes()
	table := int(binary.LittleEndian.Uint32(b[24:]))
	var offs []int
	for i := range 4 {
		offs = append(offs, int(binary.LittleEndian.Uint32(b[table+4*i:])))
	}
	return b, offs, table
}

// TestNetmonDamaged checks that damaged files give warnings naming the
// frame and offset, keep every frame that can be read, and never panic.
func TestNetmonDamaged(t *testing.T) {
	good, offs, table := damaged()
	edit := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	put32 := func(b []byte, off int, v uint32) []byte { binary.LittleEndian.PutUint32(b[off:], v); return b }
	type warn struct {
		frame  int
		offset int64
		msg    string
	}
	tests := []struct {
		name     string
		file     []byte
		datagram []int // frames delivered
		packets  int
		warnings []warn
	}{
		{"intact", good, []int{1, 2, 3, 4}, 4, nil},
		{"frame table cut short", good[:table+9], []int{1, 2}, 2,
			[]warn{{0, int64(table), "frame table cut short: 2 of 4 entries present"}}},
		{"frame table lost", good[:table], []int{1, 2, 3, 4}, 4,
			[]warn{{0, int64(table), "no usable frame table (4 entries at offset"}}},
		{"file cut inside a record, no frame table", good[:offs[2]+20], []int{1, 2}, 2,
			[]warn{{0, int64(table), "no usable frame table"}, {3, int64(offs[2]), "record truncated: 60 bytes captured but the file ends first"}}},
		{"file cut inside a record header, no frame table", good[:offs[3]+5], []int{1, 2, 3}, 3,
			[]warn{{0, int64(table), "no usable frame table"}, {4, int64(offs[3]), "the file ends inside a record header"}}},
		{"frame table length not a multiple of 4", edit(func(b []byte) []byte { return put32(b, 28, 4*4+3) }), []int{1, 2, 3, 4}, 4,
			[]warn{{0, 28, "frame table length 19 is not a multiple of 4"}}},
		{"frame table past the end", edit(func(b []byte) []byte { return put32(b, 24, 0xfffffff0) }), []int{1, 2, 3, 4}, 4,
			// Read in file order, the frame table itself looks like a
			// damaged record.
			[]warn{{0, 0xfffffff0, "no usable frame table"}, {5, int64(table), "record truncated"}}},
		{"frame offset past the end", edit(func(b []byte) []byte { return put32(b, table+4, 0xffffff00) }), []int{1, 3, 4}, 4,
			[]warn{{2, 0xffffff00, "record offset 0xffffff00 lies past the end of the file"}}},
		{"frame offset inside the header", edit(func(b []byte) []byte { return put32(b, table+4, 0) }), []int{1, 3, 4}, 4,
			[]warn{{2, 0, "record offset 0x0 lies inside the file header"}}},
		{"captured length past the end", edit(func(b []byte) []byte { return put32(b, offs[3]+12, 10000) }), []int{1, 2, 3}, 4,
			[]warn{{4, int64(offs[3]), "record truncated: 10000 bytes captured but the file ends first"}}},
		{"absurd captured length", edit(func(b []byte) []byte { return put32(b, offs[1]+12, 0xfffffff0) }), []int{1, 3, 4}, 4,
			[]warn{{2, int64(offs[1]), "absurd captured length 4294967280"}}},
		{"huge frame table", edit(func(b []byte) []byte { return put32(b, 28, 0xfffffffc) }), []int{1, 2, 3, 4}, 4,
			[]warn{{0, int64(table), "frame table cut short: 4 of 1073741823 entries present"}}},
		{"empty capture", good[:netmonFirstFrame], nil, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, info := readBytes(t, tt.file)
			var got []int
			for _, d := range rec.udp {
				got = append(got, d.Frame.Number)
			}
			if !slices.Equal(got, tt.datagram) || info.Packets != tt.packets {
				t.Errorf("datagrams of frames %v, %d packets; want %v, %d", got, info.Packets, tt.datagram, tt.packets)
			}
			if len(info.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings %v, want %v", info.Warnings, tt.warnings)
			}
			for i, w := range tt.warnings {
				g := info.Warnings[i]
				if g.Frame != w.frame || g.Offset != w.offset || !strings.Contains(g.Msg, w.msg) {
					t.Errorf("warning %q, want frame %d offset 0x%x %q", g, w.frame, w.offset, w.msg)
				}
			}
		})
	}
}

// TestNetmonRefused checks the files that are not read at all.
func TestNetmonRefused(t *testing.T) {
	good, _, _ := damaged()
	version := func(major uint8) []byte { b := slices.Clone(good); b[5] = major; return b }
	tests := []struct {
		name string
		file []byte
		is   error
		msg  string
	}{
		{"header truncated", good[:40], wire.ErrTruncated, "netmon file header"},
		{"version 1 GMBU", version(1), wire.ErrUnsupported, "netmon version at 0x4: version 1.1: unsupported"},
		{"version 3", version(3), wire.ErrUnsupported, "version 3.1"},
		{"Network Monitor 1.x", append([]byte("RTSS"), good[4:]...), wire.ErrUnsupported,
			"not a pcap, pcapng or Network Monitor capture (starts with 52 54 53 53: a Network Monitor 1.x capture, which this version cannot read)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := Read(bytes.NewReader(tt.file), nil, Options{})
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.msg) || info.Packets != 0 {
				t.Errorf("err %v, %d packets; want %v with %q", err, info.Packets, tt.is, tt.msg)
			}
		})
	}
}

// TestNetmonReaders checks that the file is read alike from a reader that
// can read at random, from one that cannot, and from one whose random
// access does not start at the capture (which must not be used).
func TestNetmonReaders(t *testing.T) {
	b := mixedFile(3)
	want, wantInfo := readBytes(t, b)
	offset := bytes.NewReader(append([]byte("junk before the capture"), b...))
	if _, err := offset.Seek(23, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]io.Reader{
		"stream": struct{ io.Reader }{bytes.NewReader(b)},
		"offset": offset,
		"small":  iotestHalf{bytes.NewReader(b)},
	} {
		rec := newRecorder(t)
		info, err := Read(r, rec, Options{})
		if err != nil || !reflect.DeepEqual(info, wantInfo) || !reflect.DeepEqual(rec.udp, want.udp) || !reflect.DeepEqual(rec.chunks, want.chunks) {
			t.Errorf("%s: err %v, info %+v, %d datagrams", name, err, info, len(rec.udp))
		}
	}
}

// iotestHalf reads at most 7 bytes at a time and has no random access.
type iotestHalf struct{ r io.Reader }

func (h iotestHalf) Read(p []byte) (int, error) { return h.r.Read(p[:min(len(p), 7)]) }

// TestNetmonWindow reads a file larger than the read window through an
// io.ReaderAt, with records on both sides of window boundaries.
func TestNetmonWindow(t *testing.T) {
	var recs []nmRecord
	payload := bytes.Repeat([]byte("0123456789abcdef"), 100)
	for i := range 500 {
		recs = append(recs, nmRecord{media: netmonEthernet, gap: i % 5,
			data: ct.Ethernet(ct.UDP("10.0.0.1:50000", "10.0.0.2:88", payload[:1000+i]))})
	}
	b := nmFile{minor: 2, recs: recs}.bytes()
	if len(b) < 2*netmonWindow {
		t.Fatalf("file of %d bytes", len(b))
	}
	rec, info := readBytes(t, b)
	if info.Packets != 500 || len(rec.udp) != 500 {
		t.Fatalf("%d packets, %d datagrams", info.Packets, len(rec.udp))
	}
	for i, d := range rec.udp {
		if !bytes.Equal(d.Payload, payload[:1000+i]) {
			t.Fatalf("frame %d: payload differs", i+1)
		}
	}
}

// netmonSeeds are small Network Monitor files for FuzzRead.
func netmonSeeds() [][]byte {
	recs := mixedRecords()
	b, _, _ := damaged()
	return [][]byte{
		nmFile{minor: 3, recs: []nmRecord{recs[0], recs[1], recs[2], recs[3]}}.bytes(),
		nmFile{minor: 0, media: netmonEthernet, recs: []nmRecord{recs[0], recs[9]}}.bytes(),
		b,
	}
}

// TestMetadataCount checks Info.Metadata on a pcapng file: its three custom
// blocks are numbered frames that hold no packet.
func TestMetadataCount(t *testing.T) {
	_, info := readCapture(t, "gopacket/le_test202.pcapng")
	if info.Packets != 11 || info.Metadata != 3 {
		t.Errorf("%d packets, %d metadata records; want 11, 3", info.Packets, info.Metadata)
	}
}

// failingFile is a file whose reads at random fail with err over
// [from, to) (io.EOF: the file shrank after its size was taken).
type failingFile struct {
	*bytes.Reader
	from, to int64
	err      error
}

func (f failingFile) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) <= f.from || off >= f.to {
		return f.Reader.ReadAt(p, off)
	}
	n, _ := f.Reader.ReadAt(p[:max(f.from-off, 0)], off)
	return n, f.err
}

// TestNetmonReadErrors checks a file that shrinks while read (a warning,
// the frames before kept) and an I/O error (returned with the Info).
func TestNetmonReadErrors(t *testing.T) {
	b, offs, table := damaged()
	boom := errors.New("boom")
	for _, tt := range []struct {
		name    string
		err     error
		packets int
		want    string
	}{
		{"shrunk", io.EOF, 2, "frame 3 (offset 0x%x): the file ends before its size said"},
		{"I/O error", boom, 2, "capture: reading at offset 0x%x: boom"},
		{"frame table", boom, 0, "capture: reading at offset 0x%x: netmon frame table: boom"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			from, to := int64(offs[2]), int64(offs[3])
			if tt.packets == 0 {
				from, to = int64(table), int64(len(b))
			}
			rec := newRecorder(t)
			info, err := Read(failingFile{bytes.NewReader(b), from, to, tt.err}, rec, Options{})
			got := fmt.Sprint(err)
			if len(info.Warnings) > 0 {
				got = info.Warnings[0].String()
			}
			want := fmt.Sprintf(tt.want, from)
			if !strings.HasPrefix(got, want) || info.Packets != tt.packets || len(rec.udp) != tt.packets {
				t.Errorf("%q, %d packets, %d datagrams; want %q, %d", got, info.Packets, len(rec.udp), want, tt.packets)
			}
		})
	}
}

// withoutOffsets returns copies of ds with Offset zeroed.
func withoutOffsets(ds []Datagram) []Datagram {
	out := slices.Clone(ds)
	for i := range out {
		out[i].Offset = 0
	}
	return out
}
