// Package har reads HTTP Archive files (HAR 1.2, the JSON that browser
// developer tools export: W3C Web Performance WG draft "HTTP Archive (HAR)
// format", version 1.2) into neutral structs, and synthesizes the HTTP/1.1
// heads of each exchange so that kerbtrace can decode the Authorization and
// WWW-Authenticate tokens exactly as it does on the wire (RFC 9110 section
// 11, RFC 4559).
//
// Only log.version, log.creator.name and, per entry of log.entries,
// pageref, startedDateTime, time, serverIPAddress, connection, the
// request's method, url, httpVersion and headers, and the response's status,
// statusText, httpVersion and headers are read. Bodies, cookies, timings and
// caches are skipped without being kept. Reading is bounded: at most
// MaxEntries entries and MaxHeaders headers per message, values of at most
// MaxValue bytes; what goes beyond is counted or flagged, not kept.
//
// A HAR file has no packets and no client address. Its consumer (the
// kerbtrace dissector) numbers entry N as frame N (request and response),
// takes the server from serverIPAddress and the URL's port, and gives the
// client the documentation address ClientAddr (RFC 5737) with one source
// port per connection id (the "connection" field, or the page when it is
// absent; see Log.ClientPorts), so that requests and responses on one
// connection pair up as they would in a capture.
//
// The package does not read HAR bodies or POST data, does not follow
// redirects, does not check the HAR against its schema beyond the fields
// above, and does no I/O apart from reading the io.Reader handed to Decode.
package har
