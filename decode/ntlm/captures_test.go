package ntlm

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// TestSharedCaptures finds every raw NTLMSSP message (SMB, DCE/RPC, LDAP,
// ...) in the reassembled TCP streams and UDP payloads of the pcap/pcapng
// files in ../shared/captures and decodes it. It skips when the directory
// is absent. A message may only fail by being cut (a TCP gap or the end of
// a segment), apart from Zeek's two crafted AV-pair traces.
func TestSharedCaptures(t *testing.T) {
	crafted := map[string]bool{"zeek/ntlm-empty-av-sequence.pcap": true, "zeek/ntlm-unterminated-av-sequence.pcap": true}
	counts := map[MsgType]int{}
	var cut int
	pcaptest.Shared(t, func(name string, c *pcaptest.Capture) {
		var payloads [][]byte
		for _, s := range c.Streams {
			payloads = append(payloads, s.Data)
		}
		for _, g := range c.Datagrams {
			payloads = append(payloads, g.Payload)
		}
		for _, b := range payloads {
			for i := bytes.Index(b, []byte(Signature)); i >= 0; {
				m, err := Parse(b[i:])
				switch {
				case err == nil:
					counts[m.Type]++
				case errors.Is(err, wire.ErrTruncated):
					cut++
				case !crafted[name]:
					t.Errorf("%s at stream offset %d: %v", name, i, err)
				}
				j := bytes.Index(b[i+1:], []byte(Signature))
				if j < 0 {
					break
				}
				i += 1 + j
			}
		}
	})
	t.Logf("NEGOTIATE %d, CHALLENGE %d, AUTHENTICATE %d, cut %d", counts[Negotiate], counts[Challenge], counts[Authenticate], cut)
	if counts[Negotiate] < 30 || counts[Challenge] < 30 || counts[Authenticate] < 30 {
		t.Errorf("too few messages: %v", counts)
	}
}
