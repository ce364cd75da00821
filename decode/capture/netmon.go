package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// Network Monitor 2.x files ("GMBU", the format documented in the Network
// Monitor 3.x help as "Capture File Format"; the facts below are the ones
// Wireshark's wiretap/netmon.c relies on) hold, all little-endian:
//
//   - a file header at offset 0, padded to 128 bytes: magic(4), minor(1),
//     major(1) version, media type(2) of the file, capture start as a
//     SYSTEMTIME(16), then offset(4) and length(4) of the frame table, of the
//     user data, of the comments, offset and count of the process info
//     table, offset and length of the network info;
//   - a frame table: one 32-bit file offset per record, in frame order (the
//     records need not be in file order, nor contiguous);
//   - records: time since the capture start in microseconds(8), original
//     length(4), captured length(4), the captured bytes, then from 2.1 on a
//     trailer: media type(2); from 2.2 on the process info index(4); from
//     2.3 on the time as a UTC FILETIME(8) and a time zone index(1).
const (
	netmonHeaderLen  = 64  // the header fields read (magic included)
	netmonFirstFrame = 128 // where the records start (header padding)
	netmonRecordLen  = 16  // record header
	netmonWindow     = 256 << 10
	netmonTableChunk = 4096 // frame table entries read at a time
	// maxNetmonFile bounds what is read into memory from an input that
	// cannot be read at random: offsets and lengths are 32-bit, so nothing
	// beyond can be referenced.
	maxNetmonFile = 1 << 33
)

// Network Monitor media types: the file's (2.0) or each record's (2.1 and
// later). 0 and 1 are Ethernet; 2.x uses NDIS types 6 to 9 for other media.
const (
	netmonEthernet    = 1
	netmonTokenRing   = 2
	netmonFDDI        = 3
	netmonWAN         = 4 // NDIS WAN, used for ATM with a 16-byte header
	netmonWLAN        = 6 // 802.11 with Network Monitor's metadata header
	netmonTunnel      = 7 // raw IP
	netmonWWAN        = 8 // raw IP
	netmonRawIP       = 9
	netmonPcapBase    = 0xe000 // 0xe000 + a pcap LINKTYPE_ value (converted captures)
	netmonWiFiMessage = 0xe080 // 802.11 without metadata (Message Analyzer)
	netmonNetEvent    = 0xffe0 // an ETW event
	netmonInfoEx      = 0xfffb // list of the capturing adapters
	netmonPayloadHdr  = 0xfffc // header of a frame rebuilt by reassembly
	netmonNetInfo     = 0xfffd // list of the capturing adapters (older)
	netmonDNSCache    = 0xfffe // resolved addresses
	netmonFilter      = 0xffff // capture or display filter
)

// Link types of Network Monitor records that have no pcap equivalent read by
// kerbtrace: linkNetmon + the media type. The pcap link types are 16-bit, so
// these never collide with them.
const (
	linkNetmon     = 0x10000
	linkNetmonWLAN = linkNetmon + netmonWLAN
	// linkDamaged marks a record that could not be read: it keeps its
	// frame number but is not decoded.
	linkDamaged = noLink - 1
)

// netmonRecordKind says what a media type holds.
type netmonRecordKind uint8

const (
	netmonPacket   netmonRecordKind = iota // a frame to decode (or not, by link type)
	netmonMeta                             // no packet; numbered as a frame by Wireshark
	netmonUnlisted                         // no packet; Wireshark does not number it
)

// netmonLink maps a media type to a link type.
func netmonLink(media uint16) (uint32, netmonRecordKind) {
	switch media {
	case 0, netmonEthernet:
		// Wireshark reads 0 as Ethernet: some VPN captures have it.
		return linkEthernet, netmonPacket
	case netmonTokenRing:
		return 6, netmonPacket // LINKTYPE_IEEE802_5
	case netmonFDDI:
		return 10, netmonPacket // LINKTYPE_FDDI
	case netmonWLAN:
		return linkNetmonWLAN, netmonPacket
	case netmonTunnel, netmonWWAN, netmonRawIP:
		return linkRaw, netmonPacket
	case netmonWiFiMessage:
		return linkIEEE80211, netmonPacket
	case netmonNetEvent, netmonInfoEx, netmonFilter:
		return noLink, netmonMeta
	case netmonPayloadHdr, netmonNetInfo, netmonDNSCache:
		return noLink, netmonUnlisted
	}
	if media&0xf000 == netmonPcapBase {
		return uint32(media & 0x0fff), netmonPacket
	}
	return linkNetmon + uint32(media), netmonPacket
}

// netmonSource reads Network Monitor 2.0 to 2.3 files, record by record in
// frame table order. The file is read at random through an io.ReaderAt:
// the caller's when it has one (a file), otherwise the whole input, read
// into memory.
type netmonSource struct {
	f       *atReader
	in      *input // its offset is kept at the current record for errors
	minor   uint8
	media   uint16 // the file's media type, for 2.0 records
	trailer int    // bytes after the captured data
	start   int64  // capture start (2.0-2.2), seconds since 1970
	startNs int64  // and the milliseconds of the start, in ns
	// frame table
	tableOff int64
	entries  int // entries present in the file
	index    int // next entry
	tbuf     []byte
	tfirst   int // entry held at tbuf[0]
	// without a usable frame table, records are read in file order
	scan    bool
	scanOff int64
	scanEnd int64
	frames  int // records numbered so far
	warn    func(Warning)
	meta    *int // Info.Metadata, for the records Wireshark does not number
}

func newNetmonSource(r io.Reader, in *input, warn func(Warning), meta *int) (*netmonSource, error) {
	f, err := netmonFile(r, in)
	if err != nil {
		return nil, err
	}
	if f.size < netmonHeaderLen {
		return nil, wire.Errorf("capture", "netmon file header", 0, wire.ErrTruncated)
	}
	h, err := f.at(0, netmonHeaderLen)
	var dmg *damage
	switch {
	case errors.As(err, &dmg):
		return nil, wire.Errorf("capture", "netmon file header", 0, wire.ErrTruncated)
	case err != nil:
		return nil, fmt.Errorf("capture: reading the netmon file header: %w", err)
	}
	minor, major := h[4], h[5]
	if major != 2 {
		return nil, wire.Errorf("capture", "netmon version", 4,
			fmt.Errorf("version %d.%d: %w", major, minor, wire.ErrUnsupported))
	}
	s := &netmonSource{f: f, in: in, minor: minor, media: binary.LittleEndian.Uint16(h[6:]), warn: warn, meta: meta}
	switch {
	case minor >= 3:
		s.trailer = 15
	case minor == 2:
		s.trailer = 6
	case minor == 1:
		s.trailer = 2
	}
	s.start, s.startNs = systemTime(h[8:24])
	s.table(binary.LittleEndian.Uint32(h[24:]), binary.LittleEndian.Uint32(h[28:]))
	return s, nil
}

// systemTime converts the SYSTEMTIME of the capture start (year, month, day
// of week, day, hour, minute, second, millisecond). It is the capturing
// host's local time, whose zone the file does not record: it is taken as
// UTC, as Wireshark does when run in UTC. Out-of-range fields carry over, as
// with C's mktime.
func systemTime(b []byte) (secs, ns int64) {
	f := func(i int) int { return int(binary.LittleEndian.Uint16(b[2*i:])) }
	t := time.Date(f(0), time.Month(f(1)), f(3), f(4), f(5), f(6), 0, time.UTC)
	return t.Unix(), int64(f(7)) * 1e6
}

// table sets up reading the frame table of length bytes at off, or reading
// the records in file order when there is no usable table.
func (s *netmonSource) table(off, length uint32) {
	s.tableOff = int64(off)
	want := int64(length / 4)
	if length%4 != 0 {
		s.warn(Warning{Offset: 28, Msg: fmt.Sprintf("frame table length %d is not a multiple of 4: the last %d bytes are ignored", length, length%4)})
	}
	present := int64(0)
	if s.tableOff <= s.f.size {
		present = min(want, (s.f.size-s.tableOff)/4)
	}
	s.entries = int(present)
	switch {
	case present == 0 && s.f.size <= netmonFirstFrame:
		// An empty capture.
	case present == 0:
		start := s.firstRecord()
		s.scan, s.scanOff, s.scanEnd = true, start, s.f.size
		if s.tableOff >= start && s.tableOff < s.f.size {
			s.scanEnd = s.tableOff
		}
		s.warn(Warning{Offset: s.tableOff, Msg: fmt.Sprintf("no usable frame table (%d entries at offset 0x%x, file of %d bytes): "+
			"reading the records in file order from offset 0x%x", want, off, s.f.size, start)})
	case present < want:
		s.warn(Warning{Offset: s.tableOff, Msg: fmt.Sprintf("frame table cut short: %d of %d entries present (truncated file?)", present, want)})
	}
}

// netmonShortHeader is where the records start in files whose 72-byte
// header is not padded to netmonFirstFrame (Network Monitor 3.4 and
// Message Analyzer write them so: the captures of Microsoft's protocol
// documents start their first record at 0x48).
const netmonShortHeader = 0x48

// firstRecord tells where the records start in a file without a usable
// frame table: right after the 72-byte header, unless the bytes from there
// to netmonFirstFrame are all zero (the header's padding).
func (s *netmonSource) firstRecord() int64 {
	b, err := s.f.at(netmonShortHeader, netmonFirstFrame-netmonShortHeader)
	if err != nil {
		return netmonFirstFrame
	}
	for _, c := range b {
		if c != 0 {
			return netmonShortHeader
		}
	}
	return netmonFirstFrame
}

func (s *netmonSource) next(rec *record) error {
	for {
		off, err := s.nextOffset()
		if err != nil {
			return err
		}
		s.in.off = off
		kind, dmg, err := s.read(off, rec)
		switch {
		case err != nil:
			return err
		case dmg != nil && s.scan:
			return dmg
		case dmg != nil:
			s.warn(Warning{Frame: s.frames + 1, Offset: off, Msg: dmg.msg})
			*rec = record{offset: off, link: linkDamaged}
		case kind == netmonUnlisted:
			*s.meta++
			continue
		}
		s.frames++
		return nil
	}
}

// nextOffset returns the offset of the next record, or io.EOF.
func (s *netmonSource) nextOffset() (int64, error) {
	if s.scan {
		switch {
		case s.scanOff >= s.scanEnd:
			return 0, io.EOF
		case s.scanEnd-s.scanOff < netmonRecordLen:
			return 0, damagef(s.scanOff, "record truncated: the file ends inside a record header")
		}
		return s.scanOff, nil
	}
	if s.index >= s.entries {
		return 0, io.EOF
	}
	i := s.index - s.tfirst
	if s.tbuf == nil || i < 0 || 4*i >= len(s.tbuf) {
		n := min(s.entries-s.index, netmonTableChunk)
		if cap(s.tbuf) < 4*n {
			s.tbuf = make([]byte, 4*n)
		}
		s.tbuf = s.tbuf[:4*n]
		off := s.tableOff + 4*int64(s.index)
		s.in.off = off
		if err := s.f.readAt(s.tbuf, off); err != nil {
			s.tbuf = nil
			return 0, fmt.Errorf("netmon frame table: %w", err)
		}
		s.tfirst, i = s.index, 0
	}
	s.index++
	return int64(binary.LittleEndian.Uint32(s.tbuf[4*i:])), nil
}

// read reads the record at off. A damaged record gives a *damage, an I/O
// error an error.
func (s *netmonSource) read(off int64, rec *record) (netmonRecordKind, *damage, error) {
	if off < netmonHeaderLen {
		return 0, damagef(off, "record offset 0x%x lies inside the file header", off), nil
	}
	if off+netmonRecordLen > s.f.size {
		return 0, damagef(off, "record offset 0x%x lies past the end of the file (%d bytes)", off, s.f.size), nil
	}
	h, err := s.f.at(off, netmonRecordLen)
	if err != nil {
		return 0, nil, err
	}
	delta := binary.LittleEndian.Uint64(h)
	origLen, caplen := binary.LittleEndian.Uint32(h[8:]), binary.LittleEndian.Uint32(h[12:])
	if caplen > maxCaplen {
		return 0, damagef(off, "absurd captured length %d (more than %d): file damaged", caplen, maxCaplen), nil
	}
	n := netmonRecordLen + int(caplen) + s.trailer
	if off+int64(n) > s.f.size {
		return 0, damagef(off, "record truncated: %d bytes captured but the file ends first", caplen), nil
	}
	b, err := s.f.at(off, n)
	if err != nil {
		return 0, nil, err
	}
	s.scanOff = off + int64(n)
	data, trailer := b[netmonRecordLen:netmonRecordLen+int(caplen)], b[netmonRecordLen+int(caplen):]
	media := s.media
	if s.trailer > 0 {
		media = binary.LittleEndian.Uint16(trailer)
	}
	link, kind := netmonLink(media)
	if s.minor == 0 && media == netmonWAN && len(data) >= 16 {
		// 2.0 ATM records start with a 16-byte pseudo-header, which
		// Wireshark leaves out of the frame and its length.
		data, origLen = data[16:], max(origLen, 16)-16
	}
	ts := s.startTime(delta)
	if s.trailer >= 14 {
		ts = filetime(binary.LittleEndian.Uint64(trailer[6:]))
	}
	rec.data, rec.origLen, rec.ts, rec.link, rec.offset = data, int(origLen), ts, link, off
	return kind, nil, nil
}

// startTime is the capture start plus delta microseconds. Wireshark takes
// delta*10 as a signed number of 100 ns units (Network Monitor's
// documentation says so for times before the start); the arithmetic wraps
// as in C.
func (s *netmonSource) startTime(delta uint64) time.Time {
	t := s.startNs + int64(delta*10)*100
	secs, ns := t/1e9, t%1e9
	if ns < 0 {
		secs, ns = secs-1, ns+1e9
	}
	return time.Unix(s.start+secs, ns).UTC()
}

// filetimeEpoch is 1970-01-01 in seconds since 1601-01-01.
const filetimeEpoch = 11644473600

// filetime converts a FILETIME (100 ns units since 1601-01-01 UTC).
func filetime(ft uint64) time.Time {
	return time.Unix(int64(ft/1e7)-filetimeEpoch, int64(ft%1e7)*100).UTC()
}

// atReader reads a file at random, through a window so that records in
// file order cost one read per window.
type atReader struct {
	r    io.ReaderAt
	mem  []byte // the whole file, when read into memory
	size int64
	buf  []byte // the window
	off  int64  // file offset of buf[0]
}

// netmonFile returns random access to the capture that r reads: r itself
// when it reads a file from its start (an *os.File, *bytes.Reader, ...),
// otherwise the whole input read into memory.
func netmonFile(r io.Reader, in *input) (*atReader, error) {
	if ra, ok := r.(io.ReaderAt); ok {
		if size, ok := sizeOf(r); ok {
			head, _ := in.peek(netmonHeaderLen)
			b := make([]byte, len(head))
			if n, _ := ra.ReadAt(b, 0); n == len(b) && bytes.Equal(b, head) {
				return &atReader{r: ra, size: size}, nil
			}
		}
	}
	data, err := io.ReadAll(io.LimitReader(in, maxNetmonFile))
	in.off += int64(len(data))
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	return &atReader{mem: data, size: int64(len(data))}, nil
}

// sizeOf returns the size of what r reads, when it can tell.
func sizeOf(r io.Reader) (int64, bool) {
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return v.Size(), true
	case interface{ Stat() (fs.FileInfo, error) }:
		fi, err := v.Stat()
		if err == nil && fi.Mode().IsRegular() {
			return fi.Size(), true
		}
	}
	return 0, false
}

// at returns the n bytes at off, valid until the next call. The caller
// checks that they lie inside the file (n is at most a record).
func (a *atReader) at(off int64, n int) ([]byte, error) {
	if a.mem != nil {
		return a.mem[off : off+int64(n)], nil
	}
	if off >= a.off && off+int64(n) <= a.off+int64(len(a.buf)) {
		return a.buf[off-a.off:][:n], nil
	}
	m := int(min(a.size-off, int64(max(n, netmonWindow))))
	if cap(a.buf) < m {
		a.buf = make([]byte, m)
	}
	a.buf = a.buf[:m]
	k, err := a.r.ReadAt(a.buf, off)
	a.buf, a.off = a.buf[:k], off
	if k < n {
		return nil, readErr(off, err)
	}
	return a.buf[:n], nil
}

// readAt fills b from off, which the caller checked lies inside the file.
func (a *atReader) readAt(b []byte, off int64) error {
	if a.mem != nil {
		copy(b, a.mem[off:])
		return nil
	}
	if k, err := a.r.ReadAt(b, off); k < len(b) {
		return readErr(off, err)
	}
	return nil
}

// readErr reports a short read of a file that was longer when it was
// opened (or a plain I/O error).
func readErr(off int64, err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return damagef(off, "the file ends before its size said (was it cut while being read?)")
	}
	return err
}

// netmonWLANFrame skips Network Monitor's 802.11 metadata header (version(1),
// length(2), operation mode, flags, PHY, channel, RSSI, rate, timestamp)
// and reads the 802.11 frame after it.
func netmonWLANFrame(b []byte) (netProto, []byte) {
	if len(b) < 3 {
		return netNone, nil
	}
	// Wireshark skips the header's length whatever its version.
	n := int(binary.LittleEndian.Uint16(b[1:]))
	if n > len(b) {
		return netNone, nil
	}
	return wlanFrame(b[n:])
}

// IEEE 802.11 frame control bits.
const (
	wlanTypeData  = 2    // frame type (bits 2-3 of the first byte)
	wlanNoData    = 0x04 // subtype bit: Null, CF-Ack, CF-Poll without data
	wlanQoS       = 0x08 // subtype bit: QoS data, with a QoS Control field
	wlanToFromDS  = 0x03 // both: a fourth address
	wlanMoreFrag  = 0x04
	wlanProtected = 0x40 // encrypted body
	wlanOrder     = 0x80 // with QoS: an HT Control field
	wlanAMSDU     = 0x80 // QoS Control bit: the body is an A-MSDU
)

// wlanFrame reads an IEEE 802.11 data frame without FCS down to IP through
// its LLC/SNAP header (RFC 1042, or 802.1H with OUI 00-00-f8). Management
// and control frames, frames without data, encrypted bodies, fragments and
// A-MSDUs give netNone.
func wlanFrame(b []byte) (netProto, []byte) {
	if len(b) < 24 {
		return netNone, nil
	}
	fc, flags := b[0], b[1]
	if fc&0x03 != 0 || fc>>2&0x03 != wlanTypeData {
		return netNone, nil
	}
	sub := fc >> 4
	if sub&wlanNoData != 0 || flags&(wlanProtected|wlanMoreFrag) != 0 || b[22]&0x0f != 0 {
		return netNone, nil
	}
	hl := 24
	if flags&wlanToFromDS == wlanToFromDS {
		hl += 6
	}
	if sub&wlanQoS != 0 {
		if len(b) < hl+2 || b[hl]&wlanAMSDU != 0 {
			return netNone, nil
		}
		hl += 2
		if flags&wlanOrder != 0 {
			hl += 4
		}
	}
	if len(b) < hl+8 {
		return netNone, nil
	}
	llc := b[hl:]
	if llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 || llc[3] != 0 || llc[4] != 0 || (llc[5] != 0 && llc[5] != 0xf8) {
		return netNone, nil
	}
	return etherType(binary.BigEndian.Uint16(llc[6:]), llc[8:])
}
