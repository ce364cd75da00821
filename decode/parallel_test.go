package decode_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/capture"
	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/decode/kcrypt"
	"github.com/kerbtrace/kerbtrace/internal/damage"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// capFile is one capture file given to Add.
type capFile struct {
	name string
	data []byte
}

// twoProcs makes sure the second goroutine can run during the test.
func twoProcs(t testing.TB) {
	if runtime.GOMAXPROCS(0) < 2 {
		old := runtime.GOMAXPROCS(2)
		t.Cleanup(func() { runtime.GOMAXPROCS(old) })
	}
}

// runBoth dissects files in line, with the datagrams on the second
// goroutine, and with the datagrams of every third handler call decoded in
// line among them (as when the worker falls behind), calling Result after
// every file when each is set, and fails unless all give the same errors
// and the same Result.
func runBoth(t *testing.T, files []capFile, each bool) *decode.Result {
	t.Helper()
	return runBothWith(t, files, each, nil)
}

// runBothWith is runBoth with setup called on each Dissector first.
func runBothWith(t *testing.T, files []capFile, each bool, setup func(*decode.Dissector)) *decode.Result {
	t.Helper()
	run := func(sequential bool, inlineEvery int) (*decode.Result, []string) {
		d := decode.NewDissector()
		if setup != nil {
			setup(d)
		}
		decode.SetSequential(d, sequential)
		decode.SetInlineEvery(d, inlineEvery)
		if got := decode.ParallelUDP(d); got == sequential {
			t.Fatalf("sequential %v: ParallelUDP = %v", sequential, got)
		}
		var errs []string
		for _, f := range files {
			if err := d.Add(f.name, bytes.NewReader(f.data)); err != nil {
				errs = append(errs, err.Error())
			}
			if each {
				d.Result()
			}
		}
		return d.Result(), errs
	}
	seq, seqErrs := run(true, 0)
	for _, every := range []int{0, 3} {
		par, parErrs := run(false, every)
		if !reflect.DeepEqual(seqErrs, parErrs) {
			t.Fatalf("errors: in line %q, parallel (every %d in line) %q", seqErrs, every, parErrs)
		}
		sameResult(t, seq, par)
	}
	return seq
}

// sameResult fails unless the two results are deeply equal, naming the
// first difference.
func sameResult(t *testing.T, seq, par *decode.Result) {
	t.Helper()
	if decode.SameResult(seq, par) {
		return
	}
	if !reflect.DeepEqual(seq.Captures, par.Captures) {
		t.Errorf("captures: in line %+v\nparallel %+v", seq.Captures, par.Captures)
	}
	if !reflect.DeepEqual(seq.Conns, par.Conns) {
		t.Errorf("conns differ: %d in line, %d parallel", len(seq.Conns), len(par.Conns))
	}
	if !reflect.DeepEqual(seq.Anomalies, par.Anomalies) {
		t.Errorf("anomalies: in line %q\nparallel %q", seq.Anomalies, par.Anomalies)
	}
	if seq.Len() != par.Len() {
		t.Fatalf("%d messages in line, %d parallel", seq.Len(), par.Len())
	}
	for i := range seq.Len() {
		if !reflect.DeepEqual(seq.Message(i), par.Message(i)) {
			t.Fatalf("message %d: in line %s (parent %d), parallel %s (parent %d)", i,
				describe(new(seq.Message(i))), seq.Message(i).Parent, describe(new(par.Message(i))), par.Message(i).Parent)
		}
	}
	t.Fatal("results differ")
}

// parCaptureFiles reads the capture files under dir (pcap, pcapng, Network
// Monitor), by path relative to dir.
func parCaptureFiles(t *testing.T, dir string) []capFile {
	t.Helper()
	var out []capFile
	for _, f := range testutil.CaptureFiles(t, dir) {
		out = append(out, capFile{f.Name, f.Data})
	}
	return out
}

// TestParallelLab: every lab capture gives the same Result with its
// datagrams decoded in line and on the second goroutine, alone and all in
// one Dissector (Result once, and after every file).
func TestParallelLab(t *testing.T) {
	twoProcs(t)
	files := parCaptureFiles(t, filepath.Join(testutil.RepoRoot(t), "testdata", "captures"))
	msgs := 0
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			msgs += runBoth(t, []capFile{f}, false).Len()
		})
	}
	if msgs == 0 {
		t.Fatal("no message in the lab captures")
	}
	runBoth(t, files, false)
	runBoth(t, files, true)
}

// TestParallelShared: the same on the public captures, when present.
func TestParallelShared(t *testing.T) {
	twoProcs(t)
	files := parCaptureFiles(t, testutil.SharedCaptures(t))
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) { runBoth(t, []capFile{f}, false) })
	}
	runBoth(t, files, false)
}

// TestParallelDamaged: the same on the damaged copies of lab captures
// (internal/damage), whose warnings and errors must match too.
func TestParallelDamaged(t *testing.T) {
	twoProcs(t)
	root := testutil.RepoRoot(t)
	n := 0
	for _, name := range []string{"success", "spn-missing", "ntlm-fallback", "kdc-udp-too-big"} {
		for _, ext := range []string{".pcap", ".pcapng", ".cap"} {
			b, err := os.ReadFile(filepath.Join(root, "testdata", "captures", name+ext))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			cases, err := damage.Cases(b, 20261125)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				n++
				t.Run(name+ext+"/"+c.Name, func(t *testing.T) {
					runBoth(t, []capFile{{name + ext, c.Data}}, false)
				})
			}
		}
	}
	if n == 0 {
		t.Fatal("no damaged case")
	}
}

// TestParallelAnomalyOrder interleaves undecodable datagrams (UDP 88 and
// 389, on the second goroutine) with undecodable Kerberos records on TCP 88
// (in line), over several batches of datagrams, and checks that the
// anomalies keep the capture's order, which is the order in line.
func TestParallelAnomalyOrder(t *testing.T) {
	twoProcs(t)
	garbage := []byte{0x01, 0x03, 0x02, 0x01, 0xff} // neither Kerberos nor LDAP
	asReq := successBytes(t, frameASReq)
	c := newSynthConn(synCli, synKDC)
	frames := flat(c.handshake())
	for i := range 700 {
		switch i % 7 {
		case 0, 3:
			frames = append(frames, c.send(true, record(garbage)))
		case 1:
			frames = append(frames, ct.Ethernet(ct.UDP(synCli, synKDC, garbage)))
		case 2:
			frames = append(frames, ct.Ethernet(ct.UDP(synCli, "192.0.2.10:389", garbage)))
		case 4:
			frames = append(frames, ct.Ethernet(ct.UDP(synCli, synKDC, asReq)))
		case 5:
			frames = append(frames, c.send(true, record(asReq)))
		default:
			frames = append(frames, ct.Ethernet(ct.UDP("192.0.2.101:50002", "192.0.2.10:9999", garbage)))
		}
	}
	frames = append(frames, c.send(true, []byte{0, 0, 0, 100, 1, 2}))     // cut record: at the end of the capture
	frames = append(frames, ct.Ethernet(ct.UDP(synCli, synKDC, garbage))) // after it
	data := pcapOf(frames...)
	r := runBoth(t, []capFile{{"order.pcap", data}, {"again.pcap", data}}, false)
	var cldapAno, krbAno int
	for _, a := range r.Anomalies {
		switch {
		case strings.Contains(a, ": cldap: "):
			cldapAno++
		case strings.Contains(a, ": kerberos: "):
			krbAno++
		}
	}
	t.Logf("%d cldap anomalies, %d kerberos anomalies, %d messages", cldapAno, krbAno, r.Len())
	if cldapAno < 2*100 || krbAno < 2*300 || r.Len() < 2*200 {
		t.Fatal("the capture does not exercise the merge")
	}
	// The cut record is reported at the end of each capture, after the
	// anomaly of the datagram that follows it.
	if last := r.Anomalies[len(r.Anomalies)-1]; !strings.HasPrefix(last, fmt.Sprintf("again.pcap: frame %d:", len(frames)-1)) {
		t.Errorf("last anomaly %q", last)
	}
}

// TestParallelKeys: with keys to decrypt, every datagram is decoded in
// line (the session learns keys from the replies in capture order).
func TestParallelKeys(t *testing.T) {
	twoProcs(t)
	d := decode.NewDissector()
	if !decode.ParallelUDP(d) {
		t.Fatal("no second goroutine without keys")
	}
	keys := &kcrypt.Keys{}
	if err := keys.AddPasswords("pw", []byte("user@KERBTRACE.TEST\tsecret\n")); err != nil {
		t.Fatal(err)
	}
	d.SetKeys(keys)
	if decode.ParallelUDP(d) {
		t.Fatal("datagrams decoded on a second goroutine with keys")
	}
}

// FuzzParallel: any input gives the same Result, errors and warnings with
// the datagrams decoded in line and on the second goroutine.
// TestParallelPanic: a panic while decoding a datagram becomes the same
// warning, frame and offset included, whichever goroutine decoded it, and
// everything else is decoded alike.
func TestParallelPanic(t *testing.T) {
	twoProcs(t)
	name := "success.pcap"
	r := runBothWith(t, []capFile{{name, readLab(t, name)}}, false, func(d *decode.Dissector) {
		decode.SetUDPHook(d, func(g *capture.Datagram) {
			if g.Dst.Port() == 53 && g.Frame.Number%2 == 1 {
				panic(fmt.Sprintf("test panic at frame %d", g.Frame.Number))
			}
		})
	})
	var got []string
	for _, w := range r.Captures[0].Warnings {
		if strings.Contains(w.Msg, "test panic") {
			if w.Offset <= 0 || !strings.Contains(w.String(), fmt.Sprintf("frame %d (offset 0x", w.Frame)) {
				t.Errorf("warning without frame and offset: %s", w)
			}
			got = append(got, w.String())
		}
	}
	if len(got) == 0 {
		t.Fatal("no warning for the panics")
	}
	t.Logf("%d warnings, first %s", len(got), got[0])
}

func FuzzParallel(f *testing.F) {
	twoProcs(f)
	for _, name := range fuzzLabSeeds {
		f.Add(readLab(f, name))
	}
	for _, c := range synthCases() {
		f.Add(pcapOf(c.build(f)...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		runBoth(t, []capFile{{"fuzz", b}}, false)
	})
}
