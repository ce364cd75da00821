// Package recent keeps the TCP connections a packet path found last, so
// that finding one again costs neither ordering its two endpoints into a
// map key nor a map lookup. Bulk traffic interleaves a few connections
// packet by packet, which a single last-found entry misses every time.
package recent

import "net/netip"

// Size is the number of entries of a Cache.
const Size = 64

// Cache holds up to Size connections, each in the slot its ports choose
// (a newer one replaces an older one of the same slot), with a value of
// type V for each. The zero Cache is empty.
type Cache[V comparable] struct {
	e [Size]entry[V]
}

type entry[V comparable] struct {
	a, b netip.AddrPort
	v    V
	full bool
}

// slot returns the entry for the connection between x and y, whichever
// way round.
func slot(x, y netip.AddrPort) int { return int(x.Port()^y.Port()) % Size }

// Get returns the connection between x and y (its endpoints as they were
// put, and its value) when its slot holds it.
func (c *Cache[V]) Get(x, y netip.AddrPort) (a, b netip.AddrPort, v V, ok bool) {
	e := &c.e[slot(x, y)]
	if e.full && (e.a == x && e.b == y || e.a == y && e.b == x) {
		return e.a, e.b, e.v, true
	}
	return a, b, v, false
}

// Put keeps the connection between a and b, with value v, in its slot.
func (c *Cache[V]) Put(a, b netip.AddrPort, v V) {
	c.e[slot(a, b)] = entry[V]{a: a, b: b, v: v, full: true}
}

// Forget empties the slot of the connection between a and b if it holds
// value v.
func (c *Cache[V]) Forget(a, b netip.AddrPort, v V) {
	if e := &c.e[slot(a, b)]; e.full && e.v == v {
		*e = entry[V]{}
	}
}
