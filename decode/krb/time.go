package krb

import "time"

// Time is a KerberosTime (RFC 4120 5.2.3) in 8 bytes, where a time.Time
// takes 24: a message has five of them, and a big capture a hundred
// thousand messages or more. It holds the second and the microsecond, for
// the years 0 to 9999 that GeneralizedTime can write. A KerberosTime has
// no fraction of a second; one found on the wire anyway is kept to the
// microsecond. The zero Time is an absent one, as is the zero time.Time.
type Time int64

// timeBase is the Unix time of 0000-01-01T00:00:00Z, the earliest time a
// GeneralizedTime can write; Time counts seconds from one second before.
const timeBase = -62167219200

// timeEnd is the Unix time of 10000-01-01T00:00:00Z, past the last time a
// GeneralizedTime can write.
const timeEnd = 253402300800

// timeFracBits holds the microseconds, below the seconds.
const timeFracBits = 20

// TimeOf returns t as a Time: 0 for the zero time.Time, and for a time
// outside the years 0 to 9999, which no GeneralizedTime holds.
func TimeOf(t time.Time) Time {
	if t.IsZero() {
		return 0
	}
	u := t.Unix()
	if u < timeBase || u >= timeEnd {
		return 0
	}
	return Time((u-timeBase+1)<<timeFracBits | int64(t.Nanosecond()/1000))
}

// Time returns t as a time.Time in UTC, or the zero time.Time when t is
// absent.
func (t Time) Time() time.Time {
	if t <= 0 {
		return time.Time{}
	}
	s := int64(t)>>timeFracBits + timeBase - 1
	return time.Unix(s, int64(t)&(1<<timeFracBits-1)*1000).UTC()
}

// IsZero reports whether t is absent.
func (t Time) IsZero() bool { return t <= 0 }

// String formats t as RFC 3339 with the microseconds when it has any, or
// as "absent".
func (t Time) String() string {
	if t.IsZero() {
		return "absent"
	}
	return t.Time().Format("2006-01-02T15:04:05.999999Z07:00")
}
