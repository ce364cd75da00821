package main

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

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
	bar *bar
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
		w.p.bar = &bar{w: w.p.w, desc: "reading " + report.Sanitize(w.Name()), size: w.size}
	}
	w.p.bar.set(w.done, time.Now())
}

// finish clears the bar, if one was drawn.
func (p *progressState) finish() {
	if p == nil || p.bar == nil {
		return
	}
	p.bar.clear()
	p.bar = nil
}

// bar is a one-line progress bar redrawn in place with a carriage return:
// "reading NAME  42% |████████      | (122 MB/291 MB)", or "reading NAME
// (122 MB)" when the size is unknown. It is drawn by hand, not with a
// progress-bar module: the one used before brought net/http, TLS and x509
// into the binary for a feature kerbtrace has no use for (README,
// Dependencies).
type bar struct {
	w     io.Writer
	desc  string
	size  int64 // -1 when unknown (standard input, a pipe)
	drawn time.Time
	cols  int    // the runes of the line last drawn, to clear it
	shown string // the line last drawn
}

// barWidth is the cells of the bar itself; barEvery how often it is
// redrawn at most.
const (
	barWidth = 30
	barEvery = 100 * time.Millisecond
)

// set moves the bar to done bytes, redrawing it when barEvery has passed
// since it was last drawn and the line changed.
func (b *bar) set(done int64, now time.Time) {
	if !b.drawn.IsZero() && now.Sub(b.drawn) < barEvery {
		return
	}
	line := b.line(done)
	if line == b.shown {
		return
	}
	b.drawn, b.shown = now, line
	pad := ""
	if n := utf8.RuneCountInString(line); n < b.cols {
		pad = strings.Repeat(" ", b.cols-n)
	} else {
		b.cols = n
	}
	io.WriteString(b.w, "\r"+line+pad)
}

// line is the bar at done bytes.
func (b *bar) line(done int64) string {
	if b.size <= 0 {
		return fmt.Sprintf("%s (%s)", b.desc, megabytes(done))
	}
	done = min(done, b.size)
	fill := int(done * barWidth / b.size)
	return fmt.Sprintf("%s %3d%% |%s%s| (%s/%s)", b.desc, done*100/b.size,
		strings.Repeat("█", fill), strings.Repeat(" ", barWidth-fill), megabytes(done), megabytes(b.size))
}

// clear blanks the line the bar was drawn on, leaving the cursor at its
// start.
func (b *bar) clear() {
	if b.cols > 0 {
		io.WriteString(b.w, "\r"+strings.Repeat(" ", b.cols)+"\r")
	}
}

// megabytes writes n bytes in MB, with one decimal below 10 MB.
func megabytes(n int64) string {
	if n < 10<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d MB", n>>20)
}
