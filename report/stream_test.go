package report

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
)

// labResult is a lab capture dissected and analysed.
type labResult struct {
	d *decode.Result
	f *flow.Result
}

// labResults dissects and analyses every lab capture.
func labResults(t *testing.T) map[string]labResult {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "captures", "*.pcap"))
	if len(files) == 0 {
		t.Fatal("no lab captures under testdata/captures")
	}
	out := map[string]labResult{}
	for _, file := range files {
		fh, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		d := decode.NewDissector()
		err = d.Add(filepath.Base(file), fh)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		dr := d.Result()
		out[filepath.Base(file)] = labResult{dr, flow.Analyze(dr)}
	}
	return out
}

// TestStreamMessages checks that a report built with StreamMessages gives
// the same bytes as one that holds its messages, in every format (each
// builds the messages as it reads them), and under Redact
// (testRedactStreamed).
func TestStreamMessages(t *testing.T) {
	for name, res := range labResults(t) {
		kept := Build(res.d, res.f, Options{})
		streamed := Build(res.d, res.f, Options{StreamMessages: true})
		if streamed.Messages != nil {
			t.Fatalf("%s: a streamed report holds %d messages", name, len(streamed.Messages))
		}
		if got, want := streamed.MessageCount(), len(kept.Messages); got != want || want == 0 {
			t.Errorf("%s: MessageCount = %d, want %d (and more than 0)", name, got, want)
		}
		for _, format := range Formats() {
			render, _ := Lookup(format)
			var a, b bytes.Buffer
			if err := render(&a, kept, RenderOptions{}); err != nil {
				t.Fatal(err)
			}
			s := Build(res.d, res.f, Options{StreamMessages: true})
			if err := render(&b, s, RenderOptions{}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				i := firstDiff(a.Bytes(), b.Bytes())
				t.Errorf("%s %s: streamed report differs at byte %d:\n%q\nwant\n%q", name, format, i, around(b.Bytes(), i), around(a.Bytes(), i))
			}
		}
		testRedactStreamed(t, name, res)
	}
}

// testRedactStreamed checks that Redact on a report that streams its
// messages keeps streaming them (it held them all until 2026-12-07) and
// gives the mapping and, in every format, the bytes of Redact on one that
// holds them.
func testRedactStreamed(t *testing.T, name string, res labResult) {
	t.Helper()
	for _, format := range Formats() {
		render, _ := Lookup(format)
		s, k := Build(res.d, res.f, Options{StreamMessages: true}), Build(res.d, res.f, Options{})
		mapS, mapK := Redact(s), Redact(k)
		if s.Messages != nil || !slices.Equal(mapS, mapK) || len(mapK) == 0 {
			t.Fatalf("%s: Redact on a streamed report: %d messages held, mapping %v; want none held and %v", name, len(s.Messages), mapS, mapK)
		}
		var a, b bytes.Buffer
		if err := render(&a, k, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := render(&b, s, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			i := firstDiff(a.Bytes(), b.Bytes())
			t.Errorf("%s %s: redacted streamed report differs at byte %d:\n%q\nwant\n%q", name, format, i, around(b.Bytes(), i), around(a.Bytes(), i))
		}
	}
}

// TestBuildPending checks that a report whose analysis arrives while it is
// being written gives the same bytes as one built with the analysis at
// hand, in every format.
func TestBuildPending(t *testing.T) {
	eachPending(t, func(name, format string, render Renderer, r labResult, want *bytes.Buffer) {
		var got bytes.Buffer
		ch := make(chan *flow.Result, 1)
		rep := BuildPending(r.d, ch, Options{StreamMessages: true}) // as analyze builds it
		if len(rep.Flows) != 0 || len(rep.Findings) != 0 {
			t.Fatalf("%s: a pending report already has %d flows", name, len(rep.Flows))
		}
		go func() { ch <- r.f }()
		if err := render(&got, rep, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			i := firstDiff(got.Bytes(), want.Bytes())
			t.Errorf("%s %s: pending report differs at byte %d:\n%q\nwant\n%q", name, format, i, around(got.Bytes(), i), around(want.Bytes(), i))
		}
		if len(rep.Flows) != len(r.f.Flows) || len(rep.Flows) == 0 {
			t.Errorf("%s %s: %d flows after rendering, want %d", name, format, len(rep.Flows), len(r.f.Flows))
		}
	})
}

// TestPendingMessagesAfter checks that JSON writes no message before
// Options.MessagesAfter is closed, even with the analysis at hand, and
// then the same bytes as a report that keeps its messages.
func TestPendingMessagesAfter(t *testing.T) {
	r, ok := labResults(t)["success.pcap"]
	if !ok {
		t.Fatal("no lab capture success.pcap")
	}
	want := renderKept(t, JSON, r.d, r.f)
	ch := make(chan *flow.Result, 1)
	ch <- r.f
	held := make(chan struct{})
	rep := BuildPending(r.d, ch, Options{StreamMessages: true, MessagesAfter: held})
	var got bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- JSON(&got, rep, RenderOptions{}) }()
	// The report takes a few milliseconds once let go: one that ended
	// while held did not wait.
	select {
	case <-done:
		t.Fatal("JSON ended before MessagesAfter was closed")
	case <-time.After(50 * time.Millisecond):
	}
	close(held)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		i := firstDiff(got.Bytes(), want.Bytes())
		t.Errorf("held report differs at byte %d:\n%q\nwant\n%q", i, around(got.Bytes(), i), around(want.Bytes(), i))
	}
}

// eachPending calls fn with every format and two lab captures (a success
// and a failure), and the bytes of the report that keeps its messages, which
// a report built as analyze builds it (BuildPending) must match.
func eachPending(t *testing.T, fn func(name, format string, render Renderer, r labResult, want *bytes.Buffer)) {
	t.Helper()
	res := labResults(t)
	for _, name := range []string{"success.pcap", "spn-missing.pcap"} {
		r, ok := res[name]
		if !ok {
			t.Fatalf("no lab capture %s", name)
		}
		for _, format := range Formats() {
			render, _ := Lookup(format)
			fn(name, format, render, r, renderKept(t, render, r.d, r.f))
		}
	}
}

// renderKept renders with render the report of d and f that keeps its
// messages: what every other way of building it must match.
func renderKept(t *testing.T, render Renderer, d *decode.Result, f *flow.Result) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	if err := render(&b, Build(d, f, Options{}), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	return &b
}

// TestDropMessages checks that a streamed report whose messages were
// dropped renders the same bytes as one that kept them in every format that
// ReadsMessages says reads none, and that every other format panics rather
// than writing a report without its messages.
func TestDropMessages(t *testing.T) {
	eachPending(t, func(name, format string, render Renderer, r labResult, want *bytes.Buffer) {
		var got bytes.Buffer
		ch := make(chan *flow.Result, 1)
		rep := BuildPending(r.d, ch, Options{StreamMessages: true})
		rep.DropMessages()
		ch <- r.f
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			_ = render(&got, rep, RenderOptions{})
			return false
		}()
		switch {
		case ReadsMessages(format) && !panicked:
			t.Errorf("%s %s: rendered with its messages dropped (ReadsMessages is true)", name, format)
		case !ReadsMessages(format) && panicked:
			t.Errorf("%s %s: read the dropped messages (ReadsMessages is false)", name, format)
		case !ReadsMessages(format) && !bytes.Equal(got.Bytes(), want.Bytes()):
			i := firstDiff(got.Bytes(), want.Bytes())
			t.Errorf("%s %s: differs at byte %d with the messages dropped:\n%q\nwant\n%q", name, format, i, around(got.Bytes(), i), around(want.Bytes(), i))
		}
	})
	if ReadsMessages("table") || !ReadsMessages("json") {
		t.Errorf("ReadsMessages: table %v, json %v", ReadsMessages("table"), ReadsMessages("json"))
	}
}

// TestDropMessagesFrees checks that once a report drops its messages, and
// the analysis is done, nothing holds the dissector and its decoded result
// any more: the collector can free them before the report is rendered.
// Without the drop, the report holds them.
func TestDropMessagesFrees(t *testing.T) {
	for _, drop := range []bool{true, false} {
		rep, freed := pendingWatched(t)
		if drop {
			rep.DropMessages()
		}
		rep.Complete()
		got := false
		for range 10 {
			runtime.GC()
			select {
			case <-freed:
				got = true
			case <-time.After(10 * time.Millisecond):
				continue
			}
			break
		}
		if got != drop {
			t.Errorf("DropMessages %v: the dissector was freed: %v", drop, got)
		}
		if rep.MessageCount() == 0 || len(rep.Flows) == 0 {
			t.Errorf("DropMessages %v: %d messages, %d flows", drop, rep.MessageCount(), len(rep.Flows))
		}
		runtime.KeepAlive(rep)
	}
}

// TestJSONRelease checks RenderOptions.Release: JSON writes the same bytes
// with it, calls it once, after the messages and before the flows, and by
// then has let go of the decoded result (the collector frees it there).
func TestJSONRelease(t *testing.T) {
	render := func(release bool) (out []byte, calls int, freedAtRelease bool) {
		rep, freed := pendingWatched(t)
		var o RenderOptions
		var buf bytes.Buffer
		w := releaseWatch{t: t, rep: rep, freed: freed}
		if release {
			o.Release = w.release
		}
		if err := JSON(&buf, rep, o); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), w.calls, w.freedAtRelease
	}
	want, _, _ := render(false)
	got, calls, freed := render(true)
	if !bytes.Equal(got, want) {
		t.Errorf("JSON with Release differs from JSON without it")
	}
	if calls != 1 || !freed {
		t.Errorf("Release called %d times (want 1), the decoded result freed by then: %v", calls, freed)
	}
	if !bytes.Contains(got, []byte(`"flows": [`)) || !bytes.Contains(got, []byte(`"kind": "tgs_req"`)) {
		t.Errorf("the report lacks its flows or messages:\n%.300s", got)
	}
}

// TestCompleteReleasing checks what the table's caller relies on: the
// report lets go of the decoded result before release is called, release
// comes before the flows are added, and the table drawn after it is the
// one drawn from a report completed the plain way.
func TestCompleteReleasing(t *testing.T) {
	rep, freed := pendingWatched(t)
	w := releaseWatch{t: t, rep: rep, freed: freed}
	rep.CompleteReleasing(w.release)
	if w.calls != 1 || !w.freedAtRelease {
		t.Errorf("release called %d times (want 1), the decoded result freed by then: %v", w.calls, w.freedAtRelease)
	}
	if len(rep.Flows) == 0 || len(rep.Findings) == 0 {
		t.Fatalf("no flows or findings after CompleteReleasing: %d, %d", len(rep.Flows), len(rep.Findings))
	}
	var got, want bytes.Buffer
	if err := Table(&got, rep, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	plain, _ := pendingWatched(t)
	if err := Table(&want, plain, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("the table after CompleteReleasing differs:\n%s\nwant:\n%s", got.Bytes(), want.Bytes())
	}
}

// releaseWatch is a release function (RenderOptions.Release,
// Report.CompleteReleasing) that counts its calls, checks that the flows
// are not yet added, and collects until the dissector watched by
// pendingWatched is freed (freedAtRelease) or a tenth of a second passed.
type releaseWatch struct {
	t              *testing.T
	rep            *Report
	freed          <-chan struct{}
	calls          int
	freedAtRelease bool
}

func (w *releaseWatch) release() {
	w.calls++
	if len(w.rep.Flows) != 0 {
		w.t.Errorf("release called after the flows were added")
	}
	for range 10 {
		runtime.GC()
		select {
		case <-w.freed:
			w.freedAtRelease = true
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// pendingWatched dissects the lab's success.pcap and returns its report,
// built with BuildPending and StreamMessages with its analysis done, and a
// channel closed once the collector has freed the dissector.
func pendingWatched(t *testing.T) (*Report, <-chan struct{}) {
	t.Helper()
	fh, err := os.Open(filepath.Join("..", "testdata", "captures", "success.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	d := decode.NewDissector()
	err = d.Add("success.pcap", fh)
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	freed := make(chan struct{})
	runtime.AddCleanup(d, func(ch chan struct{}) { close(ch) }, freed)
	ch := make(chan *flow.Result, 1)
	rep := BuildPending(d.Result(), ch, Options{StreamMessages: true})
	ch <- flow.Analyze(d.Result())
	return rep, freed
}
