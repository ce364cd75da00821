package dns

import (
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// TestSharedCaptures decodes every DNS message on port 53 (UDP, and TCP via
// SplitTCP) of the pcap/pcapng files in ../shared/captures. It skips when
// the directory is absent. Every message must decode without error, except
// where the bytes themselves end early (snaplen, TCP gaps).
func TestSharedCaptures(t *testing.T) {
	var msgs, cut int
	pcaptest.Shared(t, func(name string, c *pcaptest.Capture) {
		for _, g := range c.Datagrams {
			if g.Src.Port() != 53 && g.Dst.Port() != 53 {
				continue
			}
			msgs++
			if _, err := Parse(g.Payload); err != nil {
				if !errors.Is(err, wire.ErrTruncated) {
					t.Errorf("%s frame %d: %v", name, g.Frame, err)
				}
				cut++
			}
		}
		for _, s := range c.Streams {
			if s.Src.Port() != 53 && s.Dst.Port() != 53 {
				continue
			}
			for b := s.Data; len(b) > 0; {
				m, n, err := SplitTCP(b)
				if err != nil {
					break
				}
				msgs++
				if _, err := Parse(m); err != nil {
					_, frame := s.Frames(len(s.Data)-len(b), n)
					t.Errorf("%s tcp %v->%v frame %d: %v", name, s.Src, s.Dst, frame, err)
				}
				b = b[n:]
			}
		}
	})
	t.Logf("%d DNS messages, %d cut short", msgs, cut)
	if msgs < 100 {
		t.Errorf("only %d DNS messages found", msgs)
	}
}
