package decode

import (
	"encoding/binary"

	"github.com/kerbtrace/kerbtrace/decode/dns"
)

// A DNS server answers the same question the same way to every client, and
// a client asks the same question again and again: most DNS messages of a
// capture are byte for byte the same as an earlier one but for the ID. A
// dnsShare remembers the messages decoded whole, keyed by their bytes after
// the ID, so that a repeat costs a dns.Message of its own ID and the first's
// Content (which nothing changes once decoded), 16 bytes, instead of a
// decoding and a copy of every record. The result is the same, value for
// value, as decoding each message.
type dnsShare struct {
	seen map[string]*dns.Message
	slab []dns.Message // where the next repeats' messages are taken from
}

// Bounds on what a dnsShare keeps.
const (
	dnsShareMaxLen     = 512  // bytes of a message worth keeping (a plain UDP message)
	dnsShareMaxEntries = 4096 // messages kept; past this, it starts afresh
	// dnsShareSlab is how many repeats' messages are allocated at once: a
	// repeat is most of the DNS messages of a capture, and most of the
	// objects a run allocates were these 16 bytes, one by one. Every
	// decoded message is kept to the end of the run, so the slabs are too.
	dnsShareSlab = 256
)

// get returns the message p decodes to when an earlier message had the same
// bytes after the ID, or nil.
func (s *dnsShare) get(p []byte) *dns.Message {
	if len(p) < 2 || len(p) > dnsShareMaxLen || s.seen == nil {
		return nil
	}
	first, ok := s.seen[string(p[2:])]
	if !ok {
		return nil
	}
	if len(s.slab) == 0 {
		s.slab = make([]dns.Message, dnsShareSlab)
	}
	m := &s.slab[0]
	s.slab = s.slab[1:]
	*m = *first
	m.ID = binary.BigEndian.Uint16(p)
	return m
}

// put remembers m, decoded from p without error.
func (s *dnsShare) put(p []byte, m *dns.Message) {
	if len(p) < 2 || len(p) > dnsShareMaxLen {
		return
	}
	if s.seen == nil || len(s.seen) >= dnsShareMaxEntries {
		s.seen = make(map[string]*dns.Message)
	}
	s.seen[string(p[2:])] = m
}
