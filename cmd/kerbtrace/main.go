// Command kerbtrace reads packet captures and tells why Kerberos
// authentication did or did not work.
//
//	kerbtrace analyze [flags] CAPTURE...
//
// See README.md for the flags and the report formats.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
