package pac

import (
	"fmt"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// ndr reads little-endian NDR (MS-RPCE 2.2.6, C706 14) from one buffer;
// alignment is relative to the start of the buffer, where the type
// serialisation header begins. The first error stops every later read.
type ndr struct {
	b     []byte
	off   int
	field string
	err   error
}

func (r *ndr) fail(err error) {
	if r.err == nil {
		r.err = wire.Errorf("pac", "logon_info."+r.field, r.off, err)
	}
}

func (r *ndr) align(n int) {
	if m := r.off % n; m != 0 {
		r.off += n - m
	}
}

func (r *ndr) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	v, next, err := wire.Bytes(r.b, r.off, n)
	if err != nil {
		r.fail(err)
		return nil
	}
	r.off = next
	return v
}

func (r *ndr) u16() uint16 {
	r.align(2)
	v := r.bytes(2)
	if v == nil {
		return 0
	}
	return uint16(v[0]) | uint16(v[1])<<8
}

func (r *ndr) u32() uint32 {
	r.align(4)
	v := r.bytes(4)
	if v == nil {
		return 0
	}
	return le32(v, 0)
}

// filetime reads a FILETIME, two 32-bit words (low first).
func (r *ndr) filetime() uint64 {
	lo := r.u32()
	hi := r.u32()
	return uint64(hi)<<32 | uint64(lo)
}

// count reads a conformance count and checks that count elements of size
// bytes can still be present.
func (r *ndr) count(size int) int {
	n := r.u32()
	if r.err != nil {
		return 0
	}
	if uint64(n)*uint64(size) > uint64(len(r.b)-r.off) {
		r.fail(fmt.Errorf("%d elements of %d bytes, %d bytes left: %w", n, size, len(r.b)-r.off, wire.ErrTruncated))
		return 0
	}
	return int(n)
}

// ustr is an RPC_UNICODE_STRING: lengths in bytes and a pointer.
type ustr struct {
	length, max uint16
	ptr         uint32
}

func (r *ndr) ustr() ustr {
	return ustr{length: r.u16(), max: r.u16(), ptr: r.u32()}
}

// deferredString reads the conformant varying array of a non-null
// RPC_UNICODE_STRING.
func (r *ndr) deferredString(s ustr, field string) string {
	if s.ptr == 0 || r.err != nil {
		return ""
	}
	r.field = field
	r.u32() // maximum count
	r.u32() // offset
	n := r.count(2)
	v := r.bytes(2 * n)
	if v == nil {
		return ""
	}
	return wire.UTF16LE(v)
}

// sid reads an RPC_SID: its conformance (the sub-authority count), then
// Revision, SubAuthorityCount, IdentifierAuthority[6], SubAuthority[].
func (r *ndr) sid(field string) string {
	r.field = field
	n := r.count(4)
	hdr := r.bytes(8)
	if hdr == nil {
		return ""
	}
	if int(hdr[1]) != n || n > maxSubAuthorities {
		r.fail(fmt.Errorf("SID with %d sub-authorities, conformance %d: %w", hdr[1], n, wire.ErrMalformed))
		return ""
	}
	subs := make([]uint32, n)
	for i := range subs {
		subs[i] = r.u32()
	}
	return sidString(hdr[0], hdr[2:8], subs)
}
