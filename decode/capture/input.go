package capture

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// maxCaplen is the largest captured length accepted for one record, as in
// Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD; a larger one means the file is
// damaged (or not what its magic says).
const maxCaplen = 262144

// bufSize is the read buffer: records up to this size (all but the largest
// offload frames) are returned straight out of it without a copy; larger
// ones are copied into a buffer of their own.
const bufSize = 64 << 10

// noLink marks a record that is not a packet (a pcapng systemd journal
// export block): Wireshark gives it a frame number, kerbtrace skips it.
const noLink = ^uint32(0)

// record is one record of the file. data is valid until the next call to
// source.next.
type record struct {
	data    []byte
	origLen int
	ts      time.Time
	link    uint32
	offset  int64 // byte offset of the record (block) in the file
}

// source yields the records of one file format. next returns io.EOF at a
// clean end, a *damage when the file is damaged, or another (I/O) error.
type source interface {
	next(rec *record) error
}

// damage says the file is damaged at offset; reading stops there.
type damage struct {
	offset int64
	msg    string
}

func (d *damage) Error() string { return fmt.Sprintf("offset 0x%x: %s", d.offset, d.msg) }

func damagef(off int64, format string, args ...any) *damage {
	return &damage{offset: off, msg: fmt.Sprintf(format, args...)}
}

// input is a buffered reader that counts the bytes consumed and returns
// short reads out of its buffer without copying. It is bufio.Reader's
// Peek and Discard cut to what the record readers need, the common case,
// a record already in the buffer, a compare and two stores: two calls into
// bufio.Reader a record took ~8 % of reading a capture of bulk traffic
// (BenchmarkReadBulk).
type input struct {
	r   io.Reader
	buf []byte // bufSize bytes; buf[rd:wr] is read and not consumed
	rd  int
	wr  int
	err error // what ended reading r; returned once buf[rd:wr] is used up
	off int64
	big []byte // for reads larger than the buffer
}

func newInput(r io.Reader) *input { return newInputSize(r, bufSize) }

// newInputSize is newInput with a buffer of size bytes (tests: the
// buffer's edges with small inputs).
func newInputSize(r io.Reader, size int) *input {
	return &input{r: r, buf: make([]byte, size)}
}

// errNegativeRead is a read of a negative count: the record readers check
// every length they read before they read that many bytes.
var errNegativeRead = errors.New("capture: negative read count")

// maxEmptyReads is how many reads in a row may return nothing before
// reading gives up with io.ErrNoProgress, as bufio.Reader does.
const maxEmptyReads = 100

// fill moves the unconsumed bytes to the front of the buffer and reads
// once more into the rest of it, unless reading has ended.
func (in *input) fill() {
	if in.rd > 0 {
		in.wr = copy(in.buf, in.buf[in.rd:in.wr])
		in.rd = 0
	}
	for range maxEmptyReads {
		if in.err != nil || in.wr == len(in.buf) {
			return
		}
		n, err := in.r.Read(in.buf[in.wr:])
		if n < 0 || n > len(in.buf)-in.wr {
			panic("capture: reader returned an impossible count")
		}
		in.wr += n
		in.err = err
		if n > 0 {
			return
		}
	}
	in.err = io.ErrNoProgress
}

// peek returns up to n bytes (at most a buffer's worth) without consuming
// them, and the error that ended reading when there are fewer.
func (in *input) peek(n int) ([]byte, error) {
	n = min(n, len(in.buf)) // a full buffer is all fill can give
	for in.wr-in.rd < n && in.err == nil {
		in.fill()
	}
	if avail := in.wr - in.rd; avail < n {
		return in.buf[in.rd:in.wr], in.err
	}
	return in.buf[in.rd : in.rd+n], nil
}

// bytes consumes n bytes and returns them. The slice is valid until the
// next call. It returns io.EOF if no byte was left and
// io.ErrUnexpectedEOF if fewer than n were.
func (in *input) bytes(n int) ([]byte, error) {
	if rd, end := in.rd, in.rd+n; uint(n) <= uint(in.wr-rd) {
		in.rd = end
		in.off += int64(n)
		return in.buf[rd:end], nil
	}
	return in.bytesSlow(n)
}

// bytesSlow is bytes when the buffer holds fewer than n bytes.
func (in *input) bytesSlow(n int) ([]byte, error) {
	if n < 0 {
		return nil, errNegativeRead
	}
	if n <= len(in.buf) {
		b, err := in.peek(n)
		if len(b) < n {
			if len(b) == 0 && errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			in.off += int64(len(b))
			in.rd += len(b)
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		in.rd += n
		in.off += int64(n)
		return b, nil
	}
	// Grow with the data actually read, not with n: a damaged length
	// must not allocate more than the file holds.
	b := in.big[:0]
	for len(b) < n {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(n, max(2*cap(b), 64<<10)))
			copy(nb, b)
			b = nb
		}
		m, err := in.Read(b[len(b):min(cap(b), n)])
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

// Read implements io.Reader over what is left of the input, the buffered
// bytes first; it does not count them in off. A read of at least a
// buffer's worth with the buffer empty goes straight to the underlying
// reader.
func (in *input) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if in.rd == in.wr {
		if in.err != nil {
			return 0, in.err
		}
		if len(p) >= len(in.buf) {
			n, err := in.r.Read(p)
			if n < 0 || n > len(p) {
				panic("capture: reader returned an impossible count")
			}
			in.err = err
			return n, err
		}
		in.fill()
		if in.rd == in.wr {
			return 0, in.err
		}
	}
	n := copy(p, in.buf[in.rd:in.wr])
	in.rd += n
	return n, nil
}

// skip consumes n bytes; io.ErrUnexpectedEOF if the input ends first.
func (in *input) skip(n int64) error {
	for n > 0 {
		if in.rd == in.wr {
			if in.err != nil {
				if errors.Is(in.err, io.EOF) {
					return io.ErrUnexpectedEOF
				}
				return in.err
			}
			in.fill()
			continue
		}
		k := int(min(n, int64(in.wr-in.rd)))
		in.rd += k
		in.off += int64(k)
		n -= int64(k)
	}
	return nil
}
