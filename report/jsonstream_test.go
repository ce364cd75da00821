package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// wholeJSON is what encoding/json writes for the whole report at once: the
// bytes the streaming JSON renderer must reproduce.
func wholeJSON(t testing.TB, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// goldenJSONReports reads every golden JSON report of the lab captures
// (testdata/golden/*.json), by file name.
func goldenJSONReports(t *testing.T) map[string]*Report {
	t.Helper()
	goldens, _ := filepath.Glob(filepath.Join("..", "testdata", "golden", "*.json"))
	if len(goldens) == 0 {
		t.Fatal("no golden JSON reports under testdata/golden")
	}
	reports := map[string]*Report{}
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var r Report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		reports[filepath.Base(g)] = &r
	}
	return reports
}

// TestJSONStreamsTheSameBytes compares the streaming renderer with
// encoding/json on the sample, on empty and nil lists, on the frames list,
// and on every golden JSON report of the lab captures.
func TestJSONStreamsTheSameBytes(t *testing.T) {
	reports := map[string]*Report{
		"sample": sample(),
		"empty":  {Version: SchemaVersion, Captures: []Capture{}, Messages: []Message{}, Flows: []Flow{}, Findings: []Finding{}, Anomalies: []string{}},
		"nil":    {Version: SchemaVersion},
		"frames": {Version: SchemaVersion, Anomalies: []string{"x.pcap: frame 3: <&> \u2028"},
			Frames: []TransportFrame{{Capture: 0, Frame: 1, Src: "192.0.2.1:1", Dst: "192.0.2.2:88", Protocol: "TCP", Summary: "a <b>"}}},
	}
	maps.Copy(reports, goldenJSONReports(t))
	for name, r := range reports {
		var got bytes.Buffer
		if err := JSON(&got, r, RenderOptions{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := wholeJSON(t, r); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: streamed JSON differs from encoding/json's\ngot  %.300q\nwant %.300q", name, got.Bytes(), want)
		}
	}
}

// fillReport sets every field of v, recursively: with full, strings,
// numbers and booleans are non-zero, pointers point to filled values and
// slices hold two filled elements; without, pointers point to values
// filled the same way and slices are empty but not nil, every scalar zero.
func fillReport(v reflect.Value, full bool, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		if full {
			v.SetString(fmt.Sprintf("s%d <&> \u2028\"\\\x01\xff é", *n))
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		if full {
			v.SetInt(int64(*n) * 7919)
		}
	case reflect.Uint16, reflect.Uint32:
		if full {
			v.SetUint(uint64(*n))
		}
	case reflect.Bool:
		v.SetBool(full)
	case reflect.Float64:
		if full {
			v.SetFloat(float64(*n) + 0.125)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillReport(v.Elem(), full, n)
	case reflect.Slice:
		l := 0
		if full {
			l = 2
		}
		v.Set(reflect.MakeSlice(v.Type(), l, l))
		for i := range l {
			fillReport(v.Index(i), full, n)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue // not part of the JSON
			}
			fillReport(v.Field(i), full, n)
		}
	default:
		panic("fillReport: unhandled kind " + v.Kind().String())
	}
}

// TestJSONEveryField compares the hand-written encoder with encoding/json
// on reports whose every field is set, every field empty, and every field
// zero except one message kind's, so that no member of the model is
// missed or written with the wrong omitempty.
func TestJSONEveryField(t *testing.T) {
	var n int
	full, empty := &Report{}, &Report{}
	fillReport(reflect.ValueOf(full).Elem(), true, &n)
	fillReport(reflect.ValueOf(empty).Elem(), false, &n)
	// One message per field of Message, holding only that field.
	var one Report
	mt := reflect.TypeFor[Message]()
	for i := range mt.NumField() {
		var m Message
		fillReport(reflect.ValueOf(&m).Elem().Field(i), true, &n)
		one.Messages = append(one.Messages, m)
	}
	// Zero values behind every pointer of a decrypted message.
	zeroPtrs := &Report{Messages: []Message{{Ticket: &TicketInfo{Decrypted: &DecryptedTicket{PAC: &PACInfo{
		LogonInfo: &PACLogonInfo{}, ClientInfo: &PACClientInfo{}, UPNDNS: &PACUPNDNS{}}}},
		TGT: &TicketInfo{}, Authenticator: &AuthenticatorInfo{}, EncPart: &EncPartInfo{KeyEntry: &KeyEntry{}}}}}
	for name, r := range map[string]*Report{"full": full, "empty": empty, "one field each": &one, "zero pointers": zeroPtrs} {
		var got bytes.Buffer
		if err := JSON(&got, r, RenderOptions{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := wholeJSON(t, r); !bytes.Equal(got.Bytes(), want) {
			i := firstDiff(got.Bytes(), want)
			t.Errorf("%s: JSON differs from encoding/json's at byte %d\ngot  %q\nwant %q", name, i, around(got.Bytes(), i), around(want, i))
		}
	}
}

// around is b near offset i.
func around(b []byte, i int) []byte { return b[max(0, i-120):min(len(b), i+80)] }

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// jsonStringOf is encoding/json's quoting of s, without HTML escaping.
func jsonStringOf(t testing.TB, s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func TestJSONStringEscaping(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"dc.kerbtrace.test", `"dc.kerbtrace.test"`},
		{`say "hi"`, `"say \"hi\""`},
		{`LAB\alice`, `"LAB\\alice"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"<script>&amp;</script>", `"<script>&amp;</script>"`}, // no HTML escaping
		{"a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"\xff", `"\ufffd"`},
		{"ab\xc3", `"ab\ufffd"`},                           // cut in a sequence
		{"\xc0\xaf", `"\ufffd\ufffd"`},                     // overlong
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},           // surrogate half
		{"\xf4\x90\x80\x80", `"\ufffd\ufffd\ufffd\ufffd"`}, // beyond U+10FFFF
		{"é日本🙂\ufffd", `"é日本🙂` + "\ufffd" + `"`},           // valid UTF-8 as is
		{"\u2027\u202a", "\"\u2027\u202a\""},               // neighbours of U+2028/9
		{"x\x1b[31mred", `"x\u001b[31mred"`},               // terminal escape
		{strings.Repeat("a\"", 40), jsonStringOf(t, strings.Repeat("a\"", 40))},
	} {
		if got := string(appendJSONString(nil, tc.in)); got != tc.want {
			t.Errorf("appendJSONString(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if want := jsonStringOf(t, tc.in); tc.want != want {
			t.Errorf("%q: table says %s, encoding/json writes %s", tc.in, tc.want, want)
		}
	}
}

func TestJSONFloat(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1.5, -0.001, 1e-6, 1e-7, 123e-9, 1e20, 1e21, 1.5e300, -2.5e-300, 86400.123, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		e := &jsonEnc{}
		e.float(f)
		if string(e.b) != string(want) || e.err != nil {
			t.Errorf("float(%v) = %s (%v), want %s", f, e.b, e.err, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		r := &Report{Messages: []Message{{Authenticator: &AuthenticatorInfo{SkewSeconds: f}}}}
		err := JSON(io.Discard, r, RenderOptions{})
		var uv *json.UnsupportedValueError
		if !errors.As(err, &uv) {
			t.Errorf("skew %v: err = %v, want a json.UnsupportedValueError", f, err)
		}
	}
}

// failWriter accepts n bytes and then fails.
type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, io.ErrShortWrite
	}
	w.n -= len(p)
	return len(p), nil
}

func TestJSONWriteError(t *testing.T) {
	r := &Report{Version: SchemaVersion, Anomalies: make([]string, 20000)}
	for i := range r.Anomalies {
		r.Anomalies[i] = "x.pcap: frame " + strconv.Itoa(i) + ": kerberos: truncated"
	}
	for _, n := range []int{0, 100, jsonChunk + 10} {
		err := JSON(&failWriter{n: n}, r, RenderOptions{})
		if !errors.Is(err, io.ErrShortWrite) || !strings.HasPrefix(err.Error(), "report: json: ") {
			t.Errorf("writer failing after %d bytes: err = %v", n, err)
		}
	}
	// Chunks: a large report reaches the writer in pieces of about jsonChunk.
	var cw countWriter
	if err := JSON(&cw, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if cw.writes < 2 || cw.max > jsonChunk+jsonChunk/4 {
		t.Errorf("%d writes of at most %d bytes, want several of about %d", cw.writes, cw.max, jsonChunk)
	}
}

type countWriter struct{ writes, max int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.writes++
	w.max = max(w.max, len(p))
	return len(p), nil
}

// FuzzJSONString checks the hand-written quoting against encoding/json on
// any string, alone and inside a report.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x00\x1f\x7f", "<&>", "\u2028\u2029", "\xff\xc3", "é🙂", "\xed\xa0\x80"} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		if got, want := string(appendJSONString(nil, s)), jsonStringOf(t, s); got != want {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
		id := uint16(n)
		kv := int(n)
		r := &Report{Version: s, Anomalies: []string{s}, Messages: []Message{{Frame: int(n), ID: &id, Src: s, EText: s,
			TicketKvno: &kv, KDCOptions: []string{s, s}, Answers: []Answer{{Name: s}}}},
			Flows: []Flow{{Client: s, Steps: []Step{{Detail: s, Frames: []int{int(n)}}}}}}
		var got bytes.Buffer
		if err := JSON(&got, r, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if want := wholeJSON(t, r); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("report with %q differs\ngot  %s\nwant %s", s, got.Bytes(), want)
		}
	})
}

// BenchmarkAppendJSONString quotes the strings a report is made of: names,
// addresses, times, and a detail text.
func BenchmarkAppendJSONString(b *testing.B) {
	in := []string{"HTTP/www.kerbtrace.test", "192.0.2.101:59216", "2026-11-25T10:15:56.750181000Z", "KERBTRACE.TEST",
		"tgs_req", "A www.kerbtrace.test -> 192.0.2.20; AAAA www.kerbtrace.test -> 2001:db8:1::20", `e-text "NEEDED_PREAUTH"`}
	n := 0
	for _, s := range in {
		n += len(s)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		buf = buf[:0]
		for _, s := range in {
			buf = appendJSONString(buf, s)
		}
	}
}

// TestJSONSafePrefix puts every byte value at every place of a string of
// safe bytes long enough for the eight-at-a-time test, and wants the
// prefix a byte-at-a-time scan finds, and encoding/json's quoting.
func TestJSONSafePrefix(t *testing.T) {
	for n := range 20 {
		for at := range n {
			for c := range 256 {
				b := bytes.Repeat([]byte{'a'}, n)
				b[at] = byte(c)
				s := string(b)
				want := 0
				for want < len(s) && jsonSafe[s[want]] {
					want++
				}
				if got := jsonSafePrefix(s); got != want {
					t.Fatalf("jsonSafePrefix(%q) = %d, want %d", s, got, want)
				}
				if c < 0x20 || c >= 0x7e || c == '"' || c == '\\' || c == 'a' {
					if got, want := string(appendJSONString(nil, s)), jsonStringOf(t, s); got != want {
						t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
					}
				}
			}
		}
	}
}

// TestFlowsAndFindingsParallel encodes the flows and findings of every golden
// report, repeated to fill several chunks, split at every flow between the
// two goroutines, and wants the bytes of the encoding on one
// (TestJSONStreamsTheSameBytes compares that one with encoding/json).
func TestFlowsAndFindingsParallel(t *testing.T) {
	goldens := goldenJSONReports(t)
	var flows []Flow
	var findings []Finding
	for _, name := range slices.Sorted(maps.Keys(goldens)) {
		flows, findings = append(flows, goldens[name].Flows...), append(findings, goldens[name].Findings...)
	}
	if len(flows) < 20 || len(findings) < 20 {
		t.Fatalf("%d flows and %d findings in the golden reports", len(flows), len(findings))
	}
	encode := func(flows []Flow, findings []Finding, k int) []byte {
		var buf bytes.Buffer
		e := &jsonEnc{w: &buf, b: make([]byte, 0, jsonChunk+jsonChunk/4)}
		e.raw("x")
		e.flowsAndFindings(flows, findings, k)
		e.raw("y")
		e.flush()
		if e.err != nil {
			t.Fatal(e.err)
		}
		return buf.Bytes()
	}
	many := slices.Repeat(flows, 20)
	manyFindings := slices.Repeat(findings, 20)
	want := encode(many, manyFindings, 0)
	if len(want) < 4*jsonChunk {
		t.Fatalf("only %d bytes: not several chunks", len(want))
	}
	for _, k := range []int{1, 2, len(many) / 3, len(many) - 1, len(many)} {
		if got := encode(many, manyFindings, k); !bytes.Equal(got, want) {
			t.Errorf("split at flow %d of %d: the bytes differ", k, len(many))
		}
	}
	for k := 1; k <= len(flows); k++ {
		for _, fs := range [][]Finding{findings, nil, {}} {
			want := encode(flows, fs, 0)
			if got := encode(flows, fs, k); !bytes.Equal(got, want) {
				t.Errorf("split at flow %d of %d with %d findings: the bytes differ\ngot  %.200q\nwant %.200q", k, len(flows), len(fs), got, want)
			}
		}
	}
}

func TestTailSplit(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one core: never split")
	}
	cases := []struct{ flows, findings, want int }{
		{0, 1000, 0},
		{10, 20, 0},         // too few
		{5313, 10310, 4374}, // the bench's 5,000 flows: the findings and the last 939 flows on the other core
		{100, 10000, 100},   // findings alone outweigh the flows
		{1000, 0, 500},
	}
	for _, c := range cases {
		if got := tailSplit(c.flows, c.findings); got != c.want {
			t.Errorf("tailSplit(%d, %d) = %d, want %d", c.flows, c.findings, got, c.want)
		}
	}
}
