package main

import (
	"io"
	"io/fs"
	"os"
)

// captureFile is what the capture reader is given for a named file: it
// reads on, and it can be read at random (a Network Monitor frame table),
// measured and named.
type captureFile interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	Stat() (fs.FileInfo, error)
	Name() string
}

// aheadChunk is how much one read ahead of the decoder fetches; aheadChunks
// of them are in flight at most. Chunks of 128 KiB stay in the core's
// cache from the copy out of the page cache to the decoder's reading
// them; chunks of 1 MiB, three in flight, did not, and the decoder waited
// on them 5 to 50 ms a run on the mixed capture (medians in turns: the
// mixed capture 1.15 and 1.20 times as long, 5,000 auth-only flows 1.06;
// cmd/kerbtrace-bench/RESULTS.md, 2026-12-07, late night).
const (
	aheadChunk  = 128 << 10
	aheadChunks = 8
)

// ahead reads on a second goroutine, a few chunks ahead of its reader, so
// that fetching the bytes (copying a file from the page cache, inflating a
// compressed capture) overlaps decoding them instead of adding to it. The
// bytes, their order and the error that ends them are fill's: only when
// they are fetched changes.
type ahead struct {
	fill    func(buf []byte) (int, error) // the next bytes into buf; an error ends them
	started bool
	cur     []byte // fetched, not yet returned
	curBuf  []byte // the whole buffer cur is in, returned to free when used up
	err     error  // what ended the fetching, returned once cur is used up
	full    chan aheadResult
	free    chan []byte
	stop    chan struct{}
	done    chan struct{}
	// bufs are the chunks, made on the first start and reused by the
	// next: every input is read from its start twice (the sniffing of
	// compression, then the reader), and new chunks each time were 3 MB
	// of fresh memory a run.
	bufs [][]byte
}

type aheadResult struct {
	buf []byte
	n   int
	err error
}

func (a *ahead) start() {
	a.started = true
	a.full = make(chan aheadResult, aheadChunks)
	a.free = make(chan []byte, aheadChunks)
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	for len(a.bufs) < aheadChunks {
		a.bufs = append(a.bufs, make([]byte, aheadChunk))
	}
	for _, buf := range a.bufs {
		a.free <- buf
	}
	go a.fetch()
}

// fetch fills chunk after chunk until an error (io.EOF included) or close.
func (a *ahead) fetch() {
	defer close(a.done)
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.stop:
			return
		}
		n, err := a.fill(buf)
		select {
		case a.full <- aheadResult{buf, n, err}:
		case <-a.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// read returns the next bytes fetched.
func (a *ahead) read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if !a.started {
		a.start()
	}
	for len(a.cur) == 0 {
		if a.curBuf != nil {
			a.free <- a.curBuf
			a.curBuf = nil
		}
		if a.err != nil {
			return 0, a.err
		}
		r := <-a.full
		a.cur, a.curBuf, a.err = r.buf[:r.n], r.buf, r.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// close stops reading ahead and drops what was fetched: a read after it
// starts fetching again, into the same chunks (the fetching goroutine has
// ended, and what read returned was copied out of them).
func (a *ahead) close() {
	if a.started {
		close(a.stop)
		<-a.done
		a.started = false
	}
	a.cur, a.curBuf, a.err = nil, nil, nil
}

// aheadFile reads a regular file ahead of its reader (ahead). Reads at
// random go straight to the file. Close stops the goroutine.
type aheadFile struct {
	ahead
	f   *os.File
	pos int64 // file offset of the next byte Read returns
}

// readAhead wraps f in an aheadFile when f is a regular file; anything
// else (a pipe, a device) is read as it is.
func readAhead(f *os.File) captureFile {
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return f
	}
	return &aheadFile{f: f}
}

// Read returns the next bytes of the file.
func (a *aheadFile) Read(p []byte) (int, error) {
	if !a.started {
		off := a.pos
		a.fill = func(buf []byte) (int, error) {
			n, err := a.f.ReadAt(buf, off)
			off += int64(n)
			return n, err
		}
	}
	n, err := a.read(p)
	a.pos += int64(n)
	return n, err
}

// Seek moves where Read goes on. Once reading ahead has begun, what was
// fetched is dropped and fetching starts again at the new offset: the
// sniffing of compression reads the start of every input, and a Network
// Monitor capture must then be read at random from the file, its frame
// table first, rather than wholly into memory (as it was while Seek
// refused: twice the file's size in RSS).
func (a *aheadFile) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekCurrent {
		// The file's own offset is not where Read is: it reads at
		// offsets (ReadAt).
		off, whence = a.pos+off, io.SeekStart
	}
	p, err := a.f.Seek(off, whence)
	if err != nil {
		return a.pos, err
	}
	a.close()
	a.pos = p
	return p, nil
}

// ReadAt reads the file at random, apart from what Read is given.
func (a *aheadFile) ReadAt(p []byte, off int64) (int, error) { return a.f.ReadAt(p, off) }

// Stat describes the file.
func (a *aheadFile) Stat() (fs.FileInfo, error) { return a.f.Stat() }

// Name is the file's name as it was opened.
func (a *aheadFile) Name() string { return a.f.Name() }

// Close stops reading ahead. It does not close the file.
func (a *aheadFile) Close() error {
	a.close()
	return nil
}

// aheadStream reads any reader ahead of its own reader (ahead): a
// decompressor, so that inflating a compressed capture, on one core,
// overlaps decoding it on the other. Close stops the goroutine; it does
// not close r.
type aheadStream struct {
	ahead
}

func newAheadStream(r io.Reader) *aheadStream {
	return &aheadStream{ahead{fill: func(buf []byte) (int, error) {
		// As io.ReadFull, but an end is r's own error, unchanged.
		n := 0
		for n < len(buf) {
			m, err := r.Read(buf[n:])
			n += m
			if err != nil {
				return n, err
			}
		}
		return n, nil
	}}}
}

// Read returns the next bytes of the stream.
func (a *aheadStream) Read(p []byte) (int, error) { return a.read(p) }

// Close stops reading ahead.
func (a *aheadStream) Close() error {
	a.close()
	return nil
}
