package har

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// Bounds on what Parse keeps.
const (
	// MaxEntries is the number of entries kept; more are counted in
	// Log.Dropped.
	MaxEntries = 100000
	// MaxHeaders is the number of headers kept per request or response.
	MaxHeaders = 256
	// MaxValue is the longest header value, URL, method or status text
	// kept, in bytes (a Negotiate token with a PAC is a few KiB).
	MaxValue = 64 << 10
)

// ClientAddr is the address given to the client of every exchange: HAR
// files do not record it (192.0.2.1, TEST-NET-1, RFC 5737).
var ClientAddr = netip.MustParseAddr("192.0.2.1")

// Header is one HTTP header as the HAR lists it.
type Header struct {
	Name, Value string
}

// Request is the request of an entry.
type Request struct {
	Method      string
	URL         string
	HTTPVersion string // as written: "HTTP/1.1", "h2", "http/2.0", ...
	Headers     []Header
}

// Response is the response of an entry. Status 0 means none was received
// (a blocked or failed request) or the HAR's status is not a three-digit
// code.
type Response struct {
	Status      int
	StatusText  string
	HTTPVersion string
	Headers     []Header
}

// Entry is one HTTP exchange of the log.
type Entry struct {
	// Number is the entry's position in log.entries, from 1.
	Number     int
	PageRef    string
	Connection string // the connection id as written (Chrome: the socket id)
	// Started is startedDateTime; zero when absent or unreadable.
	Started time.Time
	// Time is the total time of the exchange ("time", in ms); 0 when
	// absent or negative.
	Time     time.Duration
	Request  Request
	Response Response
	// ServerIP is serverIPAddress, invalid when absent or unreadable.
	ServerIP netip.Addr
	// Truncated says headers or values were dropped by the bounds.
	Truncated bool
	// Err says what of the entry could not be read, when something could
	// not (a field of the wrong JSON type, a bad date).
	Err string
}

// Log is what Parse read of a HAR file.
type Log struct {
	Version string
	Creator string
	Entries []Entry
	// Dropped counts the entries beyond MaxEntries.
	Dropped int
	// Truncated says the JSON ended, or broke, before the log did.
	Truncated bool
}

// Parse reads the HAR file b. See Decode.
func Parse(b []byte) (*Log, error) {
	return Decode(bytes.NewReader(b))
}

// Decode reads a HAR file from r, one entry at a time (memory grows with
// the largest entry, not with the file). It returns an error wrapping
// wire.ErrMalformed when the input is not a JSON object with a "log"
// object, and the entries read so far with Truncated set and an error
// wrapping wire.ErrTruncated (the input ended) or wire.ErrMalformed (bad
// JSON) when the input breaks off inside the log.
func Decode(r io.Reader) (*Log, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	l := &Log{}
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	found := false
	for dec.More() {
		key, err := keyToken(dec)
		if err != nil {
			return partial(l, found, err)
		}
		if key != "log" || found {
			if err := skipValue(dec); err != nil {
				return partial(l, found, err)
			}
			continue
		}
		found = true
		if err := l.readLog(dec); err != nil {
			l.Truncated = true
			return l, err
		}
	}
	if !found {
		return nil, herr("log", 0, wire.ErrMalformed, "no \"log\" object")
	}
	return l, nil
}

// partial returns what was read when the JSON broke outside the log.
func partial(l *Log, found bool, err error) (*Log, error) {
	if !found {
		return nil, err
	}
	return l, err
}

// readLog reads the value of the "log" key.
func (l *Log) readLog(dec *json.Decoder) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := keyToken(dec)
		if err != nil {
			return err
		}
		switch key {
		case "version":
			var v any
			if err := dec.Decode(&v); err != nil {
				return jsonErr("log.version", dec, err)
			}
			l.Version = clip(fmt.Sprint(v))
		case "creator":
			var c struct {
				Name string `json:"name"`
			}
			if err := dec.Decode(&c); err != nil && !isTypeErr(err) {
				return jsonErr("log.creator", dec, err)
			}
			l.Creator = clip(c.Name)
		case "entries":
			if err := l.readEntries(dec); err != nil {
				return err
			}
		default:
			if err := skipValue(dec); err != nil {
				return err
			}
		}
	}
	_, err := dec.Token() // '}'
	return tokenErr("log", dec, err)
}

// readEntries reads the array of entries.
func (l *Log) readEntries(dec *json.Decoder) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	n := 0
	for dec.More() {
		n++
		if len(l.Entries) >= MaxEntries {
			l.Dropped++
			if err := skipValue(dec); err != nil {
				return err
			}
			continue
		}
		var raw rawEntry
		err := dec.Decode(&raw)
		if err != nil && !isTypeErr(err) {
			return jsonErr(fmt.Sprintf("log.entries[%d]", n-1), dec, err)
		}
		e := raw.entry(n)
		if err != nil && e.Err == "" {
			e.Err = "har: " + err.Error()
		}
		l.Entries = append(l.Entries, e)
	}
	_, err := dec.Token() // ']'
	return tokenErr("log.entries", dec, err)
}

// rawEntry is the JSON shape of an entry, limited to what is read.
type rawEntry struct {
	PageRef         string `json:"pageref"`
	Started         string `json:"startedDateTime"`
	Time            loose  `json:"time"`
	ServerIPAddress string `json:"serverIPAddress"`
	Connection      loose  `json:"connection"`
	Request         struct {
		Method      string      `json:"method"`
		URL         string      `json:"url"`
		HTTPVersion string      `json:"httpVersion"`
		Headers     []rawHeader `json:"headers"`
	} `json:"request"`
	Response struct {
		Status      loose       `json:"status"`
		StatusText  string      `json:"statusText"`
		HTTPVersion string      `json:"httpVersion"`
		Headers     []rawHeader `json:"headers"`
	} `json:"response"`
}

type rawHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// entry converts and bounds a decoded entry.
func (r *rawEntry) entry(n int) Entry {
	e := Entry{Number: n, PageRef: clip(r.PageRef), Connection: clip(string(r.Connection))}
	var problems []string
	if r.Started != "" {
		t, err := time.Parse(time.RFC3339Nano, r.Started)
		if err != nil {
			problems = append(problems, "bad startedDateTime")
		} else {
			e.Started = t.UTC()
		}
	}
	if ms, err := strconv.ParseFloat(string(r.Time), 64); err == nil && ms > 0 && ms < 1e12 {
		e.Time = time.Duration(ms * float64(time.Millisecond))
	}
	if r.ServerIPAddress != "" {
		ip := strings.TrimSuffix(strings.TrimPrefix(r.ServerIPAddress, "["), "]")
		if a, err := netip.ParseAddr(ip); err == nil {
			e.ServerIP = a.Unmap()
		} else {
			problems = append(problems, "bad serverIPAddress")
		}
	}
	e.Request = Request{Method: clip(r.Request.Method), URL: clip(r.Request.URL), HTTPVersion: clip(r.Request.HTTPVersion)}
	e.Request.Headers = headers(r.Request.Headers, &e.Truncated)
	if st, err := strconv.Atoi(string(r.Response.Status)); err == nil && st >= 100 && st <= 999 {
		e.Response.Status = st
	}
	e.Response.StatusText = clip(r.Response.StatusText)
	e.Response.HTTPVersion = clip(r.Response.HTTPVersion)
	e.Response.Headers = headers(r.Response.Headers, &e.Truncated)
	if len(r.Request.Method) > MaxValue || len(r.Request.URL) > MaxValue || len(r.Response.StatusText) > MaxValue {
		e.Truncated = true
	}
	if len(problems) > 0 {
		e.Err = "har: " + strings.Join(problems, ", ")
	}
	return e
}

// headers keeps at most MaxHeaders headers, dropping over-long values.
func headers(raw []rawHeader, truncated *bool) []Header {
	out := make([]Header, 0, min(len(raw), MaxHeaders))
	for _, h := range raw {
		if len(out) >= MaxHeaders || len(h.Name) > MaxValue || len(h.Value) > MaxValue {
			*truncated = true
			continue
		}
		out = append(out, Header{Name: h.Name, Value: h.Value})
	}
	return out
}

// clip cuts s to MaxValue bytes.
func clip(s string) string {
	if len(s) > MaxValue {
		return s[:MaxValue]
	}
	return s
}

// Port returns the server port of the request's URL: the explicit one, or
// 443 for https/wss and 80 otherwise; 0 when the URL cannot be read.
func (r *Request) Port() uint16 {
	u, err := url.Parse(r.URL)
	if err != nil {
		return 0
	}
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return 0
		}
		return uint16(n)
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "wss":
		return 443
	}
	return 80
}

// Server returns the server's address and port (serverIPAddress and the
// URL's port), invalid when the HAR does not give the address.
func (e *Entry) Server() netip.AddrPort {
	if !e.ServerIP.IsValid() {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(e.ServerIP, e.Request.Port())
}

// isTypeErr reports a JSON value of the wrong type for a field, which
// leaves the rest of the value decoded.
func isTypeErr(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// loose is a JSON scalar read as text, whether written as a string or a
// number (HAR writers differ: "connection": "1234" or 1234).
type loose string

// UnmarshalJSON implements json.Unmarshaler.
func (l *loose) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = loose(s)
		return nil
	}
	if len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') {
		*l = loose(b)
	}
	return nil
}
