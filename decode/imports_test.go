package decode_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestImportRules enforces the one-way data flow of the design: capture ->
// decode -> flow -> report, with cmd wiring them. Protocol decoders import
// none of each other, gopacket stays in decode/capture, gokrb5 stays in
// decode/krb and decode/kcrypt, and flow knows no output format.
func TestImportRules(t *testing.T) {
	const mod = "github.com/kerbtrace/kerbtrace/"
	rules := []struct {
		dir       string
		forbidden []string
	}{
		{"decode/dns", []string{mod + "decode/", "github.com/google/gopacket", "github.com/jcmturner"}},
		{"decode/httpauth", []string{mod + "decode/dns", mod + "decode/krb", mod + "decode/ntlm", mod + "decode/spnego", "github.com/google/gopacket", "github.com/jcmturner"}},
		{"decode/ntlm", []string{mod + "decode/dns", mod + "decode/krb", mod + "decode/spnego", mod + "decode/httpauth", "github.com/google/gopacket", "github.com/jcmturner"}},
		{"decode/spnego", []string{mod + "decode/dns", mod + "decode/krb", mod + "decode/ntlm", mod + "decode/httpauth", "github.com/google/gopacket", "github.com/jcmturner/gokrb5"}},
		{"decode/krb", []string{mod + "decode/dns", mod + "decode/spnego", mod + "decode/ntlm", mod + "decode/httpauth", "github.com/google/gopacket", "github.com/jcmturner/gokrb5/v8/client", "github.com/jcmturner/gokrb5/v8/service", "github.com/jcmturner/gokrb5/v8/spnego"}},
		{"decode/capture", []string{mod + "decode/dns", mod + "decode/krb", mod + "decode/spnego", mod + "decode/ntlm", mod + "decode/httpauth", "github.com/jcmturner", "github.com/google/gopacket/pcap"}},
		{"decode/kcrypt", []string{mod + "decode/dns", mod + "decode/spnego", mod + "decode/ntlm", mod + "decode/httpauth", mod + "decode/capture", "github.com/google/gopacket", "github.com/jcmturner/gokrb5/v8/client", "github.com/jcmturner/gokrb5/v8/service", "github.com/jcmturner/gokrb5/v8/spnego"}},
		{"decode/pac", []string{mod + "decode/dns", mod + "decode/krb", mod + "decode/kcrypt", mod + "decode/spnego", mod + "decode/ntlm", mod + "decode/httpauth", mod + "decode/capture", "github.com/google/gopacket", "github.com/jcmturner"}},
		{"decode", []string{mod + "flow", mod + "report", mod + "cmd", "github.com/olekukonko"}},
		{"flow", []string{mod + "report", mod + "cmd", "github.com/google/gopacket", "github.com/jcmturner", "github.com/olekukonko", "encoding/json"}},
		{"report", []string{mod + "cmd", "github.com/google/gopacket", "github.com/jcmturner"}},
	}
	root := testutil.RepoRoot(t)
	for _, r := range rules {
		files, _ := filepath.Glob(filepath.Join(root, r.dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			pf, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range pf.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range r.forbidden {
					if path == strings.TrimSuffix(bad, "/") || strings.HasPrefix(path, bad) && strings.HasSuffix(bad, "/") || strings.HasPrefix(path, bad+"/") || path == bad {
						if r.dir == "decode/dns" && (path == mod+"decode/internal/wire" || path == mod+"decode/internal/intern") {
							continue
						}
						t.Errorf("%s imports %s: against the design's data flow", strings.TrimPrefix(f, root+"/"), path)
					}
				}
			}
		}
	}
}
