package kcrypt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// maxEntries bounds the records of a keytab; real ones have a handful.
const maxEntries = 4096

// Entry describes one key of a keytab or one key derived from a password:
// everything but the key itself.
type Entry struct {
	Source    string // the keytab or password file it came from
	Principal string // "HTTP/www.example.com@EXAMPLE.COM"
	Kvno      int    // -1 for a password (unknown)
	Etype     krb.Etype
}

// String is "HTTP/www@REALM kvno 2 aes256-cts-hmac-sha1-96".
func (e Entry) String() string {
	s := e.Principal
	if e.Kvno >= 0 {
		s += fmt.Sprintf(" kvno %d", e.Kvno)
	}
	return s + " " + e.Etype.String()
}

// key is an Entry with its key bytes, which never leave the package.
type key struct {
	Entry
	value []byte
}

// errEmpty is returned for a keytab without a single key.
var errEmpty = errors.New("no keys")

// parseKeytab reads an MIT keytab (0x0502, or 0x0501 in little-endian
// order) with gokrb5's keytab package, once its framing has been checked
// here: gokrb5 stops without an error when fewer than 4 bytes follow an
// entry or a hole runs past the end, so a cut file would load part of its
// keys silently.
func parseKeytab(b []byte) ([]key, error) {
	n, err := keytabRecords(b)
	if err != nil || n == 0 {
		return nil, err
	}
	kt, err := unmarshalKeytab(b)
	if err != nil {
		return nil, err
	}
	if len(kt.Entries) != n {
		return nil, damaged(fmt.Sprintf("%d entries framed, %d read", n, len(kt.Entries)))
	}
	out := make([]key, 0, len(kt.Entries))
	for i, e := range kt.Entries {
		// gokrb5 ignores the errors of an entry's principal: an entry
		// without realm or name was not read as written.
		if e.Principal.Realm == "" || len(e.Principal.Components) == 0 {
			return nil, damaged(fmt.Sprintf("entry %d has no principal", i+1))
		}
		out = append(out, key{
			Entry: Entry{Principal: e.Principal.String(), Kvno: int(e.KVNO), Etype: krb.Etype(e.Key.KeyType)},
			value: e.Key.KeyValue,
		})
	}
	return out, nil
}

// unmarshalKeytab is gokrb5's reader, whose slicing of hostile bytes may
// panic: a panic is a damaged keytab.
func unmarshalKeytab(b []byte) (kt *keytab.Keytab, err error) {
	defer func() {
		if r := recover(); r != nil {
			kt, err = nil, damaged(fmt.Sprintf("reader failed: %v", r))
		}
	}()
	kt = keytab.New()
	if err := kt.Unmarshal(b); err != nil {
		return nil, damaged(gokrb5Reason(err))
	}
	return kt, nil
}

func damaged(reason string) error {
	return fmt.Errorf("kcrypt: damaged keytab: %s: %w", reason, wire.ErrMalformed)
}

// gokrb5Reason is the text of a gokrb5 keytab error without the bytes it
// quotes: "%s's length is less than %d" prints the whole entry, key
// included.
func gokrb5Reason(err error) string {
	s := err.Error()
	if i := strings.Index(s, "'s length is "); i >= 0 {
		return "a field runs past its entry (entry" + s[i:] + ")"
	}
	if len(s) > 120 {
		s = s[:120]
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// keytabRecords checks the version and that the records, each a signed
// 32-bit size then that many bytes (a hole when negative), cover the file
// exactly; a zero size ends the keys, as for gokrb5. It returns the
// number of entries.
func keytabRecords(b []byte) (int, error) {
	if len(b) < 2 || b[0] != 5 || (b[1] != 1 && b[1] != 2) {
		return 0, wire.Errorf("kcrypt", "keytab.version", 0, fmt.Errorf("not an MIT keytab (starts %x): %w", b[:min(len(b), 2)], wire.ErrMalformed))
	}
	var bo binary.ByteOrder = binary.BigEndian
	if b[1] == 1 {
		bo = binary.LittleEndian
	}
	n := 0
	for off := 2; off < len(b); {
		if off+4 > len(b) {
			return n, wire.Errorf("kcrypt", "keytab.entry-size", off, wire.ErrTruncated)
		}
		size := int64(int32(bo.Uint32(b[off:])))
		off += 4
		switch {
		case size == 0:
			return n, nil
		case size < 0:
			if -size > int64(len(b)-off) {
				return n, wire.Errorf("kcrypt", "keytab.hole", off, wire.ErrTruncated)
			}
			off += int(-size)
			continue
		case size > int64(len(b)-off):
			return n, wire.Errorf("kcrypt", "keytab.entry", off, fmt.Errorf("%d bytes announced, %d present: %w", size, len(b)-off, wire.ErrTruncated))
		case n == maxEntries:
			return n, wire.Errorf("kcrypt", "keytab.entry", off, fmt.Errorf("more than %d entries: %w", maxEntries, wire.ErrMalformed))
		}
		n++
		off += int(size)
	}
	return n, nil
}
