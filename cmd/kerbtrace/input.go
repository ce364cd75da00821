package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/kerbtrace/kerbtrace/decode"
)

// stdinName is the argument, and the file name in reports, that stands for
// standard input.
const stdinName = "-"

// captureExts are the file name endings taken from a directory (compared in
// lower case). Files named on the command line are read whatever their name:
// the format is always detected from the bytes.
var captureExts = []string{
	".pcap", ".pcapng", ".cap",
	".pcap.gz", ".pcapng.gz", ".cap.gz",
	".zst", ".xz", ".har",
}

// maxDecompress is how many compression layers are undone (a .pcapng.gz is
// one; a .gz inside an .xz two).
const maxDecompress = 2

// maxZstdWindow bounds the memory a zstd frame can make the decoder take
// (zstd -19 --long uses 128 MiB windows at most).
const maxZstdWindow = 1 << 27

// sniffSize is how much of an input is looked at to recognise compression
// and HAR files.
const sniffSize = 4096

// Compression magics (RFC 1952, RFC 8878, the .xz file format 1.0.4).
var (
	magicGzip = []byte{0x1f, 0x8b}
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicXz   = []byte{0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00}
)

// magicNetmon begins a Network Monitor 2.x capture (addSpooled).
var magicNetmon = []byte("GMBU")

// expandInputs turns the command-line arguments into the list of inputs to
// read: files as given, "-" as standard input, directories walked
// recursively for files with a capture extension, in sorted order. Problems
// with an argument (a directory that cannot be walked, one that holds no
// capture) are reported through warn and the argument is skipped; a file
// that does not exist is kept, so that opening it reports the error.
func expandInputs(args []string, warn func(error)) []string {
	var out []string
	for _, a := range args {
		if a == stdinName {
			out = append(out, a)
			continue
		}
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			out = append(out, a)
			continue
		}
		found := walkCaptures(a, warn)
		if len(found) == 0 {
			warn(fmt.Errorf("%s: no capture files (%s) in the directory", a, strings.Join(captureExts, " ")))
		}
		out = append(out, found...)
	}
	return out
}

// walkCaptures lists the capture files under dir, sorted.
func walkCaptures(dir string, warn func(error)) []string {
	var found []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			warn(err)
			if e != nil && e.IsDir() && path != dir {
				return fs.SkipDir
			}
			return nil
		}
		if e.Type().IsRegular() && hasCaptureExt(e.Name()) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		warn(err)
	}
	sort.Strings(found)
	return found
}

// hasCaptureExt reports whether name ends with one of captureExts, in any
// case.
func hasCaptureExt(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range captureExts {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// addInput reads one input into d: standard input for "-", otherwise the
// named file. Errors start with the input's name.
func addInput(d *decode.Dissector, name string, stdin io.Reader) error {
	if name == stdinName {
		if stdin == nil {
			return fmt.Errorf("%s: no standard input", name)
		}
		return addReader(d, name, stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return err // *fs.PathError names the file
	}
	defer f.Close()
	r := readAhead(f) // readahead.go
	if a, ok := r.(*aheadFile); ok {
		defer a.Close()
	}
	return addReader(d, name, watch(r)) // watch: progress.go
}

// addReader undoes the compression of r, if any, and hands the result to
// the HAR reader or the capture reader, under the user's name for it.
func addReader(d *decode.Dissector, name string, r io.Reader) error {
	rd, closeAll, kinds, err := decompress(r)
	defer closeAll()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(kinds) == 0 {
		// Uncompressed: hand over the file itself, so that the capture
		// reader can read a Network Monitor file at random.
		if isHAR(peekAll(rd)) {
			return d.AddHAR(name, rd)
		}
		src := readerWithSeek(rd, r)
		if _, ok := src.(io.ReaderAt); !ok && isNetmon(peekAll(rd)) {
			return addSpooled(d, name, src) // standard input
		}
		return d.Add(name, src)
	}
	if head := peekAll(rd); isHAR(head) {
		return d.AddHAR(name, rd)
	} else if isNetmon(head) {
		return addSpooled(d, name, rd)
	}
	// Decompressing takes a core (a gzip stream cannot be split): done on
	// a goroutine of its own, it overlaps decoding (readahead.go).
	as := newAheadStream(rd)
	defer as.Close()
	return d.Add(name, as)
}

// isNetmon reports whether head begins a Network Monitor 2.x capture.
func isNetmon(head []byte) bool { return bytes.HasPrefix(head, magicNetmon) }

// maxSpool bounds the copy addSpooled makes, as the capture reader bounds
// what it reads into memory: a Network Monitor file's offsets are 32-bit,
// so nothing beyond can be referenced.
const maxSpool = 1 << 33

// addSpooled hands the capture reader a Network Monitor capture that
// cannot be read at random (compressed, or on standard input) as a
// temporary file that can: its frame table, at the end, says where the
// frames are, and the capture reader would otherwise hold the whole
// capture in memory (a 306 MB one on standard input took 664 MB of RSS).
// The file is removed once read. Where no temporary file can be made, the
// capture is read into memory as before.
func addSpooled(d *decode.Dissector, name string, r io.Reader) error {
	tmp, err := os.CreateTemp("", "kerbtrace-netmon-*.cap")
	if err != nil {
		return d.Add(name, r)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := io.Copy(tmp, io.LimitReader(r, maxSpool)); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == tmp.Name() {
			return fmt.Errorf("%s: writing a temporary copy to read it at random: %w", name, err)
		}
		return fmt.Errorf("%s: capture: %w", name, err) // as the capture reader words a failed read
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return d.Add(name, tmp)
}

// readerWithSeek returns orig when nothing of it was consumed yet by the
// buffer in front of it (so an *os.File keeps its io.ReaderAt), else br.
func readerWithSeek(br *bufio.Reader, orig io.Reader) io.Reader {
	if s, ok := orig.(io.Seeker); ok {
		if _, ok := orig.(io.ReaderAt); ok {
			if _, err := s.Seek(0, io.SeekStart); err == nil {
				return orig
			}
		}
	}
	return br
}

// peekAll returns up to sniffSize leading bytes of br without consuming
// them.
func peekAll(br *bufio.Reader) []byte {
	b, _ := br.Peek(sniffSize)
	return b
}

// decompress looks at the first bytes of r and wraps it in gzip, zstd or xz
// decompressors as their magics say, up to maxDecompress layers. It returns
// a buffered reader over the result, a function that releases the
// decompressors (always safe to call), and the names of the layers
// undone, outermost first.
func decompress(r io.Reader) (*bufio.Reader, func(), []string, error) {
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	var kinds []string
	br := bufio.NewReaderSize(r, sniffSize)
	for range maxDecompress {
		head, _ := br.Peek(len(magicXz))
		var next io.Reader
		var kind string
		switch {
		case bytes.HasPrefix(head, magicGzip):
			zr, err := gzip.NewReader(br)
			if err != nil {
				return br, closeAll, kinds, fmt.Errorf("gzip: %w", err)
			}
			closers = append(closers, func() { zr.Close() })
			next, kind = zr, "gzip"
		case bytes.HasPrefix(head, magicZstd):
			zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1),
				zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(maxZstdWindow))
			if err != nil {
				return br, closeAll, kinds, fmt.Errorf("zstd: %w", err)
			}
			closers = append(closers, zr.Close)
			next, kind = zr, "zstd"
		case bytes.HasPrefix(head, magicXz):
			if err := checkXzDict(br); err != nil {
				return br, closeAll, kinds, fmt.Errorf("xz: %w", err)
			}
			xr, err := xz.NewReader(br)
			if err != nil {
				return br, closeAll, kinds, fmt.Errorf("xz: %w", err)
			}
			next, kind = xr, "xz"
		default:
			return br, closeAll, kinds, nil
		}
		kinds = append(kinds, kind)
		br = bufio.NewReaderSize(&namedReader{r: next, kind: kind}, sniffSize)
	}
	return br, closeAll, kinds, nil
}

// namedReader prefixes the errors of a decompressor with its name, so that
// a damaged archive reads "gzip: unexpected EOF" in the warnings.
type namedReader struct {
	r    io.Reader
	kind string
}

func (n *namedReader) Read(p []byte) (int, error) {
	c, err := n.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("%s: %w", n.kind, err)
	}
	return c, err
}

// isHAR reports whether head starts a HAR file: a JSON object (after
// optional white space and byte order mark) with a "log" key.
func isHAR(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || head[0] != '{' {
		return false
	}
	return bytes.Contains(head, []byte(`"log"`))
}
