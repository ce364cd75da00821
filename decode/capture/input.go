package capture

import (
	"bufio"
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
// short reads out of its buffer without copying.
type input struct {
	br  *bufio.Reader
	off int64
	big []byte // for reads larger than the buffer
}

func newInput(r io.Reader) *input {
	return &input{br: bufio.NewReaderSize(r, bufSize)}
}

// peek returns up to n bytes without consuming them.
func (in *input) peek(n int) ([]byte, error) {
	return in.br.Peek(n)
}

// bytes consumes n bytes and returns them. The slice is valid until the
// next call. It returns io.EOF if no byte was left and
// io.ErrUnexpectedEOF if fewer than n were.
func (in *input) bytes(n int) ([]byte, error) {
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
	// Grow with the data actually read, not with n: a damaged length
	// must not allocate more than the file holds.
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

// skip consumes n bytes; io.ErrUnexpectedEOF if the input ends first.
func (in *input) skip(n int64) error {
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
