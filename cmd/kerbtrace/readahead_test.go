package main

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestReadAhead checks that an aheadFile gives the file's bytes in order,
// whatever the sizes asked for, across chunk boundaries and at the end,
// that random reads, Stat and Seek before reading still work, and that a
// Seek after reading reads on from the new offset.
func TestReadAhead(t *testing.T) {
	for _, size := range []int{0, 1, aheadChunk - 1, aheadChunk, aheadChunk + 1, (aheadChunks+3)*aheadChunk + 12345, (2*aheadChunks + 1) * aheadChunk} {
		want := make([]byte, size)
		rng := rand.New(rand.NewPCG(uint64(size), 7))
		for i := range want {
			want[i] = byte(rng.Uint32())
		}
		f := openTemp(t, want)
		a, ok := readAhead(f).(*aheadFile)
		if !ok {
			t.Fatal("a regular file is not read ahead")
		}
		if st, err := a.Stat(); err != nil || st.Size() != int64(size) {
			t.Fatalf("Stat = %v, %v", st, err)
		}
		if p, err := a.Seek(0, io.SeekStart); p != 0 || err != nil {
			t.Fatalf("Seek before reading = %d, %v", p, err)
		}
		var got []byte
		buf := make([]byte, 70000)
		for {
			n, err := a.Read(buf[:1+rng.IntN(len(buf)-1)])
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("size %d: read %d bytes, not the file's", size, len(got))
		}
		if n, err := a.Read(buf); n != 0 || err != io.EOF {
			t.Errorf("size %d: Read after the end = %d, %v; want 0, EOF", size, n, err)
		}
		if size > 10 {
			at := make([]byte, 10)
			if _, err := a.ReadAt(at, int64(size-10)); err != nil || !bytes.Equal(at, want[size-10:]) {
				t.Errorf("size %d: ReadAt = %x, %v", size, at, err)
			}
		}
		// Seeking after reading drops what was fetched ahead and reads on
		// from the new offset, from its start, middle and end alike.
		for _, sk := range []struct {
			off    int64
			whence int
			at     int
		}{{0, io.SeekStart, 0}, {int64(size / 2), io.SeekStart, size / 2}, {-int64(size / 3), io.SeekCurrent, size - size/3}, {-1, io.SeekEnd, max(size-1, 0)}} {
			if size == 0 && sk.whence == io.SeekEnd {
				continue // before the start
			}
			if sk.whence == io.SeekCurrent {
				// From the end, where the reads above left it.
				if _, err := a.Seek(0, io.SeekEnd); err != nil {
					t.Fatal(err)
				}
			}
			if p, err := a.Seek(sk.off, sk.whence); p != int64(sk.at) || err != nil {
				t.Fatalf("size %d: Seek(%d, %d) after reading = %d, %v; want %d", size, sk.off, sk.whence, p, err, sk.at)
			}
			rest, err := io.ReadAll(a)
			if err != nil || !bytes.Equal(rest, want[sk.at:]) {
				t.Fatalf("size %d: after Seek(%d, %d), read %d bytes, %v; want the %d from offset %d", size, sk.off, sk.whence, len(rest), err, size-sk.at, sk.at)
			}
		}
		a.Close()
		f.Close()
	}
}

// TestReadAheadClose stops a read-ahead midway and before it started.
func TestReadAheadClose(t *testing.T) {
	f := openTemp(t, make([]byte, (aheadChunks+5)*aheadChunk))
	a := readAhead(f).(*aheadFile)
	a.Close() // never started
	b := readAhead(f).(*aheadFile)
	if _, err := b.Read(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	b.Close() // returns only once the goroutine has stopped
	if _, ok := readAhead(os.Stdin).(*aheadFile); ok {
		if st, _ := os.Stdin.Stat(); st == nil || !st.Mode().IsRegular() {
			t.Error("standard input that is no regular file is read ahead")
		}
	}
}

// trickle hands out its bytes a few at a time, as a decompressor does, then
// ends with err.
type trickle struct {
	b   []byte
	rng *rand.Rand
	err error
}

func (t *trickle) Read(p []byte) (int, error) {
	if len(t.b) == 0 {
		return 0, t.err
	}
	n := copy(p[:min(len(p), 1+t.rng.IntN(5000))], t.b)
	t.b = t.b[n:]
	return n, nil
}

// TestAheadStream checks that an aheadStream gives its reader's bytes in
// order, whatever the sizes read on either side, then the reader's own
// error (a damaged archive's, not only io.EOF), and stops when closed
// midway.
func TestAheadStream(t *testing.T) {
	damaged := errors.New("gzip: invalid checksum")
	for _, size := range []int{0, 1, aheadChunk - 1, aheadChunk, (aheadChunks+3)*aheadChunk + 12345} {
		for _, end := range []error{io.EOF, damaged} {
			want := make([]byte, size)
			rng := rand.New(rand.NewPCG(uint64(size), 9))
			for i := range want {
				want[i] = byte(rng.Uint32())
			}
			a := newAheadStream(&trickle{b: want, rng: rand.New(rand.NewPCG(uint64(size), 11)), err: end}) // its own: it runs on the fetching goroutine
			var got []byte
			buf := make([]byte, 70000)
			var err error
			for err == nil {
				var n int
				n, err = a.Read(buf[:1+rng.IntN(len(buf)-1)])
				got = append(got, buf[:n]...)
			}
			if err != end {
				t.Errorf("size %d: ended with %v, want %v", size, err, end)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("size %d: read %d bytes, not the reader's %d", size, len(got), len(want))
			}
			if n, err := a.Read(buf); n != 0 || err != end {
				t.Errorf("size %d: Read after the end = %d, %v; want 0, %v", size, n, err, end)
			}
			a.Close()
		}
	}
	a := newAheadStream(&trickle{b: make([]byte, (aheadChunks+5)*aheadChunk), rng: rand.New(rand.NewPCG(1, 2)), err: io.EOF})
	if _, err := a.Read(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	a.Close()                   // returns only once the goroutine has stopped
	newAheadStream(nil).Close() // never started
}

// TestReadAheadRestartReusesChunks reads a file's start, seeks back to it
// and reads it again, as the sniffing of compression and then the capture
// reader do with every input, and checks that the second start fetches
// into the chunks of the first instead of new ones, with the same bytes.
func TestReadAheadRestartReusesChunks(t *testing.T) {
	want := make([]byte, (aheadChunks+3)*aheadChunk+100)
	for i := range want {
		want[i] = byte(i * 7)
	}
	a := readAhead(openTemp(t, want)).(*aheadFile)
	defer a.Close()
	head := make([]byte, 16)
	if _, err := io.ReadFull(a, head); err != nil {
		t.Fatal(err)
	}
	first := append([][]byte(nil), a.bufs...)
	if len(first) != aheadChunks {
		t.Fatalf("%d chunks after the first read, want %d", len(first), aheadChunks)
	}
	got := make([]byte, len(want))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := a.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(a, got); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if !bytes.Equal(got, want) {
		t.Fatal("the bytes read again differ from the file's")
	}
	for i := range first {
		if &a.bufs[i][0] != &first[i][0] {
			t.Errorf("chunk %d is a new one after the restart", i)
		}
	}
	// Channels and the like, not a chunk.
	if grown := after.TotalAlloc - before.TotalAlloc; grown > aheadChunk/2 {
		t.Errorf("reading again allocated %d bytes", grown)
	}
}

// openTemp writes data to a file of the test's temporary directory and
// opens it; the test closes it when it ends.
func openTemp(t *testing.T, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.pcap")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
