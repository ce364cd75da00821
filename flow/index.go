package flow

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// dnsTx is a DNS query with its response (r is -1 when none came).
type dnsTx struct {
	q, r   int
	client netip.Addr
	name   string // lower case, no trailing dot
	qtype  dns.Type
}

// kdcTx is a request to a KDC with its reply (rep is -1 when none came).
type kdcTx struct {
	req, rep int
	client   netip.AddrPort
	kdc      netip.AddrPort
	claimed  bool
}

// httpTx is an HTTP request with its response (resp is -1 when none came).
type httpTx struct {
	req, resp      int
	client, server netip.AddrPort
	host           string // lower case, without port
	port           string // port from the Host header, "" when none
}

// analyzer holds the indices built over one decode.Result.
type analyzer struct {
	in       *decode.Result
	msgs     []decode.Message
	children map[int][]int
	dns      []dnsTx
	kdc      []*kdcTx
	http     []*httpTx
	res      Result
	seen     map[string]bool   // finding de-duplication
	cnames   map[int]cnameNote // flow index -> CNAME chain of its host
	kdcFlow  map[*kdcTx]int    // the flow that claimed a KDC exchange
	idx      lookupIndex       // transactions grouped by client
}

func newAnalyzer(in *decode.Result) *analyzer {
	a := &analyzer{in: in, msgs: in.Messages, children: map[int][]int{}, seen: map[string]bool{}}
	for i := range a.msgs {
		if p := a.msgs[i].Parent; p >= 0 {
			a.children[p] = append(a.children[p], i)
		}
	}
	a.pairDNS()
	a.pairKDC()
	a.pairHTTP()
	a.buildIndex()
	return a
}

// descendants returns the messages carried inside message i, depth first.
func (a *analyzer) descendants(i int) []int {
	var out []int
	for _, c := range a.children[i] {
		out = append(out, c)
		out = append(out, a.descendants(c)...)
	}
	return out
}

// tokenOf returns the first message of kind k carried inside message i, or -1.
func (a *analyzer) tokenOf(i int, kinds ...decode.Kind) int {
	if i < 0 {
		return -1
	}
	for _, c := range a.descendants(i) {
		for _, k := range kinds {
			if a.msgs[c].Kind == k {
				return c
			}
		}
	}
	return -1
}

func normName(s string) string {
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

func (a *analyzer) pairDNS() {
	type key struct {
		capture int
		client  netip.AddrPort
		id      uint16
	}
	open := map[key][]int{}
	for i := range a.msgs {
		m := &a.msgs[i]
		switch m.Kind {
		case decode.KindDNSQuery:
			if len(m.DNS.Questions) == 0 {
				continue
			}
			k := key{m.Capture, m.Src, m.DNS.ID}
			open[k] = append(open[k], len(a.dns))
			a.dns = append(a.dns, dnsTx{q: i, r: -1, client: m.Src.Addr(),
				name: normName(m.DNS.Questions[0].Name), qtype: m.DNS.Questions[0].Type})
		case decode.KindDNSResponse:
			k := key{m.Capture, m.Dst, m.DNS.ID}
			if q := open[k]; len(q) > 0 {
				a.dns[q[0]].r = i
				open[k] = q[1:]
			}
		}
	}
}

func isKDCRequest(k decode.Kind) bool { return k == decode.KindASReq || k == decode.KindTGSReq }

func isKDCReply(k decode.Kind) bool {
	return k == decode.KindASRep || k == decode.KindTGSRep || k == decode.KindKRBError
}

func (a *analyzer) pairKDC() {
	type key struct {
		capture  int
		src, dst netip.AddrPort
	}
	open := map[key][]*kdcTx{}
	for i := range a.msgs {
		m := &a.msgs[i]
		if m.Carrier != decode.CarrierNone || m.Krb == nil {
			continue
		}
		switch {
		case isKDCRequest(m.Kind):
			t := &kdcTx{req: i, rep: -1, client: m.Src, kdc: m.Dst}
			k := key{m.Capture, m.Src, m.Dst}
			open[k] = append(open[k], t)
			a.kdc = append(a.kdc, t)
		case isKDCReply(m.Kind):
			k := key{m.Capture, m.Dst, m.Src}
			if q := open[k]; len(q) > 0 {
				q[0].rep = i
				open[k] = q[1:]
			}
		}
	}
}

func (a *analyzer) pairHTTP() {
	type key struct {
		capture        int
		client, server netip.AddrPort
	}
	open := map[key][]*httpTx{}
	for i := range a.msgs {
		m := &a.msgs[i]
		switch m.Kind {
		case decode.KindHTTPRequest:
			host, port := splitHost(m.HTTP.Host)
			if host == "" {
				host = m.Dst.Addr().String()
			}
			t := &httpTx{req: i, resp: -1, client: m.Src, server: m.Dst, host: host, port: port}
			k := key{m.Capture, m.Src, m.Dst}
			open[k] = append(open[k], t)
			a.http = append(a.http, t)
		case decode.KindHTTPResponse:
			if m.HTTP.Status >= 100 && m.HTTP.Status < 200 {
				continue
			}
			k := key{m.Capture, m.Dst, m.Src}
			if q := open[k]; len(q) > 0 {
				q[0].resp = i
				open[k] = q[1:]
			}
		}
	}
}

// splitHost splits an HTTP Host value into a lower-case host and a port.
func splitHost(h string) (host, port string) {
	h = strings.ToLower(strings.TrimSpace(h))
	if strings.HasPrefix(h, "[") {
		if end := strings.Index(h, "]"); end > 0 {
			host, rest := h[1:end], h[end+1:]
			return host, strings.TrimPrefix(rest, ":")
		}
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		return strings.TrimSuffix(h[:i], "."), h[i+1:]
	}
	return strings.TrimSuffix(h, "."), ""
}

// spnHost returns the service class and the host of an SPN like
// "HTTP/www.example.com:8080@REALM", in lower case, port removed.
func spnHost(p krb.Principal) (class, host, port string) {
	if len(p.Components) < 2 {
		if len(p.Components) == 1 {
			return strings.ToLower(p.Components[0]), "", ""
		}
		return "", "", ""
	}
	class = strings.ToLower(p.Components[0])
	host, port = splitHost(p.Components[1])
	return class, host, port
}

func sortStrings(s []string) { sort.Strings(s) }

// sortIndices sorts message indices and drops repeats; unlike sortInts it
// keeps index 0, the first message of the capture.
func sortIndices(s []int) []int {
	sort.Ints(s)
	out := s[:0]
	for i, v := range s {
		if v >= 0 && (i == 0 || v != s[i-1]) {
			out = append(out, v)
		}
	}
	return out
}

// sortInts sorts frame numbers and drops repeats and zeros (no frame).
func sortInts(s []int) []int {
	sort.Ints(s)
	out := s[:0]
	for i, v := range s {
		if v > 0 && (i == 0 || v != s[i-1]) {
			out = append(out, v)
		}
	}
	return out
}
