package decode

import (
	"net/netip"
	"slices"
)

// msgTable holds the messages of a Result in order. A decoded result keeps
// them where decoding put them, in the compact entries of its stores (a
// store per goroutine and capture), and at[i] says where message i is:
// merging the stores into capture order moves 8-byte references, not
// messages, and no message exists in full form but while it is read
// (Result.Message). A hand-built result (SetMessages) holds a plain list.
type msgTable struct {
	list   []Message  // a hand-built table; nil for a decoded one
	stores []msgStore // the stores of a decoded table, never moved once in
	at     []msgRef   // message i is entry at[i].idx of stores[at[i].store]
}

// msgRef is where a message of a decoded table is.
type msgRef struct{ store, idx uint32 }

func (t *msgTable) len() int {
	if t.list != nil {
		return len(t.list)
	}
	return len(t.at)
}

// entry returns the entry of message i of a decoded table.
func (t *msgTable) entry(i int) *msgEntry {
	r := t.at[i]
	return t.stores[r.store].entry(int(r.idx))
}

// find returns where message i is, with one look at its entry: the entry
// of a decoded table (m nil), or the message itself when the table holds
// it whole, hand-built or not fitting an entry (e nil).
func (t *msgTable) find(i int) (e *msgEntry, m *Message) {
	if t.list != nil {
		return nil, &t.list[i]
	}
	e = t.entry(i)
	if m = e.whole(); m != nil {
		return nil, m
	}
	return e, nil
}

// addrs returns the addresses of message i.
func (t *msgTable) addrs(i int) (src, dst netip.AddrPort) {
	if t.list != nil {
		return t.list[i].Src, t.list[i].Dst
	}
	r := t.at[i]
	s := &t.stores[r.store]
	e := s.entry(int(r.idx))
	if m := e.whole(); m != nil {
		return m.Src, m.Dst
	}
	return netip.AddrPortFrom(s.addrs[e.src], e.srcPort), netip.AddrPortFrom(s.addrs[e.dst], e.dstPort)
}

// message returns message i.
func (t *msgTable) message(i int) Message {
	if t.list != nil {
		return t.list[i]
	}
	r := t.at[i]
	s := &t.stores[r.store]
	var m Message
	s.expand(s.entry(int(r.idx)), &m)
	return m
}

// messageHead returns message i without its Body.
func (t *msgTable) messageHead(i int) Message {
	e, m := t.find(i)
	if e == nil {
		h := *m
		h.Body = nil
		return h
	}
	var h Message
	t.stores[t.at[i].store].expandHead(e, &h)
	return h
}

// appendMerged appends the messages of s and sides to the table ordered by
// capture, then frame, stable (the order of emission among equals), with
// Parent indices (counted from 0 in each store) mapped to their positions
// in the table, and takes the stores over (s is left empty). The stores are
// merged by capture and frame first, each keeping its order; which of two
// messages with the same capture and frame comes first is the only thing
// the merge could change, and such messages are always of the same store
// (a frame carries a datagram or a TCP segment, never both): the result is
// that of sorting all messages for any interleaving, and the merge leaves
// little to sort.
func (t *msgTable) appendMerged(s *msgStore, sides []msgStore) {
	all := append([]msgStore{*s}, sides...)
	for k := range all {
		// Only adding to a store looks addresses up; a message put back
		// later (put) may add its addresses again.
		all[k].addr4, all[k].addrIx = nil, nil
	}
	*s = msgStore{}
	base, n := len(t.at), 0
	for k := range all {
		n += all[k].n
	}
	t.at = slices.Grow(t.at, n)[:base+n]
	at := t.at[base:]
	first := uint32(len(t.stores)) // the store number of all[0]
	// The main store against the sides, taken one after another (a side
	// per capture, in capture order); the main store first on ties.
	i, si, sj := 0, 1, 0
	for q := range at {
		for si < len(all) && sj == all[si].n {
			si, sj = si+1, 0
		}
		if si == len(all) || i < all[0].n && !entryBefore(all[si].entry(sj), all[0].entry(i)) {
			at[q] = msgRef{first, uint32(i)}
			i++
			continue
		}
		at[q] = msgRef{first + uint32(si), uint32(sj)}
		sj++
	}
	t.stores = append(t.stores, all...)
	// The merge is in order but for a few messages (sortNearlySorted): the
	// references are sorted where they are, the key of each read from its
	// entry. A list of the keys, the place each goes and a copy of the
	// references took 20 MB of fresh memory at 20,000 flows, and, with the
	// positions of entries no Parent points at, the merge took 69-95 ms
	// with the other core idle (25-29 ms now, in a run that follows one
	// that freed 600 MB, as the bench's follow tshark).
	sortNearlySorted(at, func(r msgRef) orderKey {
		c, f := t.stores[r.store].entry(int(r.idx)).key()
		return orderKey{capture: int32(c), frame: int32(f)}
	})
	// pos[k][j] is where entry j of store k is, counted from base, for
	// the stores whose Parent indices (counted from 0 in each store) must
	// become positions in the table.
	pos := make([][]int32, len(all))
	for k := range all {
		if all[k].parents {
			pos[k] = make([]int32, all[k].n)
		}
	}
	for q, r := range at {
		if p := pos[r.store-first]; p != nil {
			p[r.idx] = int32(q)
		}
	}
	for k := range all {
		if pos[k] == nil {
			continue
		}
		for j := range all[k].n {
			if e := all[k].entry(j); e.parentIdx() >= 0 {
				e.setParent(base + int(pos[k][e.parentIdx()]))
			}
		}
	}
}

// orderKey is the place of a message in capture order.
type orderKey struct{ capture, frame int32 }

// before reports whether k comes before l in capture order.
func (k orderKey) before(l orderKey) bool {
	return k.capture < l.capture || k.capture == l.capture && k.frame < l.frame
}

// sortNearlySorted sorts xs into capture order by key, stable. The
// messages of a capture come nearly in order: the datagrams and segments
// as they are read, a message of a TCP stream when its bytes are complete,
// after the datagrams of a few later frames (4 to 7 out of place among
// 215,000 messages at 5,000 flows). So the items that come before the
// largest kept so far are taken out, sorted, and merged back with the kept
// ones, which are in order: two passes and a sort of the few, where sorting
// all of them took 3 to 15 ms between reading and the analysis.
//
// It is stable: an item taken out is below an item kept before it, so
// every kept item equal to it was kept before it too, and the merge puts
// the kept ones first among equals. key is called once for every item and
// again for the kept ones the merge passes.
func sortNearlySorted[T any](xs []T, key func(T) orderKey) {
	type taken struct {
		k orderKey
		x T
	}
	kept := 0
	var last orderKey
	var late []taken
	for _, x := range xs {
		k := key(x)
		if kept > 0 && k.before(last) {
			late = append(late, taken{k, x})
			continue
		}
		xs[kept] = x
		kept++
		last = k
	}
	if len(late) == 0 {
		return
	}
	slices.SortStableFunc(late, func(a, b taken) int {
		switch {
		case a.k.before(b.k):
			return -1
		case b.k.before(a.k):
			return 1
		}
		return 0
	})
	// Merge from the end, where the taken items left room: the largest
	// first, a taken item before a kept one it equals (it came after it).
	i, j := kept-1, len(late)-1
	for to := len(xs) - 1; j >= 0; to-- {
		if i >= 0 && late[j].k.before(key(xs[i])) {
			xs[to] = xs[i]
			i--
		} else {
			xs[to] = late[j].x
			j--
		}
	}
}
