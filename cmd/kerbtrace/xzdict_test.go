package main

import (
	"bufio"
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// xzWithDict compresses b with a 4 KiB dictionary, then rewrites the
// dictionary size property of the first block header to code (and its
// CRC32), as a crafted file would.
func xzWithDict(t *testing.T, b []byte, code byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := xz.WriterConfig{DictCap: 4096}.NewWriter(&out)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, b)
	x := out.Bytes()
	size := (int(x[xzStreamHeaderLen]) + 1) * 4
	h := x[xzStreamHeaderLen : xzStreamHeaderLen+size]
	i := bytes.Index(h, []byte{xzFilterLZMA2, 1})
	if i < 0 {
		t.Fatalf("no LZMA2 filter in block header % x", h)
	}
	h[i+2] = code
	crc := crc32.ChecksumIEEE(h[:size-4])
	h[size-4], h[size-3], h[size-2], h[size-1] = byte(crc), byte(crc>>8), byte(crc>>16), byte(crc>>24)
	return x
}

// TestXzDictCap checks the bound on the LZMA2 dictionary of an xz input:
// a file asking for 4 GiB (which the decoder would allocate at once) or
// anything above maxXzDict is refused with a message naming the file, and
// files up to the bound are read.
func TestXzDictCap(t *testing.T) {
	capture, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "success.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		code byte
		dict uint64
		ok   bool
	}{
		{0, 4 << 10, true},
		{22, 8 << 20, true},    // xz -6, the default
		{26, 32 << 20, true},   // xz -8
		{28, 64 << 20, true},   // xz -9
		{30, maxXzDict, true},  // the bound itself
		{31, 192 << 20, false}, // just above
		{40, 1<<32 - 1, false}, // 4 GiB - 1, the largest the format allows
		{41, 1<<32 - 1, false}, // not a valid code: the largest
	}
	dir := t.TempDir()
	for _, c := range cases {
		if got := xzDictSize(c.code); got != c.dict {
			t.Errorf("code %d: dictionary %d, want %d", c.code, got, c.dict)
		}
		x := xzWithDict(t, capture, c.code)
		br, closeAll, _, err := decompress(bytes.NewReader(x))
		if c.ok {
			if err != nil {
				t.Errorf("code %d: %v", c.code, err)
			} else if got, err := io.ReadAll(br); c.code <= 28 && (err != nil || !bytes.Equal(got, capture)) {
				t.Errorf("code %d: %d bytes, %v", c.code, len(got), err)
			}
			closeAll()
			continue
		}
		closeAll()
		if !errors.Is(err, errXzDict) {
			t.Errorf("code %d: error %v, want the dictionary refused", c.code, err)
			continue
		}
		name := filepath.Join(dir, "big.pcap.xz")
		if err := os.WriteFile(name, x, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCmd("analyze", name)
		if code != exitUsage || !strings.Contains(stderr, name+": xz: LZMA2 dictionary of") {
			t.Errorf("code %d: exit %d, stderr %q", c.code, code, stderr)
		}
	}
}

// TestXzCLI reads what the xz tool writes at its largest preset.
func TestXzCLI(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("xz not installed")
	}
	in := filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "success.pcap")
	x, err := exec.Command("xz", "-9e", "-c", in).Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkXzDict(bufioOf(x)); err != nil {
		t.Fatalf("xz -9e: %v", err)
	}
}

func bufioOf(b []byte) *bufio.Reader {
	return bufio.NewReaderSize(bytes.NewReader(b), sniffSize)
}
