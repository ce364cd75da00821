package decode

import "github.com/kerbtrace/kerbtrace/decode/capture"

// skipFast drops, straight from a chunk and without buffering them, the
// bytes the direction is skipping: the rest of a record nothing decodes
// (dirState.skipLeft) or of an HTTP body, whose frames still join its
// message. It returns the data and spans left. It does nothing unless the
// direction's buffer is empty, so that bytes are always taken in order.
func (d *Dissector) skipFast(cs *connState, ds *dirState, data []byte, spans []capture.Span) ([]byte, []capture.Span) {
	if len(data) == 0 || len(ds.buf.bytes()) > 0 || ds.dead || ds.afterGap {
		return data, spans
	}
	k := 0
	switch {
	case ds.skipLeft > 0:
		k = min(ds.skipLeft, len(data))
		ds.skipLeft -= k
	case cs.proto == protoHTTP && !ds.chunked && (ds.bodyLeft > 0 || ds.untilClose):
		k = len(data)
		if !ds.untilClose {
			k = int(min(ds.bodyLeft, int64(len(data))))
			ds.bodyLeft -= int64(k)
		}
		if ds.pendEnd > ds.pendStart {
			d.bodyFrames(ds, spans, k)
		}
		if !ds.untilClose && ds.bodyLeft == 0 {
			d.finishHTTP(cs, ds)
		}
	default:
		return data, spans
	}
	if k == 0 {
		return data, spans
	}
	return data[k:], d.cutSpans(spans, k)
}

// bodyFrames notes the frames of the first n bytes of a chunk with spans
// as frames of the HTTP message whose body they are (as skipBody does for
// buffered bytes).
func (d *Dissector) bodyFrames(ds *dirState, spans []capture.Span, n int) {
	start := len(ds.pendFrames)
	for _, s := range spans {
		if s.Off >= n || s.Frame == 0 {
			continue
		}
		ds.pendFrames = append(ds.pendFrames, s.Frame)
		if s.Frame > ds.pendLast {
			ds.pendLast, ds.pendLastTime = s.Frame, s.Time
		}
	}
	added := ds.pendFrames[start:]
	sortUniq(&added)
	ds.pendFrames = ds.pendFrames[:start+len(added)]
}

// cutSpans returns spans without the first n bytes, offsets from the new
// start, in a buffer of the Dissector (the chunk's own spans are not
// modified).
func (d *Dissector) cutSpans(spans []capture.Span, n int) []capture.Span {
	out := d.spanBuf[:0]
	for _, s := range spans {
		if s.Off+s.Len <= n {
			continue
		}
		if s.Off < n {
			s.Len -= n - s.Off
			s.Off = n
		}
		s.Off -= n
		out = append(out, s)
	}
	d.spanBuf = out
	return out
}

// SkipLast implements capture.Skipper: the rest of a record that the
// framing skips unbuffered (dirState.skipLeft, an SMB2 READ response say)
// is handed over to the reassembler, which drops it without Stream calls.
// It is handed over only when skipFast would drop it as it comes: nothing
// buffered, the direction alive and in step.
func (d *Dissector) SkipLast() int {
	ds := d.lastDir
	d.lastDir = nil
	if ds == nil || ds.skipLeft == 0 || len(ds.buf.bytes()) > 0 || ds.dead || ds.afterGap {
		return 0
	}
	n := ds.skipLeft
	ds.skipLeft = 0
	return n
}
