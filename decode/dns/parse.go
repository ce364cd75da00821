package dns

import (
	"errors"
	"strconv"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

const proto = "dns"

// headerLen is the fixed DNS header (RFC 1035 4.1.1).
const headerLen = 12

// Parse decodes one DNS message (without the TCP length prefix; see
// SplitTCP).
//
// When the bytes end before the header or a section the header announced,
// Parse returns the Message with Cut set, everything before the cut filled
// in, and an error wrapping wire.ErrTruncated. A name that loops, exceeds 255
// bytes or uses a reserved label type, and rdata that contradicts its type,
// give an error wrapping wire.ErrMalformed; for rdata the record is kept
// with empty Data and parsing continues. The first error met is returned.
func Parse(b []byte) (*Message, error) {
	blk := &block{}
	blk.m.Content = &blk.c
	p := &parser{b: b, m: &blk.m, blk: blk}
	p.parse()
	if errors.Is(p.err, wire.ErrTruncated) {
		p.m.Cut = true
	}
	return p.m, p.err
}

// block holds a Message, its Content and the backing array of its question
// section, which nearly always has one entry, in a single allocation.
type block struct {
	m Message
	c Content
	q [1]Question
}

// parser carries the input, the message being filled and the first error.
type parser struct {
	b   []byte
	m   *Message
	blk *block
	rrs []RR // room for the records still to decode, sized by count
	err error
	ext uint8 // extended RCODE bits from an OPT record
}

func (p *parser) fail(field string, i int, part string, off int, err error) {
	if p.err == nil {
		p.err = wire.Errorf(proto, field+"["+strconv.Itoa(i)+"]."+part, off, err)
	}
}

// sectionNames name the three record sections in errors.
var sectionNames = [3]string{"answer", "authority", "additional"}

func (p *parser) parse() {
	m := p.m
	if len(p.b) >= 2 {
		m.ID = uint16(p.b[0])<<8 | uint16(p.b[1])
	}
	if len(p.b) >= 4 {
		p.flags(uint16(p.b[2])<<8 | uint16(p.b[3]))
	}
	if len(p.b) < headerLen {
		if p.err == nil {
			p.err = wire.Errorf(proto, "header", 0, wire.ErrTruncated)
		}
		return
	}
	var counts [4]int
	for i := range counts {
		counts[i] = int(p.b[4+2*i])<<8 | int(p.b[5+2*i])
	}
	present := count(p.b, counts)
	p.allocate(present)
	off, ok := p.questions(headerLen, counts[0])
	sections := [3]*[]RR{&m.Answers, &m.Authority, &m.Additional}
	for i := 0; ok && i < 3; i++ {
		off, ok = p.records(off, counts[i+1], present[i+1], sections[i], sectionNames[i])
	}
	if p.ext != 0 && p.ext < 16 {
		m.RCode |= RCode(p.ext << 4)
	}
}

// allocate makes room for the questions and records present in the bytes,
// so that each section is filled without growing: the questions in the
// message's block when there is one, every record in one array.
func (p *parser) allocate(present [4]int) {
	switch q := present[0]; {
	case q == 1:
		p.m.Questions = p.blk.q[:0:1]
	case q > 1:
		p.m.Questions = make([]Question, 0, q)
	}
	if n := present[1] + present[2] + present[3]; n > 0 {
		p.rrs = make([]RR, n)
	}
}

// count returns how many of the questions and records the header announced
// are present in b, by skipping over them without decoding. A question is
// at least 5 bytes and a record 11, so a hostile count ends at the end of
// the input.
func count(b []byte, counts [4]int) (present [4]int) {
	off := headerLen
	for s, n := range counts {
		for i := 0; i < n; i++ {
			next, ok := skipName(b, off)
			if !ok {
				return present
			}
			if s == 0 {
				next += 4
			} else if next+10 <= len(b) {
				next += 10 + (int(b[next+8])<<8 | int(b[next+9]))
			} else {
				return present
			}
			if next > len(b) {
				return present
			}
			present[s]++
			off = next
		}
	}
	return present
}

// flags decodes the second header word: QR, Opcode, AA, TC, RD, RA, RCODE.
func (p *parser) flags(f uint16) {
	m := p.m
	m.Response = f&0x8000 != 0
	m.Opcode = uint8(f>>11) & 0xF
	m.Authoritative = f&0x0400 != 0
	m.Truncated = f&0x0200 != 0
	m.RecursionDesired = f&0x0100 != 0
	m.RecursionAvailable = f&0x0080 != 0
	m.RCode = RCode(f & 0xF)
}

// questions reads n questions from off. A question is at least 5 bytes, so
// a hostile count ends at the end of the input, not at n.
func (p *parser) questions(off, n int) (int, bool) {
	for i := 0; i < n; i++ {
		name, next, err := readName(p.b, off)
		if err != nil {
			p.fail("question", i, "name", off, err)
			return off, false
		}
		tc, next, err := wire.Bytes(p.b, next, 4)
		if err != nil {
			p.fail("question", i, "type", next, err)
			return off, false
		}
		p.m.Questions = append(p.m.Questions, Question{
			Name: name, Type: Type(be16(tc)), Class: be16(tc[2:]),
		})
		off = next
	}
	return off, true
}

// records reads n resource records from off into dst, of which present
// were counted in the bytes. Each record is at least 11 bytes, so a hostile
// count ends at the end of the input.
func (p *parser) records(off, n, present int, dst *[]RR, section string) (int, bool) {
	for i := 0; i < n; i++ {
		name, next, err := readName(p.b, off)
		if err != nil {
			p.fail(section, i, "name", off, err)
			return off, false
		}
		h, next, err := wire.Bytes(p.b, next, 10)
		if err != nil {
			p.fail(section, i, "header", next, err)
			return off, false
		}
		rr := RR{Name: name, Type: Type(be16(h)), Class: be16(h[2:]), TTL: be32(h[4:])}
		rdlen := int(be16(h[8:]))
		if _, _, err := wire.Bytes(p.b, next, rdlen); err != nil {
			p.fail(section, i, "rdata", next, err)
			return off, false
		}
		if err := p.rdata(&rr, next, rdlen); err != nil {
			p.fail(section, i, "rdata", next, err)
		}
		if *dst == nil && present > 0 && present <= len(p.rrs) {
			*dst, p.rrs = p.rrs[:0:present], p.rrs[present:]
		}
		*dst = append(*dst, rr)
		off = next + rdlen
	}
	return off, true
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
