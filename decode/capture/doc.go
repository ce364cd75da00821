// Package capture is kerbtrace's capture layer: it reads a whole capture
// file and pushes transport-level events to a Handler, synchronously and in
// capture order: every UDP datagram (after IP fragment reassembly), every
// TCP segment header, and the reassembled payload of each TCP direction with
// the frames each byte came from.
//
// # Formats and frame numbers
//
// Read tells the format by its magic number, never by file name:
//
//   - pcap (draft-ietf-opsawg-pcap): microsecond and nanosecond timestamps,
//     both byte orders;
//   - pcapng (draft-ietf-opsawg-pcapng): several sections, interfaces of
//     different link types, if_tsresol and if_tsoffset per interface,
//     Enhanced, Simple and (obsolete) Packet Blocks. Other blocks are
//     skipped, but custom, systemd journal and Sysdig event blocks are
//     counted as records, because Wireshark numbers them as frames;
//   - Microsoft Network Monitor 2.0 to 2.3 ("GMBU", the "Capture File
//     Format" of the Network Monitor 3.x help, as Wireshark's
//     wiretap/netmon.c reads it): records in frame table order, the media
//     type of the file (2.0) or of each record (2.1 and later), times from
//     the start time and microsecond offsets (2.0-2.2; the start time is a
//     local time of the capturing host, read as UTC) or from each record's
//     UTC FILETIME (2.3). Ethernet, raw IP, 802.11 with Network Monitor's
//     metadata header and the pcap link types of converted files
//     (0xE000 + link type) are decoded. ETW events, adapter lists and
//     filters are skipped but numbered, as Wireshark numbers them; network
//     info, DNS cache and payload header records are skipped without a
//     number, as in Wireshark; both are counted in Info.Metadata. The file
//     is read at random when the reader passed to Read is an io.ReaderAt
//     that reads it from its start (an *os.File, a *bytes.Reader),
//     otherwise it is read into memory first. A damaged record is a
//     Warning and reading goes on with the next entry of the frame table;
//     without a usable frame table (a truncated file), the records are
//     read in file order.
//
// Frame numbers count every record of the file, whatever its link type or
// content, so they equal Wireshark's frame.number. Network Monitor 1.x
// files (RTSS) and compressed or non-capture inputs are refused with a
// *NotCaptureError that says what they look like.
//
// # Layers
//
// Link layers: Ethernet (802.1Q, 802.1ad and 0x9100/0x9200 QinQ tags,
// LLC/SNAP, PPPoE sessions), Linux cooked capture v1 (LINKTYPE_LINUX_SLL,
// 113) and v2 (LINKTYPE_LINUX_SLL2, 276, parsed here: gopacket v1.1.19 has no
// layer for it), raw IP (101, and 12 and 14 on BSDs), LINKTYPE_IPV4 (228)
// and LINKTYPE_IPV6 (229), BSD loopback NULL (0) and LOOP (108) with the
// address family in either byte order (AF_INET 2; AF_INET6 24, 28, 30),
// and IEEE 802.11 data frames (LINKTYPE_IEEE802_11, 105, and Network
// Monitor's 802.11 records) through their LLC/SNAP header when they are not
// encrypted, fragmented or aggregated.
// Network layers: IPv4 (RFC 791) and IPv6 (RFC 8200) with its hop-by-hop,
// routing, destination options, AH, mobility and fragment headers; IP in IP
// (RFC 2003, RFC 4213) and GRE (RFC 2784) including ERSPAN types I-III and
// transparent Ethernet bridging, as found in mirrored traffic. Lengths of 0
// in IPv4 and IPv6 headers, left by large send offload on the capturing
// host, mean "the rest of the frame". Checksums are not verified: offload
// makes them wrong in captures.
//
// IPv4 and IPv6 fragments are reassembled (RFC 791, RFC 8200 section 4.5)
// with the list of their frames, within bounds (1024 fragments and 65535
// bytes per datagram, 4096 datagrams and 64 MiB waiting) and for at most
// Options.ReorderTimeout of capture time; what cannot be completed is
// dropped with a Warning, not delivered.
//
// # TCP reassembly
//
// Each direction is put back in sequence order: out-of-order segments wait
// (bounded by Options.MaxBufferedPerConn and MaxBufferedTotal), bytes
// already delivered are never delivered again (where retransmissions or
// overlaps disagree, the copy delivered first wins), and a connection whose
// start was not captured begins at its first segment seen. Missing bytes
// become a Chunk.Gap: when the peer has acknowledged them (they were sent
// but not captured), as soon as the data after them arrives; otherwise when
// the buffers are full, after Options.ReorderTimeout of capture time, at the
// direction's FIN or RST, or at end of file. Bytes cut by a snapshot length
// are a gap too. Every Chunk has Spans naming the frame of each byte, so a
// PDU found in the stream can be attributed to the frames Wireshark lists in
// tcp.segment and to the frame it shows it in (tcp.reassembled_in). A
// direction ends (Chunk.End) at its FIN or RST, when the connection has been
// idle for Options.IdleTimeout of capture time (or is the least recently
// seen of 262144 followed at once: a Warning says so), or at end of file; a
// SYN with a new initial sequence number on the same endpoints starts a new
// connection. A Handler that also implements Ignorer can stop the
// reassembly of connections it has no use for, which is most of the cost
// of bulk traffic: their segments still reach TCP, nothing else is done.
// One that implements Skipper can have the rest of a record it does not
// decode dropped without a Stream call per segment.
//
// Per packet, nothing is allocated: records are read into one buffer,
// headers parsed in place, and in-order TCP data handed over without a
// copy (TestReadAllocs, TestReadBulkAllocs; BenchmarkReadBulk).
//
// Timeouts run on a capture clock that follows the timestamps but not jumps
// of more than an hour, so that merged files and bogus timestamps do not
// end every stream at once. Everything is deterministic: the same file gives
// the same calls in the same order.
//
// # Why not gopacket's pcapgo and reassembly
//
// The project's design names gopacket v1.1.19's pcapgo readers and its
// reassembly package. Both were tried and both have defects that break
// requirements, so this package reads the files and reassembles TCP itself,
// using gopacket only in capturetest to build test packets:
//
//   - pcapgo does not build with this module's go.sum: it imports
//     golang.org/x/net/bpf (for live capture), whose module sum is absent.
//   - pcapgo's link type is a uint8 (layers.LinkType in v1.1.19), so SLL2
//     (276) reads as 20.
//   - pcapgo's pcapng reader skips custom blocks, which Wireshark numbers
//     as frames: in gopacket's own test202.pcapng its packets would be
//     frames 1-8 where Wireshark shows 2-6, 8, 9 and 11.
//   - pcapgo's pcap reader rejects records whose captured length exceeds the
//     original length, which Wireshark reads; its pcapng reader allocates
//     the captured length of a packet block before checking it against the
//     block (up to 4 GiB for a damaged file), takes a block length under 12
//     for a huge one and then ends with a plain io.EOF instead of reporting
//     the damage, panics dividing by zero on an if_tsresol of 10^-64 or
//     2^-64, and gives no byte offsets for warnings.
//   - reassembly flushes connections in Go map order
//     (StreamPool.connections), so FlushAll and FlushCloseOlderThan deliver
//     in a different order on every run, which breaks deterministic output.
//   - reassembly's ScatterGather.CaptureInfo(offset) dereferences a nil
//     AssemblerContext for every page but the first of a queued segment
//     longer than 1900 bytes (page.ac is only set on the first page):
//     attributing bytes to frames panics on large out-of-order segments,
//     common with large send offload. It also exposes no segment
//     boundaries, so exact spans would need a probe per byte.
//   - reassembly registers command-line flags on import
//     (assembly_debug_log, assembly_memuse_log).
//
// # What this package does not do
//
// It does not read Network Monitor 1.x, ETL, snoop or compressed files, does
// not decapsulate VXLAN, Geneve or GTP (their outer UDP datagram is
// delivered), does not parse any application protocol, and keeps no
// payload after a Handler call returns.
package capture
