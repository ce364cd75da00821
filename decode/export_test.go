package decode

import (
	"io"
	"reflect"

	"github.com/kerbtrace/kerbtrace/decode/capture"
)

// Bounds, for the tests of package decode_test.
const (
	MaxKerberosRecord = maxKerberosRecord
	MaxHTTPHead       = maxHTTPHead
	MaxSMB2Message    = maxSMB2Message
	MaxTrackedConns   = maxTrackedConns
)

// State is what the bounds limit, measured between two handler calls.
type State struct {
	Conns    int // connections tracked
	Buffered int // bytes held by the stream buffers of all directions (capacity)
}

// SetMaxConns lowers maxTrackedConns for d.
func SetMaxConns(d *Dissector, n int) { d.maxConns = n }

// probed wraps a Dissector and calls check after every handler call.
type probed struct {
	*Dissector
	check func(State)
}

func (p probed) UDP(g *capture.Datagram) { p.Dissector.UDP(g); p.check(p.state()) }
func (p probed) TCP(s *capture.Segment)  { p.Dissector.TCP(s); p.check(p.state()) }
func (p probed) Stream(c *capture.Chunk) { p.Dissector.Stream(c); p.check(p.state()) }

func (p probed) state() State {
	st := State{Conns: len(p.conns)}
	for _, cs := range p.conns {
		for _, ds := range cs.dirs {
			st.Buffered += cap(ds.buf.data)
		}
	}
	return st
}

// AddProbed is Add, calling check with the state after every handler call.
func (d *Dissector) AddProbed(file string, r io.Reader, check func(State)) error {
	return d.add(file, r, probed{d, check})
}

// SameResult reports whether a and b hold the same captures, connections,
// anomalies and messages, however each keeps its messages.
func SameResult(a, b *Result) bool {
	return reflect.DeepEqual(a.Captures, b.Captures) && reflect.DeepEqual(a.Conns, b.Conns) &&
		reflect.DeepEqual(a.Anomalies, b.Anomalies) && reflect.DeepEqual(a.All(), b.All())
}
