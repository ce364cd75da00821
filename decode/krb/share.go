package krb

import (
	"slices"
	"unsafe"
)

// The lists of a decoded message are never changed once decoded, and most
// repeat from message to message: every AS-REQ and KRB-ERROR names
// krbtgt/REALM, a client names itself and offers the same etypes in every
// request. A repeat shares the list of the message before it rather than
// take a copy of its own: a big capture has hundreds of thousands of them.
// The caches are small and direct-mapped: a list that is not found is
// copied, as before, and takes the slot.

// shareSlots is the number of lists each cache keeps.
const shareSlots = 64

// nameCache keeps recent name-string lists. Their components come from
// the intern table, so a repeat has components at the same addresses:
// those are what the slot is chosen by (a list of strings equal but not
// interned only misses).
type nameCache [shareSlots][]string

// share returns a list equal to out, a buffer of the caller's: the list
// kept in out's slot when it is equal, else a copy, which takes the slot.
func (c *nameCache) share(out []string) []string {
	if len(out) == 0 {
		return nil
	}
	h := uint64(len(out))
	for _, s := range out {
		h = (h ^ uint64(uintptr(unsafe.Pointer(unsafe.StringData(s))))) * 0x100000001b3
		h = (h ^ uint64(len(s))) * 0x100000001b3
	}
	slot := &c[mix(h)]
	if !slices.Equal(*slot, out) {
		*slot = exact(out)
	}
	return *slot
}

// etypeCache keeps recent etype lists.
type etypeCache [shareSlots][]Etype

// share is nameCache.share for etypes.
func (c *etypeCache) share(out []Etype) []Etype {
	if len(out) == 0 {
		return nil
	}
	h := uint64(len(out))
	for _, e := range out {
		h = (h ^ uint64(uint32(e))) * 0x100000001b3
	}
	slot := &c[mix(h)]
	if !slices.Equal(*slot, out) {
		*slot = exact(out)
	}
	return *slot
}

// mix spreads the bits of h over a slot index.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h % shareSlots
}
