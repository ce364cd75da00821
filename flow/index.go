package flow

import (
	"cmp"
	"net/netip"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// dnsTx is a DNS query with its response (r is -1 when none came). There
// is one for every query, hundreds of thousands in a big capture: it is
// kept to 64 bytes (message indices and frames as int32, the addresses
// as an index).
type dnsTx struct {
	q, r    int32
	capture int32 // of the query
	qframe  int32 // frame of the query
	addrs   int32 // 0: not yet known; else 1 + the index in analyzer.addrLists of what resolved returns
	// client and name index analyzer.txClients and analyzer.txNames (the
	// name in lower case, no trailing dot): a transaction is 32 bytes, not
	// 64, and a big capture has hundreds of thousands.
	client, name uint32
	qtype        dns.Type
	// locatorOK says a locator name got a NOERROR answer with records
	// (any query type): srvAnswered looks for it.
	locatorOK bool
}

// kdcTx is a request to a KDC with its reply (rep is -1 when none came).
type kdcTx struct {
	req, rep int
	frame    int            // of the request
	client   netip.AddrPort // the KDC is the request's Dst
	pos      int32          // position in its client's group of the lookup index (lookupIndex.kdcBy)
	flow     int32          // the flow that claimed it last, or -1
}

// claimed reports whether a flow claimed t.
func (t *kdcTx) claimed() bool { return t.flow >= 0 }

// httpTx is an HTTP request with its response (resp is -1 when none came).
type httpTx struct {
	req, resp      int
	client, server netip.AddrPort
	host           string // lower case, without port
	port           string // port from the Host header, "" when none
}

// analyzer holds the indices built over one decode.Result.
type analyzer struct {
	in *decode.Result
	// The carried messages by parent, then in message order: the children
	// of message i are childIdx[k] for each k where childOf[k] == i.
	childOf  []int32
	childIdx []int32
	dns      []dnsTx
	// dnsCaptures is one more than the highest capture of a.dns.
	dnsCaptures int
	txNames     []string               // dnsTx.name
	txClients   []netip.Addr           // dnsTx.client
	normNames   map[string]string      // normName's answers (analyzer.normName)
	addrMemo    map[*dns.Content]int32 // addrsOf's answers, as indices in addrLists
	addrLists   [][]netip.Addr         // the address lists of dnsTx.addrs
	kdc         []*kdcTx
	http        []*httpTx
	res         Result
	seen        map[findingKey]bool // finding de-duplication
	flowHas     map[flowFinding]bool
	cnames      map[int]cnameNote // flow index -> CNAME chain of its host
	flowKDC     map[int][]*kdcTx  // the KDC exchanges a flow claimed, in the order claimed
	idx         lookupIndex       // transactions grouped by client
	keyBuf      []byte            // scratch for finding keys
	textBuf     []byte            // scratch for finding texts
	frameBuf    []int             // scratch for a finding's frames (newFinding)
	errFrames   []int             // scratch for a KRB-ERROR's frames (krbErrorFinding)
	scan        scan              // what one pass over the messages found
	later       []laterAPReqs     // flows' later AP-REQs, for laterTickets
}

// msg returns message i of the input.
func (a *analyzer) msg(i int) decode.Message { return a.in.Message(i) }

// krbAt returns the Kerberos message of message i, or nil.
func (a *analyzer) krbAt(i int) *krb.Message { return a.in.Krb(i) }

// httpAt returns the HTTP head of message i, or nil.
func (a *analyzer) httpAt(i int) *httpauth.Head { return a.in.HTTP(i) }

// dnsAt returns the content of DNS message i (all of it but the ID), or
// nil.
func (a *analyzer) dnsAt(i int) *dns.Content { _, c := a.in.DNS(i); return c }

// spnegoAt returns the SPNEGO token of message i, or nil.
func (a *analyzer) spnegoAt(i int) *spnego.Token { return a.in.SPNEGO(i) }

func newAnalyzer(in *decode.Result) *analyzer {
	a := &analyzer{in: in, seen: map[findingKey]bool{}, flowHas: map[flowFinding]bool{}, addrLists: [][]netip.Addr{nil}}
	a.scanMessages()
	// The DNS pairing, the longest, and the grouping of its transactions
	// by client read the input and the scan's DNS list and write only the
	// DNS transactions, their tables (names, clients, address lists) and
	// their index; the rest of the pairing and of the index touches none
	// of them. With a second core they run at once (the JSON of the
	// messages may have that core, but it ends well before the analysis).
	dns := func() {
		a.pairDNS()
		a.buildDNSIndex()
	}
	var dnsDone sync.WaitGroup
	if runtime.GOMAXPROCS(0) > 1 {
		dnsDone.Go(dns)
	} else {
		dns()
	}
	a.buildChildren()
	a.pairKDC()
	a.pairHTTP()
	a.buildIndex()
	dnsDone.Wait()
	a.scan.dns, a.scan.kdc, a.scan.http = nil, nil, nil // the pairings' only
	return a
}

// buildChildren lists the carried messages by parent (a stable sort of
// the scan's list, most often in that order already), so that the children
// of a message are found by binary search: an offset per message, as
// before, took 4 bytes for each of them (3.4 MB at 20,000 flows) where
// one in ten is carried.
func (a *analyzer) buildChildren() {
	carried := a.scan.carried
	parents := make([]int32, len(carried))
	sorted := true
	for k, i := range carried {
		parents[k] = int32(a.in.Parent(int(i)))
		if k > 0 && parents[k] < parents[k-1] {
			sorted = false
		}
	}
	if !sorted {
		type child struct{ parent, idx int32 }
		cs := make([]child, len(carried))
		for k := range cs {
			cs[k] = child{parents[k], carried[k]}
		}
		slices.SortStableFunc(cs, func(x, y child) int { return cmp.Compare(x.parent, y.parent) })
		for k, c := range cs {
			parents[k], carried[k] = c.parent, c.idx
		}
	}
	a.childOf, a.childIdx = parents, carried
	a.scan.carried = nil
}

// children returns the messages carried directly inside message i.
func (a *analyzer) children(i int) []int32 {
	lo, _ := slices.BinarySearch(a.childOf, int32(i))
	hi, _ := slices.BinarySearch(a.childOf[lo:], int32(i)+1)
	return a.childIdx[lo : lo+hi]
}

// appendDescendants appends the messages carried inside message i, depth
// first, to out.
func (a *analyzer) appendDescendants(out []int, i int) []int {
	for _, c := range a.children(i) {
		out = append(out, int(c))
		out = a.appendDescendants(out, int(c))
	}
	return out
}

// tokenOf returns the first message of kind k carried inside message i, or -1.
func (a *analyzer) tokenOf(i int, kinds ...decode.Kind) int {
	if i < 0 {
		return -1
	}
	for _, c := range a.children(i) {
		for _, k := range kinds {
			if a.in.Kind(int(c)) == k {
				return int(c)
			}
		}
		if d := a.tokenOf(int(c), kinds...); d >= 0 {
			return d
		}
	}
	return -1
}

func normName(s string) string {
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// normName is normName remembering its answers: a capture asks for a few
// names over and over, and lower-casing one costs an allocation each time.
func (a *analyzer) normName(s string) string {
	if n, ok := a.normNames[s]; ok {
		return n
	}
	n := normName(s)
	if a.normNames == nil || len(a.normNames) >= maxNormNames {
		a.normNames = make(map[string]string)
	}
	a.normNames[s] = n
	return n
}

// maxNormNames bounds the names analyzer.normName remembers.
const maxNormNames = 1 << 14

// fifo is a queue of open requests threaded through a next array: head and
// tail are indices + 1 (0: empty).
type fifo struct{ head, tail int32 }

func (q *fifo) push(next []int32, i int) {
	if q.tail == 0 {
		q.head = int32(i + 1)
	} else {
		next[q.tail-1] = int32(i + 1)
	}
	q.tail = int32(i + 1)
}

// pop returns the oldest open request, or -1; empty reports that no open
// request is left.
func (q *fifo) pop(next []int32) (i int, empty bool) {
	if q.head == 0 {
		return -1, true
	}
	i = int(q.head - 1)
	q.head = next[i]
	if q.head == 0 {
		q.tail = 0
	}
	return i, q.head == 0
}

// answer pairs the oldest open request under k with a response: it
// returns the request's index, or -1. Keys whose queue empties are deleted,
// so that the map holds only the requests still open.
func answer[K comparable](open map[K]fifo, next []int32, k K) int {
	q, ok := open[k]
	if !ok {
		return -1
	}
	j, empty := q.pop(next)
	if empty {
		delete(open, k)
	} else {
		open[k] = q
	}
	return j
}

// txIndexer gives the names and client addresses of the DNS transactions
// their indices in analyzer.txNames and analyzer.txClients while pairDNS
// makes them. Its maps are bounded: past maxNormNames entries they start
// afresh, and a name or address may then have two indices (the strings
// and addresses compare the same).
type txIndexer struct {
	a         *analyzer
	names     map[string]uint32 // by the name as asked
	clients   map[netip.Addr]uint32
	last      netip.Addr // a client asks several questions in a row
	lastIndex uint32
}

func (x *txIndexer) name(asked string) uint32 {
	if i, ok := x.names[asked]; ok {
		return i
	}
	if x.names == nil || len(x.names) >= maxNormNames {
		x.names = make(map[string]uint32)
	}
	i := uint32(len(x.a.txNames))
	x.a.txNames = append(x.a.txNames, x.a.normName(asked))
	x.names[asked] = i
	return i
}

func (x *txIndexer) client(c netip.Addr) uint32 {
	if c == x.last && len(x.a.txClients) > 0 {
		return x.lastIndex
	}
	i, ok := x.clients[c]
	if !ok {
		if x.clients == nil || len(x.clients) >= maxNormNames {
			x.clients = make(map[netip.Addr]uint32)
		}
		i = uint32(len(x.a.txClients))
		x.a.txClients = append(x.a.txClients, c)
		x.clients[c] = i
	}
	x.last, x.lastIndex = c, i
	return i
}

func (a *analyzer) pairDNS() {
	type key struct {
		capture int
		client  netip.AddrPort
		id      uint16
	}
	n := a.scan.dnsQueries
	a.dns = make([]dnsTx, 0, n)
	next := make([]int32, n)
	open := make(map[key]fifo, min(n, 1024)) // the open queries: few at a time, but churned
	ix := txIndexer{a: a}
	// The fields are read one by one: building each whole Message would
	// cost more than the pairing.
	for _, i32 := range a.scan.dns {
		i := int(i32)
		id, dm := a.in.DNS(i)
		if dm == nil {
			continue
		}
		switch a.in.Kind(i) {
		case decode.KindDNSQuery:
			if len(dm.Questions) == 0 {
				continue
			}
			c := a.in.Capture(i)
			src, _ := a.in.Addrs(i)
			k := key{c, src, id}
			q := open[k]
			q.push(next, len(a.dns))
			open[k] = q
			a.dnsCaptures = max(a.dnsCaptures, c+1)
			a.dns = append(a.dns, dnsTx{q: i32, r: -1, capture: int32(c), qframe: int32(a.in.Frame(i)),
				client: ix.client(src.Addr()), name: ix.name(dm.Questions[0].Name), qtype: dm.Questions[0].Type})
		case decode.KindDNSResponse:
			_, dst := a.in.Addrs(i)
			k := key{a.in.Capture(i), dst, id}
			if j := answer(open, next, k); j >= 0 {
				// Work on the response now, while it is in the cache.
				t := &a.dns[j]
				t.r = i32
				if isAddressQuery(t.qtype) {
					a.resolved(t)
				}
				t.locatorOK = isLocatorName(a.txNames[t.name]) && dm.RCode == 0 && len(dm.Answers) > 0
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
	n := a.scan.kdcReqs
	txs := make([]kdcTx, n)
	a.kdc = make([]*kdcTx, 0, n)
	next := make([]int32, n)
	open := make(map[key]fifo)
	for _, i32 := range a.scan.kdc {
		i := int(i32)
		kind := a.in.Kind(i)
		switch {
		case isKDCRequest(kind):
			src, dst := a.in.Addrs(i)
			j := len(a.kdc)
			t := &txs[j]
			*t = kdcTx{req: i, rep: -1, frame: a.in.Frame(i), client: src, flow: -1}
			k := key{a.in.Capture(i), src, dst}
			q := open[k]
			q.push(next, j)
			open[k] = q
			a.kdc = append(a.kdc, t)
		case isKDCReply(kind):
			src, dst := a.in.Addrs(i)
			k := key{a.in.Capture(i), dst, src}
			if j := answer(open, next, k); j >= 0 {
				a.kdc[j].rep = i
			}
		}
	}
}

func (a *analyzer) pairHTTP() {
	type key struct {
		capture        int
		client, server netip.AddrPort
	}
	n := a.scan.httpReqs
	txs := make([]httpTx, n)
	a.http = make([]*httpTx, 0, n)
	next := make([]int32, n)
	open := make(map[key]fifo)
	for _, i32 := range a.scan.http {
		i := int(i32)
		h := a.httpAt(i)
		switch a.in.Kind(i) {
		case decode.KindHTTPRequest:
			src, dst := a.in.Addrs(i)
			host, port := splitHost(h.Host)
			if host == "" {
				host = dst.Addr().String()
			}
			j := len(a.http)
			t := &txs[j]
			*t = httpTx{req: i, resp: -1, client: src, server: dst, host: host, port: port}
			k := key{a.in.Capture(i), src, dst}
			q := open[k]
			q.push(next, j)
			open[k] = q
			a.http = append(a.http, t)
		case decode.KindHTTPResponse:
			if h.Status >= 100 && h.Status < 200 {
				continue
			}
			src, dst := a.in.Addrs(i)
			k := key{a.in.Capture(i), dst, src}
			if j := answer(open, next, k); j >= 0 {
				a.http[j].resp = i
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
		return spnClass(p), "", ""
	}
	host, port = splitHost(p.Components[1])
	return spnClass(p), host, port
}

// spnClass returns the service class of an SPN (spnHost's class) without
// its host.
func spnClass(p krb.Principal) string {
	if len(p.Components) == 0 {
		return ""
	}
	return lowerClass(p.Components[0])
}

// lowerClass is strings.ToLower without a new string for the service
// classes written in capitals (Windows asks for "HTTP/..." and "HOST/...").
func lowerClass(s string) string {
	switch s {
	case "HTTP":
		return "http"
	case "HOST":
		return "host"
	case "CIFS":
		return "cifs"
	case "LDAP":
		return "ldap"
	}
	return strings.ToLower(s)
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
