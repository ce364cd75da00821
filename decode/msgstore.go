package decode

import "slices"

// msgBlock is the number of messages per block of a msgStore.
const msgBlock = 1024

// msgStore holds the messages in the order they are emitted, in blocks of
// msgBlock: appending never moves a message (a Message is some 300 bytes
// with pointers, and growing one slice copied each of them about twice and
// made the garbage collector scan the copies), and a pointer to a message
// stays valid.
type msgStore struct {
	blocks [][]Message
	n      int
}

func (s *msgStore) len() int { return s.n }

// add appends m and returns its index.
func (s *msgStore) add(m Message) int {
	if s.n%msgBlock == 0 {
		s.blocks = append(s.blocks, make([]Message, 0, msgBlock))
	}
	b := &s.blocks[len(s.blocks)-1]
	*b = append(*b, m)
	s.n++
	return s.n - 1
}

// at returns the message at index i.
func (s *msgStore) at(i int) *Message { return &s.blocks[i/msgBlock][i%msgBlock] }

// appendSorted appends the messages to out ordered by capture, then frame,
// stable (the order of emission among equals), with Parent indices mapped
// to their new positions in out, and empties the store.
func (s *msgStore) appendSorted(out []Message) []Message {
	type key struct{ capture, frame, idx int32 }
	keys := make([]key, s.n)
	for i := range keys {
		m := s.at(i)
		keys[i] = key{int32(m.Capture), int32(m.Frame), int32(i)}
	}
	cmp := func(a, b key) int {
		if a.capture != b.capture {
			return int(a.capture - b.capture)
		}
		return int(a.frame - b.frame)
	}
	// Most messages come in order: sorting a copy of 12-byte keys is much
	// cheaper than sorting messages or indices into them.
	if !slices.IsSortedFunc(keys, cmp) {
		slices.SortStableFunc(keys, cmp)
	}
	base := len(out)
	newPos := make([]int32, s.n)
	for to, k := range keys {
		newPos[k.idx] = int32(base + to)
	}
	if out == nil {
		out = make([]Message, 0, s.n) // never nil, even when empty
	}
	out = slices.Grow(out, s.n)
	for _, k := range keys {
		m := *s.at(int(k.idx))
		if m.Parent >= 0 {
			m.Parent = int(newPos[m.Parent])
		}
		out = append(out, m)
	}
	*s = msgStore{}
	return out
}
