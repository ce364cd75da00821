package report

import (
	"bufio"
	"bytes"
	"runtime"
)

// flowBlocks writes the blocks of flows 0..n-1 to w, in flow order. A
// worker is what renders them: newWorker(out) returns the function that
// writes flow i's block to out. With more than one core and many flows,
// the flows are rendered in batches by a worker per core and written in
// order; the bytes are those of one worker rendering them all.
func flowBlocks(w *bufio.Writer, n int, newWorker func(out *bufio.Writer) func(i int) error) error {
	workers := runtime.GOMAXPROCS(0)
	if workers == 1 || n < 2*flowBatch {
		block := newWorker(w)
		for i := range n {
			if err := block(i); err != nil {
				return err
			}
		}
		return nil
	}
	// A batch is the flows [first, first+flowBatch); a worker sends its
	// text on the batch's out. order hands the outs to the writer below in
	// flow order, and holds at most 2*workers, so memory stays bounded.
	type batch struct {
		first int
		out   chan batchOut
	}
	jobs := make(chan batch)
	order := make(chan chan batchOut, 2*workers)
	for range workers {
		go func() {
			var buf bytes.Buffer
			bw := bufio.NewWriter(&buf)
			block := newWorker(bw)
			for b := range jobs {
				buf.Reset()
				var err error
				for i := b.first; i < min(b.first+flowBatch, n) && err == nil; i++ {
					err = block(i)
				}
				if err == nil {
					err = bw.Flush()
				}
				b.out <- batchOut{bytes.Clone(buf.Bytes()), err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(order)
		for first := 0; first < n; first += flowBatch {
			b := batch{first, make(chan batchOut, 1)}
			order <- b.out
			jobs <- b
		}
	}()
	var err error
	for out := range order {
		o := <-out
		if err == nil {
			err = o.err
			w.Write(o.text)
		}
	}
	return err
}

// flowBatch is how many flows a worker of flowBlocks renders at a time.
const flowBatch = 64

// batchOut is the text of a batch of flows, or the error that stopped it.
type batchOut struct {
	text []byte
	err  error
}
