package flow

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/kerbtrace/kerbtrace/decode"
)

// clientKey names one client address in one capture.
type clientKey struct {
	capture int
	client  netip.Addr
}

// lookupIndex holds the transactions grouped by client, each group in
// capture order, so that a flow's lookups scan only its own client's
// transactions instead of every transaction of the input.
type lookupIndex struct {
	dnsBy    map[clientKey][]int        // indices into a.dns
	kdcBy    map[clientKey][]*kdcTx     // in a.kdc order
	tcpSeen  map[tcpDir]bool            // (capture, src, dst) of every TCP message; built on first use
	connBy   map[connKey][]*decode.Conn // connections by capture, client and server, in a.in.Conns order
	flowBy   map[clientKey]flowChain    // flows by capture and client, for the first len(flowNext) flows
	flowNext []int32                    // the next flow of the same capture and client, or -1
	connFlow map[tcpDir]int             // first flow with a TCP message in either direction; built by flowOfConn
	// last is the client dnsOf or kdcOf looked up last, with both its
	// groups: a flow asks for its client's exchanges again and again, and
	// comparing the key costs less than hashing it.
	last clientGroups
}

// clientGroups is a client's entries of dnsBy and kdcBy.
type clientGroups struct {
	key clientKey
	ok  bool // key is set
	dns []int
	kdc []*kdcTx
}

// connKey names a TCP connection's endpoints in one capture.
type connKey struct {
	capture        int
	client, server netip.AddrPort
}

// tcpDir is one direction of a TCP connection in one capture.
type tcpDir struct {
	capture  int
	src, dst netip.AddrPort
}

// buildDNSIndex groups the DNS transactions by client; call it after
// pairDNS. It touches nothing buildIndex does, so that the two can run at
// once (newAnalyzer).
func (a *analyzer) buildDNSIndex() {
	a.idx.dnsBy = groupBy(len(a.dns), func(i int) clientKey {
		t := &a.dns[i]
		return clientKey{int(t.capture), a.txClients[t.client]}
	}, func(i, _ int) int { return i })
}

// buildIndex fills the rest of the lookup index; call it after the
// pairing of the KDC exchanges.
func (a *analyzer) buildIndex() {
	x := &a.idx
	x.kdcBy = groupBy(len(a.kdc), func(i int) clientKey {
		t := a.kdc[i]
		return clientKey{a.in.Capture(t.req), t.client.Addr()}
	}, func(i, pos int) *kdcTx {
		a.kdc[i].pos = int32(pos)
		return a.kdc[i]
	})
	x.last = clientGroups{} // groupsOf's entry, of the maps just built
	// Most connections are a group of their own (a client port each):
	// appending costs less there than grouping.
	x.connBy = make(map[connKey][]*decode.Conn)
	for i := range a.in.Conns {
		c := &a.in.Conns[i]
		k := connKey{c.Capture, c.Client, c.Server}
		x.connBy[k] = append(x.connBy[k], c)
	}
}

// groupBy groups the items 0 to n-1 by key(i), each group in item order,
// as val(i, its position in the group) gives them. The groups share one
// backing array (capacity-bound, so that appending to one copies it),
// where appending item by item grew every group on its own: with tens of
// DNS lookups and KDC exchanges a client, that was a fifth of the
// analysis's allocations.
func groupBy[K comparable, V any](n int, key func(i int) K, val func(i, pos int) V) map[K][]V {
	ids := make([]int32, n) // group of item i
	index := make(map[K]int32)
	var count []int32
	for i := range n {
		k := key(i)
		g, ok := index[k]
		if !ok {
			g = int32(len(count))
			index[k] = g
			count = append(count, 0)
		}
		ids[i] = g
		count[g]++
	}
	start := make([]int32, len(count)+1)
	for g, c := range count {
		start[g+1] = start[g] + c
	}
	flat := make([]V, n)
	next := count // the counts are used up: where each group's next item goes
	copy(next, start)
	for i, g := range ids {
		flat[next[g]] = val(i, int(next[g]-start[g]))
		next[g]++
	}
	out := make(map[K][]V, len(index))
	for k, g := range index {
		out[k] = flat[start[g]:start[g+1]:start[g+1]]
	}
	return out
}

// dnsOf returns the DNS transactions of client in capture, in capture order.
func (a *analyzer) dnsOf(capture int, client netip.Addr) []int {
	return a.groupsOf(capture, client).dns
}

// groupsOf returns the lookup index's last entry, made the client's
// groups of DNS and KDC exchanges. dnsBy and kdcBy are not changed once
// built (buildIndex), so the entry stays right.
func (a *analyzer) groupsOf(capture int, client netip.Addr) *clientGroups {
	x, k := &a.idx, clientKey{capture, client}
	if !x.last.ok || x.last.key != k {
		x.last.key, x.last.ok, x.last.dns, x.last.kdc = k, true, x.dnsBy[k], x.kdcBy[k]
	}
	return &x.last
}

// kdcOf returns the KDC exchanges of client in capture, in capture order.
func (a *analyzer) kdcOf(capture int, client netip.Addr) []*kdcTx {
	return a.groupsOf(capture, client).kdc
}

// kdcWithin returns the KDC exchanges of client in capture requested after
// frame since and not after frame end (0: no end), in capture order. A
// busy client makes many flows: each looks at its own stretch of the
// client's exchanges, found by binary search, not at all of them.
func (a *analyzer) kdcWithin(capture int, client netip.Addr, since, end int) []*kdcTx {
	g := a.kdcOf(capture, client)
	lo, _ := slices.BinarySearchFunc(g, since+1, func(t *kdcTx, f int) int { return cmp.Compare(t.frame, f) })
	hi := len(g)
	if end > 0 {
		hi, _ = slices.BinarySearchFunc(g, end+1, func(t *kdcTx, f int) int { return cmp.Compare(t.frame, f) })
	}
	if lo >= hi {
		return nil
	}
	return g[lo:hi]
}

// dnsWithin returns the DNS transactions of client in capture whose query
// came after frame since and not after frame before (0: no end), in
// capture order.
func (a *analyzer) dnsWithin(capture int, client netip.Addr, since, before int) []int {
	g := a.dnsOf(capture, client)
	lo, _ := slices.BinarySearchFunc(g, since+1, func(i, f int) int { return cmp.Compare(int(a.dns[i].qframe), f) })
	hi := len(g)
	if before > 0 {
		hi, _ = slices.BinarySearchFunc(g, before+1, func(i, f int) int { return cmp.Compare(int(a.dns[i].qframe), f) })
	}
	if lo >= hi {
		return nil
	}
	return g[lo:hi]
}

// kdcAfter returns the KDC exchanges of the same capture and client address
// that come after a.kdc[i], in order.
func (a *analyzer) kdcAfter(i int) []*kdcTx {
	t := a.kdc[i]
	g := a.kdcOf(a.in.Capture(t.req), t.client.Addr())
	return g[t.pos+1:]
}

// tcpSent reports whether a TCP message went from src to dst in capture.
func (a *analyzer) tcpSent(capture int, src, dst netip.AddrPort) bool {
	if a.idx.tcpSeen == nil {
		a.idx.tcpSeen = make(map[tcpDir]bool)
		for i := range a.in.Len() {
			m := a.msg(i)
			if m.Transport == decode.TransportTCP {
				a.idx.tcpSeen[tcpDir{m.Capture, m.Src, m.Dst}] = true
			}
		}
	}
	return a.idx.tcpSeen[tcpDir{capture, src, dst}]
}

// flowChain is where a client's flows start and end in lookupIndex.flowNext.
type flowChain struct{ first, last int32 }

// firstFlowOf returns the first flow of client in capture, or -1; the
// next ones follow through a.idx.flowNext. Flows are only appended during
// the analysis and never change capture or client, so the index catches
// up with the new ones on each call. A chain through the flows, not a list
// for each client: at 20,000 clients those lists and their map were 4 MB of
// garbage late in the analysis.
func (a *analyzer) firstFlowOf(capture int, client netip.Addr) int {
	x := &a.idx
	if x.flowBy == nil {
		x.flowBy = make(map[clientKey]flowChain)
	}
	for i := len(x.flowNext); i < len(a.res.Flows); i++ {
		f := &a.res.Flows[i]
		k := clientKey{f.Capture, f.Client}
		x.flowNext = append(x.flowNext, -1)
		if c, ok := x.flowBy[k]; ok {
			x.flowNext[c.last] = int32(i)
			x.flowBy[k] = flowChain{c.first, int32(i)}
		} else {
			x.flowBy[k] = flowChain{int32(i), int32(i)}
		}
	}
	if c, ok := x.flowBy[clientKey{capture, client}]; ok {
		return int(c.first)
	}
	return -1
}
