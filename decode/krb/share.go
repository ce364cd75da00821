package krb

import (
	"slices"

	"github.com/kerbtrace/kerbtrace/decode/internal/intern"
)

// The lists of a decoded message are never changed once decoded, and most
// repeat from message to message: every AS-REQ and KRB-ERROR names
// krbtgt/REALM, a client names itself and offers the same etypes and
// padata in every request, a KDC asks each client for pre-authentication
// with the same METHOD-DATA. A repeat shares the list of the message
// before it rather than take a copy of its own: a big capture has hundreds
// of thousands of them. The caches are small and direct-mapped: a list
// that is not found is copied, as before, and takes the slot.

// shareSlots is the number of lists a cache keeps.
const shareSlots = 64

// listCache keeps recent lists of one type.
type listCache[T comparable] [shareSlots][]T

// share returns a list equal to out, a buffer of the caller's, whose hash
// is h: the list kept in h's slot when it is equal, else a copy, which
// takes the slot.
func (c *listCache[T]) share(out []T, h uint64) []T {
	if len(out) == 0 {
		return nil
	}
	slot := &c[mix(h)]
	if !slices.Equal(*slot, out) {
		*slot = exact(out)
	}
	return *slot
}

// The hashes of lists. Strings are hashed by their bytes (intern.Hash),
// not by their addresses, though interned repeats share one: addresses
// change from run to run, and with them which lists took one slot. Two
// lists of one message that did (in about one process in 30, for the
// lab's AS-REQ or TGS-REQ) evicted each other, and were copied afresh in
// every message.

func hashStrings(out []string) uint64 {
	h := uint64(len(out))
	for _, s := range out {
		h = hashStep(h, intern.Hash(s))
	}
	return h
}

func hashInts[T ~int32](out []T) uint64 {
	h := uint64(len(out))
	for _, v := range out {
		h = hashStep(h, uint64(uint32(v)))
	}
	return h
}

func hashETypeInfo(out []ETypeInfo) uint64 {
	h := uint64(len(out))
	for _, e := range out {
		h = hashStep(hashStep(h, uint64(uint32(e.Etype))), intern.Hash(e.Salt))
	}
	return h
}

// hashStep mixes v into h (FNV-1a's multiply, a word at a time).
func hashStep(h, v uint64) uint64 { return (h ^ v) * 0x100000001b3 }

// mix spreads the bits of h over a slot index.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h % shareSlots
}

// valueCache keeps recent values of one type (tickets, e-data), which
// messages share like lists.
type valueCache[T any] [shareSlots]*T

// share returns a kept value equal to v (the decoder's own, whose hash is
// h) by same, else a copy of v, which takes h's slot.
func (c *valueCache[T]) share(v *T, h uint64, same func(a, b *T) bool) *T {
	slot := &c[mix(h)]
	if k := *slot; k == nil || !same(k, v) {
		cp := *v
		*slot = &cp
	}
	return *slot
}

// hashTicket hashes the clear part of a ticket: realm, name, the
// enc-part's etype, kvno and length.
func hashTicket(t *Ticket) uint64 {
	return hashStep(hashStep(hashStep(hashStrings(t.SName.Components), intern.Hash(t.Realm)),
		uint64(uint32(t.Etype))<<32|uint64(uint32(t.Kvno))), uint64(t.CipherLen))
}

// sameTicket reports whether a and b hold the same values.
func sameTicket(a, b *Ticket) bool {
	return a.TktVNO == b.TktVNO && a.Realm == b.Realm && a.SName.NameType == b.SName.NameType &&
		slices.Equal(a.SName.Components, b.SName.Components) && a.Etype == b.Etype && a.Kvno == b.Kvno && a.CipherLen == b.CipherLen
}

// hashEData hashes an e-data's lists and codes.
func hashEData(ed *EData) uint64 {
	return hashStep(hashStep(hashStep(hashInts(ed.MethodData), hashETypeInfo(ed.ETypeInfo2)), hashInts(ed.TypedData)),
		uint64(uint32(ed.NTStatus))<<32|uint64(uint32(ed.KerbErrType)))
}

// sameEData reports whether a and b hold the same values.
func sameEData(a, b *EData) bool {
	return slices.Equal(a.MethodData, b.MethodData) && slices.Equal(a.ETypeInfo2, b.ETypeInfo2) && slices.Equal(a.TypedData, b.TypedData) &&
		a.NTStatus == b.NTStatus && a.HasNTStatus == b.HasNTStatus && a.KerbErrType == b.KerbErrType
}
