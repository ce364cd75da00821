package dns

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// maxTXT bounds the text kept from a TXT record.
const maxTXT = 255

// rdata renders the rdata of rr, which lies at b[off:off+n] (already checked
// to be inside the message), into rr.Data and rr.Addr.
func (p *parser) rdata(rr *RR, off, n int) error {
	rd := p.b[off : off+n]
	if rr.Type == TypeOPT {
		// RFC 6891 6.1.3: the TTL's top byte is the upper 8 bits of the
		// 12-bit RCODE.
		p.ext = uint8(rr.TTL >> 24)
		return nil
	}
	if n == 0 {
		return nil // RFC 2136 2.5.2-2.5.4: UPDATE deletes carry no rdata
	}
	switch rr.Type {
	case TypeA, TypeAAAA:
		return addr(rr, rd)
	case TypeCNAME, TypePTR, TypeNS, 39: // 39: DNAME
		name, _, err := p.nameIn(off, off+n)
		rr.Data = name
		return err
	case TypeSRV:
		return p.srv(rr, off, n)
	case TypeMX:
		if n < 3 {
			return errShort(rr.Type, n)
		}
		name, _, err := p.nameIn(off+2, off+n)
		rr.Data = strconv.Itoa(int(be16(rd))) + " " + name
		return err
	case TypeSOA:
		return p.soa(rr, off, n)
	case TypeTXT:
		rr.Data = txt(rd)
	}
	return nil
}

func errShort(t Type, n int) error {
	return fmt.Errorf("%v rdata of %d bytes: %w", t, n, wire.ErrMalformed)
}

// addr decodes A (4 bytes) and AAAA (16 bytes, RFC 3596 2.2) rdata.
func addr(rr *RR, rd []byte) error {
	var a netip.Addr
	switch {
	case rr.Type == TypeA && len(rd) == 4:
		a = netip.AddrFrom4([4]byte(rd))
	case rr.Type == TypeAAAA && len(rd) == 16:
		a = netip.AddrFrom16([16]byte(rd))
	default:
		return errShort(rr.Type, len(rd))
	}
	rr.Addr, rr.Data = a, a.String()
	return nil
}

// nameIn reads a name that starts at off inside rdata ending at end. Its
// in-place bytes must end inside the rdata; its pointers may lead anywhere
// in the message. The rdata is known to be complete, so running past it is
// malformed, not truncated.
func (p *parser) nameIn(off, end int) (string, int, error) {
	name, next, err := readName(p.b, off)
	if errors.Is(err, wire.ErrTruncated) || (err == nil && next > end) {
		return "", off, fmt.Errorf("name overruns rdata: %w", wire.ErrMalformed)
	}
	return name, next, err
}

// srv decodes SRV rdata (RFC 2782): priority, weight, port, target.
func (p *parser) srv(rr *RR, off, n int) error {
	if n < 7 {
		return errShort(rr.Type, n)
	}
	rd := p.b[off:]
	target, _, err := p.nameIn(off+6, off+n)
	rr.Data = fmt.Sprintf("%d %d %d %s", be16(rd), be16(rd[2:]), be16(rd[4:]), target)
	return err
}

// soa decodes SOA rdata (RFC 1035 3.3.13) to "mname rname serial".
func (p *parser) soa(rr *RR, off, n int) error {
	end := off + n
	mname, next, err := p.nameIn(off, end)
	if err != nil {
		return err
	}
	rname, next, err := p.nameIn(next, end)
	if err != nil {
		return err
	}
	serial, _, err := wire.U32BE(p.b[:end], next)
	if err != nil {
		return errShort(rr.Type, n)
	}
	rr.Data = fmt.Sprintf("%s %s %d", mname, rname, serial)
	return nil
}

// txt joins the <character-string>s of TXT rdata (RFC 1035 3.3.14) with
// spaces, keeping at most maxTXT bytes. A string whose length overruns the
// rdata is cut at the rdata's end.
func txt(rd []byte) string {
	var sb strings.Builder
	for off := 0; off < len(rd) && sb.Len() < maxTXT; {
		l := int(rd[off])
		off++
		end := min(off+l, len(rd))
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.Write(rd[off:end])
		off = end
	}
	s := sb.String()
	if len(s) > maxTXT {
		s = s[:maxTXT]
	}
	return s
}
