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
	type key struct{ capture, frame, idx int32 }
	at := t.at[base:]
	keys := make([]key, len(at))
	sorted := true
	for i := range at {
		c, f := t.entry(base + i).key()
		keys[i] = key{int32(c), int32(f), int32(i)}
		if i > 0 && (keys[i].capture < keys[i-1].capture ||
			keys[i].capture == keys[i-1].capture && keys[i].frame < keys[i-1].frame) {
			sorted = false
		}
	}
	if sorted {
		return
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		if a.capture != b.capture {
			return int(a.capture - b.capture)
		}
		return int(a.frame - b.frame)
	})
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
