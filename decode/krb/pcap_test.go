package krb

import (
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// krbPayloads returns the Kerberos messages sent to or from port 88 of the
// capture at path: each UDP payload, and the records of each contiguous run
// of a TCP direction as decode/capture reassembles it. A run that does not
// start at the first byte of its direction (no SYN captured, or after a
// gap) may begin inside a record, so its first record is allowed to fail;
// a record cut by the end of the run is left out, since it is not a
// complete message.
func krbPayloads(t testing.TB, path string) (msgs [][]byte) {
	t.Helper()
	c, err := pcaptest.Read(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, g := range c.Datagrams {
		if g.Src.Port() == 88 || g.Dst.Port() == 88 {
			msgs = append(msgs, g.Payload)
		}
	}
	for _, s := range c.Streams {
		if s.Src.Port() != 88 && s.Dst.Port() != 88 {
			continue
		}
		buf := s.Data
		for first := true; len(buf) > 0; first = false {
			msg, n, err := SplitRecord(buf)
			if err != nil {
				// ndpi/kerberos.pcap lacks the first segment of several
				// connections: their data starts inside a record.
				unanchored := first && (!s.SYN || s.AfterGap)
				if !errors.Is(err, wire.ErrTruncated) && !unanchored {
					t.Errorf("%s %v->%v: %v (%d bytes left)", path, s.Src, s.Dst, err, len(buf))
				}
				break
			}
			msgs = append(msgs, msg)
			buf = buf[n:]
		}
	}
	return msgs
}
