package main

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/kerbtrace/kerbtrace/report"
)

// progressDelay is how long a capture must take to read before a progress
// bar appears; tests set it to 0.
var progressDelay = time.Second

// progress, when set, draws a bar on a terminal's stderr for the file
// being read. analyze sets it for the duration of its reads.
var progress *progressState

// progressState is the bar of the file being read.
type progressState struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

// watch wraps the capture file f so that reading it advances a progress
// bar when progress is on. The result keeps f's io.ReaderAt, io.Seeker
// and Stat, so that a Network Monitor file is still read at random.
func watch(f captureFile) io.Reader {
	if progress == nil {
		return f
	}
	progress.finish()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return &watchedFile{captureFile: f, p: progress, size: size, start: time.Now()}
}

// watchedFile counts the bytes read from a capture file.
type watchedFile struct {
	captureFile
	p     *progressState
	size  int64
	done  int64 // the furthest offset read
	pos   int64 // the offset of sequential reads
	start time.Time
}

func (w *watchedFile) Read(b []byte) (int, error) {
	n, err := w.captureFile.Read(b)
	w.pos += int64(n)
	w.advance(w.pos)
	return n, err
}

func (w *watchedFile) ReadAt(b []byte, off int64) (int, error) {
	n, err := w.captureFile.ReadAt(b, off)
	w.advance(off + int64(n))
	return n, err
}

// Seek keeps the sequential offset in step.
func (w *watchedFile) Seek(off int64, whence int) (int64, error) {
	p, err := w.captureFile.Seek(off, whence)
	if err == nil {
		w.pos = p
	}
	return p, err
}

// advance moves the bar to offset end, making the bar once the read has
// taken progressDelay.
func (w *watchedFile) advance(end int64) {
	if end > w.done {
		w.done = end
	}
	if w.p.bar == nil {
		if time.Since(w.start) < progressDelay {
			return
		}
		w.p.bar = progressbar.NewOptions64(w.size,
			progressbar.OptionSetWriter(w.p.w),
			progressbar.OptionSetDescription("reading "+report.Sanitize(w.Name())),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	w.p.bar.Set64(w.done)
}

// finish clears the bar, if one was drawn.
func (p *progressState) finish() {
	if p == nil || p.bar == nil {
		return
	}
	p.bar.Finish()
	p.bar.Clear()
	p.bar = nil
}
