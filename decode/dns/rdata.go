package dns

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/kerbtrace/kerbtrace/decode/internal/intern"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// maxTXT bounds the text kept from a TXT record.
const maxTXT = 255

// maxDataText is the longest Data text built from names: SOA's two names
// and serial.
const maxDataText = 2*maxNameText + 16

var errOverrun = fmt.Errorf("name overruns rdata: %w", wire.ErrMalformed)

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
		var buf [maxNameText]byte
		name, _, err := p.nameIn(buf[:0], off, off+n)
		rr.Data = intern.Bytes(name)
		return err
	case TypeSRV:
		return p.srv(rr, off, n)
	case TypeMX:
		if n < 3 {
			return errShort(rr.Type, n)
		}
		var buf [maxNameText + 8]byte
		text := append(strconv.AppendUint(buf[:0], uint64(be16(rd)), 10), ' ')
		text, _, err := p.nameIn(text, off+2, off+n)
		rr.Data = intern.Bytes(text)
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
	var buf [64]byte
	rr.Addr, rr.Data = a, intern.Bytes(a.AppendTo(buf[:0]))
	return nil
}

// nameIn appends the name that starts at off inside rdata ending at end to
// out. Its in-place bytes must end inside the rdata; its pointers may lead
// anywhere in the message. The rdata is known to be complete, so running
// past it is malformed, not truncated. On error out comes back unchanged.
func (p *parser) nameIn(out []byte, off, end int) ([]byte, int, error) {
	text, next, err := appendName(out, p.b, off)
	if errors.Is(err, wire.ErrTruncated) || (err == nil && next > end) {
		return out, off, errOverrun
	}
	return text, next, err
}

// srv decodes SRV rdata (RFC 2782): priority, weight, port, target.
func (p *parser) srv(rr *RR, off, n int) error {
	if n < 7 {
		return errShort(rr.Type, n)
	}
	rd := p.b[off:]
	var buf [maxNameText + 24]byte
	text := buf[:0]
	for i := 0; i < 6; i += 2 {
		text = append(strconv.AppendUint(text, uint64(be16(rd[i:])), 10), ' ')
	}
	text, _, err := p.nameIn(text, off+6, off+n)
	rr.Data = intern.Bytes(text)
	return err
}

// soa decodes SOA rdata (RFC 1035 3.3.13) to "mname rname serial".
func (p *parser) soa(rr *RR, off, n int) error {
	end := off + n
	var buf [maxDataText]byte
	text, next, err := p.nameIn(buf[:0], off, end)
	if err != nil {
		return err
	}
	text, next, err = p.nameIn(append(text, ' '), next, end)
	if err != nil {
		return err
	}
	serial, _, err := wire.U32BE(p.b[:end], next)
	if err != nil {
		return errShort(rr.Type, n)
	}
	rr.Data = intern.Bytes(strconv.AppendUint(append(text, ' '), uint64(serial), 10))
	return nil
}

// txt joins the <character-string>s of TXT rdata (RFC 1035 3.3.14) with
// spaces, keeping at most maxTXT bytes. A string whose length overruns the
// rdata is cut at the rdata's end.
func txt(rd []byte) string {
	var buf [maxTXT + 256]byte
	out := buf[:0]
	for off := 0; off < len(rd) && len(out) < maxTXT; {
		l := int(rd[off])
		off++
		end := min(off+l, len(rd))
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, rd[off:end]...)
		off = end
	}
	return intern.Bytes(out[:min(len(out), maxTXT)])
}
