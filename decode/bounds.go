package decode

import (
	"fmt"
	"slices"

	"github.com/kerbtrace/kerbtrace/decode/capture"
)

// maxTrackedConns bounds the TCP connections the dissector keeps state for
// in one capture (about 1 KiB each with their stream state, some 128 MiB
// in all). The state of a connection is otherwise kept to the end of the
// capture, so that its handshake, resets and gaps can be reported. When the
// bound is reached, the half least recently active are retired as if the
// capture ended for them (what their buffers hold is decoded, their record
// joins the result), with a warning in the capture's Info naming the frame
// where it first happened and, at the end, how many were retired. A later
// packet of a retired connection starts a new record, seen mid-stream.
const maxTrackedConns = 1 << 17

func (d *Dissector) connLimit() int {
	if d.maxConns > 0 {
		return d.maxConns
	}
	return maxTrackedConns
}

// evictConns retires the half of the tracked connections least recently
// active (by the last frame seen), oldest first, at frame.
func (d *Dissector) evictConns(frame int) {
	if d.evicted == 0 {
		d.warnings = append(d.warnings, capture.Warning{Frame: frame, Offset: -1, Msg: fmt.Sprintf(
			"more than %d TCP connections: from here on the least recently active are retired early to bound memory", d.connLimit())})
	}
	all := make([]connKey, 0, len(d.conns))
	for k := range d.conns {
		all = append(all, k)
	}
	slices.SortFunc(all, func(a, b connKey) int {
		ca, cb := d.conns[a], d.conns[b]
		if ca.last != cb.last {
			return ca.last - cb.last
		}
		return ca.conn.FirstFrame - cb.conn.FirstFrame
	})
	for _, k := range all[:len(all)/2+1] {
		d.retire(k, d.conns[k])
		d.evicted++
	}
}

// evictionSummary adds the count of retired connections to the warnings.
func (d *Dissector) evictionSummary() {
	if d.evicted > 0 {
		d.warnings = append(d.warnings, capture.Warning{Offset: -1, Msg: fmt.Sprintf(
			"%d TCP connections were retired early to keep at most %d", d.evicted, d.connLimit())})
	}
}
