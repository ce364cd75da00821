package decode

import (
	"net/netip"
	"testing"
)

// TestConnCache checks the cache of recent connections: found whichever
// way a packet goes, replaced by a connection with the same slot, and
// forgotten only for the state it holds.
func TestConnCache(t *testing.T) {
	var c connCache
	client, server := netip.MustParseAddrPort("10.0.0.1:50000"), netip.MustParseAddrPort("192.0.2.20:445")
	k := makeConnKey(client, server)
	cs := &connState{}
	if _, got := c.get(client, server); got != nil {
		t.Fatal("empty cache found a connection")
	}
	c.put(k, cs)
	for _, dir := range [][2]netip.AddrPort{{client, server}, {server, client}} {
		if gk, got := c.get(dir[0], dir[1]); got != cs || gk != k {
			t.Errorf("get(%v, %v) = %v, %p; want %v, %p", dir[0], dir[1], gk, got, k, cs)
		}
	}
	// Same slot (the same ports), other addresses: replaces the entry.
	other := makeConnKey(netip.MustParseAddrPort("10.0.0.2:50000"), netip.MustParseAddrPort("192.0.2.21:445"))
	cs2 := &connState{}
	c.put(other, cs2)
	if _, got := c.get(client, server); got != nil {
		t.Error("a replaced entry is still found")
	}
	c.forget(other, cs) // not the state it holds
	if _, got := c.get(other.a, other.b); got != cs2 {
		t.Error("forget cleared an entry holding another state")
	}
	c.forget(other, cs2)
	if _, got := c.get(other.a, other.b); got != nil {
		t.Error("a forgotten entry is still found")
	}
}
