package recent

import (
	"net/netip"
	"testing"
)

// TestCache checks that a connection is found whichever way a packet goes,
// replaced by one with the same slot, and forgotten only for its value.
func TestCache(t *testing.T) {
	var c Cache[int]
	client, server := netip.MustParseAddrPort("10.0.0.1:50000"), netip.MustParseAddrPort("192.0.2.20:445")
	if _, _, _, ok := c.Get(client, server); ok {
		t.Fatal("empty cache found a connection")
	}
	c.Put(client, server, 1)
	for _, dir := range [][2]netip.AddrPort{{client, server}, {server, client}} {
		if a, b, v, ok := c.Get(dir[0], dir[1]); !ok || v != 1 || a != client || b != server {
			t.Errorf("Get(%v, %v) = %v %v %d %v; want the entry as put", dir[0], dir[1], a, b, v, ok)
		}
	}
	// The same ports, other addresses: the same slot, replaced.
	x, y := netip.MustParseAddrPort("10.0.0.2:50000"), netip.MustParseAddrPort("192.0.2.21:445")
	c.Put(x, y, 2)
	if _, _, _, ok := c.Get(client, server); ok {
		t.Error("a replaced entry is still found")
	}
	c.Forget(x, y, 1) // not its value
	if _, _, v, ok := c.Get(x, y); !ok || v != 2 {
		t.Error("Forget cleared an entry holding another value")
	}
	c.Forget(x, y, 2)
	if _, _, _, ok := c.Get(x, y); ok {
		t.Error("a forgotten entry is still found")
	}
	// Other ports use other slots: both kept.
	p, q := netip.MustParseAddrPort("10.0.0.3:50001"), netip.MustParseAddrPort("192.0.2.20:88")
	c.Put(client, server, 1)
	c.Put(p, q, 3)
	if _, _, v, ok := c.Get(client, server); !ok || v != 1 {
		t.Error("an entry of another slot was lost")
	}
}
