package decode_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/capture"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// tsharkExceptions reads testdata/tshark-exceptions.txt: "file frame reason"
// lines naming frames where tshark, not kerbtrace, is wrong.
func tsharkExceptions(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	f, err := os.Open(filepath.Join(root, "testdata", "tshark-exceptions.txt"))
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, " ", 3)
		if len(parts) < 3 {
			t.Fatalf("tshark-exceptions.txt: want 'file frame reason': %q", line)
		}
		out[parts[0]+" "+parts[1]] = parts[2]
	}
	return out
}

// captureFiles lists the captures the differential test runs on, as
// (label, path) pairs: the lab's and, when present, the shared public ones.
func captureFiles(t *testing.T, root string) [][2]string {
	var out [][2]string
	add := func(label, path string) { out = append(out, [2]string{label, path}) }
	lab, _ := filepath.Glob(filepath.Join(root, "testdata", "captures", "*.pcap*"))
	for _, p := range lab {
		add("testdata/captures/"+filepath.Base(p), p)
	}
	shared := filepath.Join(root, "..", "shared", "captures")
	filepath.WalkDir(shared, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch filepath.Ext(p) {
		case ".pcap", ".pcapng", ".cap":
			rel, _ := filepath.Rel(shared, p)
			add("shared/"+filepath.ToSlash(rel), p)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// tsharkKerberos returns, per frame, the Kerberos message types and error
// codes tshark shows on port 88 or inside HTTP, SMB2 or LDAP.
func tsharkKerberos(t *testing.T, path string) (map[int]string, error) {
	cmd := exec.Command("tshark", "-n", "-r", path,
		"-o", "tcp.desegment_tcp_streams:TRUE",
		"-Y", "kerberos.msg_type && (udp.port == 88 || tcp.port == 88 || http || smb2 || ldap)",
		"-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
		"-e", "frame.number", "-e", "kerberos.msg_type", "-e", "kerberos.error_code")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(out) == 0 {
			return nil, fmt.Errorf("tshark: %v: %s", err, ee.Stderr)
		}
	}
	res := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 2 || f[0] == "" {
			continue
		}
		var frame int
		fmt.Sscan(f[0], &frame)
		types := strings.Split(f[1], ",")
		// A TGS-REQ carries the AP-REQ of its TGT in PA-TGS-REQ: tshark
		// lists both, kerbtrace reports the TGS-REQ.
		if contains(types, "12") {
			types = remove(types, "14")
		}
		codes := ""
		if len(f) > 2 {
			codes = f[2]
		}
		res[frame] = key(types, strings.Split(codes, ","))
	}
	return res, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func remove(s []string, v string) []string {
	var out []string
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

func key(types, codes []string) string {
	var t, c []string
	for _, x := range types {
		if x != "" {
			t = append(t, x)
		}
	}
	for _, x := range codes {
		if x != "" {
			c = append(c, x)
		}
	}
	sort.Strings(t)
	sort.Strings(c)
	return "types=" + strings.Join(t, ",") + " errors=" + strings.Join(c, ",")
}

// ourKerberos returns the same view of kerbtrace's messages.
func ourKerberos(res *decode.Result) map[int]string {
	types := map[int][]string{}
	codes := map[int][]string{}
	for _, m := range res.All() {
		if m.Krb() == nil {
			continue
		}
		onPort88 := m.Carrier == decode.CarrierNone && (m.Src.Port() == 88 || m.Dst.Port() == 88)
		if !onPort88 && m.Carrier != decode.CarrierHTTP && m.Carrier != decode.CarrierSMB2 && m.Carrier != decode.CarrierLDAP {
			continue
		}
		types[m.Frame] = append(types[m.Frame], fmt.Sprint(int(m.Krb().Type)))
		if m.Kind == decode.KindKRBError {
			codes[m.Frame] = append(codes[m.Frame], fmt.Sprint(int32(m.Krb().ErrorCode)))
		}
	}
	out := map[int]string{}
	for f, ts := range types {
		out[f] = key(ts, codes[f])
	}
	return out
}

// TestTsharkAgreement checks that every Kerberos message tshark shows on
// port 88 or inside HTTP, SMB2 or LDAP is reported by kerbtrace at the same frame, with
// the same message type and error code, and that kerbtrace reports none
// that tshark does not. Exceptions are listed with their reason in
// testdata/tshark-exceptions.txt.
func TestTsharkAgreement(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed")
	}
	root := testutil.RepoRoot(t)
	exceptions := tsharkExceptions(t, root)
	var total, agreed atomic.Int64
	t.Cleanup(func() {
		t.Logf("tshark agreement: %d of %d frames with Kerberos messages", agreed.Load(), total.Load())
	})
	for _, fc := range captureFiles(t, root) {
		label, path := fc[0], fc[1]
		t.Run(label, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d := decode.NewDissector()
			if err := d.Add(label, f); err != nil {
				var nc *capture.NotCaptureError
				if errors.As(err, &nc) {
					t.Skipf("format not read by this version: %v", err)
				}
				t.Fatal(err)
			}
			ours := ourKerberos(d.Result())
			theirs, err := tsharkKerberos(t, path)
			if err != nil {
				t.Skipf("tshark cannot read it: %v", err)
			}
			frames := map[int]bool{}
			for fr := range ours {
				frames[fr] = true
			}
			for fr := range theirs {
				frames[fr] = true
			}
			var sorted []int
			for fr := range frames {
				sorted = append(sorted, fr)
			}
			sort.Ints(sorted)
			for _, fr := range sorted {
				total.Add(1)
				if ours[fr] == theirs[fr] {
					agreed.Add(1)
					continue
				}
				if reason, ok := exceptions[fmt.Sprintf("%s %d", label, fr)]; ok {
					agreed.Add(1)
					t.Logf("frame %d: known difference (%s)", fr, reason)
					continue
				}
				t.Errorf("frame %d: tshark %q, kerbtrace %q", fr, theirs[fr], ours[fr])
			}
		})
	}
}
