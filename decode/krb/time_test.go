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

// TestMessageSize: a Message fits the 352-byte size class (a big capture
// has a hundred thousand of them; with time.Time fields it took 448).
func TestMessageSize(t *testing.T) {
	if n := unsafe.Sizeof(Message{}); n > 352 {
		t.Errorf("Message is %d bytes, want <= 352", n)
	}
}
