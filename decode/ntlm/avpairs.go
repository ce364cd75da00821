package ntlm

import (
	"fmt"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// maxAVPairs bounds an AV pair list. Windows sends fewer than 12; the bound
// only stops a hostile list from growing the result without limit.
const maxAVPairs = 64

// parseAVPairs decodes an AV_PAIR list (MS-NLMP 2.2.2.1) up to MsvAvEOL.
// base is the offset of b in the message, for error positions.
//
// A list that ends exactly at the end of b without MsvAvEOL is accepted
// (Zeek's ntlm-unterminated-av-sequence trace shows servers that send it).
// A pair whose header or value runs past b, or more than maxAVPairs pairs,
// returns the pairs before it and an error wrapping wire.ErrMalformed.
func parseAVPairs(b []byte, base int) ([]AVPair, error) {
	var pairs []AVPair
	off := 0
	for len(pairs) < maxAVPairs {
		if off == len(b) {
			return pairs, nil
		}
		h, next, err := wire.Bytes(b, off, 4)
		if err != nil {
			return pairs, avError(base+off, "AV pair header", len(b)-off)
		}
		id := AVID(uint16(h[0]) | uint16(h[1])<<8)
		n := int(h[2]) | int(h[3])<<8
		if id == MsvAvEOL {
			return pairs, nil
		}
		v, next, err := wire.Bytes(b, next, n)
		if err != nil {
			return pairs, avError(base+off, fmt.Sprintf("%v value of %d bytes", id, n), len(b)-off-4)
		}
		pairs = append(pairs, AVPair{ID: id, Value: avValue(id, v)})
		off = next
	}
	return pairs, fmt.Errorf("ntlm: more than %d AV pairs at 0x%x: %w", maxAVPairs, base+off, wire.ErrMalformed)
}

func avError(off int, what string, left int) error {
	return fmt.Errorf("ntlm: %s at 0x%x overruns the list (%d bytes left): %w", what, off, left, wire.ErrMalformed)
}

// avValue renders an AV pair value as text (see AVPair).
func avValue(id AVID, v []byte) string {
	switch id {
	case MsvAvNbComputerName, MsvAvNbDomainName, MsvAvDnsComputerName,
		MsvAvDnsDomainName, MsvAvDnsTreeName, MsvAvTargetName:
		// AV pair strings are always UTF-16LE, whatever the flags (2.2.2.1).
		return trimNUL(wire.UTF16LE(v))
	case MsvAvFlags:
		if len(v) == 4 {
			return fmt.Sprintf("0x%08x", uint32(v[0])|uint32(v[1])<<8|uint32(v[2])<<16|uint32(v[3])<<24)
		}
	case MsvAvTimestamp:
		if len(v) == 8 {
			var ft uint64
			for i := 7; i >= 0; i-- {
				ft = ft<<8 | uint64(v[i])
			}
			return filetime(ft)
		}
	}
	return fmt.Sprintf("present (%d bytes)", len(v))
}

// filetimeEpoch is the number of seconds from 1601-01-01 (the FILETIME
// epoch) to 1970-01-01 (the Unix epoch).
const filetimeEpoch = 11644473600

// filetime formats a FILETIME (100 ns ticks since 1601-01-01 UTC) as RFC 3339
// with up to 7 fractional digits.
func filetime(ft uint64) string {
	secs := int64(ft/1e7) - filetimeEpoch
	nsec := int64(ft%1e7) * 100
	return time.Unix(secs, nsec).UTC().Format(time.RFC3339Nano)
}
