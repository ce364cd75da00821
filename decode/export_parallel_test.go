package decode

// SetSequential makes d decode every datagram in line (on) or lets it use
// the second goroutine when it can (off, the default).
func SetSequential(d *Dissector, on bool) { d.sequential = on }

// ParallelUDP reports whether Add decodes d's datagrams on a second
// goroutine.
func ParallelUDP(d *Dissector) bool { return d.parallelUDP() }
