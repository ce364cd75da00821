// Package dns decodes DNS messages (RFC 1035 4.1) into a small neutral
// Message: header flags and RCODE, questions, and the three record sections,
// with A/AAAA (RFC 1035, RFC 3596), CNAME, PTR, NS, SOA, MX, TXT and SRV
// (RFC 2782) data rendered as text. It also splits DNS-over-TCP streams on
// their 2-byte length prefix (RFC 1035 4.2.2, RFC 7766) and follows CNAME
// chains to the addresses a client would have used.
//
// The parser is written in the manner of golang.org/x/net/dns/dnsmessage:
// every read is bounds-checked, nothing is allocated from a wire count, and
// compression pointers (RFC 1035 4.1.4) are followed with a hop limit and
// the 255-byte name limit, so pointer loops and hostile counts end with an
// error instead of a hang. Names are returned as on the wire (case kept),
// without the trailing dot; the root is "". Label bytes that are not
// printable ASCII, '.' and '\' are escaped as in RFC 4343 ("\." and "\DDD").
//
// The package does NOT validate DNSSEC, decode EDNS options, GSS-TSIG/TKEY
// tokens (RFC 3645) or the rdata of types not listed above (their Data is
// ""), and it keeps no resolver state.
package dns
