package report

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/kerbtrace/kerbtrace/flow"
)

// nameFunc is called for every name, address or free text of a report,
// with its kind (obsDomain, ...), and returns what replaces it: the
// collector records and returns it unchanged, the applier returns the
// pseudonym.
type nameFunc func(kind int, name string) string

// Observation kinds.
const (
	obsDomain = iota
	obsHost
	obsUser
	obsIP
	obsFile
	obsOU
	obsSID
	obsText
)

// walkReport passes every field of r that can hold a name or an address
// through f, in the report's order, and stores the results, but for the
// messages: each is given to msg with f, built one at a time when r
// streams them; with a nil msg they are skipped.
func walkReport(r *Report, f nameFunc, msg func(*Message, nameFunc)) {
	f = keeping(f)
	for i := range r.Captures {
		c := &r.Captures[i]
		if c.File != "" && c.File != "-" {
			c.File = f(obsFile, c.File)
		}
		for j := range c.Warnings {
			c.Warnings[j] = f(obsText, c.Warnings[j])
		}
	}
	if msg != nil {
		r.eachMessage(nil, func(m *Message) { msg(m, f) })
	}
	for i := range r.Flows {
		fl := &r.Flows[i]
		fl.Client = rewriteIP(fl.Client, f)
		fl.User = rewritePrincipal(fl.User, f)
		fl.Server = rewriteServer(fl.Server, fl.Service, f)
		fl.SPN = rewritePrincipal(fl.SPN, f)
		for j := range fl.Steps {
			fl.Steps[j].Detail = f(obsText, fl.Steps[j].Detail)
			texts(fl.Steps[j].Refs, f)
		}
	}
	for i := range r.Findings {
		x := &r.Findings[i]
		x.Client = rewriteIP(x.Client, f)
		service := ""
		if x.Flow != nil && *x.Flow >= 0 && *x.Flow < len(r.Flows) {
			service = r.Flows[*x.Flow].Service
		}
		x.Server = rewriteServer(x.Server, service, f)
		x.SPN = rewritePrincipal(x.SPN, f)
		x.Summary, x.Cause, x.Remedy = f(obsText, x.Summary), f(obsText, x.Cause), f(obsText, x.Remedy)
		texts(x.Refs, f)
	}
	for i := range r.Anomalies {
		r.Anomalies[i] = f(obsText, r.Anomalies[i])
	}
	for i := range r.Frames {
		fr := &r.Frames[i]
		fr.Src, fr.Dst = rewriteAddrPort(fr.Src, f), rewriteAddrPort(fr.Dst, f)
		fr.Summary = f(obsText, fr.Summary)
	}
}

// texts passes every string of ts through f as a text.
func texts(ts []string, f nameFunc) {
	for i := range ts {
		ts[i] = f(obsText, ts[i])
	}
}

// keeping wraps f so that empty texts and the names of keepNames are
// never passed to it.
func keeping(f nameFunc) nameFunc {
	return func(kind int, name string) string {
		if name == "" || kind != obsIP && kind != obsText && kind != obsFile && keep(name) {
			return name
		}
		return f(kind, name)
	}
}

func walkMessage(m *Message, f nameFunc) {
	m.Src, m.Dst = rewriteAddrPort(m.Src, f), rewriteAddrPort(m.Dst, f)
	m.QName = rewriteDNSName(m.QName, f)
	for j := range m.Answers {
		a := &m.Answers[j]
		a.Name = rewriteDNSName(a.Name, f)
		a.Data = rewriteAnswerData(a.Type, a.Data, f)
	}
	m.Host = rewriteDNSName(m.Host, f)
	m.URI, m.Token = f(obsText, m.URI), f(obsText, m.Token)
	if !keep(m.Realm) {
		m.Realm = f(obsDomain, m.Realm)
	}
	m.CName, m.SName = rewritePrincipal(m.CName, f), rewritePrincipal(m.SName, f)
	m.TicketSName = rewritePrincipal(m.TicketSName, f)
	m.EText = f(obsText, m.EText)
	m.Domain = f(obsDomain, m.Domain)
	m.User = rewriteUser(m.User, f)
	m.Workstation = rewriteDNSName(m.Workstation, f)
	if targetIsDomain(m.NTLMFlags) {
		m.TargetName = f(obsDomain, m.TargetName)
	} else {
		m.TargetName = rewriteDNSName(m.TargetName, f)
	}
	m.TreePath = f(obsText, m.TreePath)
	m.BindDN = rewriteDN(m.BindDN, f)
	m.Diagnostic = f(obsText, m.Diagnostic)
	m.Filter = rewriteFilter(m.Filter, f)
	m.Error = f(obsText, m.Error)
	walkDecrypted(m, f) // redact_ticket.go
}

// rewriteAnswerData passes a DNS answer's data through f by its type.
func rewriteAnswerData(typ, data string, f nameFunc) string {
	switch typ {
	case "A", "AAAA":
		return rewriteIP(data, f)
	case "CNAME", "NS", "PTR", "DNAME":
		return rewriteDNSName(data, f)
	case "SRV", "MX":
		// "prio weight port target" and "pref exchange": the name is last.
		i := strings.LastIndexByte(data, ' ')
		return data[:i+1] + rewriteDNSName(data[i+1:], f)
	}
	return f(obsText, data)
}

// targetIsDomain reports whether an NTLM CHALLENGE's target name is a
// domain (MS-NLMP 2.2.2.5 NTLMSSP_TARGET_TYPE_DOMAIN) rather than a server.
func targetIsDomain(flags []string) bool {
	for _, f := range flags {
		if f == "NTLMSSP_TARGET_TYPE_DOMAIN" {
			return true
		}
	}
	return false
}

// rewriteAddrPort passes the address of "ip:port" or "[ip6]:port" through
// f; anything else is an address or a text.
func rewriteAddrPort(s string, f nameFunc) string {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return rewriteIP(s, f)
	}
	p := f(obsIP, ap.Addr().String())
	if strings.IndexByte(p, ':') >= 0 {
		return "[" + p + "]:" + strconv.Itoa(int(ap.Port()))
	}
	return p + ":" + strconv.Itoa(int(ap.Port()))
}

// rewriteIP passes an address through f; anything else is a text.
func rewriteIP(s string, f nameFunc) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return f(obsIP, a.String())
	}
	return f(obsText, s)
}

// rewriteServer rewrites the server of a flow or finding: a host name, or
// an account (a principal) when the flow's service is flow.ServiceAccount.
func rewriteServer(s, service string, f nameFunc) string {
	if service == flow.ServiceAccount {
		return rewritePrincipal(s, f)
	}
	return rewriteDNSName(s, f)
}

// rewriteDNSName passes the parts of a DNS name through f: an address, a
// reverse lookup name, the domain after SRV labels (which stay), else a
// host, with any ":port" kept.
func rewriteDNSName(s string, f nameFunc) string {
	if s == "" {
		return s
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return rewriteIP(s, f)
	}
	if _, err := netip.ParseAddrPort(s); err == nil {
		return rewriteAddrPort(s, f)
	}
	h, port, _ := cutPort(s)
	if a, ok := reverseAddr(h); ok {
		p, err := netip.ParseAddr(f(obsIP, a.String()))
		if err != nil {
			return s
		}
		return reverseName(p, h) + port
	}
	if labels, dom, ok := cutSRVLabels(h); ok {
		return labels + f(obsDomain, dom) + port
	}
	return f(obsHost, h) + port
}

// rewritePrincipal passes the parts of a principal name through f: the
// realm after the last "@", an enterprise name's domain, the user of a
// one-component name (a machine account "PC1$" is its host), and the host
// and domain components of a service name, whose service class stays.
func rewritePrincipal(s string, f nameFunc) string {
	name, realm := s, ""
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		name, realm = s[:i], "@"+f(obsDomain, s[i+1:])
	}
	if i := strings.LastIndexByte(name, '@'); i >= 0 {
		name, realm = name[:i], "@"+f(obsDomain, name[i+1:])+realm
	}
	comps := strings.Split(name, "/")
	switch {
	case len(comps) == 1 || !keep(comps[0]):
		comps[0] = rewriteUser(comps[0], f)
		for i := 1; i < len(comps); i++ {
			comps[i] = rewriteDNSName(comps[i], f)
		}
	case strings.EqualFold(comps[0], "krbtgt"):
		for i := 1; i < len(comps); i++ {
			comps[i] = f(obsDomain, comps[i])
		}
	default:
		for i := 1; i < len(comps); i++ {
			if i == 1 || !strings.Contains(comps[i], ".") {
				comps[i] = rewriteDNSName(comps[i], f)
			} else {
				comps[i] = f(obsDomain, comps[i])
			}
		}
	}
	return strings.Join(comps, "/") + realm
}

// rewriteUser passes a user name through f: "DOMAIN\user" in two parts,
// a machine account "PC1$" as its host.
func rewriteUser(s string, f nameFunc) string {
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		return f(obsDomain, s[:i]) + `\` + rewriteUser(s[i+1:], f)
	}
	if h, ok := strings.CutSuffix(s, "$"); ok && h != "" {
		return f(obsHost, h) + "$"
	}
	return f(obsUser, s)
}

// rewriteDN passes the parts of a bind name through f: a DN's CN and UID
// values as users, OU values, and its DC labels as one domain; a name
// without "=" is a principal ("alice@lab.test") or "DOMAIN\user".
func rewriteDN(s string, f nameFunc) string {
	if s == "" || !strings.Contains(s, "=") {
		return rewritePrincipal(s, f)
	}
	rdns := strings.Split(s, ",")
	var dcs []int
	var dom []string
	for i, rdn := range rdns {
		typ, val, ok := strings.Cut(rdn, "=")
		if !ok {
			continue
		}
		switch strings.ToUpper(strings.TrimSpace(typ)) {
		case "CN", "UID":
			rdns[i] = typ + "=" + f(obsUser, val)
		case "OU":
			rdns[i] = typ + "=" + f(obsOU, val)
		case "DC":
			dcs, dom = append(dcs, i), append(dom, val)
		}
	}
	if len(dcs) > 0 {
		p := strings.Split(f(obsDomain, strings.Join(dom, ".")), ".")
		for k, i := range dcs {
			typ, _, _ := strings.Cut(rdns[i], "=")
			if k < len(p) {
				rdns[i] = typ + "=" + p[k]
			}
		}
		if len(p) > len(dcs) {
			rdns[dcs[len(dcs)-1]] += "." + strings.Join(p[len(dcs):], ".")
		}
	}
	return strings.Join(rdns, ",")
}

// filterAttrs are the assertions of a DC locator ping (MS-ADTS 6.3.3)
// that name something, and what they name.
var filterAttrs = map[string]int{"dnsdomain": obsDomain, "host": obsHost, "dnshostname": obsHost, "user": obsUser}

// rewriteFilter passes the values of the naming assertions of an LDAP
// filter "(&(DnsDomain=x)(Host=y)...)" through f, and the rest as text.
func rewriteFilter(s string, f nameFunc) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '(')
		if i < 0 {
			b.WriteString(f(obsText, s))
			break
		}
		b.WriteString(f(obsText, s[:i+1]))
		s = s[i+1:]
		eq, end := strings.IndexByte(s, '='), strings.IndexAny(s, "()")
		if eq < 0 || end < 0 || eq > end || s[end] != ')' {
			continue
		}
		kind, ok := filterAttrs[strings.ToLower(s[:eq])]
		if !ok {
			continue
		}
		b.WriteString(s[:eq+1])
		switch val := s[eq+1 : end]; kind {
		case obsHost:
			b.WriteString(rewriteDNSName(val, f))
		case obsUser:
			b.WriteString(rewriteUser(val, f))
		default:
			b.WriteString(f(kind, val))
		}
		s = s[end:]
	}
	return b.String()
}

// cutPort splits "name:port" when port is all digits and name has no
// other colon.
func cutPort(s string) (host, port string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 || i == len(s)-1 || strings.IndexByte(s[:i], ':') >= 0 {
		return s, "", false
	}
	for _, c := range s[i+1:] {
		if c < '0' || c > '9' {
			return s, "", false
		}
	}
	return s[:i], s[i:], true
}

// cutSRVLabels splits "_ldap._tcp.dc._msdcs.lab.test" after its last
// label starting with "_": the labels kept and the domain.
func cutSRVLabels(s string) (labels, domain string, ok bool) {
	last := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && (i == 0 || s[i-1] == '.') {
			last = i
		}
	}
	if last < 0 {
		return "", s, false
	}
	j := strings.IndexByte(s[last:], '.')
	if j < 0 {
		return s, "", true
	}
	return s[:last+j+1], s[last+j+1:], true
}

// reverseAddr reads a reverse lookup name: "4.3.2.1.in-addr.arpa" or 32
// nibbles and ".ip6.arpa".
func reverseAddr(s string) (netip.Addr, bool) {
	l := strings.ToLower(strings.TrimSuffix(s, "."))
	if v4, ok := strings.CutSuffix(l, ".in-addr.arpa"); ok {
		p := strings.Split(v4, ".")
		if len(p) != 4 {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(p[3] + "." + p[2] + "." + p[1] + "." + p[0])
		return a, err == nil && a.Is4()
	}
	if v6, ok := strings.CutSuffix(l, ".ip6.arpa"); ok {
		p := strings.Split(v6, ".")
		if len(p) != 32 {
			return netip.Addr{}, false
		}
		var b [16]byte
		for i, n := range p {
			if len(n) != 1 || strings.IndexByte("0123456789abcdef", n[0]) < 0 {
				return netip.Addr{}, false
			}
			v := byte(strings.IndexByte("0123456789abcdef", n[0]))
			k := 31 - i
			if k%2 == 0 {
				b[k/2] |= v << 4
			} else {
				b[k/2] |= v
			}
		}
		return netip.AddrFrom16(b), true
	}
	return netip.Addr{}, false
}

// reverseName writes a for a reverse lookup in the form of orig.
func reverseName(a netip.Addr, orig string) string {
	suffix := ""
	if strings.HasSuffix(orig, ".") {
		suffix = "."
	}
	if a.Is4() {
		b := a.As4()
		return strings.Join([]string{itoa(b[3]), itoa(b[2]), itoa(b[1]), itoa(b[0])}, ".") + ".in-addr.arpa" + suffix
	}
	b := a.As16()
	var sb strings.Builder
	for i := 15; i >= 0; i-- {
		sb.WriteByte("0123456789abcdef"[b[i]&0xf])
		sb.WriteByte('.')
		sb.WriteByte("0123456789abcdef"[b[i]>>4])
		sb.WriteByte('.')
	}
	return sb.String() + "ip6.arpa" + suffix
}

func itoa(b byte) string { return strconv.Itoa(int(b)) }
