package kcrypt

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// maxPasswords bounds the lines of a password file kept.
const maxPasswords = 1024

// Keys holds the keys loaded from keytabs and the passwords of password
// files. The zero value is empty and ready to use. Keys is not safe for
// concurrent use, and keys added after NewSession are not seen by that
// Session.
type Keys struct {
	keys      []key
	passwords []password
}

// password is one line of a password file.
type password struct {
	source    string
	principal string
	kvno      int
	secret    string
}

// AddKeytab adds every key of an MIT keytab; file names the source in
// errors and in the entries. A keytab that cannot be read in full is an
// error (naming the file) and adds nothing.
func (k *Keys) AddKeytab(file string, b []byte) error {
	ks, err := parseKeytab(b)
	if err == nil && len(ks) == 0 {
		err = wire.Errorf("kcrypt", "keytab", 0, fmt.Errorf("%w: %w", errEmpty, wire.ErrMalformed))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for i := range ks {
		ks[i].Source = file
	}
	k.keys = append(k.keys, ks...)
	return nil
}

// AddPasswords adds the passwords of a password file: one principal per
// line, "principal<TAB>password", or "principal<TAB>kvno<TAB>password" with
// more tab-separated columns ignored (the lab's keys/passwords.tsv).
// Blank lines and lines starting with # are skipped. The principal must
// carry its realm ("alice@EXAMPLE.COM").
func (k *Keys) AddPasswords(file string, b []byte) error {
	var add []password
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(strings.TrimSpace(s), "#") {
			continue
		}
		f := strings.Split(s, "\t")
		p := password{source: file, kvno: -1}
		switch {
		case len(f) >= 3 && isDigits(f[1]):
			p.principal, p.secret = f[0], f[2]
			p.kvno, _ = strconv.Atoi(f[1])
		case len(f) >= 2:
			p.principal, p.secret = f[0], f[1]
		default:
			return fmt.Errorf("%s: kcrypt: line %d: want principal<TAB>password: %w", file, line, wire.ErrMalformed)
		}
		if !strings.Contains(p.principal, "@") || p.secret == "" {
			return fmt.Errorf("%s: kcrypt: line %d: want principal@REALM<TAB>password: %w", file, line, wire.ErrMalformed)
		}
		if len(add) == maxPasswords {
			return fmt.Errorf("%s: kcrypt: more than %d passwords: %w", file, maxPasswords, wire.ErrMalformed)
		}
		add = append(add, p)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: kcrypt: %v: %w", file, err, wire.ErrMalformed)
	}
	if len(add) == 0 {
		return fmt.Errorf("%s: kcrypt: no passwords: %w", file, wire.ErrMalformed)
	}
	k.passwords = append(k.passwords, add...)
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Entries lists the keytab keys loaded, in file order (no key bytes).
func (k *Keys) Entries() []Entry {
	out := make([]Entry, len(k.keys))
	for i := range k.keys {
		out[i] = k.keys[i].Entry
	}
	return out
}

// Empty reports whether no key and no password was loaded.
func (k *Keys) Empty() bool { return k == nil || len(k.keys) == 0 && len(k.passwords) == 0 }

// ofEtype returns the keytab keys of etype e.
func (k *Keys) ofEtype(e krb.Etype) []*key {
	var out []*key
	for i := range k.keys {
		if k.keys[i].Etype == e {
			out = append(out, &k.keys[i])
		}
	}
	return out
}

// defaultSalt is the realm followed by the name components (RFC 4120 4).
func defaultSalt(principal string) string {
	at := strings.LastIndex(principal, "@")
	if at < 0 {
		return principal
	}
	return principal[at+1:] + strings.ReplaceAll(principal[:at], "/", "")
}
