package report

// seqmerge.go finds the messages of a flow's steps. In one capture a step's
// frame numbers say it all; when several captures were merged into one
// timeline (a client and a server capture of the same problem) the same
// numbers occur in each file, so the steps carry Refs ("file#frame")
// beside them, in timeline order, each message's copy in the other capture
// right after it.

import (
	"path/filepath"
	"sort"
	"strings"
)

// stepEntry is one frame of one step.
type stepEntry struct {
	key  frameKey
	step int
	ref  string // "file#frame" in a merged timeline, else ""
	at   string // capture time of its message (merged timelines only)
}

// stepKeys lists the frames of step si with their captures.
func (b *seqBuilder) stepKeys(si int) []stepEntry {
	s := &b.f.Steps[si]
	out := make([]stepEntry, 0, len(s.Frames))
	withRefs := len(s.Refs) == len(s.Frames)
	for k, fr := range s.Frames {
		e := stepEntry{key: frameKey{b.f.Capture, fr}, step: si}
		if withRefs {
			e.ref = s.Refs[k]
			if c, ok := b.captureOf(s.Refs[k]); ok {
				e.key.capture = c
			}
		}
		out = append(out, e)
	}
	return out
}

// captureOf finds the capture a "file#frame" ref names.
func (b *seqBuilder) captureOf(ref string) (int, bool) {
	if b.files == nil {
		b.files = map[string]int{}
		for i := len(b.r.Captures) - 1; i >= 0; i-- {
			b.files[filepath.Base(b.r.Captures[i].File)] = i // the first of equal names wins
		}
	}
	i := strings.LastIndexByte(ref, '#')
	if i < 0 {
		return 0, false
	}
	c, ok := b.files[ref[:i]]
	return c, ok
}

// stepEntries lists every frame of the flow's steps once, in capture
// order: by frame number in one capture; by capture time in a merged
// timeline, a frame without a message (the TCP handshake) taking the time
// of the frame before it in its step list. The report keeps each capture's
// own clock, so messages only one capture saw are placed by that clock.
func (b *seqBuilder) stepEntries() []stepEntry {
	seen := map[frameKey]bool{}
	var out []stepEntry
	for si, s := range b.f.Steps {
		if len(s.Refs) > 0 && len(s.Refs) == len(s.Frames) {
			b.merged = true
		}
		for _, e := range b.stepKeys(si) {
			if !seen[e.key] {
				seen[e.key] = true
				out = append(out, e)
			}
		}
	}
	if !b.merged {
		sort.SliceStable(out, func(i, j int) bool { return out[i].key.frame < out[j].key.frame })
		return out
	}
	last := ""
	for i := range out {
		if t := b.timeAt(out[i].key); t != "" {
			last = t
		}
		out[i].at = last
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

// timeAt is the time of the first message at key, "" when none.
func (b *seqBuilder) timeAt(k frameKey) string {
	for _, l := range [][]int32{b.idx.outer.of(k), b.idx.inner.of(k)} {
		if len(l) > 0 {
			return b.fs.message(int(l[0])).Time
		}
	}
	return ""
}

// isAlias reports whether outer message mi at key is the other capture's
// copy of the message of arrow prev: the merge lists such copies right
// after the original, and they match in kind and addresses.
func (b *seqBuilder) isAlias(prev *Arrow, key frameKey, mi int) bool {
	if !b.merged || prev.key.capture == key.capture {
		return false
	}
	p := b.idx.outer.of(prev.key)
	if len(p) == 0 {
		return false
	}
	x, m := b.fs.message(int(p[0])), b.fs.message(mi)
	return x.Kind == m.Kind && x.Src == m.Src && x.Dst == m.Dst
}
