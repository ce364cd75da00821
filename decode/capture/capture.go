package capture

import (
	"fmt"
	"net/netip"
	"time"
)

// Format names a capture file format, detected from the file's first bytes.
type Format string

// The capture file formats kerbtrace knows by magic number.
const (
	// FormatPcap is the classic libpcap format (magic a1b2c3d4 for
	// microseconds or a1b23c4d for nanoseconds, in either byte order).
	FormatPcap Format = "pcap"
	// FormatPcapNG is pcap Next Generation (first block a Section Header
	// Block, 0a 0d 0d 0a).
	FormatPcapNG Format = "pcapng"
	// FormatNetMon2 is Microsoft Network Monitor 2.0 to 2.3 (magic
	// "GMBU", files usually named .cap).
	FormatNetMon2 Format = "netmon2"
)

// String returns the format name.
func (f Format) String() string { return string(f) }

// Info summarises a capture that Read went through.
type Info struct {
	// Format is the detected file format.
	Format Format
	// LinkTypes lists the link-layer types of the records, in order of
	// first appearance: "ethernet", "linux_sll", "linux_sll2", "raw",
	// "ipv4", "ipv6", "null", "loop", "ieee802_11", "ieee802_11_netmon"
	// (802.11 with Network Monitor's metadata header), "linktype_N" for
	// any other pcap link type N, or "netmon_N" for any other Network
	// Monitor media type N.
	LinkTypes []string
	// Packets is the number of records read, which is also the number of
	// the last frame.
	Packets int
	// Metadata counts the records that hold no packet and are skipped:
	// pcapng custom, systemd journal and Sysdig event blocks, and Network
	// Monitor's ETW events, adapter lists and filters, which Wireshark
	// numbers as frames and which are included in Packets; and Network
	// Monitor's network info, DNS cache and payload header records, which
	// Wireshark does not number and which are not.
	Metadata int
	// First and Last are the earliest and the latest record timestamps
	// (UTC); zero when no record carried a timestamp.
	First, Last time.Time
	// Warnings lists what was damaged or could not be completed, in the
	// order it was noticed. After maxWarnings, further warnings are only
	// counted in a final summary warning.
	Warnings []Warning
}

// Warning reports damage in the file or data that could not be delivered.
type Warning struct {
	// Frame is the number of the frame concerned (for a damaged record,
	// the number it would have had); 0 when no single frame is concerned.
	Frame int
	// Offset is the byte offset of the record in the file, -1 if unknown.
	Offset int64
	// Msg says what happened, in lower case.
	Msg string
}

// String formats the warning as "frame 12 (offset 0x1a2c): msg".
func (w Warning) String() string {
	switch {
	case w.Frame > 0 && w.Offset >= 0:
		return fmt.Sprintf("frame %d (offset 0x%x): %s", w.Frame, w.Offset, w.Msg)
	case w.Frame > 0:
		return fmt.Sprintf("frame %d: %s", w.Frame, w.Msg)
	case w.Offset >= 0:
		return fmt.Sprintf("offset 0x%x: %s", w.Offset, w.Msg)
	}
	return w.Msg
}

// Frame identifies one record of the capture.
type Frame struct {
	// Number is 1-based over all records of the file, whatever their link
	// type or content, so it equals Wireshark's frame.number.
	Number int
	// Time is the record's capture timestamp in UTC (zero for pcapng
	// Simple Packet Blocks, which carry none).
	Time time.Time
}

// Handler receives the transport-level events of a capture, synchronously
// and in capture order. The pointers and every slice they hold are valid only
// during the call: copy what must be kept.
type Handler interface {
	// UDP is called for every UDP datagram, after IP fragment reassembly.
	UDP(d *Datagram)
	// TCP is called for every TCP segment header, in capture order and
	// before any Stream call that the segment causes.
	TCP(s *Segment)
	// Stream is called with reassembled, in-order payload bytes of one
	// direction of a TCP connection.
	Stream(c *Chunk)
}

// Ignorer may be implemented by a Handler to stop the reassembly of TCP
// connections it has no use for (encrypted, or of a protocol it does not
// decode), which is most of the work on bulk traffic.
//
// IgnoreLast is called right after each TCP call, and after each Stream
// call of a connection still reassembled. It reports whether the handler
// wants no more Stream calls for the connection of that call. From then on
// the connection's segments are still given to TCP (and IgnoreLast is asked
// again after each: false resumes reassembly at the next segment of each
// direction, as if the connection began there), but they are not
// reassembled, queued or delivered, and the connection ends without a
// Stream call. A SYN with a
// new initial sequence number starts a new connection, followed again.
type Ignorer interface {
	IgnoreLast() bool
}

// Skipper may be implemented by a Handler that frames records and has no
// use for the content of some (an SMB2 READ response, say): the bytes it
// would only count off are then dropped without a Stream call for each
// segment of them.
//
// SkipLast is called right after each Stream call that carried bytes and
// did not end its direction. It returns how many of the next bytes of that
// direction the handler has no use for (0: none), and the handler stops
// counting them itself: the reassembler drops them in sequence order
// (still queueing what comes out of order) without Stream calls. A gap
// among them (bytes never captured) ends the skip, and the next Stream
// call carries the Gap as usual; so does the end of the direction.
type Skipper interface {
	SkipLast() int
}

// Datagram is one UDP datagram.
type Datagram struct {
	// Frame is the frame that completed the datagram (its last fragment).
	Frame Frame
	// Frames lists every frame that carried a part of the datagram
	// (its fragments), ascending; a single element when not fragmented.
	Frames []int
	// Src and Dst are the IP addresses and UDP ports.
	Src, Dst netip.AddrPort
	// Payload is the UDP payload (as far as captured).
	Payload []byte
	// Truncated is true when the capture's snapshot length cut the payload
	// short of what the UDP length says.
	Truncated bool
	// Offset is the byte offset in the file of the record of Frame, for a
	// handler that reports problems later, as Read reports a panic.
	Offset int64
}

// Segment describes one TCP segment header.
type Segment struct {
	Frame              Frame
	Src, Dst           netip.AddrPort
	SYN, ACK, RST, FIN bool
	Seq, Ack           uint32
	// PayloadLen is the segment's payload length on the wire, from the IP
	// length (it may be more than the capture holds when a snapshot length
	// cut the frame).
	PayloadLen int
}

// Chunk is a piece of the reassembled byte stream of one TCP direction.
type Chunk struct {
	// Frame is the frame that completed Data: the highest-numbered frame
	// among Spans, which for in-order traffic is the frame that brought the
	// last byte (Wireshark's tcp.reassembled_in for a PDU ending there).
	// For a chunk without data it is the frame with the FIN or RST, or the
	// last frame seen in this direction when the stream is flushed.
	Frame Frame
	// Src and Dst give the direction.
	Src, Dst netip.AddrPort
	// Data holds the payload bytes.
	Data []byte
	// Spans tell which frame brought which bytes of Data: ascending by
	// offset, covering Data exactly.
	Spans []Span
	// Gap is the number of bytes known to be missing right before Data
	// (0: Data continues the previous chunk of this direction).
	Gap int
	// End is true when the direction is finished: its FIN or RST was seen
	// and everything before it delivered, or the stream was flushed at end
	// of file or after being idle. Data may be empty.
	End bool
}

// Span says that Data[Off:Off+Len] came from frame Frame, captured at Time
// (UTC).
type Span struct {
	Frame    int
	Off, Len int
	Time     time.Time
}

// Options bound the memory and the waiting of Read. Zero fields take the
// defaults given.
type Options struct {
	// MaxBufferedPerConn is the number of out-of-order bytes buffered for
	// one direction of a TCP connection before the oldest are delivered
	// with a gap (default 4 MiB).
	MaxBufferedPerConn int
	// MaxBufferedTotal bounds the out-of-order bytes buffered for all
	// connections together (default 256 MiB).
	MaxBufferedTotal int
	// ReorderTimeout is how long, in capture time, out-of-order TCP data
	// and incomplete IP fragments wait for what is missing before the TCP
	// data is delivered with a gap and the fragments are dropped with a
	// warning (default 60 s).
	ReorderTimeout time.Duration
	// IdleTimeout is how long, in capture time, a TCP connection may see no
	// packet before both directions are ended (default 10 min). A later
	// packet of the same connection starts a new stream.
	IdleTimeout time.Duration
}

// Defaults for Options.
const (
	DefaultMaxBufferedPerConn = 4 << 20
	DefaultMaxBufferedTotal   = 256 << 20
	DefaultReorderTimeout     = 60 * time.Second
	DefaultIdleTimeout        = 10 * time.Minute
)

func (o Options) withDefaults() Options {
	if o.MaxBufferedPerConn <= 0 {
		o.MaxBufferedPerConn = DefaultMaxBufferedPerConn
	}
	if o.MaxBufferedTotal <= 0 {
		o.MaxBufferedTotal = DefaultMaxBufferedTotal
	}
	if o.ReorderTimeout <= 0 {
		o.ReorderTimeout = DefaultReorderTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	return o
}
