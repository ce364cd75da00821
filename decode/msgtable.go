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
		all[k].addrIx = nil
	}
	*s = msgStore{}
	base, n := len(t.at), 0
	for k := range all {
		n += all[k].n
	}
	t.at = slices.Grow(t.at, n)[:base+n]
	at := t.at[base:]
	// pos[k][j] is where entry j of store k goes, counted from base.
	pos := make([][]int32, len(all))
	for k := range all {
		pos[k] = make([]int32, all[k].n)
	}
	// The main store against the sides, taken one after another (a side
	// per capture, in capture order); the main store first on ties.
	i, si, sj := 0, 1, 0
	for q := range at {
		for si < len(all) && sj == all[si].n {
			si, sj = si+1, 0
		}
		if si == len(all) || i < all[0].n && !entryBefore(all[si].entry(sj), all[0].entry(i)) {
			pos[0][i] = int32(q)
			at[q] = msgRef{uint32(len(t.stores)), uint32(i)}
			i++
			continue
		}
		pos[si][sj] = int32(q)
		at[q] = msgRef{uint32(len(t.stores) + si), uint32(sj)}
		sj++
	}
	for k := range all {
		for j := range all[k].n {
			if e := all[k].entry(j); e.parentIdx() >= 0 {
				e.setParent(base + int(pos[k][e.parentIdx()]))
			}
		}
	}
	t.stores = append(t.stores, all...)
	t.sortFrom(base)
}

// sortFrom sorts the messages from index base on by capture then frame,
// stable, and maps the Parent indices that point among them.
func (t *msgTable) sortFrom(base int) {
	at := t.at[base:]
	keys := make([]orderKey, len(at))
	sorted := true
	for i := range at {
		c, f := t.entry(base + i).key()
		keys[i] = orderKey{int32(c), int32(f), int32(i)}
		if i > 0 && keys[i].before(keys[i-1]) {
			sorted = false
		}
	}
	if sorted {
		return
	}
	sortNearlySorted(keys)
	// dest[i] is where the message now at base+i goes.
	dest := make([]int32, len(at))
	for to, k := range keys {
		dest[k.idx] = int32(to)
	}
	moved := make([]msgRef, len(at))
	for i, r := range at {
		moved[dest[i]] = r
	}
	copy(at, moved)
	for i := range at {
		if e := t.entry(base + i); e.parentIdx() >= base {
			e.setParent(base + int(dest[e.parentIdx()-base]))
		}
	}
}

// orderKey is the place of message idx in capture order.
type orderKey struct{ capture, frame, idx int32 }

// before reports whether k comes before l in capture order.
func (k orderKey) before(l orderKey) bool {
	return k.capture < l.capture || k.capture == l.capture && k.frame < l.frame
}

// sortNearlySorted sorts keys into capture order, stable. The messages of
// a capture come nearly in order: the datagrams and segments as they are
// read, a message of a TCP stream when its bytes are complete, after the
// datagrams of a few later frames (4 to 7 out of place among 215,000
// messages at 5,000 flows). So the keys that come before the largest key
// kept so far are taken out, sorted, and merged back with the kept ones,
// which are in order: two passes and a sort of the few, where sorting all
// of them took 3 to 15 ms between reading and the analysis.
//
// It is stable: a key taken out is below a key kept before it, so every
// kept key equal to it was kept before it too, and the merge puts the
// kept ones first among equals.
func sortNearlySorted(keys []orderKey) {
	kept := 0
	var late []orderKey
	for _, k := range keys {
		if kept > 0 && k.before(keys[kept-1]) {
			late = append(late, k)
			continue
		}
		keys[kept] = k
		kept++
	}
	if len(late) == 0 {
		return
	}
	slices.SortStableFunc(late, func(a, b orderKey) int {
		switch {
		case a.before(b):
			return -1
		case b.before(a):
			return 1
		}
		return 0
	})
	// Merge from the end, where the taken keys left room: the largest
	// first, a taken key before a kept one it equals (it came after it).
	i, j := kept-1, len(late)-1
	for to := len(keys) - 1; j >= 0; to-- {
		if i >= 0 && late[j].before(keys[i]) {
			keys[to] = keys[i]
			i--
		} else {
			keys[to] = late[j]
			j--
		}
	}
}
