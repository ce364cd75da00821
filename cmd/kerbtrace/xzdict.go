package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
)

// maxXzDict bounds the LZMA2 dictionary an xz file can make the decoder
// allocate (xz -9 and -9e use 64 MiB; the format allows 4 GiB, which
// github.com/ulikunitz/xz allocates at once whatever its ReaderConfig says:
// its DictCap is a minimum, raised to what the file asks for).
const maxXzDict = 1 << 27

// xzStreamHeaderLen and xzMaxBlockHeader are the sizes of an xz stream
// header and the largest block header (the .xz file format 1.0.4, 2.1.1 and
// 3.1.1).
const (
	xzStreamHeaderLen = 12
	xzMaxBlockHeader  = 1024
	xzFilterLZMA2     = 0x21
)

// checkXzDict looks at the first block header of the xz stream at the start
// of br, without consuming anything, and refuses a stream whose LZMA2
// dictionary is larger than maxXzDict. A header it cannot read is left to
// the xz decoder to report. Only the first block of the first stream is
// checked: the decoder gives no access to the headers of later blocks.
func checkXzDict(br *bufio.Reader) error {
	b, _ := br.Peek(xzStreamHeaderLen + xzMaxBlockHeader)
	if len(b) <= xzStreamHeaderLen || b[xzStreamHeaderLen] == 0 {
		return nil // cut short, or an empty stream (its index comes first)
	}
	b = b[xzStreamHeaderLen:]
	size := (int(b[0]) + 1) * 4
	if len(b) < size {
		return nil
	}
	h := b[2 : size-4] // after the size and flags, before the CRC32
	flags := b[1]
	for _, present := range []bool{flags&0x40 != 0, flags&0x80 != 0} {
		if present { // compressed size, uncompressed size
			_, n := binary.Uvarint(h)
			if n <= 0 {
				return nil
			}
			h = h[n:]
		}
	}
	for range int(flags&3) + 1 {
		id, n := binary.Uvarint(h)
		if n <= 0 {
			return nil
		}
		h = h[n:]
		plen, n := binary.Uvarint(h)
		if n <= 0 || plen > uint64(len(h)-n) {
			return nil
		}
		props := h[n : n+int(plen)]
		h = h[n+int(plen):]
		if id == xzFilterLZMA2 && len(props) == 1 {
			if d := xzDictSize(props[0]); d > maxXzDict {
				return fmt.Errorf("LZMA2 dictionary of %d bytes, more than the %d this tool allows: %w",
					d, maxXzDict, errXzDict)
			}
		}
	}
	return nil
}

// errXzDict is wrapped by the error of an xz file whose dictionary is too
// large.
var errXzDict = errors.New("dictionary too large")

// xzDictSize decodes an LZMA2 dictionary size property (the .xz file
// format 1.0.4, 5.3.1): 2 or 3 times a power of two, 4 GiB - 1 for 40.
func xzDictSize(c byte) uint64 {
	c &= 0x3f
	if c >= 40 {
		return 1<<32 - 1
	}
	return uint64(2|c&1) << (c/2 + 11)
}
