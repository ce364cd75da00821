package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// compressors compress a capture at test time (no compressed copy is kept
// in the repository).
var compressors = map[string]func(t *testing.T, b []byte) []byte{
	"gzip": func(t *testing.T, b []byte) []byte {
		var out bytes.Buffer
		w := gzip.NewWriter(&out)
		mustWrite(t, w, b)
		return out.Bytes()
	},
	"zstd": func(t *testing.T, b []byte) []byte {
		var out bytes.Buffer
		w, err := zstd.NewWriter(&out)
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, w, b)
		return out.Bytes()
	},
	"xz": func(t *testing.T, b []byte) []byte {
		var out bytes.Buffer
		w, err := xz.NewWriter(&out)
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, w, b)
		return out.Bytes()
	},
}

func mustWrite(t *testing.T, w io.WriteCloser, b []byte) {
	t.Helper()
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// runJSON runs 'kerbtrace analyze --format json' and returns stdout,
// stderr and the exit status.
func runJSON(t *testing.T, stdin io.Reader, files ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"analyze", "--format", "json", "--fail-on", "never"}, files...)
	code := run(args, stdin, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

// TestCompressedCaptures checks that gzip, zstd and xz copies of lab
// captures, and a gzip inside an xz, give the report of the plain file.
func TestCompressedCaptures(t *testing.T) {
	root := testutil.RepoRoot(t)
	for _, capName := range []string{"success.pcap", "success.pcapng", "smb-success.cap"} {
		src := filepath.Join(root, "testdata", "captures", capName)
		plain, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		want, stderr, code := runJSON(t, nil, src)
		if code != 0 || !strings.Contains(want, `"outcome": "kerberos_ok"`) {
			t.Fatalf("%s: exit %d: %s", capName, code, stderr)
		}
		cases := []struct {
			name   string
			layers []string
		}{
			{capName + ".gz", []string{"gzip"}},
			{capName + ".zst", []string{"zstd"}},
			{capName + ".xz", []string{"xz"}},
			{capName + ".gz.xz", []string{"gzip", "xz"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := plain
				for _, l := range c.layers {
					b = compressors[l](t, b)
				}
				path := filepath.Join(t.TempDir(), c.name)
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				got, stderr, code := runJSON(t, nil, path)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				if got = strings.ReplaceAll(got, jsonString(path), jsonString(src)); got != want {
					t.Errorf("report differs from the plain file's:\n%s", firstDiff(got, want))
				}
			})
		}
	}
}

// TestStdin reads captures, plain and compressed, from standard input.
func TestStdin(t *testing.T) {
	src := filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "success.pcap")
	plain, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := runJSON(t, nil, src)
	for _, c := range []struct {
		name string
		in   []byte
	}{{"plain", plain}, {"gzip", compressors["gzip"](t, plain)}, {"zstd", compressors["zstd"](t, plain)}} {
		t.Run(c.name, func(t *testing.T) {
			got, stderr, code := runJSON(t, bytes.NewReader(c.in), "-")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(got, `"file": "-"`) {
				t.Errorf("standard input not named \"-\"")
			}
			if got = strings.ReplaceAll(got, `"file": "-"`, `"file": `+jsonString(src)); got != want {
				t.Errorf("report differs from the file's:\n%s", firstDiff(got, want))
			}
		})
	}
	if _, stderr, code := runJSON(t, nil, "-"); code != exitUsage || !strings.Contains(stderr, "kerbtrace: -: no standard input") {
		t.Errorf("no stdin: exit %d, stderr %q", code, stderr)
	}
}

// TestDirectory walks a directory holding good captures, a broken one, a
// compressed one, a HAR, and files without a capture extension.
func TestDirectory(t *testing.T) {
	root := testutil.RepoRoot(t)
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"b/success.PCAP":       read("testdata/captures/success.pcap"),
		"a/spn-missing.pcapng": read("testdata/captures/spn-missing.pcapng"),
		"a/broken.pcap":        []byte("<html>not found</html>"),
		"c/z/stale.cap.gz":     compressors["gzip"](t, read("testdata/captures/stale-key.cap")),
		"c/site.har":           read("decode/har/testdata/success.har"),
		"c/notes.txt":          []byte("not a capture"),
		"c/success.pcap.bak":   read("testdata/captures/success.pcap"),
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := runJSON(t, nil, dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	broken := filepath.Join(dir, "a", "broken.pcap")
	if want := "kerbtrace: " + broken + ": not a pcap, pcapng or Network Monitor capture"; !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q, want one line starting %q", stderr, want)
	}
	var rep struct {
		Captures []struct {
			File, Format string
		}
		Flows []struct {
			Capture int
			Outcome string
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	wantCaps := []struct{ file, format string }{
		{"a/spn-missing.pcapng", "pcapng"},
		{"b/success.PCAP", "pcap"},
		{"c/site.har", "har"},
		{"c/z/stale.cap.gz", "netmon2"},
	}
	if len(rep.Captures) != len(wantCaps) {
		t.Fatalf("captures %+v, want %v", rep.Captures, wantCaps)
	}
	for i, w := range wantCaps {
		if c := rep.Captures[i]; c.File != filepath.Join(dir, filepath.FromSlash(w.file)) || c.Format != w.format {
			t.Errorf("capture %d: %s (%s), want %s (%s)", i, c.File, c.Format, w.file, w.format)
		}
	}
	outcomes := map[int]string{}
	for _, f := range rep.Flows {
		outcomes[f.Capture] = f.Outcome
	}
	want := map[int]string{0: "failed", 1: "kerberos_ok", 2: "kerberos_ok", 3: "failed"}
	for c, o := range want {
		if outcomes[c] != o {
			t.Errorf("capture %d outcome %q, want %q (all: %v)", c, outcomes[c], o, outcomes)
		}
	}

	// Nothing readable at all: exit 2.
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "x.pcap"), []byte("junk"), 0o644)
	if _, stderr, code := runJSON(t, nil, empty, filepath.Join(empty, "missing.pcap")); code != exitUsage || strings.Count(stderr, "kerbtrace: ") != 2 {
		t.Errorf("nothing readable: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := runJSON(t, nil, t.TempDir()); code != exitUsage || !strings.Contains(stderr, "no capture files") {
		t.Errorf("empty directory: exit %d, stderr %q", code, stderr)
	}
}

// TestHAR analyses the HAR made from success.pcap's HTTP exchanges (see
// decode/har/testdata/README.md): the HTTP steps of the flow are those of
// the capture.
func TestHAR(t *testing.T) {
	path := filepath.Join(testutil.RepoRoot(t), "decode", "har", "testdata", "success.har")
	out, stderr, code := runJSON(t, nil, path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Captures []struct{ Format string }
		Flows    []struct {
			Client, SPN, Outcome string
			Steps                []struct {
				Step, Status string
				Frames       []int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Captures) != 1 || rep.Captures[0].Format != "har" || len(rep.Flows) != 1 {
		t.Fatalf("captures %+v, flows %+v", rep.Captures, rep.Flows)
	}
	f := rep.Flows[0]
	if f.SPN != "HTTP/www.kerbtrace.test" || f.Outcome != "kerberos_ok" || !strings.HasPrefix(f.Client, "192.0.2.1") {
		t.Errorf("flow %+v", f)
	}
	want := map[string][]int{"anonymous_request": {1}, "challenge": {1}, "authenticated_request": {2}, "acceptance": {2}}
	for _, s := range f.Steps {
		if frames, ok := want[s.Step]; ok {
			if s.Status != "ok" || len(s.Frames) != len(frames) || s.Frames[0] != frames[0] {
				t.Errorf("step %s: %s %v, want ok %v", s.Step, s.Status, s.Frames, frames)
			}
			delete(want, s.Step)
		}
	}
	if len(want) > 0 {
		t.Errorf("steps missing: %v", want)
	}
	if !strings.Contains(out, `"kind": "ap_req"`) {
		t.Error("no AP-REQ decoded from the Authorization header")
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// firstDiff shows the first differing line of two reports.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "got:  " + al[i] + "\nwant: " + bl[i]
		}
	}
	return "lengths differ"
}

// TestNetmonReadAtRandom checks that a Network Monitor capture is read at
// random, by its frame table, not wholly into memory: as a file, and
// through a temporary copy when it is compressed or on standard input.
// Sniffing every input for compression reads its start; the read-ahead
// file then refused to seek back, the capture reader got a plain stream,
// and a Network Monitor capture was read into memory whole (a 306 MB
// capture took 643 MB of RSS against 48 MB now), as compressed ones and
// standard input always were. Here 32 MB that no frame refers to follow a
// lab capture: they must not be allocated, and the messages are the lab
// capture's.
func TestNetmonReadAtRandom(t *testing.T) {
	src := filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "smb-success.cap")
	plain, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	const padding = 32 << 20
	padded := append(plain, make([]byte, padding)...)
	dir := t.TempDir()
	path, gz := filepath.Join(dir, "padded.cap"), filepath.Join(dir, "padded.cap.gz")
	if err := os.WriteFile(path, padded, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gz, compressors["gzip"](t, padded), 0o644); err != nil {
		t.Fatal(err)
	}
	messages := func(t *testing.T, name string, stdin io.Reader) []byte {
		d := decode.NewDissector()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if err := addInput(d, name, stdin); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; name != src && n > padding/4 {
			t.Errorf("reading %d bytes of which %d are unreferenced padding allocated %d bytes: the capture was read into memory", len(padded), padding, n)
		}
		res := d.Result()
		var out []byte
		for i := range res.Len() {
			m := res.Message(i)
			out = fmt.Appendf(out, "%d %s %v %v\n", m.Frame, m.Kind, m.Src, m.Dst)
		}
		return out
	}
	want := messages(t, src, nil)
	if len(want) == 0 {
		t.Fatal("no message in the lab capture")
	}
	for _, c := range []struct {
		name  string
		input string
		stdin io.Reader
	}{
		{"file", path, nil},
		{"gzip", gz, nil},
		{"stdin", stdinName, struct{ io.Reader }{bytes.NewReader(padded)}}, // no io.ReaderAt, as a pipe
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := messages(t, c.input, c.stdin); !bytes.Equal(got, want) {
				t.Errorf("padded capture's messages:\n%s\nwant the lab capture's:\n%s", got, want)
			}
		})
	}
}
