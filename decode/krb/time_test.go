package krb

import (
	"testing"
	"time"
	"unsafe"
)

// TestTimeRoundTrip: every time a GeneralizedTime can write comes back
// from a Time as it went in (fractions to the microsecond), absent stays
// absent, and Unix time 0 (MIT's "till" of 19700101000000Z) is a time,
// not an absent one.
func TestTimeRoundTrip(t *testing.T) {
	for _, s := range []string{
		"0000-01-01T00:00:00Z",
		"0001-01-01T00:00:01Z",
		"1970-01-01T00:00:00Z",
		"2016-06-18T22:14:15Z",
		"2037-09-13T02:48:05Z",
		"2262-04-11T23:47:17Z", // past the int64 nanoseconds of time.Time's UnixNano
		"9999-12-31T23:59:59Z",
		"2024-03-01T09:00:00.123456Z",
	} {
		in, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		got := TimeOf(in)
		if got.IsZero() {
			t.Errorf("%s: absent", s)
			continue
		}
		if back := got.Time(); !back.Equal(in) || back.Location() != time.UTC {
			t.Errorf("%s: back as %v", s, back)
		}
	}
	in := time.Date(2024, 3, 1, 9, 0, 0, 123456789, time.UTC)
	if back := TimeOf(in).Time(); !back.Equal(in.Truncate(time.Microsecond)) {
		t.Errorf("%v: back as %v, want the microsecond kept", in, back)
	}
	for _, absent := range []time.Time{{}, time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if got := TimeOf(absent); !got.IsZero() || !got.Time().IsZero() || got.String() != "absent" {
			t.Errorf("%v: %d %v %q, want absent", absent, got, got.Time(), got.String())
		}
	}
	if a, b := TimeOf(time.Unix(100, 0)), TimeOf(time.Unix(101, 0)); a >= b {
		t.Errorf("times out of order: %d >= %d", a, b)
	}
}

// TestMessageSize: a Message fits the 224-byte size class, and with the
// fields of a KDC-REQ or a KRB-ERROR the 320-byte one (a big capture has a
// hundred thousand of them; with time.Time fields a Message took 448, with
// every type's fields in it 352).
func TestMessageSize(t *testing.T) {
	if n := unsafe.Sizeof(Message{}); n > 224 {
		t.Errorf("Message is %d bytes, want <= 224", n)
	}
	if n := unsafe.Sizeof(Message{}) + unsafe.Sizeof(ReqBody{}); n > 320 {
		t.Errorf("Message and ReqBody are %d bytes, want <= 320", n)
	}
	if n := unsafe.Sizeof(Message{}) + unsafe.Sizeof(ErrorInfo{}); n > 320 {
		t.Errorf("Message and ErrorInfo are %d bytes, want <= 320", n)
	}
}

// TestNewMessage: a message has the fields of its type and no others, as
// Parse returns it, even when the bytes end right after the type; the
// accessors read the absent ones as zero.
func TestNewMessage(t *testing.T) {
	for _, c := range []struct {
		typ      MsgType
		req, err bool
	}{
		{MsgASReq, true, false}, {MsgTGSReq, true, false}, {MsgKRBError, false, true},
		{MsgASRep, false, false}, {MsgTGSRep, false, false}, {MsgAPReq, false, false},
		{MsgAPRep, false, false}, {MsgCred, false, false}, {0, false, false},
	} {
		m := NewMessage(c.typ)
		if m.Type != c.typ || m.EncPartKvno != -1 || (m.ReqBody != nil) != c.req || (m.ErrorInfo != nil) != c.err {
			t.Errorf("%v: %+v", c.typ, m)
		}
		if m.ReqFields().Nonce != 0 || m.ErrorFields().ErrorCode != 0 {
			t.Errorf("%v: fields not zero", c.typ)
		}
		if c.typ == 0 {
			continue
		}
		// The identifier and a length with no content: only the type is known.
		cut, err := Parse([]byte{0x60 | byte(c.typ), 0x82, 0x01})
		if cut == nil || !cut.Truncated || err == nil || (cut.ReqBody != nil) != c.req || (cut.ErrorInfo != nil) != c.err {
			t.Errorf("%v cut after its type: %+v, %v", c.typ, cut, err)
		}
	}
	m := NewMessage(MsgKRBError)
	m.ErrorCode = ErrSkew // a field of its own; a KRB-ERROR has no Nonce: the accessor reads 0
	if m.ErrorFields().ErrorCode != ErrSkew || m.ReqFields().Nonce != 0 {
		t.Errorf("accessors: %v %v", m.ErrorFields().ErrorCode, m.ReqFields().Nonce)
	}
}
