package capture

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
)

// bufioInput is input as it was on bufio.Reader (Peek and Discard), kept
// as the reference input must agree with: the same bytes, errors and
// offsets for every sequence of reads.
type bufioInput struct {
	br  *bufio.Reader
	off int64
	big []byte
}

func (in *bufioInput) peek(n int) ([]byte, error) { return in.br.Peek(n) }

func (in *bufioInput) bytes(n int) ([]byte, error) {
	if n <= in.br.Size() {
		b, err := in.br.Peek(n)
		if len(b) < n {
			if len(b) == 0 && errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			in.off += int64(len(b))
			_, _ = in.br.Discard(len(b))
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		_, _ = in.br.Discard(n)
		in.off += int64(n)
		return b, nil
	}
	b := in.big[:0]
	for len(b) < n {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(n, max(2*cap(b), 64<<10)))
			copy(nb, b)
			b = nb
		}
		m, err := in.br.Read(b[len(b):min(cap(b), n)])
		b = b[:len(b)+m]
		in.off += int64(m)
		if err != nil {
			in.big = b[:0]
			if errors.Is(err, io.EOF) {
				if len(b) == 0 {
					return nil, io.EOF
				}
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	in.big = b[:0]
	return b, nil
}

func (in *bufioInput) skip(n int64) error {
	for n > 0 {
		step := int(min(n, int64(in.br.Size())))
		m, err := in.br.Discard(step)
		in.off += int64(m)
		n -= int64(m)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

var errBroken = errors.New("broken medium")

// brokenReader returns errBroken, for good, once n bytes are read.
type brokenReader struct {
	r io.Reader
	n int
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errBroken
	}
	m, err := b.r.Read(p[:min(len(p), b.n)])
	b.n -= m
	return m, err
}

// inputReaders are the ways the bytes of an input may arrive.
var inputReaders = []struct {
	name string
	wrap func(data []byte) io.Reader
}{
	{"whole", func(d []byte) io.Reader { return bytes.NewReader(d) }},
	{"one byte", func(d []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(d)) }},
	{"half", func(d []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(d)) }},
	{"EOF with data", func(d []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(d)) }},
	{"broken", func(d []byte) io.Reader { return &brokenReader{r: bytes.NewReader(d), n: len(d) * 2 / 3} }},
}

// inputOps runs ops, a byte each (the operation and its count) on in and
// on the reference ref, and reports the first difference.
func inputOps(data, ops []byte, size int, wrap func([]byte) io.Reader) error {
	in := newInputSize(wrap(data), size)
	ref := &bufioInput{br: bufio.NewReaderSize(wrap(data), size)}
	for k, op := range ops {
		n := int(op >> 2)
		if op&0x80 != 0 {
			n = (n & 0x1f) * size / 4 // up to ~8 buffers
		}
		var got, want []byte
		var gerr, werr error
		what := ""
		switch op & 3 {
		case 0:
			what = fmt.Sprintf("peek(%d)", min(n, size))
			got, gerr = in.peek(min(n, size))
			want, werr = ref.peek(min(n, size))
		case 1:
			what = fmt.Sprintf("bytes(%d)", n)
			got, gerr = in.bytes(n)
			want, werr = ref.bytes(n)
		case 2:
			what = fmt.Sprintf("skip(%d)", n)
			gerr, werr = in.skip(int64(n)), ref.skip(int64(n))
		case 3:
			// What netmonFile reads: everything left, counted by hand.
			what = "read all"
			got, gerr = io.ReadAll(in)
			want, werr = io.ReadAll(ref.br)
			in.off += int64(len(got))
			ref.off += int64(len(want))
		}
		if !bytes.Equal(got, want) || !errors.Is(gerr, werr) && !errors.Is(werr, gerr) || in.off != ref.off {
			return fmt.Errorf("op %d, %s: got %d bytes, %v, offset %d; want %d bytes, %v, offset %d",
				k, what, len(got), gerr, in.off, len(want), werr, ref.off)
		}
	}
	return nil
}

// TestInputAgrees checks input against bufio.Reader's Peek and Discard,
// which it replaced: every way of reading, every kind of underlying
// reader, a small buffer so that reads cross its edges.
func TestInputAgrees(t *testing.T) {
	all := make([]byte, 1000)
	for i := range all {
		all[i] = byte(i * 7)
	}
	for _, r := range inputReaders {
		for seed := range 400 {
			data := all[:[]int{0, 1, 15, 17, 64, 100, 300, 1000}[seed%8]]
			ops := make([]byte, 40)
			x := uint32(seed*2654435761 + 1)
			for i := range ops {
				x ^= x << 13
				x ^= x >> 17
				x ^= x << 5
				ops[i] = byte(x)
			}
			if err := inputOps(data, ops, 64, r.wrap); err != nil {
				t.Fatalf("%s, seed %d: %v", r.name, seed, err)
			}
		}
	}
}

// TestInputEdges checks the cases that a mutation of input's arithmetic
// would break first: a record exactly filling the buffer, one byte past
// it, the end of the input inside a record, a read after the end.
func TestInputEdges(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 8) // 128 bytes
	cases := []struct {
		name string
		ops  func(in *input) ([]byte, error)
		want string
		err  error
		off  int64
	}{
		{"a buffer's worth", func(in *input) ([]byte, error) { return in.bytes(32) }, string(data[:32]), nil, 32},
		{"past the buffer", func(in *input) ([]byte, error) { return in.bytes(33) }, string(data[:33]), nil, 33},
		{"after a skip", func(in *input) ([]byte, error) {
			if err := in.skip(70); err != nil {
				return nil, err
			}
			return in.bytes(5)
		}, string(data[70:75]), nil, 75},
		{"the end inside a record", func(in *input) ([]byte, error) {
			in.skip(120)
			return in.bytes(16)
		}, "", io.ErrUnexpectedEOF, 128},
		{"nothing left after the end inside a record", func(in *input) ([]byte, error) {
			in.skip(120)
			in.bytes(16)
			return in.peek(4)
		}, "", io.EOF, 128},
		{"past the end", func(in *input) ([]byte, error) {
			in.skip(128)
			return in.bytes(1)
		}, "", io.EOF, 128},
		{"skip past the end", func(in *input) ([]byte, error) { return nil, in.skip(129) }, "", io.ErrUnexpectedEOF, 128},
		{"peek past the buffer", func(in *input) ([]byte, error) { return in.peek(40) }, string(data[:32]), nil, 0},
		{"peek short", func(in *input) ([]byte, error) {
			in.skip(125)
			return in.peek(8)
		}, string(data[125:]), io.EOF, 125},
	}
	for _, c := range cases {
		in := newInputSize(iotest.HalfReader(bytes.NewReader(data)), 32)
		got, err := c.ops(in)
		if string(got) != c.want || !errors.Is(err, c.err) || in.off != c.off {
			t.Errorf("%s: got %q, %v, offset %d; want %q, %v, offset %d", c.name, got, err, in.off, c.want, c.err, c.off)
		}
	}
}

// FuzzInput checks input against bufio.Reader's Peek and Discard on any
// bytes, sequence of reads and kind of reader.
func FuzzInput(f *testing.F) {
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), []byte{0x41, 0x05, 0x86, 0x13, 0x03}, uint8(0))
	f.Add(bytes.Repeat([]byte{0xd4, 0xc3, 0xb2, 0xa1}, 40), []byte{0x61, 0x81, 0x42, 0x01}, uint8(2))
	f.Fuzz(func(t *testing.T, data, ops []byte, how uint8) {
		r := inputReaders[int(how)%len(inputReaders)]
		if err := inputOps(data, ops, 16+int(how>>3)%64, r.wrap); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
	})
}
