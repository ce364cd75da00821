package flow

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/dns"
)

// isAddressQuery reports whether a query asks for host addresses.
func isAddressQuery(t dns.Type) bool {
	return t == dns.Type(1) || t == dns.Type(28) || t == dns.Type(255)
}

// looksUp reports whether t is an address lookup of host, or of host with a
// search suffix appended.
func (a *analyzer) looksUp(t *dnsTx, host string) bool {
	if !isAddressQuery(t.qtype) {
		return false
	}
	name := a.txNames[t.name]
	return name == host || strings.HasPrefix(name, host+".")
}

// lookups returns the address lookups client made for host after frame
// since and before frame before (0: any time).
func (a *analyzer) lookups(capture int, client netip.Addr, host string, since, before int) []int {
	var out []int
	for _, i := range a.dnsWithin(capture, client, since, before) {
		if a.looksUp(&a.dns[i], host) {
			out = append(out, i)
		}
	}
	return out
}

// lastLookup returns the last address lookup client made for host at or
// before frame before, searching back from there.
func (a *analyzer) lastLookup(capture int, client netip.Addr, host string, before int) (int, bool) {
	g := a.dnsWithin(capture, client, 0, before)
	for k := len(g) - 1; k >= 0; k-- {
		if a.looksUp(&a.dns[g[k]], host) {
			return g[k], true
		}
	}
	return 0, false
}

// addrsOf returns the index in addrLists of r.Addrs(qname(r)), made once
// per Content: the decoder shares one Content among the responses that
// differ only in the ID, which is most of them (a DNS server gives every
// client the same answer).
func (a *analyzer) addrsOf(r *dns.Content) int32 {
	if v, ok := a.addrMemo[r]; ok {
		return v
	}
	v := int32(len(a.addrLists))
	a.addrLists = append(a.addrLists, r.Addrs(qname(r)))
	if a.addrMemo == nil || len(a.addrMemo) >= maxAddrMemo {
		a.addrMemo = make(map[*dns.Content]int32)
	}
	a.addrMemo[r] = v
	return v
}

// maxAddrMemo bounds the responses analyzer.addrsOf remembers.
const maxAddrMemo = 1 << 14

// resolved returns the addresses the lookup got (computed once per lookup;
// the caller must not modify them).
func (a *analyzer) resolved(t *dnsTx) []netip.Addr {
	if t.r < 0 {
		return nil
	}
	if t.addrs == 0 {
		t.addrs = 1 // addrLists[0], no address
		if r := a.dnsAt(int(t.r)); r.RCode == 0 {
			t.addrs = 1 + a.addrsOf(r)
		}
	}
	return a.addrLists[t.addrs-1]
}

// nameResolution fills step 1 of flow fi for host and returns the CNAME
// chain the DNS server gave (host first), if any.
func (a *analyzer) nameResolution(fi int, host string, before int) []string {
	return a.nameResolutionSince(fi, host, 0, before)
}

// nameResolutionSince is nameResolution from the lookups after frame since
// only: those before belong to an earlier flow to the same host.
func (a *analyzer) nameResolutionSince(fi int, host string, since, before int) []string {
	f := &a.res.Flows[fi]
	if _, err := netip.ParseAddr(host); err == nil {
		f.set(StepNameResolution, StatusNotApplicable, "the client used an IP address, not a name")
		return nil
	}
	txs := a.lookups(f.Capture, f.Client, host, since, before)
	if len(txs) == 0 && since > 0 {
		// Nothing new: the client still holds the answer of the last
		// lookup of the earlier flow.
		if i, ok := a.lastLookup(f.Capture, f.Client, host, since); ok {
			txs = []int{i}
		}
	}
	if len(txs) == 0 && a.httpOnly(f.Capture) {
		f.set(StepNameResolution, StatusNotApplicable, httpOnlyDetail)
		return nil
	}
	if len(txs) == 0 {
		f.set(StepNameResolution, StatusMissing,
			fmt.Sprintf("no DNS lookup of %s in the capture: the client had it in its resolver cache or hosts file", host))
		return nil
	}
	var frames []int
	var chain []string
	var okDetail string
	var failTx *dnsTx
	for _, i := range txs {
		t := &a.dns[i]
		frames = append(frames, int(t.qframe))
		f.Messages = append(f.Messages, int(t.q))
		if t.r >= 0 {
			frames = append(frames, a.in.Frame(int(t.r)))
			f.Messages = append(f.Messages, int(t.r))
		}
		if addrs := a.resolved(t); len(addrs) > 0 {
			c := a.dnsAt(int(t.r)).CNAMEChain(qname(a.dnsAt(int(t.r))))
			if len(c) > 1 && chain == nil {
				chain = c
			}
			if d := describeAnswer(t.qtype, c, addrs); !strings.Contains(okDetail, d) {
				okDetail = joinDetail(okDetail, d)
			}
		} else if failTx == nil || failTx.r >= 0 && t.r < 0 {
			failTx = t
		}
	}
	if okDetail != "" {
		f.set(StepNameResolution, StatusOK, okDetail, frames...)
		if len(chain) > 1 {
			a.noteCNAME(fi, chain, frames)
		}
		return chain
	}
	a.dnsFailure(fi, failTx, frames)
	return nil
}

func describeAnswer(qt dns.Type, chain []string, addrs []netip.Addr) string {
	var buf [128]byte
	b := append(append(buf[:0], qt.String()...), ' ')
	if len(chain) > 0 {
		b = append(b, chain[0]...)
	}
	if len(chain) > 1 {
		b = append(b, ": CNAME "...)
		for i, c := range chain[1:] {
			if i > 0 {
				b = append(b, " -> "...)
			}
			b = append(b, c...)
		}
	}
	b = append(b, " -> "...)
	for i, a := range addrs {
		if i > 0 {
			b = append(b, ", "...)
		}
		if a.IsValid() {
			b = a.AppendTo(b)
		} else {
			b = append(b, a.String()...)
		}
	}
	return string(b)
}

// dnsFailure marks step 1 failed for the lookup t and adds its finding.
func (a *analyzer) dnsFailure(fi int, t *dnsTx, frames []int) {
	f := &a.res.Flows[fi]
	name := a.txNames[t.name]
	if t.r < 0 {
		f.set(StepNameResolution, StatusFailed, fmt.Sprintf("%s %s: no response from the DNS server", t.qtype, name), frames...)
		a.finding(fi, "DNS_NO_RESPONSE", frames, "%s asked %s for %s and got no answer.",
			f.Client, a.msg(int(t.q)).Dst.Addr(), name)
		return
	}
	rc := a.dnsAt(int(t.r)).RCode
	f.set(StepNameResolution, StatusFailed, fmt.Sprintf("%s %s: %s", t.qtype, name, rc), frames...)
	switch rc.String() {
	case "NXDOMAIN":
		a.finding(fi, "DNS_NXDOMAIN", frames, "The DNS server %s answered NXDOMAIN for %s (frame %d).",
			a.msg(int(t.r)).Src.Addr(), name, a.in.Frame(int(t.r)))
	case "NOERROR":
		a.finding(fi, "DNS_NXDOMAIN", frames, "The DNS server %s has no address record for %s (NOERROR, no answer; frame %d).",
			a.msg(int(t.r)).Src.Addr(), name, a.in.Frame(int(t.r)))
	default:
		a.finding(fi, "DNS_SERVER_FAILURE", frames, "The DNS server %s answered %s for %s (frame %d).",
			a.msg(int(t.r)).Src.Addr(), rc, name, a.in.Frame(int(t.r)))
	}
}

// noteCNAME remembers a CNAME chain for the SPN checks of the flow.
func (a *analyzer) noteCNAME(fi int, chain []string, frames []int) {
	if a.cnames == nil {
		a.cnames = map[int]cnameNote{}
	}
	a.cnames[fi] = cnameNote{chain: chain, frames: frames}
}

type cnameNote struct {
	chain  []string
	frames []int
}

// qname returns the first question's name of a DNS message.
func qname(m *dns.Content) string {
	if len(m.Questions) == 0 {
		return ""
	}
	return m.Questions[0].Name
}

// httpOnlyDetail explains the steps an HTTP archive cannot show.
const httpOnlyDetail = "not in a HAR: it holds only the browser's HTTP exchanges, not DNS, TCP or KDC traffic"

// httpOnly reports whether a capture holds HTTP exchanges only (a HAR), so
// that steps it cannot show are not taken for missing.
func (a *analyzer) httpOnly(capture int) bool {
	return capture < len(a.in.Captures) && a.in.Captures[capture].Format == "har"
}
