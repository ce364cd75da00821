package dns

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// TestSharedCaptures decodes every DNS message on port 53 (UDP, and TCP via
// SplitTCP) of the pcap/pcapng files in ../shared/captures. It skips when
// the directory is absent. Every message must decode without error, except
// where the bytes themselves end early (snaplen, TCP gaps).
func TestSharedCaptures(t *testing.T) {
	dir := capturesDir(t)
	var msgs, cut int
	for _, path := range captureFiles(t, dir) {
		pkts, err := readPackets(path)
		if err != nil {
			continue
		}
		name, _ := filepath.Rel(dir, path)
		for _, p := range pkts {
			if p.tcp || (p.src.Port() != 53 && p.dst.Port() != 53) {
				continue
			}
			msgs++
			if _, err := Parse(p.payload); err != nil {
				if !errors.Is(err, wire.ErrTruncated) {
					t.Errorf("%s frame %d: %v", name, p.frame, err)
				}
				cut++
			}
		}
		for _, s := range tcpStreams(pkts) {
			if s.src.Port() != 53 && s.dst.Port() != 53 {
				continue
			}
			for b := s.data; len(b) > 0; {
				m, n, err := SplitTCP(b)
				if err != nil {
					break
				}
				msgs++
				if _, err := Parse(m); err != nil {
					t.Errorf("%s tcp %v->%v: %v", name, s.src, s.dst, err)
				}
				b = b[n:]
			}
		}
	}
	t.Logf("%d DNS messages, %d cut short", msgs, cut)
	if msgs < 100 {
		t.Errorf("only %d DNS messages found", msgs)
	}
}
