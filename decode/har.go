package decode

import (
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/capture"
	"github.com/kerbtrace/kerbtrace/decode/har"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
)

// FormatHAR is the Format of a capture read from an HTTP Archive.
const FormatHAR capture.Format = "har"

// AddHAR reads an HTTP Archive (HAR 1.2) from r, named file in messages
// and warnings, as one more capture of Format "har". Entry N becomes frame
// N: an http_request at its startedDateTime and, when the entry has a
// response, an http_response at startedDateTime plus its time; the tokens
// of their authentication headers are decoded as for a capture. The client
// is a documentation address (see package har), the server the entry's
// serverIPAddress and URL port (invalid when the HAR omits the address).
// It returns an error only when nothing of the log could be read.
func (d *Dissector) AddHAR(file string, r io.Reader) error {
	l, err := har.Decode(r)
	if l == nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	d.capIdx = len(d.res.Captures)
	d.file = file
	info := capture.Info{Format: FormatHAR, Packets: len(l.Entries)}
	clients := l.ClientPorts()
	for i := range l.Entries {
		e := &l.Entries[i]
		d.harEntry(e, clients[i], &info)
	}
	if l.Dropped > 0 {
		info.Warnings = append(info.Warnings, capture.Warning{Offset: -1,
			Msg: fmt.Sprintf("%d entries beyond the first %d not read", l.Dropped, har.MaxEntries)})
	}
	if err != nil {
		info.Warnings = append(info.Warnings, capture.Warning{Frame: len(l.Entries) + 1, Offset: -1, Msg: err.Error()})
	}
	d.res.Captures = append(d.res.Captures, CaptureInfo{File: file, Info: info})
	return nil
}

// harEntry emits the request and the response of one entry.
func (d *Dissector) harEntry(e *har.Entry, client netip.AddrPort, info *capture.Info) {
	server := e.Server()
	if e.Err != "" || e.Truncated {
		msg := e.Err
		if e.Truncated {
			msg = "har: headers beyond the bounds dropped"
		}
		info.Warnings = append(info.Warnings, capture.Warning{Frame: e.Number, Offset: -1, Msg: msg})
	}
	d.harTime(e.Started, info)
	base := Message{Frame: e.Number, Frames: []int{e.Number}, Time: e.Started,
		Src: client, Dst: server, Transport: TransportTCP, Parent: -1}
	d.harHead(base, e.RequestHead())
	if head := e.ResponseHead(); head != nil {
		base.Src, base.Dst = server, client
		if !e.Started.IsZero() {
			base.Time = e.Started.Add(e.Time)
			d.harTime(base.Time, info)
		}
		d.harHead(base, head)
	}
}

// harHead decodes a synthesized head and emits it with its tokens.
func (d *Dissector) harHead(m Message, head []byte) {
	h, err := httpauth.ParseHead(head)
	if h == nil {
		d.anomaly(m.Frame, "http: %v", err)
		return
	}
	d.emitHead(m, h, err)
}

// harTime widens the capture's time span to t.
func (d *Dissector) harTime(t time.Time, info *capture.Info) {
	if t.IsZero() {
		return
	}
	if info.First.IsZero() || t.Before(info.First) {
		info.First = t
	}
	if t.After(info.Last) {
		info.Last = t
	}
}
