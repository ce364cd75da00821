package dns

import (
	"fmt"
	"net/netip"
)

// Type is a resource record TYPE or question QTYPE (RFC 1035 3.2.2, 3.2.3).
type Type uint16

// Record types the package names (and, for some, decodes).
const (
	TypeA     Type = 1
	TypeNS    Type = 2
	TypeCNAME Type = 5
	TypeSOA   Type = 6
	TypePTR   Type = 12
	TypeMX    Type = 15
	TypeTXT   Type = 16
	TypeAAAA  Type = 28
	TypeSRV   Type = 33
	TypeOPT   Type = 41
	TypeTKEY  Type = 249
	TypeTSIG  Type = 250
	TypeAXFR  Type = 252
	TypeANY   Type = 255
)

var typeNames = map[Type]string{
	TypeA: "A", TypeNS: "NS", TypeCNAME: "CNAME", TypeSOA: "SOA", TypePTR: "PTR",
	TypeMX: "MX", TypeTXT: "TXT", TypeAAAA: "AAAA", TypeSRV: "SRV", TypeOPT: "OPT",
	TypeTKEY: "TKEY", TypeTSIG: "TSIG", TypeAXFR: "AXFR", TypeANY: "ANY",
	39: "DNAME", 43: "DS", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 50: "NSEC3",
	44: "SSHFP", 257: "CAA", 251: "IXFR",
}

// String returns the mnemonic ("A", "SRV", ...) or "TYPE65"-style
// (RFC 3597 4) for types without one.
func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("TYPE%d", uint16(t))
}

// RCode is the response code (RFC 1035 4.1.1, RFC 6895 2.3). Values above
// 15 come from the extended RCODE of an OPT record (RFC 6891 6.1.3).
type RCode uint8

// Response codes.
const (
	RCodeNoError  RCode = 0
	RCodeFormErr  RCode = 1
	RCodeServFail RCode = 2
	RCodeNXDomain RCode = 3
	RCodeNotImp   RCode = 4
	RCodeRefused  RCode = 5
	RCodeNotAuth  RCode = 9
	RCodeBadVers  RCode = 16
)

var rcodeNames = [...]string{
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
	"", "", "", "", "BADVERS",
}

// String returns "NOERROR", "NXDOMAIN", ... or "RCODE12".
func (r RCode) String() string {
	if int(r) < len(rcodeNames) && rcodeNames[r] != "" {
		return rcodeNames[r]
	}
	return fmt.Sprintf("RCODE%d", uint8(r))
}

// Question is one entry of the question section (RFC 1035 4.1.2). In an
// UPDATE (opcode 5, RFC 2136) it is the zone.
type Question struct {
	Name  string
	Type  Type
	Class uint16 // 1 = IN
}

// RR is one resource record (RFC 1035 4.1.3).
type RR struct {
	Name  string
	Type  Type
	Class uint16 // 1 = IN; for OPT the UDP payload size
	TTL   uint32 // for OPT the extended RCODE and flags
	// Data is the rdata as text: A/AAAA the address, CNAME/PTR/NS the target
	// name, SRV "priority weight port target", MX "preference exchange",
	// SOA "mname rname serial", TXT the strings joined by spaces (at most
	// 255 bytes); "" for other types and for empty rdata (UPDATE deletes).
	Data string
	// Addr is the address of an A or AAAA record, the zero Addr otherwise.
	Addr netip.Addr
}

// Message is a decoded DNS message (RFC 1035 4.1): its ID, and everything
// else through the embedded Content, whose fields read as the Message's own
// (m.Answers, m.RCode).
//
// Content is never nil in a Message Parse returns. Messages whose bytes
// differ only in the ID may share one Content: a DNS server answers the same
// question the same way to every client, so a capture holds many such
// repeats, and sharing keeps each repeat to the size of an ID and a pointer.
// Nothing may change a Content once a Message holds it.
type Message struct {
	ID uint16
	*Content
}

// Content is a DNS message but for its ID: the header flags and the four
// sections.
type Content struct {
	Response bool  // QR
	Opcode   uint8 // 0 QUERY, 4 NOTIFY, 5 UPDATE
	RCode    RCode
	// Authoritative (AA), Truncated (TC: the server cut the answer, the
	// client should retry over TCP), RecursionDesired (RD) and
	// RecursionAvailable (RA) are the header flags.
	Authoritative, Truncated, RecursionDesired, RecursionAvailable bool

	// Cut reports that the bytes ended before the sections the header
	// announced; the records before the cut are kept.
	Cut bool

	Questions  []Question
	Answers    []RR
	Authority  []RR // in an UPDATE: the updates
	Additional []RR
}
