package decode

import (
	"errors"

	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// Bounds on what one direction may buffer while waiting for a message to
// complete. Beyond them the bytes are dropped and the direction resynchronises.
const (
	maxKerberosRecord = 1 << 20  // RFC 4120 sets no limit; Windows' MaxTokenSize is 64 KiB
	maxHTTPHead       = 64 << 10 // the same bound decode/httpauth applies
	maxDNSMessage     = 64 << 10
)

// parseDir frames as many whole messages as the direction's buffer holds.
func (d *Dissector) parseDir(cs *connState, ds *dirState) {
	if ds.dead {
		ds.buf.reset()
		return
	}
	if cs.proto == protoUnknown {
		cs.proto = sniffStream(ds.buf.bytes())
		if cs.proto == protoUnknown {
			if len(ds.buf.bytes()) >= 16 {
				cs.ignored = true
				ds.buf.reset()
			}
			return
		}
		cs.interesting = true
	}
	switch cs.proto {
	case protoKerberos:
		d.parseKerberosTCP(cs, ds)
	case protoDNS:
		d.parseDNSTCP(cs, ds)
	case protoHTTP:
		d.parseHTTP(cs, ds)
	case protoSMB2:
		d.parseSMB2(cs, ds)
	case protoLDAP:
		d.parseLDAP(cs, ds)
	}
}

// sniffStream recognises a protocol from the first bytes of a stream on a
// port kerbtrace does not know.
func sniffStream(b []byte) proto {
	if req, resp := httpauth.LooksLikeHTTP(b); req || resp {
		return protoHTTP
	}
	return protoUnknown
}

// base builds the common part of a message spanning n bytes at off of the
// direction's undecoded data.
func (d *Dissector) base(cs *connState, ds *dirState, off, n int) Message {
	frames, last, at := ds.buf.appendFrames(d.scratch[:0], off, n)
	d.scratch = frames
	s, t := cs.conn.Client, cs.conn.Server
	if !ds.fromClient {
		s, t = t, s
	}
	return Message{
		Frame: last, Frames: d.frameArena.clone(frames), Time: at,
		Src: s, Dst: t, Transport: TransportTCP, Parent: -1,
	}
}

// splitFunc cuts one record off the front of a stream: the record's
// payload, the bytes it takes, or an error wrapping wire.ErrTruncated while
// the record is incomplete.
type splitFunc func(b []byte) (rec []byte, n int, err error)

// records hands each whole record of the direction's buffer to handle. It
// waits for more bytes while a record is incomplete and under max bytes,
// skips records that hold nothing to decode (n > 0 with an error: a DNS
// message of length zero, an NBSS keepalive, SASL-wrapped LDAP), and gives
// the direction up on bytes it cannot frame.
func (d *Dissector) records(cs *connState, ds *dirState, name string, split splitFunc, max int, handle func(base Message, rec []byte)) {
	for {
		b := ds.buf.bytes()
		if len(b) == 0 {
			return
		}
		rec, n, err := split(b)
		truncated := errors.Is(err, wire.ErrTruncated)
		switch {
		case err == nil:
			if len(rec) > 0 {
				handle(d.base(cs, ds, 0, n), rec)
			}
			ds.buf.consume(n)
		case n > 0 && !truncated:
			ds.buf.consume(n)
		case truncated && len(b) < max:
			return
		default:
			m := d.base(cs, ds, 0, len(b))
			d.anomaly(m.Frame, "%s: %v", name, err)
			ds.dead = true
			ds.buf.reset()
			return
		}
	}
}

func (d *Dissector) parseKerberosTCP(cs *connState, ds *dirState) {
	if ds.afterGap && !resyncKerberos(ds) {
		return
	}
	d.records(cs, ds, "kerberos over tcp", krb.SplitRecord, maxKerberosRecord, func(base Message, rec []byte) {
		d.krbMessages(base, rec, CarrierNone)
	})
}

func (d *Dissector) parseDNSTCP(cs *connState, ds *dirState) {
	d.records(cs, ds, "dns over tcp", dns.SplitTCP, maxDNSMessage+2, d.dnsMessage)
}

// endDir decodes what is left when a direction ends: a Kerberos record or
// an HTTP head cut short still yields every field its bytes hold.
func (d *Dissector) endDir(cs *connState, ds *dirState) {
	d.finishHTTP(cs, ds)
	d.decodeRest(cs, ds)
	ds.reset()
	d.recycleBuf(&ds.buf)
	ds.pendFrames = nil
}

// decodeRest decodes what is left in a direction's buffer when the stream
// ends or loses data: a Kerberos record or an HTTP head cut short still
// yields every field its bytes hold.
func (d *Dissector) decodeRest(cs *connState, ds *dirState) {
	b := ds.buf.bytes()
	if len(b) > 0 && !ds.dead && !cs.ignored {
		switch cs.proto {
		case protoKerberos:
			if len(b) > 4 {
				m := d.base(cs, ds, 0, len(b))
				m.Truncated = true
				d.krbMessages(m, b[4:], CarrierNone)
			}
		case protoHTTP:
			if ds.bodyLeft == 0 && !ds.chunked && !ds.untilClose {
				d.httpHead(cs, ds, true)
			}
		}
	}
}

// resyncKerberos drops bytes up to the next plausible record after a gap: a
// record mark with a sane length followed by a Kerberos APPLICATION tag.
// It reports whether one was found.
func resyncKerberos(ds *dirState) bool {
	b := ds.buf.bytes()
	for i := 0; i+5 <= len(b); i++ {
		n := int(b[i])<<24 | int(b[i+1])<<16 | int(b[i+2])<<8 | int(b[i+3])
		if n < 16 || n > maxKerberosRecord {
			continue
		}
		switch b[i+4] {
		case 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x7e:
			ds.buf.consume(i)
			ds.afterGap = false
			return true
		}
	}
	if len(b) > 4 {
		ds.buf.consume(len(b) - 4)
	}
	return false
}
