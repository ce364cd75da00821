package damage

import (
	"fmt"
	"math/rand/v2"
)

// Case is one damaged copy of a capture file.
type Case struct {
	// Name says what was done, e.g. "truncate-last/mid-data".
	Name string
	// Data is the damaged file.
	Data []byte
	// Intact is the number of leading frames the damage cannot touch:
	// frames 1 to Intact read exactly as in the original file.
	Intact int
	// Warn is the start of the warning a reader must give, in the form of
	// decode/capture's Warning.String ("frame 12 (offset 0x1a2c): " or
	// "offset 0x1c: " for damage outside any frame), empty when the damage
	// need not be noticed (flipped payload bytes, a cut between records).
	Warn string
	// Unreadable is true when the file header itself is gone: no packet
	// can be read.
	Unreadable bool
}

// warnAt formats the prefix of a warning about frame at off.
func warnAt(frame, off int) string {
	if frame == 0 {
		return fmt.Sprintf("offset 0x%x: ", off)
	}
	return fmt.Sprintf("frame %d (offset 0x%x): ", frame, off)
}

// maxCaplen is the largest captured length a reader accepts
// (decode/capture, as Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD).
const maxCaplen = 262144

// Cases returns damaged copies of the capture file b, the same for the same
// b and seed: truncations of the last record at every kind of place,
// absurd captured lengths, pcapng blocks with bad lengths, Network Monitor
// frame tables pointing past the end or into the header, flipped payload
// bytes, files cut at random points, a zero-length file and garbage
// appended. The original must be undamaged with at least three frames.
func Cases(b []byte, seed uint64) ([]Case, error) {
	l, err := Parse(b)
	if err != nil {
		return nil, err
	}
	frames := l.Frames()
	if len(frames) < 3 {
		return nil, fmt.Errorf("damage: %d frames, want at least 3", len(frames))
	}
	g := &gen{l: l, b: b, frames: frames, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.common()
	switch l.Format {
	case Pcap:
		g.pcap()
	case PcapNG:
		g.pcapng()
	case NetMon:
		g.netmon()
	}
	return g.out, nil
}

type gen struct {
	l      *Layout
	b      []byte
	frames []Record
	rng    *rand.Rand
	out    []Case
}

func (g *gen) add(c Case) { g.out = append(g.out, c) }

// clone returns a copy of the file to damage.
func (g *gen) clone() []byte { return append([]byte(nil), g.b...) }

func (g *gen) n() int { return len(g.frames) }

// middle is the frame damaged by the cases that damage one frame.
func (g *gen) middle() Record { return g.frames[len(g.frames)/2] }

// put32 writes v at off in the file's byte order.
func (g *gen) put32(b []byte, off int, v uint32) { g.l.Order.PutUint32(b[off:], v) }

// common adds the cases every format has.
func (g *gen) common() {
	g.add(Case{Name: "empty", Data: []byte{}, Unreadable: true})
	cut := min(g.l.Header/2, 20)
	if g.l.Format == NetMon {
		cut = 40 // before the frame table fields
	}
	g.add(Case{Name: "header-cut", Data: g.b[:cut:cut], Unreadable: true})
	g.truncations()
	g.flips()
	g.randomCuts()
	g.garbage()
}

// truncations cut the file inside its last frame's record, at every kind
// of place: inside the record header, at the start of the captured bytes,
// inside them, one byte short.
func (g *gen) truncations() {
	last := g.frames[g.n()-1]
	hdr := last.Data - last.Off
	places := []struct {
		name string
		at   int
	}{
		{"header-1", 1}, {"mid-header", hdr / 2}, {"header-end", hdr},
		{"data-1", hdr + 1}, {"mid-data", hdr + last.DataLen/2}, {"one-short", last.Len - 1},
	}
	for _, p := range places {
		cut := last.Off + p.at
		c := g.cutCase("truncate-last/"+p.name, cut)
		g.add(c)
	}
}

// cutCase is the file cut at offset cut.
func (g *gen) cutCase(name string, cut int) Case {
	c := Case{Name: name, Data: g.b[:cut:cut]}
	if cut < g.l.Header {
		c.Unreadable = true
		return c
	}
	if g.l.Format == NetMon {
		return g.netmonCut(c, cut)
	}
	frame := 0
	for _, r := range g.l.Records {
		if r.Off >= cut {
			break
		}
		if r.End() <= cut {
			if r.Frame > 0 {
				frame = r.Frame
			}
			continue
		}
		// The cut is inside r.
		c.Intact = frame
		c.Warn = warnAt(frame+1, r.Off)
		return c
	}
	c.Intact = frame
	return c
}

// netmonCut: without its frame table (at the end of the file) a cut
// Network Monitor file is read in file order.
func (g *gen) netmonCut(c Case, cut int) Case {
	if cut >= g.l.TableOff+g.l.TableLen {
		c.Intact = g.n()
		return c
	}
	if cut >= g.l.TableOff {
		// Part of the table is left: the frames it lists are read.
		c.Intact = min((cut-g.l.TableOff)/4, g.n())
		c.Warn = warnAt(0, g.l.TableOff)
		return c
	}
	n := 0
	for _, r := range g.l.Records {
		if r.End() <= cut {
			n++
			continue
		}
		if r.Off < cut {
			c.Warn = warnAt(n+1, r.Off)
		}
		break
	}
	// Frames numbered in file order equal the original numbers only while
	// the table lists the records in file order.
	c.Intact = 0
	for i, r := range g.frames {
		if i >= n || r.Off != g.l.Records[i].Off {
			break
		}
		c.Intact = i + 1
	}
	return c
}

// flips flip bytes in the captured data of frames from the middle on.
func (g *gen) flips() {
	m := g.middle()
	for k := range 3 {
		b := g.clone()
		for range 8 {
			r := g.frames[m.Frame-1+g.rng.IntN(g.n()-m.Frame+1)]
			if r.DataLen == 0 {
				continue
			}
			b[r.Data+g.rng.IntN(r.DataLen)] ^= byte(1 + g.rng.IntN(255))
		}
		g.add(Case{Name: fmt.Sprintf("flip-payload/%d", k), Data: b, Intact: m.Frame - 1})
	}
	// Anywhere after the middle frame's record start, headers included
	// (but not a Network Monitor frame table, which would move earlier
	// frames).
	end := len(g.b)
	if g.l.Format == NetMon {
		end = g.l.TableOff
	}
	for k := range 3 {
		b := g.clone()
		for range 16 {
			b[m.Off+g.rng.IntN(end-m.Off)] ^= byte(1 + g.rng.IntN(255))
		}
		intact := m.Frame - 1
		if g.l.Format == NetMon {
			intact = g.fileOrderPrefix(m.Off)
		}
		g.add(Case{Name: fmt.Sprintf("flip-any/%d", k), Data: b, Intact: intact})
	}
}

// fileOrderPrefix is the number of leading frames whose records all lie
// before off.
func (g *gen) fileOrderPrefix(off int) int {
	for i, r := range g.frames {
		if r.End() > off {
			return i
		}
	}
	return g.n()
}

// randomCuts cut the file at random offsets after its header.
func (g *gen) randomCuts() {
	for k := range 8 {
		cut := g.l.Header + g.rng.IntN(len(g.b)-g.l.Header)
		g.add(g.cutCase(fmt.Sprintf("cut-random/%d@0x%x", k, cut), cut))
	}
}

// garbage appends random bytes to the file.
func (g *gen) garbage() {
	for _, n := range []int{3, 64} {
		b := g.clone()
		for range n {
			b = append(b, byte(g.rng.IntN(256)))
		}
		c := Case{Name: fmt.Sprintf("garbage-appended/%d", n), Data: b, Intact: g.n()}
		if g.l.Format != NetMon {
			c.Warn = warnAt(g.n()+1, len(g.b))
		}
		g.add(c)
	}
}

// pcap adds absurd and overlong captured lengths.
func (g *gen) pcap() {
	m := g.middle()
	b := g.clone()
	g.put32(b, m.CapLenAt, 0x7fffffff)
	g.add(Case{Name: "caplen-absurd", Data: b, Intact: m.Frame - 1, Warn: warnAt(m.Frame, m.Off)})

	b = g.clone()
	g.put32(b, m.CapLenAt, uint32(min(len(b)-m.Data+1, maxCaplen)))
	g.add(Case{Name: "caplen-past-eof", Data: b, Intact: m.Frame - 1, Warn: warnAt(m.Frame, m.Off)})

	first := g.frames[0]
	b = g.clone()
	g.put32(b, first.CapLenAt, maxCaplen+1)
	g.add(Case{Name: "caplen-absurd-first", Data: b, Warn: warnAt(1, first.Off)})
}

// pcapng adds blocks with bad lengths and an absurd captured length.
func (g *gen) pcapng() {
	m := g.middle()
	at := warnAt(m.Frame, m.Off)
	lengths := []struct {
		name string
		v    uint32
	}{
		{"too-small", 8},
		{"not-multiple-of-4", uint32(m.Len + 2)},
		{"past-eof", uint32(len(g.b) - m.Off + 64)},
		{"huge", 0xfffffff0},
	}
	for _, c := range lengths {
		b := g.clone()
		g.put32(b, m.Off+4, c.v)
		g.add(Case{Name: "block-length/" + c.name, Data: b, Intact: m.Frame - 1, Warn: at})
	}
	b := g.clone()
	g.put32(b, m.End()-4, uint32(m.Len+4))
	g.add(Case{Name: "block-length/trailer-mismatch", Data: b, Intact: m.Frame - 1, Warn: at})

	b = g.clone()
	g.put32(b, m.CapLenAt, 0x7fffffff)
	g.add(Case{Name: "caplen-absurd", Data: b, Intact: m.Frame - 1, Warn: at})

	b = g.clone()
	g.put32(b, m.CapLenAt, uint32(m.DataLen+64))
	g.add(Case{Name: "caplen-past-block", Data: b, Intact: m.Frame - 1, Warn: at})

	// The interface description: no packet block can be read.
	for _, r := range g.l.Records {
		if r.Frame == 0 && g.l.Order.Uint32(g.b[r.Off:]) == 1 {
			b = g.clone()
			g.put32(b, r.Off+4, 10)
			g.add(Case{Name: "block-length/interface", Data: b, Warn: warnAt(1, r.Off)})
			break
		}
	}
}

// netmon adds frame tables that point anywhere and an absurd captured
// length. A damaged record is skipped and reading goes on with the next
// entry of the table.
func (g *gen) netmon() {
	m := g.middle()
	entry := g.l.TableOff + 4*(m.Frame-1)
	bad := []struct {
		name  string
		v     int
		warns bool
	}{
		{"past-eof", len(g.b) + 1000, true},
		{"at-eof", len(g.b) - 4, true},
		{"into-header", 8, true},
		{"into-header-offsets", 40, true}, // zeros: a 0-byte record if read
		{"mid-record", m.Off + 5, false},
	}
	for _, c := range bad {
		b := g.clone()
		g.put32(b, entry, uint32(c.v))
		k := Case{Name: "frame-table/" + c.name, Data: b, Intact: m.Frame - 1}
		if c.warns {
			k.Warn = warnAt(m.Frame, c.v)
		}
		g.add(k)
	}
	b := g.clone()
	g.put32(b, m.CapLenAt, 0x7fffffff)
	g.add(Case{Name: "caplen-absurd", Data: b, Intact: m.Frame - 1, Warn: warnAt(m.Frame, m.Off)})

	// The table's own place and length in the header.
	b = g.clone()
	g.put32(b, 24, uint32(len(b)+100))
	g.add(Case{Name: "frame-table/offset-past-eof", Data: b, Intact: g.fileOrderPrefix(len(b)),
		Warn: warnAt(0, len(b)+100)})
	b = g.clone()
	g.put32(b, 28, uint32(g.l.TableLen+2))
	g.add(Case{Name: "frame-table/length-not-multiple-of-4", Data: b, Intact: g.n(), Warn: warnAt(0, 28)})
	b = g.clone()
	g.put32(b, 28, uint32(len(b)-g.l.TableOff+400)) // what follows the table, and more
	g.add(Case{Name: "frame-table/length-past-eof", Data: b, Intact: g.n(), Warn: warnAt(0, g.l.TableOff)})
}
