package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/kcrypt"
)

// maxKeyFile bounds the size of a keytab or password file read.
const maxKeyFile = 16 << 20

// keyFlags are the options of 'kerbtrace analyze' that decrypt Kerberos
// messages: --keytab (repeatable) and --password-file (repeatable).
// Passwords are never taken from the command line, and no key or password
// is ever printed.
type keyFlags struct {
	keytabs   listFlag
	passwords listFlag
}

// listFlag collects the values of a repeatable flag.
type listFlag []string

// String joins the values (flag.Value).
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds one value.
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// register declares --keytab and --password-file.
func (k *keyFlags) register(fs *flag.FlagSet) {
	fs.Var(&k.keytabs, "keytab", "decrypt tickets with the keys of this MIT keytab `FILE` (repeatable): every key of the ticket's etype is tried, whatever principal or kvno it is labelled with")
	fs.Var(&k.passwords, "password-file", "derive users' keys from `FILE` (repeatable), lines principal<TAB>password or principal<TAB>kvno<TAB>password, to decrypt AS-REPs (lab use; keep it chmod 600)")
}

// apply loads the keys into the dissector. It reports false, having said
// why on stderr, when a file cannot be read or is not what it should be.
func (k *keyFlags) apply(d *decode.Dissector, stderr io.Writer) bool {
	if len(k.keytabs) == 0 && len(k.passwords) == 0 {
		return true
	}
	keys := &kcrypt.Keys{}
	for _, f := range k.keytabs {
		b, err := readKeyFile(f)
		if err == nil {
			err = keys.AddKeytab(filepath.Base(f), b)
		}
		if err != nil {
			fmt.Fprintf(stderr, "kerbtrace: --keytab %s: %v\n", f, err)
			return false
		}
	}
	for _, f := range k.passwords {
		if fi, err := os.Stat(f); err == nil && fi.Mode().Perm()&0o004 != 0 {
			fmt.Fprintf(stderr, "kerbtrace: warning: --password-file %s is readable by every user (mode %04o): chmod 600 it\n", f, fi.Mode().Perm())
		}
		b, err := readKeyFile(f)
		if err == nil {
			err = keys.AddPasswords(filepath.Base(f), b)
		}
		if err != nil {
			fmt.Fprintf(stderr, "kerbtrace: --password-file %s: %v\n", f, err)
			return false
		}
	}
	d.SetKeys(keys)
	return true
}

// readKeyFile reads a keytab or password file of bounded size.
func readKeyFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("larger than %d bytes", maxKeyFile)
	}
	return b, nil
}
