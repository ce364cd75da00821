package smb2

import (
	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
)

// pdu is one NBSS session message found in a capture: its payload and the
// frame Wireshark shows it in (the frame of its last byte).
type pdu struct {
	frame    int
	toServer bool
	payload  []byte
}

// isSMBPort reports whether a TCP port is SMB's Direct TCP (445) or
// NetBIOS session service (139) port.
func isSMBPort(p uint16) bool { return p == 445 || p == 139 }

// pdus splits every SMB stream of c into NBSS session messages, stopping
// a stream at the first framing error (a stream picked up mid-PDU).
func pdus(c *pcaptest.Capture) []pdu {
	var out []pdu
	for _, s := range c.Streams {
		if !isSMBPort(s.Src.Port()) && !isSMBPort(s.Dst.Port()) {
			continue
		}
		for off := 0; off < len(s.Data); {
			msg, n, err := SplitFrame(s.Data[off:])
			if err != nil {
				break
			}
			if msg != nil {
				_, last := s.Frames(off, n)
				out = append(out, pdu{frame: last, toServer: isSMBPort(s.Dst.Port()), payload: msg})
			}
			off += n
		}
	}
	return out
}
