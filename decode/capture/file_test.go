package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"testing"
	"testing/iotest"
	"time"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func udpFrame(i int) []byte {
	return ct.UDP("10.0.0.1:1000", "10.0.0.2:88", []byte{byte(i)})
}

// threePackets is a pcap of three Ethernet frames padded to 60 bytes:
// records at offsets 0x18, 0x18+16+60 = 0x64 and 0xb0.
func threePackets() []byte {
	return ct.PCAP(ct.LinkEthernet, ct.Frames(ct.Ethernet(udpFrame(1)), ct.Ethernet(udpFrame(2)), ct.Ethernet(udpFrame(3)))...)
}

// TestDamagedFiles checks that damage after a good start stops reading with
// a warning naming the frame and offset, and keeps what came before.
func TestDamagedFiles(t *testing.T) {
	absurd := threePackets()
	binary.LittleEndian.PutUint32(absurd[0xb0+8:], 0x7fffffff)
	ng := ct.PCAPNG([]ct.Interface{{Link: ct.LinkEthernet}}, ct.Frames(ct.Ethernet(udpFrame(1)), ct.Ethernet(udpFrame(2)))...)
	// SHB 28 bytes, IDB 20, then EPBs of 12+20+60 = 92 bytes.
	const epb2 = 28 + 20 + 92
	badLen := slices.Clone(ng)
	binary.LittleEndian.PutUint32(badLen[epb2+4:], 10)
	badTrail := slices.Clone(ng)
	binary.LittleEndian.PutUint32(badTrail[len(badTrail)-4:], 80)
	badIface := slices.Clone(ng)
	binary.LittleEndian.PutUint32(badIface[epb2+8:], 3)
	badCaplen := slices.Clone(ng)
	binary.LittleEndian.PutUint32(badCaplen[epb2+20:], 1000)
	tests := []struct {
		name    string
		file    []byte
		packets int
		warning string
	}{
		{"pcap intact", threePackets(), 3, ""},
		{"pcap last record cut", threePackets()[:0xb0+16+10], 2,
			"frame 3 (offset 0xb0): record truncated: 60 bytes captured but the file ends first"},
		{"pcap last header cut", threePackets()[:0xb0+5], 2,
			"frame 3 (offset 0xb0): record truncated: the file ends inside a record header"},
		{"pcap absurd caplen", absurd, 2,
			"frame 3 (offset 0xb0): absurd captured length 2147483647 (more than 262144): file damaged"},
		{"pcapng intact", ng, 2, ""},
		{"pcapng bad block length", badLen, 1, "frame 2 (offset 0x8c): bad pcapng block length 10 (block type 0x6)"},
		{"pcapng lengths differ", badTrail, 1,
			"frame 2 (offset 0x8c): bad pcapng block length: 92 at the start, 80 at the end (block type 0x6)"},
		{"pcapng block cut", ng[:len(ng)-7], 1,
			"frame 2 (offset 0x8c): record truncated: block of 92 bytes (type 0x6) but the file ends first"},
		{"pcapng unknown interface", badIface, 1,
			"frame 2 (offset 0x8c): packet of interface 3 but the section describes 1"},
		{"pcapng caplen past block", badCaplen, 1,
			"frame 2 (offset 0x8c): captured length 1000 runs past the end of its block (60 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t)
			info, err := Read(bytes.NewReader(tt.file), rec, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var w string
			if len(info.Warnings) > 0 {
				w = info.Warnings[0].String()
			}
			if info.Packets != tt.packets || len(rec.udp) != tt.packets || w != tt.warning || len(info.Warnings) > 1 {
				t.Errorf("%d records, %d datagrams, warnings %q; want %d, %q", info.Packets, len(rec.udp), info.Warnings, tt.packets, tt.warning)
			}
		})
	}
}

// TestNotCapture checks the refusal of inputs that are no capture.
func TestNotCapture(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"netmon 1", "RTSS\x00\x01", "not a pcap, pcapng or Network Monitor capture (starts with 52 54 53 53: a Network Monitor 1.x capture, which this version cannot read)"},
		{"gzip", "\x1f\x8b\x08\x00\x00\x00", "not a pcap, pcapng or Network Monitor capture (starts with 1f 8b 08 00: gzip-compressed data: decompress it first)"},
		{"zstd", "\x28\xb5\x2f\xfd\x00", "not a pcap, pcapng or Network Monitor capture (starts with 28 b5 2f fd: zstd-compressed data: decompress it first)"},
		{"xz", "\xfd7zXZ\x00", "not a pcap, pcapng or Network Monitor capture (starts with fd 37 7a 58: xz-compressed data: decompress it first)"},
		{"zip", "PK\x03\x04\x14\x00", "not a pcap, pcapng or Network Monitor capture (starts with 50 4b 03 04: a ZIP archive: extract the capture first)"},
		{"html", "<!DOCTYPE html><html>", "not a pcap, pcapng or Network Monitor capture (starts with 3c 21 44 4f: an HTML page, not a capture (a download that went wrong?))"},
		{"json", "{\"log\": {\"version\": \"1.2\"", "not a pcap, pcapng or Network Monitor capture (starts with 7b 22 6c 6f: JSON text (a HAR file? save the capture as pcap or pcapng instead))"},
		{"text", "hello world\n", "not a pcap, pcapng or Network Monitor capture (starts with 68 65 6c 6c: text, not a capture)"},
		{"binary", "\x00\x01\x02\x03\x04", "not a pcap, pcapng or Network Monitor capture (starts with 00 01 02 03)"},
		{"short", "\xd4\xc3", "not a pcap, pcapng or Network Monitor capture (starts with d4 c3)"},
		{"empty", "", "not a pcap, pcapng or Network Monitor capture (the input is empty)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			info, err := Read(bytes.NewReader([]byte(tt.in)), panicHandler{&called}, Options{})
			var nce *NotCaptureError
			if !errors.As(err, &nce) || err.Error() != tt.want || !errors.Is(err, wire.ErrUnsupported) {
				t.Errorf("err = %v\nwant %s", err, tt.want)
			}
			if info.Packets != 0 || called {
				t.Errorf("read %d packets", info.Packets)
			}
		})
	}
}

type panicHandler struct{ called *bool }

func (h panicHandler) UDP(*Datagram) { *h.called = true; panic("udp") }
func (h panicHandler) TCP(*Segment)  { *h.called = true; panic("tcp") }
func (h panicHandler) Stream(*Chunk) { *h.called = true; panic("stream") }

// TestBadHeaders checks files whose magic is right but whose header is not.
func TestBadHeaders(t *testing.T) {
	v3 := threePackets()
	binary.LittleEndian.PutUint16(v3[4:], 3)
	badBOM := ct.PCAPNG(nil)
	badBOM[8] = 0
	tests := []struct {
		name string
		in   []byte
		is   error
	}{
		{"pcap header cut", threePackets()[:20], wire.ErrTruncated},
		{"pcap version 3", v3, wire.ErrUnsupported},
		{"pcapng header cut", ct.PCAPNG(nil)[:6], wire.ErrTruncated},
		{"pcapng bad byte order", badBOM, wire.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.in), nil, Options{})
			if !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
		})
	}
}

// TestHandlerPanic checks that a panic in the handler becomes a warning and
// reading goes on.
func TestHandlerPanic(t *testing.T) {
	called := false
	info, err := Read(bytes.NewReader(threePackets()), panicHandler{&called}, Options{})
	if err != nil || info.Packets != 3 || len(info.Warnings) != 3 ||
		info.Warnings[1].String() != "frame 2 (offset 0x64): internal error decoding: udp" {
		t.Errorf("err %v, %d packets, warnings %v", err, info.Packets, info.Warnings)
	}
}

// TestPcapNGInterfaces checks a pcapng with interfaces of different link
// types and timestamp resolutions and offsets.
func TestPcapNGInterfaces(t *testing.T) {
	ifaces := []ct.Interface{
		{Link: ct.LinkEthernet},
		{Link: ct.LinkSLL2, TSResol: 9, TSOffset: 3600},
		{Link: ct.LinkRaw, TSResol: 0x80 | 20}, // 2^-20 s
	}
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 123456000, time.UTC)
	t1 := time.Date(2024, 3, 1, 9, 0, 1, 123456789, time.UTC)
	t2 := time.Date(2024, 3, 1, 9, 0, 2, 500000000, time.UTC) // 2^-1 s: exact in 2^-20
	file := ct.PCAPNG(ifaces,
		ct.Packet{Time: t0, Data: ct.Ethernet(udpFrame(1))},
		ct.Packet{Time: t1, Data: ct.SLL2(udpFrame(2)), Iface: 1},
		ct.Packet{Time: t2, Data: udpFrame(3), Iface: 2},
		ct.Packet{Time: t2, Data: ct.SLL2(udpFrame(4)), Iface: 1})
	// A custom block between packets is a record of its own (Wireshark
	// numbers it), and a second section resets the interfaces.
	file = append(file, ct.Block(0xbad, []byte{0, 0, 0x7e, 0xd9, 1, 2, 3, 4})...)
	file = append(file, ct.PCAPNG([]ct.Interface{{Link: ct.LinkIPv4}}, ct.Packet{Time: t0, Data: udpFrame(6)})...)
	rec := newRecorder(t)
	info, err := Read(bytes.NewReader(file), rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != FormatPcapNG || info.Packets != 6 || len(info.Warnings) != 0 ||
		!slices.Equal(info.LinkTypes, []string{"ethernet", "linux_sll2", "raw", "ipv4"}) ||
		!info.First.Equal(t0) || !info.Last.Equal(t2) {
		t.Errorf("info %+v", info)
	}
	var got []string
	for _, d := range rec.udp {
		got = append(got, itoa(d.Frame.Number)+" "+d.Frame.Time.Format(time.RFC3339Nano)+" "+itoa(int(d.Payload[0])))
	}
	want := []string{
		"1 2024-03-01T09:00:00.123456Z 1",
		"2 2024-03-01T09:00:01.123456789Z 2",
		"3 2024-03-01T09:00:02.5Z 3",
		"4 2024-03-01T09:00:02.5Z 4",
		"6 2024-03-01T09:00:00.123456Z 6",
	}
	if !slices.Equal(got, want) {
		t.Errorf("datagrams\n got %q\nwant %q", got, want)
	}
}

// TestPcapVariants checks nanosecond and big-endian pcap headers.
func TestPcapVariants(t *testing.T) {
	le := ct.PCAP(ct.LinkEthernet, ct.Packet{Time: time.Unix(1700000000, 123456000), Data: ct.Ethernet(udpFrame(1))})
	be := make([]byte, len(le))
	// Rewrite the little-endian file as big-endian nanoseconds.
	binary.BigEndian.PutUint32(be, 0xa1b23c4d)
	for _, f := range []struct{ off, n int }{{4, 2}, {6, 2}, {8, 4}, {12, 4}, {16, 4}, {20, 4}, {24, 4}, {28, 4}, {32, 4}, {36, 4}} {
		for i := range f.n {
			be[f.off+i] = le[f.off+f.n-1-i]
		}
	}
	binary.BigEndian.PutUint32(be[28:], 123456789)
	copy(be[40:], le[40:])
	rec := newRecorder(t)
	info, err := Read(bytes.NewReader(be), rec, Options{})
	if err != nil || info.Packets != 1 || len(rec.udp) != 1 ||
		rec.udp[0].Frame.Time != time.Unix(1700000000, 123456789).UTC() {
		t.Errorf("err %v, info %+v, datagrams %+v", err, info, rec.udp)
	}
}

// TestWarningString checks the warning formats.
func TestWarningString(t *testing.T) {
	for _, tt := range []struct {
		w    Warning
		want string
	}{
		{Warning{12, 0x1a2c, "record truncated"}, "frame 12 (offset 0x1a2c): record truncated"},
		{Warning{12, -1, "x"}, "frame 12: x"},
		{Warning{0, 16, "x"}, "offset 0x10: x"},
		{Warning{0, -1, "x"}, "x"},
	} {
		if got := tt.w.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// TestReadError checks that an I/O error is returned with what was read.
func TestReadError(t *testing.T) {
	disk := errors.New("disk failure")
	f := threePackets()
	r := io.MultiReader(bytes.NewReader(f[:0x64+30]), iotest.ErrReader(disk))
	info, err := Read(r, nil, Options{})
	if !errors.Is(err, disk) || info.Packets != 1 || info.Format != FormatPcap {
		t.Errorf("err %v, info %+v", err, info)
	}
}

// TestOptionsDefaults checks the defaults of zero options.
func TestOptionsDefaults(t *testing.T) {
	got := Options{}.withDefaults()
	want := Options{MaxBufferedPerConn: 4 << 20, MaxBufferedTotal: 256 << 20,
		ReorderTimeout: time.Minute, IdleTimeout: 10 * time.Minute}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
