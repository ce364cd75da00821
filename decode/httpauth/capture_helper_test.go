package httpauth

// This file is a minimal, test-only reader for the public captures in
// ../shared/captures: classic pcap and pcapng files, Ethernet (with VLAN
// tags), Linux SLL/SLL2, BSD loopback and raw IP links, IPv4/IPv6, TCP and
// UDP, and a naive per-direction TCP reassembly (in sequence order, stopping
// at the first gap). NetMon files are skipped. It exists so the decoder
// tests can walk real traffic without depending on decode/capture; it is
// not meant to be complete.

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// capturesDir returns the shared captures directory (../shared/captures
// next to the module root) or skips the test when it is absent.
func capturesDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Skip(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory")
		}
		dir = parent
	}
	c := filepath.Join(dir, "..", "shared", "captures")
	if fi, err := os.Stat(c); err != nil || !fi.IsDir() {
		t.Skip("shared captures not present:", c)
	}
	return c
}

// captureFiles lists the pcap/pcapng files under dir (NetMon .cap skipped).
func captureFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".pcapng")) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

type packet struct {
	frame    int
	tcp      bool
	src, dst netip.AddrPort
	seq      uint32
	syn      bool
	payload  []byte
}

var errFormat = errors.New("unsupported capture format")

// readPackets returns the TCP and UDP packets of a pcap or pcapng file.
func readPackets(path string) ([]packet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 24 {
		return nil, errFormat
	}
	var frames []frame
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		frames = pcapFrames(b, binary.LittleEndian)
	case 0xd4c3b2a1, 0x4d3cb2a1:
		frames = pcapFrames(b, binary.BigEndian)
	case 0x0a0d0d0a:
		frames = pcapngFrames(b)
	default:
		return nil, errFormat
	}
	var out []packet
	for i, f := range frames {
		if p, ok := decodeFrame(f); ok {
			p.frame = i + 1
			out = append(out, p)
		}
	}
	return out, nil
}

type frame struct {
	link uint32
	data []byte
}

func pcapFrames(b []byte, bo binary.ByteOrder) []frame {
	link := bo.Uint32(b[20:]) & 0xffff
	var out []frame
	for off := 24; off+16 <= len(b); {
		n := int(bo.Uint32(b[off+8:]))
		if n < 0 || off+16+n > len(b) {
			break
		}
		out = append(out, frame{link, b[off+16 : off+16+n]})
		off += 16 + n
	}
	return out
}

func pcapngFrames(b []byte) []frame {
	var bo binary.ByteOrder = binary.LittleEndian
	var links []uint32
	var out []frame
	for off := 0; off+12 <= len(b); {
		typ := bo.Uint32(b[off:])
		if typ == 0x0a0d0d0a { // section header: byte order from its magic
			if binary.LittleEndian.Uint32(b[off+8:]) == 0x1a2b3c4d {
				bo = binary.LittleEndian
			} else {
				bo = binary.BigEndian
			}
			links = nil
		}
		l := int(bo.Uint32(b[off+4:]))
		if l < 12 || off+l > len(b) {
			break
		}
		body := b[off+8 : off+l-4]
		switch typ {
		case 1: // interface description
			if len(body) >= 2 {
				links = append(links, uint32(bo.Uint16(body)))
			}
		case 6: // enhanced packet
			if len(body) >= 20 {
				ifc, n := int(bo.Uint32(body)), int(bo.Uint32(body[12:]))
				if ifc < len(links) && 20+n <= len(body) {
					out = append(out, frame{links[ifc], body[20 : 20+n]})
				}
			}
		case 3: // simple packet
			if len(body) >= 4 && len(links) > 0 {
				n := min(int(bo.Uint32(body)), len(body)-4)
				out = append(out, frame{links[0], body[4 : 4+n]})
			}
		}
		off += l
	}
	return out
}

// decodeFrame strips the link, IP and transport headers.
func decodeFrame(f frame) (packet, bool) {
	d := f.data
	var et uint16
	switch f.link {
	case 1: // Ethernet
		if len(d) < 14 {
			return packet{}, false
		}
		et, d = binary.BigEndian.Uint16(d[12:]), d[14:]
		for (et == 0x8100 || et == 0x88a8 || et == 0x9100) && len(d) >= 4 {
			et, d = binary.BigEndian.Uint16(d[2:]), d[4:]
		}
	case 113: // Linux SLL
		if len(d) < 16 {
			return packet{}, false
		}
		et, d = binary.BigEndian.Uint16(d[14:]), d[16:]
	case 276: // Linux SLL2
		if len(d) < 20 {
			return packet{}, false
		}
		et, d = binary.BigEndian.Uint16(d), d[20:]
	case 0, 108: // BSD loopback: 4-byte address family
		if len(d) < 4 {
			return packet{}, false
		}
		et, d = 0x0800, d[4:]
		if len(d) > 0 && d[0]>>4 == 6 {
			et = 0x86dd
		}
	case 101, 12, 228, 229: // raw IP
		et = 0x0800
		if len(d) > 0 && d[0]>>4 == 6 {
			et = 0x86dd
		}
	default:
		return packet{}, false
	}
	var src, dst netip.Addr
	var proto byte
	switch et {
	case 0x0800:
		if len(d) < 20 || d[0]>>4 != 4 {
			return packet{}, false
		}
		ihl, total := int(d[0]&0xf)*4, int(binary.BigEndian.Uint16(d[2:]))
		if binary.BigEndian.Uint16(d[6:])&0x1fff != 0 || ihl < 20 || len(d) < ihl {
			return packet{}, false // later fragment
		}
		if total >= ihl && total < len(d) {
			d = d[:total]
		}
		src, dst = netip.AddrFrom4([4]byte(d[12:16])), netip.AddrFrom4([4]byte(d[16:20]))
		proto, d = d[9], d[ihl:]
	case 0x86dd:
		if len(d) < 40 {
			return packet{}, false
		}
		plen := int(binary.BigEndian.Uint16(d[4:]))
		src, dst = netip.AddrFrom16([16]byte(d[8:24])), netip.AddrFrom16([16]byte(d[24:40]))
		proto, d = d[6], d[40:]
		if plen > 0 && plen < len(d) {
			d = d[:plen]
		}
		for i := 0; i < 8 && (proto == 0 || proto == 43 || proto == 60 || proto == 44); i++ {
			n := 8
			if proto != 44 && len(d) >= 2 {
				n = (int(d[1]) + 1) * 8
			}
			if len(d) < n {
				return packet{}, false
			}
			proto, d = d[0], d[n:]
		}
	default:
		return packet{}, false
	}
	switch proto {
	case 6:
		if len(d) < 20 || len(d) < int(d[12]>>4)*4 {
			return packet{}, false
		}
		return packet{tcp: true, src: netip.AddrPortFrom(src, binary.BigEndian.Uint16(d)),
			dst: netip.AddrPortFrom(dst, binary.BigEndian.Uint16(d[2:])), seq: binary.BigEndian.Uint32(d[4:]),
			syn: d[13]&0x02 != 0, payload: d[int(d[12]>>4)*4:]}, true
	case 17:
		if len(d) < 8 {
			return packet{}, false
		}
		return packet{src: netip.AddrPortFrom(src, binary.BigEndian.Uint16(d)),
			dst: netip.AddrPortFrom(dst, binary.BigEndian.Uint16(d[2:])), payload: d[8:]}, true
	}
	return packet{}, false
}

// stream is the reassembled payload of one direction of a TCP connection.
type stream struct {
	src, dst netip.AddrPort
	data     []byte
}

// tcpStreams reassembles each TCP direction in sequence order from its
// first data segment, skipping retransmitted bytes and stopping at a gap.
func tcpStreams(pkts []packet) []stream {
	type key struct{ src, dst netip.AddrPort }
	segs := map[key][]packet{}
	var order []key
	for _, p := range pkts {
		if !p.tcp {
			continue
		}
		k := key{p.src, p.dst}
		if p.syn {
			delete(segs, k) // a new connection on the same ports
		}
		if len(p.payload) == 0 {
			continue
		}
		if _, ok := segs[k]; !ok {
			order = append(order, k)
		}
		segs[k] = append(segs[k], p)
	}
	var out []stream
	for _, k := range order {
		ps := segs[k]
		if len(ps) == 0 {
			continue
		}
		base := ps[0].seq
		sort.SliceStable(ps, func(i, j int) bool { return int32(ps[i].seq-base) < int32(ps[j].seq-base) })
		var data []byte
		next := ps[0].seq
		for _, p := range ps {
			rel := int64(int32(p.seq - next))
			if rel > 0 {
				break // gap
			}
			if skip := -rel; skip < int64(len(p.payload)) {
				data = append(data, p.payload[skip:]...)
				next = p.seq + uint32(len(p.payload))
			}
		}
		out = append(out, stream{k.src, k.dst, data})
		delete(segs, k)
	}
	return out
}
