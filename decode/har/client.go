package har

import "net/netip"

// firstClientPort is the source port of the first connection; the next
// ones count up from it through the dynamic port range (RFC 6335).
const firstClientPort = 49152

// ClientPorts gives each entry of l, by index, the client address of its
// connection: ClientAddr with source port 49152 for the first connection
// id seen, 49153 for the second and so on (wrapping after 65535). The
// connection id is the entry's "connection" field, or its page when that is
// absent, or the empty id shared by the rest. Entries of one connection thus
// share a client address, as they did on the wire.
func (l *Log) ClientPorts() []netip.AddrPort {
	ids := make(map[string]uint16)
	out := make([]netip.AddrPort, len(l.Entries))
	for i := range l.Entries {
		e := &l.Entries[i]
		id := "c:" + e.Connection
		if e.Connection == "" {
			id = "p:" + e.PageRef
		}
		p, ok := ids[id]
		if !ok {
			p = uint16(firstClientPort + len(ids)%(65536-firstClientPort))
			ids[id] = p
		}
		out[i] = netip.AddrPortFrom(ClientAddr, p)
	}
	return out
}
