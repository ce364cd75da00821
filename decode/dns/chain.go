package dns

import (
	"net/netip"
	"strings"
)

// CNAMEChain follows CNAME records in Answers from name and returns
// [name, alias1, ..., canonical]; just [name] when there is no CNAME.
// Names compare case-insensitively (RFC 4343) and a trailing dot on name is
// ignored. A CNAME loop stops at the first repeated name.
func (m *Content) CNAMEChain(name string) []string {
	cur := strings.TrimSuffix(name, ".")
	chain := []string{cur}
	// Each step consumes a distinct CNAME record, so len(Answers) steps
	// suffice; the bound also ends loops.
	for range m.Answers {
		next, ok := m.cnameOf(cur)
		if !ok || inChain(chain, next) {
			break
		}
		chain = append(chain, next)
		cur = next
	}
	return chain
}

func (m *Content) cnameOf(name string) (string, bool) {
	for _, rr := range m.Answers {
		if rr.Type == TypeCNAME && rr.Data != "" && strings.EqualFold(rr.Name, name) {
			return rr.Data, true
		}
	}
	return "", false
}

func inChain(chain []string, name string) bool {
	for _, c := range chain {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// Addrs returns the A and AAAA answers for name after following its CNAME
// chain, in answer order. Records owned by any name of the chain count
// (a name with a CNAME has no other data, RFC 1034 3.6.2, so in a valid
// response only the canonical name has addresses).
func (m *Content) Addrs(name string) []netip.Addr {
	// Without a CNAME the chain is name alone: no need to build it.
	var chain []string
	for _, rr := range m.Answers {
		if rr.Type == TypeCNAME {
			chain = m.CNAMEChain(name)
			break
		}
	}
	name = strings.TrimSuffix(name, ".")
	var out []netip.Addr
	for _, rr := range m.Answers {
		if (rr.Type == TypeA || rr.Type == TypeAAAA) && rr.Addr.IsValid() &&
			(chain == nil && strings.EqualFold(rr.Name, name) || chain != nil && inChain(chain, rr.Name)) {
			out = append(out, rr.Addr)
		}
	}
	return out
}
