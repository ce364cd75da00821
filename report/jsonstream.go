package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/dns"
)

// JSON writes the report as the indented JSON document of the contract.
//
// It writes the same bytes as encoding/json would for the whole Report
// (two-space indent, no HTML escaping, a final newline), but by hand:
// every value is appended to one buffer without reflection or an
// indentation pass (jsonmodel.go), and the buffer goes to w in chunks of
// about 64 KB, so that a report of a million messages is never held as one
// document.
func JSON(w io.Writer, r *Report, o RenderOptions) error {
	e := &jsonEnc{w: w, b: make([]byte, 0, jsonChunk+jsonChunk/4)}
	e.raw("{\n")
	e.raw(`  "version": `)
	e.str(r.Version)
	e.raw(",\n" + `  "captures": `)
	jsonList(e, r.Captures, (*jsonEnc).capture)
	e.raw(",\n" + `  "messages": `)
	if r.stream != nil {
		e.streamMessages(r.stream)
	} else {
		jsonList(e, r.Messages, (*jsonEnc).message)
	}
	// The analysis may have run while the messages were written; on the
	// last rendering, what they were read from can go.
	r.CompleteReleasing(o.Release)
	e.raw(",\n" + `  "flows": `)
	e.flowsAndFindings(r.Flows, r.Findings, tailSplit(len(r.Flows), len(r.Findings)))
	e.raw(",\n" + `  "anomalies": `)
	jsonList(e, r.Anomalies, func(e *jsonEnc, s *string, _ int) { e.str(*s) })
	if len(r.Frames) > 0 {
		e.raw(",\n" + `  "frames": `)
		jsonList(e, r.Frames, (*jsonEnc).transportFrame)
	}
	e.raw("\n}\n")
	e.flush()
	if e.err != nil {
		return fmt.Errorf("report: json: %w", e.err)
	}
	return nil
}

// jsonChunk is how many bytes the encoder gathers before writing them.
const jsonChunk = 64 << 10

// flowsAndFindings writes the list of flows, its "findings" key and the
// list of findings. With split k > 0, flows[k:] and the findings are
// encoded on a second goroutine while this one encodes flows[:k], into
// chunks of their own that are written after: the same bytes, in about
// less time once the analysis has ended and the other core is idle (at
// 5,000 flows 22-26 ms on one goroutine, 14-16 ms on two). The chunks
// are jsonChunk each, in the memory the decoded messages left free, not
// one buffer of fresh memory (a pre-sized one made this slower).
func (e *jsonEnc) flowsAndFindings(flows []Flow, findings []Finding, k int) {
	if k <= 0 || k > len(flows) {
		jsonList(e, flows, (*jsonEnc).flow)
		e.raw(",\n" + `  "findings": `)
		jsonList(e, findings, (*jsonEnc).finding)
		return
	}
	tail := &jsonEnc{b: make([]byte, 0, jsonChunk+jsonChunk/4), keep: true}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := k; i < len(flows); i++ {
			tail.raw(",\n    ")
			tail.flow(&flows[i], 2)
			tail.maybeFlush()
		}
		tail.raw("\n  ]")
		tail.raw(",\n" + `  "findings": `)
		jsonList(tail, findings, (*jsonEnc).finding)
		tail.flush()
	}()
	e.raw("[\n    ")
	for i := range k {
		if i > 0 {
			e.raw(",\n    ")
		}
		e.flow(&flows[i], 2)
		e.maybeFlush()
	}
	<-done
	e.flush()
	own := e.b
	for _, c := range tail.kept {
		e.b = c
		e.flush()
	}
	e.b = own[:0]
}

// Relative costs of encoding a flow and a finding (about 3.2 and 1 µs: 17
// ms for the 5,313 flows of the bench's 5,000 flows, 10 ms for their
// 10,310 findings), and the fewest of both worth a second goroutine.
const (
	flowCost, findingCost = 3, 1
	minTailSplit          = 256
)

// tailSplit returns where flowsAndFindings splits the flows so that both
// goroutines have about the same to encode; 0 (no split) with one core or
// few flows and findings.
func tailSplit(flows, findings int) int {
	if flows < 1 || flows+findings < minTailSplit || runtime.GOMAXPROCS(0) < 2 {
		return 0
	}
	k := (flowCost*flows + findingCost*findings) / (2 * flowCost)
	return min(max(k, 1), flows)
}

// jsonEnc appends JSON to b as encoding/json's Encoder with
// SetIndent("", "  ") and SetEscapeHTML(false) writes it, and hands b to w
// whenever it holds a chunk. It keeps the first error; after one, the
// bytes are still built but never written.
type jsonEnc struct {
	w   io.Writer
	b   []byte
	err error
	// keep, instead of w, gathers what is flushed: each buffer is kept
	// whole in kept and the next one is new.
	keep bool
	kept [][]byte
}

// flush writes what the buffer holds.
func (e *jsonEnc) flush() {
	if e.keep {
		if len(e.b) > 0 {
			e.kept = append(e.kept, e.b)
			e.b = make([]byte, 0, cap(e.b))
		}
		return
	}
	if e.err == nil && len(e.b) > 0 {
		_, e.err = e.w.Write(e.b)
	}
	e.b = e.b[:0]
}

// maybeFlush writes the buffer once it holds a chunk.
func (e *jsonEnc) maybeFlush() {
	if len(e.b) >= jsonChunk {
		e.flush()
	}
}

func (e *jsonEnc) raw(s string) { e.b = append(e.b, s...) }

// jsonIndent[d] starts a line at depth d: a newline and two spaces per
// level.
var jsonIndent = func() (t [12]string) {
	for d := range t {
		t[d] = "\n" + strings.Repeat("  ", d)
	}
	return t
}()

// newline starts a line indented for depth d.
func (e *jsonEnc) newline(d int) { e.b = appendNewline(e.b, d) }

// appendNewline appends a newline and the indent of depth d to b. The
// encoder's hot paths append to a local slice and store it back once: each
// store of e.b is a pointer write, with a write barrier while the
// collector marks, which it often does while the messages are written.
func appendNewline(b []byte, d int) []byte {
	if d < len(jsonIndent) {
		return append(b, jsonIndent[d]...)
	}
	b = append(b, jsonIndent[len(jsonIndent)-1]...)
	for d -= len(jsonIndent) - 1; d > 0; d-- {
		b = append(b, "  "...)
	}
	return b
}

func (e *jsonEnc) str(s string) { e.b = appendJSONString(e.b, s) }

func (e *jsonEnc) int(v int64) { e.b = strconv.AppendInt(e.b, v, 10) }

func (e *jsonEnc) uint(v uint64) { e.b = strconv.AppendUint(e.b, v, 10) }

func (e *jsonEnc) bool(v bool) { e.b = strconv.AppendBool(e.b, v) }

// float appends f as encoding/json does (ES6 number formatting). NaN and
// infinities are an error there and here.
func (e *jsonEnc) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if e.err == nil {
			_, e.err = json.Marshal(f) // encoding/json's own UnsupportedValueError
		}
		e.b = append(e.b, "null"...)
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' { // e-09 -> e-9, as encoding/json
		n := len(e.b)
		if n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// jsonList appends a list at the report's top level (elements at depth 2):
// null when nil, [] when empty, else one element per line block. It
// flushes between elements.
func jsonList[T any](e *jsonEnc, list []T, elem func(*jsonEnc, *T, int)) {
	if list == nil {
		e.raw("null")
		return
	}
	jsonElems(e, len(list), func(i int) { elem(e, &list[i], 2) })
}

// jsonElems writes a list of n elements at depth 1, elem(i) writing
// element i, and flushes between elements.
func jsonElems(e *jsonEnc, n int, elem func(i int)) {
	if n == 0 {
		e.raw("[]")
		return
	}
	e.raw("[\n    ")
	for i := range n {
		if i > 0 {
			e.raw(",\n    ")
		}
		elem(i)
		e.maybeFlush()
	}
	e.raw("\n  ]")
}

// streamMessages writes the messages of s as jsonList writes a list of
// them (a stream always gives a list, never null), straight from the
// decoded messages (streamedMessage).
func (e *jsonEnc) streamMessages(s *messageStream) {
	if s.after != nil {
		<-s.after
	}
	d := s.result()
	if d.Len() == 0 {
		e.raw("[]")
		return
	}
	if s.rewrite != nil {
		// Redacted: each message's model, rewritten.
		var m Message
		jsonElems(e, d.Len(), func(i int) {
			m = Message{}
			s.build(s.b, &m, i)
			e.message(&m, 2)
		})
		return
	}
	e.raw("[\n    ")
	frags := dnsFragments{m: make(map[*dns.Content][]byte)}
	for i := range d.Len() {
		if i > 0 {
			e.raw(",\n    ")
		}
		e.streamedMessage(s.b, d, i, &frags)
		e.maybeFlush()
	}
	e.raw("\n  ]")
}

// streamedMessage writes message i of d as message writes its model form
// (the same bytes: TestStreamedMessagesShared, TestStreamedMessagesEdges):
// the members every message has are written from the decoded message,
// without the model's strings; those of a DNS message's content come from
// frags; only the members of other kinds go through the model
// (builder.messageBody).
func (e *jsonEnc) streamedMessage(b *builder, d *decode.Result, i int, frags *dnsFragments) {
	// A DNS message's ID and content come without making its Body.
	dnsID, dnsContent := d.DNS(i)
	isDNS := dnsContent != nil
	var msg decode.Message
	if isDNS {
		msg = d.MessageHead(i)
	} else {
		msg = d.Message(i)
	}
	m := &msg
	o := e.obj(2)
	o.int("frame", int64(m.Frame))
	if len(m.Frames) > 1 {
		o.ints("frames", m.Frames)
	}
	// The members every message has, on a local slice (appendNewline).
	buf := strconv.AppendInt(o.appendKey(e.b, "capture"), int64(m.Capture), 10)
	buf = b.appendTimeJSON(o.appendKey(buf, "time"), m.Time)
	buf = b.appendAddrJSON(o.appendKey(buf, "src"), m.Src)
	buf = b.appendAddrJSON(o.appendKey(buf, "dst"), m.Dst)
	buf = appendJSONString(o.appendKey(buf, "transport"), m.Transport.String())
	e.b = appendJSONString(o.appendKey(buf, "kind"), m.Kind.String())
	o.strOmit("carrier", m.Carrier.String())
	o.strOmit("header", m.Header)
	if dm := m.DNS(); dm != nil {
		dnsID, dnsContent, isDNS = dm.ID, dm.Content, true
	}
	if isDNS {
		o.int("id", int64(dnsID))
		frags.members(e, &o, b, dnsContent)
	} else {
		var rm Message
		at := b.mark()
		b.messageBody(&rm, d, i, m)
		b.finish()
		e.messageBody(&o, &rm)
		b.release(at) // rm is written: its lists go back to the slabs
	}
	o.boolOmit("truncated", m.Truncated)
	o.strOmit("error", m.Err)
	o.end()
}

// dnsFragments keeps the JSON of the DNS contents written last, by
// content: a content is shared by every DNS message with the same bytes
// but the ID (decode/dnsshare.go: a server's answers to each client, a
// client asking again), and their members but the ID are the same bytes.
type dnsFragments struct {
	m map[*dns.Content][]byte
}

// maxDNSFragments bounds the contents whose JSON a dnsFragments keeps
// (some hundreds of bytes each); past it, it starts again.
const maxDNSFragments = 4096

// members appends the members of content c after a message's id
// (jsonEnc.dnsMembers of its model), from the JSON kept for c when there
// is one. The object has members already, so the first one appended
// starts with a comma whatever it is.
func (f *dnsFragments) members(e *jsonEnc, o *jsonObj, b *builder, c *dns.Content) {
	if frag, ok := f.m[c]; ok {
		e.b = append(e.b, frag...)
		return
	}
	start := len(e.b)
	var rm Message
	b.dnsFields(&rm, c)
	e.dnsMembers(o, &rm)
	if len(f.m) >= maxDNSFragments {
		clear(f.m)
	}
	f.m[c] = bytes.Clone(e.b[start:])
}

// jsonObj appends the members of one object at depth d; its zero number
// of members gives "{}".
type jsonObj struct {
	e *jsonEnc
	d int
	n int
}

// obj opens an object at depth d.
func (e *jsonEnc) obj(d int) jsonObj {
	e.b = append(e.b, '{')
	return jsonObj{e: e, d: d}
}

// key starts the member named k (a name that needs no escaping).
func (o *jsonObj) key(k string) {
	o.e.b = o.appendKey(o.e.b, k)
}

// appendKey is key on a local slice (appendNewline).
func (o *jsonObj) appendKey(b []byte, k string) []byte {
	if o.n > 0 {
		b = append(b, ',')
	}
	o.n++
	b = appendNewline(b, o.d+1)
	b = append(b, '"')
	b = append(b, k...)
	return append(b, `": `...)
}

// end closes the object.
func (o *jsonObj) end() {
	b := o.e.b
	if o.n > 0 {
		b = appendNewline(b, o.d)
	}
	o.e.b = append(b, '}')
}

func (o *jsonObj) str(k, v string) {
	o.e.b = appendJSONString(o.appendKey(o.e.b, k), v)
}

// strOmit is a string member with omitempty.
func (o *jsonObj) strOmit(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

func (o *jsonObj) int(k string, v int64) {
	o.e.b = strconv.AppendInt(o.appendKey(o.e.b, k), v, 10)
}

// intOmit is an integer member with omitempty.
func (o *jsonObj) intOmit(k string, v int64) {
	if v != 0 {
		o.int(k, v)
	}
}

// boolOmit is a boolean member with omitempty.
func (o *jsonObj) boolOmit(k string, v bool) {
	if v {
		o.key(k)
		o.e.bool(true)
	}
}

// intPtrOmit is a *int member with omitempty.
func (o *jsonObj) intPtrOmit(k string, v *int) {
	if v != nil {
		o.int(k, int64(*v))
	}
}

// uint32PtrOmit is a *uint32 member with omitempty.
func (o *jsonObj) uint32PtrOmit(k string, v *uint32) {
	if v != nil {
		o.key(k)
		o.e.uint(uint64(*v))
	}
}

// strs is a []string member: null when nil, [] when empty.
func (o *jsonObj) strs(k string, v []string) {
	o.key(k)
	jsonArray(o.e, v, o.d+1, func(e *jsonEnc, s *string, _ int) { e.str(*s) })
}

// strsOmit is a []string member with omitempty (left out when empty).
func (o *jsonObj) strsOmit(k string, v []string) {
	if len(v) > 0 {
		o.strs(k, v)
	}
}

// ints is a []int member: null when nil, [] when empty.
func (o *jsonObj) ints(k string, v []int) {
	o.key(k)
	jsonArray(o.e, v, o.d+1, func(e *jsonEnc, n *int, _ int) { e.int(int64(*n)) })
}

// intsOmit is a []int member with omitempty.
func (o *jsonObj) intsOmit(k string, v []int) {
	if len(v) > 0 {
		o.ints(k, v)
	}
}

// jsonArray appends an array at depth d whose elements are at depth d+1:
// null when nil, [] when empty.
func jsonArray[T any](e *jsonEnc, list []T, d int, elem func(*jsonEnc, *T, int)) {
	switch {
	case list == nil:
		e.raw("null")
		return
	case len(list) == 0:
		e.raw("[]")
		return
	}
	e.b = append(e.b, '[')
	for i := range list {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.newline(d + 1)
		elem(e, &list[i], d+1)
	}
	e.newline(d)
	e.b = append(e.b, ']')
}

// jsonSafe marks the ASCII bytes encoding/json copies as they are into a
// string when HTML escaping is off; every other byte takes the slow path.
var jsonSafe = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

const jsonHex = "0123456789abcdef"

// jsonSafePrefix returns how many bytes at the start of s are jsonSafe,
// testing eight at a time: most strings of a report are all safe, and a
// byte at a time was a third of writing a flow.
func jsonSafePrefix(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		v := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// A byte of 0x80 or more, below 0x20, a double quote or a backslash
		// (a zero byte after the XOR). With no byte of 0x80 or more, the
		// borrows of the subtractions tell exactly whether any byte is
		// below 0x20 or zero.
		quote, backslash := v^(ones*'"'), v^(ones*'\\')
		if (v|(v-ones*0x20)&^v|(quote-ones)&^quote|(backslash-ones)&^backslash)&highs != 0 {
			break
		}
	}
	for i < len(s) && jsonSafe[s[i]] {
		i++
	}
	return i
}

// appendJSONString appends s quoted as encoding/json quotes a string with
// SetEscapeHTML(false): ", \ and control bytes escaped (\b \f \n \r \t or
// \u00XX), invalid UTF-8 bytes replaced by \ufffd, and U+2028 and U+2029
// written \u2028 and \u2029.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := jsonSafePrefix(s); i < len(s); {
		b := s[i]
		if jsonSafe[b] {
			i++
			continue
		}
		if b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', jsonHex[b>>4], jsonHex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', jsonHex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
