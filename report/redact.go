package report

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
)

// Pseudonym is one line of the mapping Redact returns: what an original
// name or address became.
type Pseudonym struct {
	// Kind is "user", "host", "domain" (DNS domains, Kerberos realms and
	// NetBIOS domain names share one numbering), "ipv4", "ipv6", "file",
	// "ou" (an LDAP organisational unit) or "sid" (a domain's SID prefix).
	Kind string `json:"kind"`
	// Original is the name as first seen in the report.
	Original string `json:"original"`
	// Pseudonym is what it became, in the case of Original.
	Pseudonym string `json:"pseudonym"`
}

// Redact pseudonymises, in place, every user name, host name, DNS domain,
// Kerberos realm, NetBIOS name, IP address and capture file name of r, and
// returns the mapping in order of first appearance.
//
// The same original always gets the same pseudonym, wherever it appears
// and whatever its case: alice becomes user1, the realm LAB.TEST and the
// domain lab.test become REALM1.EXAMPLE and realm1.example, the host
// web.lab.test becomes host1.realm1.example (a host keeps its domain's
// pseudonym, so the relation stays visible), the NetBIOS domain LAB
// becomes REALM1 when exactly one known domain starts with that label, a
// short host name WEB becomes HOST1 when exactly one known host starts
// with it, IPv4 addresses become 192.0.2.N (then 198.51.100.N,
// 203.0.113.N, 198.18.0.0/15), IPv6 addresses 2001:db8::N, the domain
// part of a domain account's SID S-1-5-21-0-0-N (its RID kept), and a file
// capture1.pcap, keytab1.keytab or file1 (known extensions kept, the
// directory dropped). What --keytab decryption adds (PAC names, SIDs,
// logon servers, keytab principals) is covered too.
// Numbers count in the order the report holds them: captures, messages,
// flows, findings, anomalies, frames. Ports, service classes (HTTP/,
// cifs/, krbtgt/), well-known principals (WELLKNOWN/ANONYMOUS,
// kadmin/changepw), Administrator and Guest, SRV labels (_kerberos._tcp),
// unspecified, multicast and broadcast addresses are kept.
//
// Free texts (step details, finding summaries, causes and remedies, token
// summaries, e-texts, URIs, anomalies and warnings) are rewritten token by
// token: a token that is a known original, an IP address, or a DNS name
// under a known domain is replaced; anything else stays, so a name that
// appears only inside a free text and nowhere in a structured field (a user
// name in a URL query) is not found. Raw tokens (--raw-tokens) are dropped:
// their bytes hold the names.
//
// A report that streams its messages (Options.StreamMessages) keeps
// streaming them: they are built here to learn their names and to rewrite
// them, in the report's order, and each is rewritten again as a renderer
// builds it (messageStream.rewrite), so that redacting 5,000 flows no
// longer holds all their messages (464 MB, against 92 MB unredacted).
func Redact(r *Report) []Pseudonym {
	r.Complete() // the flows and findings hold names too
	// Each name is observed once, where it first appears: a later
	// sighting registers nothing new (every table is looked up first).
	// Free texts are all kept: one registers the hosts in it under the
	// domains known so far, which a later one may know more of.
	seen := map[observation]bool{}
	var obs []observation
	walkReport(r, func(kind int, name string) string {
		switch o := (observation{kind, name}); {
		case kind == obsText:
			obs = append(obs, o)
		case !seen[o]:
			seen[o] = true
			obs = append(obs, o)
		}
		return name
	}, walkMessage)
	rd := newRedactor()
	rd.register(obs)
	rd.prepareText()
	// Streamed messages are rewritten here too, and dropped: whatever
	// the rewriting registers, it registers in the report's order, and
	// the mapping is whole before anything is rendered.
	walkReport(r, rd.rewrite, walkMessage)
	for i := range r.Messages {
		r.Messages[i].RawToken = ""
	}
	if r.stream != nil {
		// Built again to be rendered, each message is rewritten again,
		// finding every name registered (and the rewritings remembered).
		rewrite := keeping(rd.rewrite)
		r.stream.rewrite = func(m *Message) {
			walkMessage(m, rewrite)
			m.RawToken = ""
		}
	}
	out := make([]Pseudonym, 0, len(rd.order))
	for _, e := range rd.order {
		out = append(out, Pseudonym{Kind: e.kind, Original: e.orig, Pseudonym: e.pseudonym()})
	}
	return out
}

// observation is one name, address or text the first walk saw.
type observation struct {
	kind int
	name string
}

// entry is one original and its pseudonym.
type entry struct {
	kind string
	orig string
	out  string
}

// pseudonym is out in the case of orig, except for files and addresses.
func (e *entry) pseudonym() string {
	if e.kind == "file" || e.kind == "ipv4" || e.kind == "ipv6" || e.kind == "sid" {
		return e.out
	}
	return applyCase(e.orig, e.out)
}

// redactor holds the tables from originals to pseudonyms.
type redactor struct {
	names map[string]*entry     // lower-case host, domain and NetBIOS names
	users map[string]*entry     // lower-case user names
	ous   map[string]*entry     // lower-case OU names
	ips   map[netip.Addr]*entry // addresses, unmapped, without zone
	files map[string]*entry     // capture file names as given
	sids  map[string]*entry     // upper-case domain SIDs
	order []*entry
	count map[string]int
	// domains are the lower-case names known to be domains or realms,
	// known before the first name is registered; fqdns the lower-case
	// multi-label names seen as hosts.
	domains map[string]bool
	fqdns   map[string]bool
	// literal are the originals free texts are searched for as strings.
	literal []literal
	// memo remembers rewritings that registered nothing, with the state
	// of the tables they were made against (rewrite).
	memo map[observation]memoized
}

// memoized is a rewriting and the state it was made against: the numbers
// of entries and of literals, which grow with every change to the tables.
type memoized struct {
	out              string
	entries, literal int
}

// memoMax bounds the rewritings remembered: names and addresses repeat
// from message to message, texts far less.
const memoMax = 1 << 17

func newRedactor() *redactor {
	return &redactor{names: map[string]*entry{}, users: map[string]*entry{}, ous: map[string]*entry{},
		ips: map[netip.Addr]*entry{}, files: map[string]*entry{}, sids: map[string]*entry{}, count: map[string]int{}, domains: map[string]bool{}, fqdns: map[string]bool{},
		memo: map[observation]memoized{}}
}

// next returns the next number of a kind.
func (rd *redactor) next(kind string) int {
	rd.count[kind]++
	return rd.count[kind]
}

// register turns the observations into entries, in their order, after
// learning from them which names are domains.
func (rd *redactor) register(obs []observation) {
	for _, o := range obs {
		switch key := nameKey(o.name); {
		case o.kind == obsDomain:
			rd.domains[key] = true
		case o.kind == obsHost && strings.Contains(key, "."):
			rd.fqdns[key] = true
		}
	}
	for _, o := range obs {
		switch o.kind {
		case obsDomain:
			rd.domain(o.name)
		case obsHost:
			rd.host(o.name)
		case obsUser:
			rd.user(o.name)
		case obsIP:
			if a, err := netip.ParseAddr(o.name); err == nil {
				rd.ip(a)
			}
		case obsFile:
			rd.file(o.name)
		case obsOU:
			rd.ou(o.name)
		case obsSID:
			rd.sid(o.name)
		case obsText:
			rd.rewrite(obsText, o.name) // registers the addresses and hosts in it
		}
	}
}

// domain returns the entry of a domain, realm or NetBIOS domain name.
func (rd *redactor) domain(name string) *entry {
	key := nameKey(name)
	if e, ok := rd.names[key]; ok {
		return e
	}
	e := &entry{kind: "domain", orig: name}
	rd.names[key] = e
	rd.domains[key] = true
	if !strings.Contains(key, ".") {
		if c := rd.uniqueDomainWithLabel(key); c != "" {
			e.out = firstLabel(rd.domain(c).out)
		}
	}
	if e.out == "" {
		e.out = fmt.Sprintf("realm%d", rd.next("domain"))
		if strings.Contains(key, ".") {
			e.out += ".example"
		}
	}
	rd.order = append(rd.order, e)
	return e
}

// host returns the entry of a host name: a fully qualified one under its
// longest known domain (or its parent), a short one sharing the label of
// the one known host it can stand for.
func (rd *redactor) host(name string) *entry {
	key := nameKey(name)
	if key == "" {
		return nil
	}
	if rd.domains[key] {
		return rd.domain(name)
	}
	if e, ok := rd.names[key]; ok {
		return e
	}
	if !strings.Contains(key, ".") {
		if c := rd.uniqueHostWithLabel(key); c != "" {
			e := &entry{kind: "host", orig: name, out: firstLabel(rd.host(c).out)}
			rd.names[key] = e
			rd.order = append(rd.order, e)
			return e
		}
	}
	suffix := ".example"
	if d := rd.parentDomain(key); d != "" {
		suffix = "." + rd.domain(d).out
	}
	e := &entry{kind: "host", orig: name}
	rd.names[key] = e
	e.out = fmt.Sprintf("host%d%s", rd.next("host"), suffix)
	if !strings.Contains(key, ".") {
		e.out = strings.TrimSuffix(e.out, ".example")
	}
	rd.order = append(rd.order, e)
	return e
}

// parentDomain is the longest known domain the host is in, else its
// parent when that has two labels or more, else "".
func (rd *redactor) parentDomain(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == '.' && rd.domains[key[i+1:]] {
			return key[i+1:]
		}
	}
	if i := strings.IndexByte(key, '.'); i >= 0 && strings.Contains(key[i+1:], ".") {
		return key[i+1:]
	}
	return ""
}

// uniqueDomainWithLabel returns the one known multi-label domain whose
// first label is label, or "".
func (rd *redactor) uniqueDomainWithLabel(label string) string {
	found := ""
	for d := range rd.domains {
		if strings.Contains(d, ".") && firstLabel(d) == label {
			if found != "" {
				return ""
			}
			found = d
		}
	}
	return found
}

// uniqueHostWithLabel returns the one registered fully qualified host
// whose first label is label, or "".
func (rd *redactor) uniqueHostWithLabel(label string) string {
	found := ""
	for k := range rd.fqdns {
		if firstLabel(k) == label && !rd.domains[k] {
			if found != "" {
				return ""
			}
			found = k
		}
	}
	return found
}

func (rd *redactor) user(name string) *entry {
	key := strings.ToLower(name)
	if e, ok := rd.users[key]; ok {
		return e
	}
	e := &entry{kind: "user", orig: name, out: fmt.Sprintf("user%d", rd.next("user"))}
	rd.users[key] = e
	rd.order = append(rd.order, e)
	return e
}

func (rd *redactor) ou(name string) *entry {
	key := strings.ToLower(name)
	if e, ok := rd.ous[key]; ok {
		return e
	}
	e := &entry{kind: "ou", orig: name, out: fmt.Sprintf("ou%d", rd.next("ou"))}
	rd.ous[key] = e
	rd.order = append(rd.order, e)
	return e
}

// redactExts are the file name endings a redacted file name keeps.
var redactExts = []string{".gz", ".zst", ".xz", ".pcapng", ".pcap", ".cap", ".har", ".keytab"}

func (rd *redactor) file(name string) *entry {
	if e, ok := rd.files[name]; ok {
		return e
	}
	base, ext := filepath.Base(name), ""
	for again := true; again; {
		again = false
		for _, x := range redactExts {
			if len(base) > len(x) && strings.EqualFold(base[len(base)-len(x):], x) {
				ext = base[len(base)-len(x):] + ext
				base = base[:len(base)-len(x)]
				again = true
			}
		}
	}
	prefix := "capture" // capture1.pcap, keytab1.keytab, file1 each count apart
	switch {
	case strings.EqualFold(ext, ".keytab"):
		prefix = "keytab"
	case ext == "" && name != "":
		prefix = "file"
	}
	e := &entry{kind: "file", orig: name, out: fmt.Sprintf("%s%d%s", prefix, rd.next("file:"+prefix), ext)}
	rd.files[name] = e
	rd.order = append(rd.order, e)
	return e
}

// ip returns the entry of an address, or nil for the addresses kept.
func (rd *redactor) ip(a netip.Addr) *entry {
	a = a.Unmap().WithZone("")
	if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return nil
	}
	if e, ok := rd.ips[a]; ok {
		return e
	}
	var e *entry
	if a.Is4() {
		e = &entry{kind: "ipv4", orig: a.String(), out: pseudoIPv4(rd.next("ipv4")).String()}
	} else {
		e = &entry{kind: "ipv6", orig: a.String(), out: pseudoIPv6(rd.next("ipv6")).String()}
	}
	rd.ips[a] = e
	rd.order = append(rd.order, e)
	return e
}

// pseudoIPv4 is the n-th (1-based) documentation address: TEST-NET-1,
// -2 and -3 (RFC 5737), then the benchmarking range 198.18.0.0/15
// (RFC 2544), whose last address repeats past 131835 addresses.
func pseudoIPv4(n int) netip.Addr {
	switch {
	case n <= 254:
		return netip.AddrFrom4([4]byte{192, 0, 2, byte(n)})
	case n <= 508:
		return netip.AddrFrom4([4]byte{198, 51, 100, byte(n - 254)})
	case n <= 762:
		return netip.AddrFrom4([4]byte{203, 0, 113, byte(n - 508)})
	}
	m := min(n-762, 1<<17-2)
	return netip.AddrFrom4([4]byte{198, 18 + byte(m>>16), byte(m >> 8), byte(m)})
}

// pseudoIPv6 is 2001:db8::n (RFC 3849).
func pseudoIPv6(n int) netip.Addr {
	b := [16]byte{0x20, 0x01, 0x0d, 0xb8}
	for i := 15; i >= 8 && n > 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	return netip.AddrFrom16(b)
}

// applyCase returns p in upper case when orig has letters and none of
// them lower case (realms, NetBIOS names), else p.
func applyCase(orig, p string) string {
	if strings.ToUpper(orig) == orig && strings.ToLower(orig) != orig {
		return strings.ToUpper(p)
	}
	return p
}

// nameKey is the key of a DNS or NetBIOS name in the tables: lower case,
// without trailing dots (idempotent, so that a key is its own key).
func nameKey(s string) string { return strings.ToLower(strings.TrimRight(s, ".")) }

func firstLabel(s string) string {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i]
	}
	return s
}

// keepNames are the names that identify nothing about a site: service
// classes, well-known principals and accounts, special DNS names. They
// are compared in lower case.
var keepNames = map[string]bool{
	"http": true, "https": true, "host": true, "cifs": true, "ldap": true, "gc": true, "dns": true, "rpcss": true,
	"wsman": true, "termsrv": true, "mssqlsvc": true, "restrictedkrbhost": true, "krbtgt": true, "kadmin": true,
	"changepw": true, "admin": true, "history": true, "nfs": true, "imap": true, "pop": true, "smtp": true, "ftp": true,
	"postgres": true, "sip": true, "exchangemdb": true, "exchangerfr": true, "exchangeab": true, "wellknown": true,
	"anonymous": true, "wellknown:anonymous": true, "localhost": true, "administrator": true, "guest": true,
	"e3514235-4b06-11d1-ab04-00c04fc2dcd2": true, "users": true, "computers": true, "builtin": true, "system": true,
	"configuration": true, "schema": true, "partitions": true, "sites": true, "services": true,
	"domain controllers": true, "nt authority": true, "workgroup": true,
}

func keep(s string) bool { return s == "" || s == "-" || keepNames[strings.ToLower(s)] }
