// Package decode turns capture files into kerbtrace's protocol messages.
//
// The data moves one way: decode/capture reads pcap and pcapng files,
// strips link and IP layers, reassembles IP fragments and TCP streams, and
// pushes datagrams and in-order stream bytes to the Dissector. The
// Dissector frames them (DNS over UDP and TCP with its 2-byte length,
// Kerberos over UDP and over TCP with its 4-byte record mark, RFC 4120
// 7.2.2; HTTP/1.x heads with their bodies skipped, RFC 9112) and hands the
// bytes to the protocol decoders, each a pure function of []byte in its own
// package: dns, httpauth, spnego, ntlm and krb. Authentication tokens found
// in HTTP headers are routed by their first bytes to spnego, ntlm or krb,
// and every message inside another points at its carrier (Message.Parent).
//
// Each Message names the frame that completed it, with Wireshark's frame
// number, and every frame that carried part of it. Decoding never stops at
// bad bytes: a message cut short is reported with the fields it has and
// Truncated set; one that cannot be decoded becomes an anomaly naming file
// and frame.
//
// # Cost and bounds
//
// Work and memory follow the authentication traffic, not the bytes. TCP
// connections on ports that carry nothing decoded here (443, 22, 3389, 636,
// ...) and streams on unknown ports whose first 16 bytes are not HTTP are
// no longer reassembled (capture.Ignorer); SMB2 records other than
// NEGOTIATE and SESSION_SETUP (READ and WRITE data) and HTTP bodies are
// skipped straight from the reassembled chunks without being buffered, of
// any size; stream buffers over 16 KiB are given back once framed and all of
// them when a direction ends; messages are kept in fixed blocks, never
// moved until Result. What is buffered while a message completes is
// bounded per direction (maxKerberosRecord, maxHTTPHead, maxDNSMessage,
// maxSMB2Message, maxLDAPMessage: past it, the direction is given up with
// an anomaly), and the connections tracked per capture by maxTrackedConns
// (past it, the least recently active half are retired with a warning in
// the capture's Info). decode/capture bounds its reassembly buffers and
// the connections it follows. Each bound has a test that floods past it
// (bounds_test.go).
//
// Without keys to decrypt with, Add decodes the DNS, Kerberos and CLDAP
// datagrams on a second goroutine while the first reads the file and
// follows the TCP connections (parallel.go); the Result is the same as in
// line, message for message and anomaly for anomaly, and with GOMAXPROCS=1
// everything stays on one goroutine.
//
// This package knows nothing of flows, findings or output formats.
//
// To add a protocol:
//  1. write the decoder as a package under decode/ taking []byte and
//     returning a neutral struct, with table tests on real bytes and a
//     FuzzParse target; its errors wrap the sentinels of internal/wire;
//  2. add its message kinds to message.go and a pointer field to Message;
//  3. route to it in dissect.go (ports) or stream.go/tokens.go (framing,
//     token sniffing), and add it to the import rules of imports_test.go;
//  4. convert it in report/build.go and describe it in report/summary.go.
package decode
