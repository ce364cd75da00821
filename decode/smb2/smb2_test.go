package smb2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// TestVectors decodes the payloads of testdata/vectors.txt.
func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 10 {
		t.Fatalf("only %d vectors", len(vs))
	}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			ms, err := Parse(v.raw)
			gotErr := ""
			if err != nil {
				gotErr = sentinel(err)
			}
			if gotErr != v.err {
				t.Errorf("error %v (%s), want %q", err, gotErr, v.err)
			}
			if len(ms) != len(v.msgs) {
				t.Fatalf("%d messages, want %d (%s)", len(ms), len(v.msgs), v.source)
			}
			for i := range ms {
				if g := render(&ms[i]); g != v.msgs[i] {
					t.Errorf("message %d:\n got %s\nwant %s", i, g, v.msgs[i])
				}
			}
		})
	}
}

// vectorByName returns the raw bytes of a named vector.
func vectorByName(t *testing.T, name string) []byte {
	t.Helper()
	for _, v := range loadVectors(t) {
		if v.name == name {
			return v.raw
		}
	}
	t.Fatalf("no vector %q", name)
	return nil
}

// TestBlobIsSubslice checks that the security blob is the SPNEGO token at
// the offset the header gives, not a copy.
func TestBlobIsSubslice(t *testing.T) {
	raw := vectorByName(t, "session-setup-request-krb")
	ms, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	blob := ms[0].SecurityBlob
	off := int(binary.LittleEndian.Uint16(raw[headerLen+12:]))
	if &blob[0] != &raw[off] || len(blob) != len(raw)-off {
		t.Errorf("blob at a different place than offset 0x%x", off)
	}
	if blob[0] != 0x60 || !bytes.Contains(blob[:20], []byte{0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}) {
		t.Errorf("blob does not start with the SPNEGO OID: % x", blob[:20])
	}
}

// TestTruncated cuts real messages at every length before the end of the
// last field Parse reads (a NEGOTIATE response's contexts follow its
// blob and are not read): the header fields
// present stay filled, Truncated is set and the error is ErrTruncated.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"session-setup-response-krb", "negotiate-response-311", "tree-connect-ipc"} {
		raw := vectorByName(t, name)
		full, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		end := len(raw) // past the last field Parse reads
		if b := full[0].SecurityBlob; b != nil {
			end = bytes.Index(raw, b) + len(b)
		}
		for n := 1; n < end; n++ {
			ms, err := Parse(raw[:n])
			if !errors.Is(err, wire.ErrTruncated) {
				t.Fatalf("%s cut at %d: error %v, want ErrTruncated", name, n, err)
			}
			if n < 4 {
				continue // not even the protocol id: no message
			}
			if len(ms) != 1 || !ms[0].Truncated {
				t.Fatalf("%s cut at %d: %d messages, Truncated not set", name, n, len(ms))
			}
			m := ms[0]
			if n >= 14 && m.Command != full[0].Command {
				t.Errorf("%s cut at %d: command %v", name, n, m.Command)
			}
			if n >= 48 && m.SessionID != full[0].SessionID {
				t.Errorf("%s cut at %d: session id %#x", name, n, m.SessionID)
			}
			if m.SecurityBlob != nil && !bytes.HasPrefix(full[0].SecurityBlob, m.SecurityBlob) {
				t.Errorf("%s cut at %d: partial blob is not a prefix", name, n)
			}
		}
	}
}

// header builds a synthetic 64-byte sync header.
func header(cmd Command, flags, next uint32, mid uint64) []byte {
	h := make([]byte, headerLen)
	copy(h, magicSMB2)
	binary.LittleEndian.PutUint16(h[4:], headerLen)
	binary.LittleEndian.PutUint16(h[12:], uint16(cmd))
	binary.LittleEndian.PutUint32(h[16:], flags)
	binary.LittleEndian.PutUint32(h[20:], next)
	binary.LittleEndian.PutUint64(h[24:], mid)
	return h
}

// echo is a synthetic ECHO request (4-byte body) padded to 72 bytes.
func echo(next uint32, mid uint64) []byte {
	return append(header(CmdEcho, 0, next, mid), 4, 0, 0, 0, 0, 0, 0, 0)
}

// TestCompound checks the NextCommand chain rules.
func TestCompound(t *testing.T) {
	var loop []byte
	for i := 0; i < maxCompound+1; i++ {
		loop = append(loop, echo(72, uint64(i))...)
	}
	cases := []struct {
		name  string
		b     []byte
		n     int
		class string
	}{
		{"two", append(echo(72, 1), echo(0, 2)...), 2, ""},
		{"last NextCommand set but nothing follows", echo(72, 1), 1, ""},
		{"unaligned", append(echo(68, 1), echo(0, 2)...), 0, "malformed"},
		{"inside the header", append(echo(8, 1), echo(0, 2)...), 0, "malformed"},
		{"too many", loop, maxCompound, "malformed"},
		{"second is SMB1", append(echo(72, 1), append([]byte{0xff, 'S', 'M', 'B'}, make([]byte, 60)...)...), 1, "smb1"},
		{"second is garbage", append(echo(72, 1), make([]byte, 64)...), 1, "malformed"},
		{"second cut", append(echo(72, 1), echo(0, 2)[:40]...), 2, "truncated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms, err := Parse(c.b)
			class := ""
			if err != nil {
				class = sentinel(err)
			}
			if class != c.class || len(ms) != c.n {
				t.Errorf("%d messages, error %v; want %d, %q", len(ms), err, c.n, c.class)
			}
		})
	}
}

// TestBufferOverrun checks a security buffer pointing past its message:
// a truncation for the last message, a malformation inside a chain.
func TestBufferOverrun(t *testing.T) {
	ss := append(header(CmdSessionSetup, 0, 0, 1), make([]byte, 24)...)
	binary.LittleEndian.PutUint16(ss[headerLen:], 25)
	binary.LittleEndian.PutUint16(ss[headerLen+12:], 88)
	binary.LittleEndian.PutUint16(ss[headerLen+14:], 16)
	ss = append(ss, 0x60, 0x0e) // 2 of the 16 bytes
	ms, err := Parse(ss)
	if !errors.Is(err, wire.ErrTruncated) || len(ms) != 1 || !ms[0].Truncated || !bytes.Equal(ms[0].SecurityBlob, []byte{0x60, 0x0e}) {
		t.Errorf("last message: %v %+v", err, ms)
	}
	chained := append(bytes.Clone(ss[:88]), make([]byte, 8)...) // 96 bytes, 8-aligned
	binary.LittleEndian.PutUint32(chained[20:], 96)
	chained = append(chained, echo(0, 2)...)
	ms, err = Parse(chained)
	if !errors.Is(err, wire.ErrMalformed) || len(ms) != 1 || ms[0].Truncated || ms[0].SecurityBlob != nil {
		t.Errorf("chained message: %v %+v", err, ms)
	}
	low := bytes.Clone(ss)
	binary.LittleEndian.PutUint16(low[headerLen+12:], 10)
	if _, err := Parse(low); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("offset in the header: %v", err)
	}
}

// TestProtocolIDs checks what Parse says about non-SMB2 payloads.
func TestProtocolIDs(t *testing.T) {
	cases := []struct {
		b     []byte
		class string
	}{
		{nil, "truncated"},
		{[]byte{0xfe, 'S'}, "truncated"},
		{[]byte{0xfd, 'S', 'M', 'B', 0}, "encrypted"},
		{[]byte{0xff, 'S', 'M', 'B', 0x72}, "smb1"},
		{[]byte{0xfc, 'S', 'M', 'B'}, "unsupported"},
		{[]byte("GET / HTTP/1.1\r\n"), "malformed"},
		{append([]byte{0xfe, 'S', 'M', 'B', 65, 0}, make([]byte, 58)...), "malformed"},
	}
	for _, c := range cases {
		ms, err := Parse(c.b)
		if err == nil || sentinel(err) != c.class || len(ms) > 1 {
			t.Errorf("Parse(% x): %v, want %s", c.b, err, c.class)
		}
	}
}

// TestErrorResponseWithBlob checks the SESSION_SETUP layout kept by a
// failed session setup whose buffer sits right after the body.
func TestErrorResponseWithBlob(t *testing.T) {
	b := append(header(CmdSessionSetup, flagServerToRedir, 0, 1), 9, 0, 0, 0, 72, 0, 3, 0, 0xa1, 0x01, 0x00)
	binary.LittleEndian.PutUint32(b[8:], uint32(StatusLogonFailure))
	ms, err := Parse(b)
	if err != nil || len(ms) != 1 || !bytes.Equal(ms[0].SecurityBlob, []byte{0xa1, 1, 0}) || ms[0].Status != StatusLogonFailure {
		t.Errorf("%v %+v", err, ms)
	}
}

// TestSplitFrame covers the NBSS packet types and truncation.
func TestSplitFrame(t *testing.T) {
	cases := []struct {
		name  string
		b     []byte
		msg   []byte
		n     int
		class string
	}{
		{"session message", []byte{0, 0, 0, 2, 0xfe, 'S', 0xaa}, []byte{0xfe, 'S'}, 6, ""},
		{"keepalive", []byte{0x85, 0, 0, 0, 0}, nil, 4, ""},
		{"session request", []byte{0x81, 0, 0, 2, 1, 2}, nil, 6, ""},
		{"24-bit length", append([]byte{0, 1, 0, 0}, make([]byte, 65536)...), make([]byte, 65536), 65540, ""},
		{"short header", []byte{0, 0, 0}, nil, 0, "truncated"},
		{"short payload", []byte{0, 0, 0, 5, 1}, nil, 0, "truncated"},
		{"unknown type", []byte{0x17, 3, 3, 0}, nil, 0, "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, n, err := SplitFrame(c.b)
			class := ""
			if err != nil {
				class = sentinel(err)
			}
			if class != c.class || n != c.n || !bytes.Equal(msg, c.msg) {
				t.Errorf("got %x, %d, %v; want %x, %d, %q", msg, n, err, c.msg, c.n, c.class)
			}
		})
	}
}

// TestNames checks the String methods and their fallbacks.
func TestNames(t *testing.T) {
	cases := []struct{ got, want string }{
		{CmdSessionSetup.String(), "SESSION_SETUP"},
		{CmdTreeConnect.String(), "TREE_CONNECT"},
		{CmdServerToClient.String(), "SERVER_TO_CLIENT_NOTIFICATION"},
		{Command(0x99).String(), "0x0099"},
		{StatusMoreProcessingRequired.String(), "STATUS_MORE_PROCESSING_REQUIRED"},
		{StatusLogonFailure.String(), "STATUS_LOGON_FAILURE"},
		{StatusKDCUnknownEtype.String(), "STATUS_KDC_UNKNOWN_ETYPE"},
		{StatusNetworkSessionExpired.String(), "STATUS_NETWORK_SESSION_EXPIRED"},
		{Status(0xC0001234).String(), "0xc0001234"},
		{DialectName(0x0311), "SMB 3.1.1"},
		{DialectName(0x02FF), "SMB 2.???"},
		{DialectName(0x0400), "0x0400"},
		{DialectName(0), ""},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if !StatusLogonFailure.IsError() || StatusNoMoreFiles.IsError() || StatusSuccess.IsError() {
		t.Error("IsError")
	}
}
