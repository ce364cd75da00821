package capturetest

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Synth describes a large synthetic capture made by replaying the flows of
// small template captures (the lab's) many times, each copy with its own
// client addresses and start time, optionally mixed with bulk traffic that
// carries no authentication (SMB2 reads on 445, TLS on 443, an unknown
// protocol on 5001). It is what kerbtrace's benchmarks read.
//
// A template is a classic pcap file with Ethernet link type; its IPv4
// packets are replayed, other records (ARP, IPv6) are left out. Client
// addresses are those in 192.0.2.100-199 (the lab's); in copy i they become
// 10.0.0.0 + i*8 + (last octet - 100) mod 8. IPv4 header checksums are
// recomputed; TCP and UDP checksums are left as they were (neither
// kerbtrace nor Wireshark checks them by default).
type Synth struct {
	// Templates are the pcap files replayed, in turn: copy i is made from
	// Templates[i % len(Templates)].
	Templates [][]byte
	// Copies is the number of replayed copies (client flows).
	Copies int
	// Interval is the time between the starts of two copies (default 2 ms).
	Interval time.Duration
	// BulkBytes is roughly how many bytes of bulk traffic to add, spread
	// evenly over the time the copies take.
	BulkBytes int64
	// Start is the time of the first packet (default Base).
	Start time.Time
	// Clients, when positive, is the number of client addresses the
	// copies share (copy i gets those of copy i % Clients, and ports of
	// its own): a few busy clients, such as a terminal server or a proxy,
	// rather than one client per copy.
	Clients int
}

// SynthStats says what WriteSynth wrote.
type SynthStats struct {
	Packets     int
	Bytes       int64 // file size
	AuthPackets int   // packets replayed from the templates
	BulkPackets int
}

// template is a parsed template: its IPv4 frames and their times relative
// to its first frame.
type template struct {
	frames [][]byte
	rel    []time.Duration
}

// parseTemplate reads a classic pcap with Ethernet link type.
func parseTemplate(b []byte) (template, error) {
	var t template
	if len(b) < 24 {
		return t, errors.New("capturetest: template too short")
	}
	var order binary.ByteOrder = binary.LittleEndian
	nanos := false
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4:
	case 0xa1b23c4d:
		nanos = true
	case 0xd4c3b2a1:
		order = binary.BigEndian
	case 0x4d3cb2a1:
		order, nanos = binary.BigEndian, true
	default:
		return t, errors.New("capturetest: template is not a classic pcap")
	}
	if order.Uint32(b[20:])&0xffff != LinkEthernet {
		return t, errors.New("capturetest: template link type is not Ethernet")
	}
	var first time.Time
	for off := 24; off+16 <= len(b); {
		sec, frac := order.Uint32(b[off:]), order.Uint32(b[off+4:])
		n := int(order.Uint32(b[off+8:]))
		off += 16
		if n > len(b)-off {
			break
		}
		data := b[off : off+n]
		off += n
		if !nanos {
			frac *= 1000
		}
		ts := time.Unix(int64(sec), int64(frac))
		if first.IsZero() {
			first = ts
		}
		if len(data) < 34 || binary.BigEndian.Uint16(data[12:]) != 0x0800 {
			continue
		}
		t.frames = append(t.frames, data)
		t.rel = append(t.rel, ts.Sub(first))
	}
	if len(t.frames) == 0 {
		return t, errors.New("capturetest: template has no IPv4 frame")
	}
	return t, nil
}

// copyState is one replayed copy waiting in the merge heap.
type copyState struct {
	idx   int
	tpl   *template
	start time.Time
	next  int
}

func (c *copyState) at() time.Time { return c.start.Add(c.tpl.rel[c.next]) }

type copyHeap []*copyState

func (h copyHeap) Len() int { return len(h) }
func (h copyHeap) Less(i, j int) bool {
	ti, tj := h[i].at(), h[j].at()
	if !ti.Equal(tj) {
		return ti.Before(tj)
	}
	return h[i].idx < h[j].idx
}
func (h copyHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *copyHeap) Push(x any)   { *h = append(*h, x.(*copyState)) }
func (h *copyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// WriteSynth writes the capture s describes to w as a little-endian,
// microsecond pcap with Ethernet link type. The output depends only on s.
func WriteSynth(w io.Writer, s Synth) (SynthStats, error) {
	var st SynthStats
	tpls := make([]template, len(s.Templates))
	for i, b := range s.Templates {
		t, err := parseTemplate(b)
		if err != nil {
			return st, fmt.Errorf("template %d: %w", i, err)
		}
		tpls[i] = t
	}
	if len(tpls) == 0 && s.Copies > 0 {
		return st, errors.New("capturetest: no template")
	}
	interval := s.Interval
	if interval <= 0 {
		interval = 2 * time.Millisecond
	}
	start := s.Start
	if start.IsZero() {
		start = Base
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	pw := &pcapWriter{w: bw}
	if err := pw.header(); err != nil {
		return st, err
	}
	// The copies span [start, end); bulk packets are spread over it.
	var longest time.Duration
	for i := range tpls {
		longest = max(longest, tpls[i].rel[len(tpls[i].rel)-1])
	}
	span := time.Duration(max(s.Copies, 1))*interval + longest
	bulk := newBulkGen(s.BulkBytes, start, span)
	var h copyHeap
	nextCopy := 0
	frame := make([]byte, 0, 65536)
	for {
		// Admit the copies that have started by the earliest pending time.
		for nextCopy < s.Copies {
			cs := start.Add(time.Duration(nextCopy) * interval)
			if h.Len() > 0 && cs.After(h[0].at()) {
				break
			}
			heap.Push(&h, &copyState{idx: nextCopy, tpl: &tpls[nextCopy%len(tpls)], start: cs})
			nextCopy++
		}
		var ct time.Time
		if h.Len() > 0 {
			ct = h[0].at()
		}
		if bt, ok := bulk.peek(); ok && (h.Len() == 0 || bt.Before(ct)) {
			frame = bulk.next(frame[:0])
			if err := pw.packet(bt, frame); err != nil {
				return st, err
			}
			st.BulkPackets++
			continue
		}
		if h.Len() == 0 {
			break
		}
		c := h[0]
		frame = append(frame[:0], c.tpl.frames[c.next]...)
		rewriteClients(frame, c.idx, s.Clients)
		if err := pw.packet(ct, frame); err != nil {
			return st, err
		}
		st.AuthPackets++
		c.next++
		if c.next == len(c.tpl.frames) {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	if err := bw.Flush(); err != nil {
		return st, err
	}
	st.Packets = st.AuthPackets + st.BulkPackets
	st.Bytes = pw.n
	return st, nil
}

// rewriteClients moves the lab's client addresses (192.0.2.100-199) of an
// Ethernet/IPv4 frame to copy i's and fixes the IPv4 header checksum. With
// clients > 0, copy i shares the addresses of copy i % clients, and its
// client ports are changed so that copies of one template do not use the
// same connection (UDP and TCP checksums are left as they are: the decoders
// do not check them).
func rewriteClients(f []byte, i, clients int) {
	ip := f[14:]
	hl := int(ip[0]&0x0f) * 4
	if hl < 20 || hl > len(ip) {
		return
	}
	addr := i
	if clients > 0 {
		addr = i % clients
	}
	changed := false
	for k, off := range []int{12, 16} {
		a := ip[off : off+4]
		if a[0] == 192 && a[1] == 0 && a[2] == 2 && a[3] >= 100 && a[3] < 200 {
			n := uint32(10)<<24 | uint32(addr*8+int(a[3]-100)%8)
			binary.BigEndian.PutUint32(a, n)
			changed = true
			if clients > 0 && (ip[9] == 6 || ip[9] == 17) && hl+4 <= len(ip) {
				// The port on the client's side, XORed with a number of
				// the copy's own: ports distinct within a copy stay so, and
				// the copies of one template on one address never share
				// one (up to 16,384 copies per address).
				p := ip[hl+2*k : hl+2*k+2]
				port := binary.BigEndian.Uint16(p) ^ uint16(i/clients&0x3fff)
				binary.BigEndian.PutUint16(p, port)
			}
		}
	}
	if changed {
		ipChecksum(ip[:hl])
	}
}

// ipChecksum writes the IPv4 header checksum (RFC 791).
func ipChecksum(h []byte) {
	h[10], h[11] = 0, 0
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(h[10:], ^uint16(sum))
}

// pcapWriter writes a little-endian microsecond pcap with Ethernet frames.
type pcapWriter struct {
	w   *bufio.Writer
	n   int64
	hdr [16]byte
}

func (p *pcapWriter) header() error {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 262144)
	binary.LittleEndian.PutUint32(h[20:], LinkEthernet)
	n, err := p.w.Write(h[:])
	p.n += int64(n)
	return err
}

func (p *pcapWriter) packet(t time.Time, f []byte) error {
	binary.LittleEndian.PutUint32(p.hdr[0:], uint32(t.Unix()))
	binary.LittleEndian.PutUint32(p.hdr[4:], uint32(t.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(p.hdr[8:], uint32(len(f)))
	binary.LittleEndian.PutUint32(p.hdr[12:], uint32(len(f)))
	if _, err := p.w.Write(p.hdr[:]); err != nil {
		return err
	}
	_, err := p.w.Write(f)
	p.n += int64(16 + len(f))
	return err
}

// Bulk traffic: bulkLanes connections at once, each moving bulkConnBytes
// from server to client before it closes and a new one opens on the next
// client port. Lanes 0-7 are SMB2 READs on 445, 8-13 TLS application data
// on 443, 14-15 an unknown protocol on 5001.
const (
	bulkLanes     = 16
	bulkConnBytes = 16 << 20
	bulkMSS       = 1448
)

type bulkKind uint8

const (
	bulkSMB bulkKind = iota
	bulkTLS
	bulkOther
)

// bulkGen makes the bulk packets, evenly spaced in time.
type bulkGen struct {
	total, sent int64 // packets planned and made
	start       time.Time
	step        time.Duration
	lanes       [bulkLanes]bulkLane
	turn        int
}

func newBulkGen(bytes int64, start time.Time, span time.Duration) *bulkGen {
	// Two full segments, then an ACK: 1035 bytes a packet on average.
	g := &bulkGen{total: bytes / 1035, start: start}
	if g.total > 0 {
		g.step = span / time.Duration(g.total)
	}
	for i := range g.lanes {
		l := &g.lanes[i]
		l.id = i
		switch {
		case i < 8:
			l.kind, l.sport = bulkSMB, 445
		case i < 14:
			l.kind, l.sport = bulkTLS, 443
		default:
			l.kind, l.sport = bulkOther, 5001
		}
		l.cport = uint16(40000 + i*1000)
	}
	return g
}

func (g *bulkGen) peek() (time.Time, bool) {
	if g.sent >= g.total {
		return time.Time{}, false
	}
	return g.start.Add(time.Duration(g.sent) * g.step), true
}

// next appends the next bulk frame to f.
func (g *bulkGen) next(f []byte) []byte {
	l := &g.lanes[g.turn]
	g.turn = (g.turn + 1) % bulkLanes
	g.sent++
	return l.next(f)
}

// Lane states.
const (
	laneSYN = iota
	laneSYNACK
	laneACK
	laneRequest
	laneData
	laneFIN
	laneFINACK
	laneLastACK
)

type bulkLane struct {
	id           int
	kind         bulkKind
	sport, cport uint16
	state        int
	cseq, sseq   uint32
	rec          []byte // the record being sent
	recOff       int
	connSent     int
	unacked      int
}

var (
	smbReadRecord, tlsRecord, otherRecord []byte
	smbReadRequest                        []byte
)

func init() {
	pattern := func(n int, seed byte) []byte {
		b := make([]byte, n)
		x := uint32(seed) + 1
		for i := range b {
			x = x*1664525 + 1013904223
			b[i] = byte(x >> 24)
		}
		return b
	}
	// SMB2 READ response (MS-SMB2 2.2.20) of 64 KiB in a Direct TCP frame.
	hdr := func(resp bool, body []byte) []byte {
		h := make([]byte, 64)
		copy(h, "\xfeSMB")
		binary.LittleEndian.PutUint16(h[4:], 64)
		binary.LittleEndian.PutUint16(h[12:], 8) // READ
		binary.LittleEndian.PutUint16(h[14:], 1) // credits
		if resp {
			binary.LittleEndian.PutUint32(h[16:], 1) // SERVER_TO_REDIR
		}
		binary.LittleEndian.PutUint64(h[24:], 7) // MessageId
		binary.LittleEndian.PutUint32(h[36:], 1) // TreeId
		binary.LittleEndian.PutUint64(h[40:], 0x1122334455667788)
		m := append(h, body...)
		return append(binary.BigEndian.AppendUint32(nil, uint32(len(m))), m...)
	}
	const readLen = 64 << 10
	rb := make([]byte, 16, 16+readLen)
	binary.LittleEndian.PutUint16(rb[0:], 17)
	rb[2] = 0x50
	binary.LittleEndian.PutUint32(rb[4:], readLen)
	smbReadRecord = hdr(true, append(rb, pattern(readLen, 1)...))
	rq := make([]byte, 49)
	binary.LittleEndian.PutUint16(rq[0:], 49)
	rq[2] = 0x50
	binary.LittleEndian.PutUint32(rq[4:], readLen)
	smbReadRequest = hdr(false, rq)
	tlsRecord = append([]byte{0x17, 0x03, 0x03, 0x40, 0x11}, pattern(0x4011, 2)...)
	otherRecord = pattern(32<<10, 3)
}

func (l *bulkLane) record() []byte {
	switch l.kind {
	case bulkSMB:
		return smbReadRecord
	case bulkTLS:
		return tlsRecord
	}
	return otherRecord
}

// next appends the lane's next frame to f and advances it.
func (l *bulkLane) next(f []byte) []byte {
	const (
		fin, syn, psh, ack = 0x01, 0x02, 0x08, 0x10
	)
	switch l.state {
	case laneSYN:
		l.cseq, l.sseq = uint32(l.id)*7919+uint32(l.cport)*104729, uint32(l.id)*15485863+uint32(l.cport)
		l.connSent, l.unacked = 0, 0
		l.state = laneSYNACK
		f = l.frame(f, true, l.cseq, 0, syn, nil)
		l.cseq++
	case laneSYNACK:
		l.state = laneACK
		f = l.frame(f, false, l.sseq, l.cseq, syn|ack, nil)
		l.sseq++
	case laneACK:
		l.state = laneData
		if l.kind == bulkSMB {
			l.state = laneRequest
		}
		f = l.frame(f, true, l.cseq, l.sseq, ack, nil)
	case laneRequest:
		l.state = laneData
		f = l.frame(f, true, l.cseq, l.sseq, psh|ack, smbReadRequest)
		l.cseq += uint32(len(smbReadRequest))
	case laneData:
		if l.unacked >= 2 {
			l.unacked = 0
			return l.frame(f, true, l.cseq, l.sseq, ack, nil)
		}
		rec := l.record()
		n := min(bulkMSS, len(rec)-l.recOff)
		f = l.frame(f, false, l.sseq, l.cseq, psh|ack, rec[l.recOff:l.recOff+n])
		l.sseq += uint32(n)
		l.recOff += n
		l.connSent += n
		l.unacked++
		if l.recOff == len(rec) {
			l.recOff = 0
			switch {
			case l.connSent >= bulkConnBytes:
				l.state = laneFIN
			case l.kind == bulkSMB:
				l.state = laneRequest
			}
		}
	case laneFIN:
		l.state = laneFINACK
		f = l.frame(f, false, l.sseq, l.cseq, fin|ack, nil)
		l.sseq++
	case laneFINACK:
		l.state = laneLastACK
		f = l.frame(f, true, l.cseq, l.sseq, fin|ack, nil)
		l.cseq++
	default:
		l.state = laneSYN
		f = l.frame(f, false, l.sseq, l.cseq, ack, nil)
		l.cport++
	}
	return f
}

// frame appends an Ethernet/IPv4/TCP frame of the lane to f.
func (l *bulkLane) frame(f []byte, fromClient bool, seq, ackNo uint32, flags byte, payload []byte) []byte {
	client := [4]byte{10, 200, 0, byte(l.id)}
	server := [4]byte{192, 0, 2, 40 + byte(l.kind)}
	src, dst, sp, dp := client, server, l.cport, l.sport
	if !fromClient {
		src, dst, sp, dp = server, client, l.sport, l.cport
	}
	f = append(f, 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0x00)
	ip := len(f)
	f = append(f, 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0)
	f = append(f, src[:]...)
	f = append(f, dst[:]...)
	binary.BigEndian.PutUint16(f[ip+2:], uint16(40+len(payload)))
	ipChecksum(f[ip : ip+20])
	f = binary.BigEndian.AppendUint16(f, sp)
	f = binary.BigEndian.AppendUint16(f, dp)
	f = binary.BigEndian.AppendUint32(f, seq)
	f = binary.BigEndian.AppendUint32(f, ackNo)
	f = append(f, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0)
	return append(f, payload...)
}

// LabTemplates reads the lab's pcap captures (root/testdata/captures), the
// flows a synthetic capture replays. The IPv6 capture is left out: its
// client addresses are not rewritten.
func LabTemplates(root string) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(root, "testdata", "captures", "*.pcap"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no lab captures in %s/testdata/captures", root)
	}
	var out [][]byte
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "ipv6") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
