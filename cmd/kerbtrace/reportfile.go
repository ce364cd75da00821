package main

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// The report file (-o).
//
// A report is often written over the last one: the same capture analysed
// again, a golden report regenerated. Truncating the old file first makes
// the kernel free every page of it, in the page cache and on disk, and
// allocate them again as the new report is written: for the bench's
// 113 MB JSON report, 35-60 ms inside open(2) before the first byte of the
// messages, which the analysis then waited for. An existing regular file is
// instead written over in place and cut to the new report's length at the
// end, so that no byte of the old report stays behind it. It is written in
// whole pages (but for its last bytes): a write that ends inside a page
// of the old report no longer in the page cache would make the kernel read
// that page from the disk first. Only an interruption could leave the old
// tail behind the new head: while a report is written over, an interrupt,
// hang-up or termination signal cuts the file where the writing stopped
// before the process exits, as a truncated file would have been.

// reportFile is the file a report is written to.
type reportFile struct {
	f       *os.File
	inPlace bool         // an existing regular file, written over
	n       atomic.Int64 // bytes written to the file so far
	carry   []byte       // in place, the bytes after the last whole page
	page    int          // os.Getpagesize()
	sigs    chan os.Signal
	done    chan struct{}
}

// exitProcess ends the process after a signal (a variable for tests).
var exitProcess = os.Exit

// createReport opens the file name for a report: an existing non-empty
// regular file to be written over in place, anything else created or
// truncated as os.Create does.
func createReport(name string) (*reportFile, error) {
	if st, err := os.Stat(name); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		r := &reportFile{f: f, inPlace: true, page: os.Getpagesize()}
		r.watchSignals()
		return r, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	return &reportFile{f: f}, nil
}

// Write writes b after what was written; in place, whole pages, the rest
// of b waiting for the next Write or Close.
func (r *reportFile) Write(b []byte) (int, error) {
	if !r.inPlace {
		return r.write(b)
	}
	n := len(b)
	if len(r.carry) > 0 {
		k := min(len(b), r.page-len(r.carry))
		r.carry, b = append(r.carry, b[:k]...), b[k:]
		if len(r.carry) < r.page {
			return n, nil
		}
		if _, err := r.write(r.carry); err != nil {
			return 0, err
		}
		r.carry = r.carry[:0]
	}
	whole := len(b) - len(b)%r.page
	if _, err := r.write(b[:whole]); err != nil {
		return 0, err
	}
	r.carry = append(r.carry, b[whole:]...)
	return n, nil
}

// write writes b to the file and counts what was written.
func (r *reportFile) write(b []byte) (int, error) {
	n, err := r.f.Write(b)
	r.n.Add(int64(n))
	return n, err
}

// Close writes what waits, cuts a file written over to what was written
// and closes it; a disk that filled up shows here. The signals are
// watched until the file is cut.
func (r *reportFile) Close() error {
	_, err := r.write(r.carry)
	r.carry = nil
	if cerr := r.cut(); err == nil {
		err = cerr
	}
	r.stopSignals()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// cut truncates a file written over to the bytes written so far.
func (r *reportFile) cut() error {
	if !r.inPlace {
		return nil
	}
	return r.f.Truncate(r.n.Load())
}

// watchSignals makes an interrupt, hang-up or termination signal cut the
// file before the process exits with 128 plus the signal's number, as a
// shell reports a process the signal ended.
func (r *reportFile) watchSignals() {
	// The goroutine has channels of its own: stopSignals clears r's.
	sigs, done := make(chan os.Signal, 1), make(chan struct{})
	r.sigs, r.done = sigs, done
	signal.Notify(sigs, os.Interrupt, syscall.SIGHUP, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sigs:
			r.cut()
			code := 1
			if n, ok := s.(syscall.Signal); ok {
				code = 128 + int(n)
			}
			exitProcess(code)
		case <-done:
		}
	}()
}

// stopSignals gives the signals back to their default action.
func (r *reportFile) stopSignals() {
	if r.sigs == nil {
		return
	}
	signal.Stop(r.sigs)
	close(r.done)
	r.sigs = nil
}
