package krb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// A test-only reader of classic pcap and pcapng files, just enough to pull
// the UDP and TCP payloads of port 88 out of the shared captures. (pcapgo is
// not usable here: it needs golang.org/x/net, which go.sum lacks, and the
// project's capture package is written in parallel.)

type frame struct {
	link layers.LinkType
	data []byte
}

func readFrames(path string) ([]frame, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 24 {
		return nil, fmt.Errorf("short file")
	}
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		return readPcap(b, binary.LittleEndian)
	case 0xd4c3b2a1, 0x4d3cb2a1:
		return readPcap(b, binary.BigEndian)
	case 0x0a0d0d0a:
		return readPcapng(b)
	}
	return nil, fmt.Errorf("not pcap/pcapng")
}

func readPcap(b []byte, bo binary.ByteOrder) ([]frame, error) {
	link := layers.LinkType(bo.Uint32(b[20:]))
	var out []frame
	for off := 24; off+16 <= len(b); {
		n := int(bo.Uint32(b[off+8:]))
		if n < 0 || off+16+n > len(b) {
			return out, fmt.Errorf("record at %d overruns", off)
		}
		out = append(out, frame{link, b[off+16 : off+16+n]})
		off += 16 + n
	}
	return out, nil
}

func readPcapng(b []byte) ([]frame, error) {
	var bo binary.ByteOrder = binary.LittleEndian
	var links []layers.LinkType
	var out []frame
	for off := 0; off+12 <= len(b); {
		typ := bo.Uint32(b[off:])
		if typ == 0x0a0d0d0a { // section header: learn the byte order
			if binary.LittleEndian.Uint32(b[off+8:]) == 0x1a2b3c4d {
				bo = binary.LittleEndian
			} else {
				bo = binary.BigEndian
			}
			links = links[:0]
		}
		n := int(bo.Uint32(b[off+4:]))
		if n < 12 || off+n > len(b) {
			return out, fmt.Errorf("block at %d overruns", off)
		}
		body := b[off+8 : off+n-4]
		switch typ {
		case 1: // interface description
			links = append(links, layers.LinkType(bo.Uint16(body)))
		case 6: // enhanced packet
			ifc, capLen := int(bo.Uint32(body)), int(bo.Uint32(body[12:]))
			if ifc < len(links) && 20+capLen <= len(body) {
				out = append(out, frame{links[ifc], body[20 : 20+capLen]})
			}
		}
		off += n
	}
	return out, nil
}

// krbPayloads returns the Kerberos messages sent to or from port 88: each
// UDP payload, and the records of each TCP direction after putting its
// segments in sequence order (retransmissions dropped). A direction whose
// SYN was seen but whose data does not start right after it began before
// the capture did (or lost its first segment) and is skipped, as is
// everything after a gap; a record cut by the end of the data is left out,
// since it is not a complete message.
func krbPayloads(t *testing.T, path string) (msgs [][]byte) {
	t.Helper()
	frames, err := readFrames(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	streams := map[string]*tcpDir{}
	var order []string
	for _, f := range frames {
		p := gopacket.NewPacket(f.data, f.link, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		if u, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP); ok && (u.SrcPort == 88 || u.DstPort == 88) {
			msgs = append(msgs, u.Payload)
		}
		tc, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok || (tc.SrcPort != 88 && tc.DstPort != 88) {
			continue
		}
		nf, tf := p.NetworkLayer().NetworkFlow(), tc.TransportFlow()
		d := dir(streams, &order, fmt.Sprint(nf, tf))
		if tc.SYN {
			d.isn, d.haveSYN = tc.Seq, true
		}
		if peer := dir(streams, &order, fmt.Sprint(nf.Reverse(), tf.Reverse())); tc.ACK && !peer.havePeerAck {
			// The first ACK says where the peer's data starts, which is
			// how a direction whose SYN is not in the capture is anchored.
			peer.peerAck, peer.havePeerAck = tc.Ack, true
		}
		if len(tc.Payload) > 0 {
			d.segs = append(d.segs, seg{tc.Seq, tc.Payload})
		}
	}
	for _, key := range order {
		d := streams[key]
		buf := d.bytes()
		for first := true; len(buf) > 0; first = false {
			msg, n, err := SplitRecord(buf)
			if err != nil {
				// Without the SYN, data seen first may be the tail of a
				// record whose start the capture lost (ndpi/kerberos.pcap
				// lacks the first segment of several connections).
				unanchored := first && !d.haveSYN
				if !errors.Is(err, wire.ErrTruncated) && !unanchored {
					t.Errorf("%s %s: %v (%d bytes left)", path, key, err, len(buf))
				}
				break
			}
			msgs = append(msgs, msg)
			buf = buf[n:]
		}
	}
	return msgs
}

type seg struct {
	seq  uint32
	data []byte
}

// tcpDir is one direction of a TCP connection.
type tcpDir struct {
	isn         uint32
	haveSYN     bool
	peerAck     uint32 // first acknowledgment the other side sent
	havePeerAck bool
	segs        []seg
}

func dir(streams map[string]*tcpDir, order *[]string, key string) *tcpDir {
	d := streams[key]
	if d == nil {
		d = &tcpDir{}
		streams[key] = d
		*order = append(*order, key)
	}
	return d
}

// bytes returns the in-order data from the start of the direction up to
// the first gap.
func (d *tcpDir) bytes() []byte {
	if len(d.segs) == 0 {
		return nil
	}
	segs := d.segs
	sort.SliceStable(segs, func(i, j int) bool { return int32(segs[i].seq-segs[j].seq) < 0 })
	next := segs[0].seq
	switch {
	case d.haveSYN:
		next = d.isn + 1
	case d.havePeerAck && int32(d.peerAck-next) < 0:
		next = d.peerAck
	}
	var buf []byte
	for _, s := range segs {
		start, data := s.seq, s.data
		switch diff := int32(start - next); {
		case diff > 0:
			return buf // gap: the rest is unusable
		case diff < 0: // overlap: keep the new tail only
			if int(-diff) >= len(data) {
				continue
			}
			start, data = next, data[-diff:]
		}
		buf = append(buf, data...)
		next = start + uint32(len(data))
	}
	return buf
}
