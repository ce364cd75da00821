package dns

import (
	"errors"
	"fmt"

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
	p := &parser{b: b, m: &Message{}}
	p.parse()
	if errors.Is(p.err, wire.ErrTruncated) {
		p.m.Cut = true
	}
	return p.m, p.err
}

// parser carries the input, the message being filled and the first error.
type parser struct {
	b   []byte
	m   *Message
	err error
	ext uint8 // extended RCODE bits from an OPT record
}

func (p *parser) fail(field string, off int, err error) {
	if p.err == nil {
		p.err = wire.Errorf(proto, field, off, err)
	}
}

func (p *parser) parse() {
	m := p.m
	if len(p.b) >= 2 {
		m.ID = uint16(p.b[0])<<8 | uint16(p.b[1])
	}
	if len(p.b) >= 4 {
		p.flags(uint16(p.b[2])<<8 | uint16(p.b[3]))
	}
	if len(p.b) < headerLen {
		p.fail("header", 0, wire.ErrTruncated)
		return
	}
	var counts [4]int
	for i := range counts {
		counts[i] = int(p.b[4+2*i])<<8 | int(p.b[5+2*i])
	}
	off, ok := p.questions(headerLen, counts[0])
	sections := []*[]RR{&m.Answers, &m.Authority, &m.Additional}
	names := []string{"answer", "authority", "additional"}
	for i := 0; ok && i < 3; i++ {
		off, ok = p.records(off, counts[i+1], sections[i], names[i])
	}
	if p.ext != 0 && p.ext < 16 {
		m.RCode |= RCode(p.ext << 4)
	}
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
		field := fmt.Sprintf("question[%d]", i)
		name, next, err := readName(p.b, off)
		if err != nil {
			p.fail(field+".name", off, err)
			return off, false
		}
		tc, next, err := wire.Bytes(p.b, next, 4)
		if err != nil {
			p.fail(field+".type", next, err)
			return off, false
		}
		p.m.Questions = append(p.m.Questions, Question{
			Name: name, Type: Type(be16(tc)), Class: be16(tc[2:]),
		})
		off = next
	}
	return off, true
}

// records reads n resource records from off into dst. Each record is at
// least 11 bytes, so a hostile count ends at the end of the input.
func (p *parser) records(off, n int, dst *[]RR, section string) (int, bool) {
	for i := 0; i < n; i++ {
		field := fmt.Sprintf("%s[%d]", section, i)
		name, next, err := readName(p.b, off)
		if err != nil {
			p.fail(field+".name", off, err)
			return off, false
		}
		h, next, err := wire.Bytes(p.b, next, 10)
		if err != nil {
			p.fail(field+".header", next, err)
			return off, false
		}
		rr := RR{Name: name, Type: Type(be16(h)), Class: be16(h[2:]), TTL: be32(h[4:])}
		rdlen := int(be16(h[8:]))
		if _, _, err := wire.Bytes(p.b, next, rdlen); err != nil {
			p.fail(field+".rdata", next, err)
			return off, false
		}
		if err := p.rdata(&rr, next, rdlen); err != nil {
			p.fail(field+".rdata", next, err)
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
