package decode

import "github.com/kerbtrace/kerbtrace/decode/capture"

// SetSequential makes d decode every datagram in line (on) or lets it use
// the second goroutine when it can (off, the default).
func SetSequential(d *Dissector, on bool) { d.sequential = on }

// ParallelUDP reports whether Add decodes d's datagrams on a second
// goroutine.
func ParallelUDP(d *Dissector) bool { return d.parallelUDP() }

// SetInlineEvery makes Add, when it decodes datagrams on a second
// goroutine, decode those of every n-th handler call in line instead, as
// it does when the worker falls behind (0: only then).
func SetInlineEvery(d *Dissector, n int) { d.inlineEvery = n }

// SetUDPHook makes d call f first thing for every datagram, on whichever
// goroutine decodes it.
func SetUDPHook(d *Dissector, f func(*capture.Datagram)) { d.udpHook = f }
