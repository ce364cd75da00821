package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

// tsharkFields are the fields tshark extracts: those of the Kerberos, DNS
// and HTTP messages (with the SPNEGO and NTLM tokens of HTTP's Negotiate)
// that kerbtrace's JSON report gives, each under the report member it
// stands for. TestTsharkFields checks them against what kerbtrace decodes.
var tsharkFields = []string{
	// frame, time, src, dst, transport (the ports' protocol)
	"frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
	"tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
	// DNS: id, qname, qtype, rcode, answers (name, type, data)
	"dns.id", "dns.qry.name", "dns.qry.type", "dns.flags.rcode", "dns.resp.name",
	"dns.resp.type", "dns.a", "dns.aaaa", "dns.cname", "dns.srv.service", "dns.srv.proto",
	"dns.srv.name", "dns.srv.target", "dns.srv.port",
	// HTTP: method, uri, host, status, www_authenticate, authorization
	"http.request.method", "http.request.uri", "http.host", "http.response.code",
	"http.www_authenticate", "http.authorization",
	// Kerberos: kind, realm, cname, sname (and the ticket's), etypes,
	// ticket and enc-part etypes, kvno, kdc_options, ap_options, padata,
	// error_code and error_name, stime, e_text
	"kerberos.msg_type", "kerberos.realm", "kerberos.crealm", "kerberos.CNameString",
	"kerberos.SNameString", "kerberos.ENCTYPE", "kerberos.etype", "kerberos.kvno",
	"kerberos.kdc_options", "kerberos.ap_options", "kerberos.padata_type",
	"kerberos.error_code", "kerberos.stime", "kerberos.e_text",
	// SPNEGO: mech_types, neg_state, supported_mech
	"spnego.MechType", "spnego.negResult", "spnego.supportedMech",
	// NTLM: ntlm_flags, version, target_name, domain, user, workstation
	"ntlmssp.negotiateflags", "ntlmssp.version.major", "ntlmssp.version.minor",
	"ntlmssp.version.build_number", "ntlmssp.challenge.target_name",
	"ntlmssp.auth.domain", "ntlmssp.auth.username", "ntlmssp.auth.hostname",
}

// tsharkArgs are tshark's arguments to extract tsharkFields from the
// Kerberos, DNS and HTTP frames of the capture at path.
func tsharkArgs(path string) []string {
	args := []string{"-n", "-r", path, "-T", "fields", "-Y", "kerberos || dns || http"}
	for _, f := range tsharkFields {
		args = append(args, "-e", f)
	}
	return args
}

// measurement is one child process run.
type measurement struct {
	wall   time.Duration
	maxRSS int64 // bytes
	lines  int   // lines of standard output
}

// bench builds the captures and measures everything.
func bench(cfg config, stdout, stderr io.Writer) error {
	if cfg.root == "" {
		r, err := findRoot()
		if err != nil {
			return err
		}
		cfg.root = r
	}
	dir := cfg.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "kerbtrace-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tpls, err := capturetest.LabTemplates(cfg.root)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "machine: %s, %d CPUs, %s/%s, %s; load average %s\n",
		cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), loadAvg())
	kt := filepath.Join(dir, "kerbtrace")
	if err := goBuild(cfg.root, kt, "./cmd/kerbtrace"); err != nil {
		return err
	}
	floor, ferr := buildFloor(dir)
	if ferr != nil {
		fmt.Fprintf(stderr, "kerbtrace-bench: the pcapgo floor is unavailable: %v\n", ferr)
	}
	cases := []struct {
		name string
		s    capturetest.Synth
	}{
		{"mixed", capturetest.Synth{Templates: tpls, Copies: cfg.mixedClients}},
		{"auth-only", capturetest.Synth{Templates: tpls, Copies: cfg.clients, Clients: cfg.addresses}},
	}
	var rows []row
	for _, c := range cases {
		path := filepath.Join(dir, c.name+".pcap")
		if c.name == "mixed" {
			// Size the bulk so that the whole file is about mixedSize.
			auth, err := synthSize(capturetest.Synth{Templates: tpls, Copies: c.s.Copies})
			if err != nil {
				return err
			}
			c.s.BulkBytes = max(cfg.mixedSize-auth, 0)
		}
		st, err := writeSynth(path, c.s)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s, %d packets (%d replayed from %d client flows, %d bulk)\n",
			c.name, human(st.Bytes), st.Packets, st.AuthPackets, c.s.Copies, st.BulkPackets)
		r := row{name: c.name, size: st.Bytes, flows: c.s.Copies}
		// Warm the page cache so that every tool reads from memory.
		if err := warm(path); err != nil {
			return err
		}
		rep2 := filepath.Join(dir, c.name+".json")
		rep1 := filepath.Join(dir, c.name+".gomaxprocs1.json")
		analyze := func(out string) []string {
			return []string{"analyze", "--format", "json", "--fail-on", "never", "-o", out, path}
		}
		runs := []timedRun{{&r.kt, kt, analyze(rep2), []string{"GOMAXPROCS=2"}}}
		// The default format, as an engineer runs it: the step tables.
		table := []string{"analyze", "--format", "table", "--fail-on", "never", "-o", filepath.Join(dir, c.name+".txt"), path}
		runs = append(runs, timedRun{&r.table, kt, table, []string{"GOMAXPROCS=2"}})
		if floor != "" {
			runs = append(runs, timedRun{&r.floor, floor, []string{path}, nil})
		}
		if !cfg.skipTshark {
			runs = append(runs, timedRun{&r.tshark, "tshark", tsharkArgs(path), nil})
		}
		if err := bestInTurns(cfg.count, runs); err != nil {
			return err
		}
		r.tsharkLines = r.tshark.lines
		if cfg.oneProc {
			if r.kt1, err = measure(kt, analyze(rep1), []string{"GOMAXPROCS=1"}); err != nil {
				return err
			}
			if r.same, err = sameFiles(rep1, rep2); err != nil {
				return err
			}
		}
		rows = append(rows, r)
	}
	printTable(stdout, rows, cfg)
	printTargets(stdout, targets(rows, cfg.oneProc))
	// A child's peak RSS starts at its parent's peak: this process's own
	// says below which the children's figures mean nothing, and the memory
	// test, which grows it, comes last.
	fmt.Fprintf(stdout, "peak RSS of this bench process, below which a child's means nothing: %s\n", human(selfMaxRSS()))
	fmt.Fprintf(stdout, "machine: fresh memory first written at %.0f MB/s\n", freshMemory(256<<20))
	for _, r := range rows {
		if cfg.oneProc && !r.same {
			return fmt.Errorf("%s: the report differs between GOMAXPROCS=1 and GOMAXPROCS=2", r.name)
		}
	}
	return nil
}

// row is the results for one capture.
type row struct {
	name           string
	size           int64
	flows          int
	floor, kt, kt1 measurement
	table          measurement // kerbtrace in its default format, table
	tshark         measurement
	tsharkLines    int
	same           bool
}

func printTable(w io.Writer, rows []row, cfg config) {
	fmt.Fprintf(w, "\n%-10s %9s %6s | %12s %12s %12s %12s %12s | %9s %9s | %s\n",
		"capture", "size", "flows", "kerbtrace", "kerbtrace-1", "table", "tshark", "floor", "vs tshark", "vs floor", "peak RSS kerbtrace / table / tshark")
	for _, r := range rows {
		ts, vt := "-", "-"
		if r.tshark.wall > 0 {
			ts = secs(r.tshark.wall)
			vt = fmt.Sprintf("%.1fx", float64(r.tshark.wall)/float64(r.kt.wall))
		}
		fl, vf := "-", "-"
		if r.floor.wall > 0 {
			fl = secs(r.floor.wall)
			vf = fmt.Sprintf("%.1fx", float64(r.kt.wall)/float64(r.floor.wall))
		}
		k1 := "-"
		if r.kt1.wall > 0 {
			k1 = secs(r.kt1.wall)
		}
		fmt.Fprintf(w, "%-10s %9s %6d | %12s %12s %12s %12s %12s | %9s %9s | %s / %s / %s\n",
			r.name, human(r.size), r.flows, secs(r.kt.wall), k1, secs(r.table.wall), ts, fl, vt, vf,
			human(r.kt.maxRSS), human(r.table.maxRSS), human(r.tshark.maxRSS))
	}
	fmt.Fprintln(w, "\nkerbtrace: --format json, GOMAXPROCS=2; kerbtrace-1: the same with GOMAXPROCS=1; table: the default format, GOMAXPROCS=2;\nvs tshark: tshark time / kerbtrace time; vs floor: kerbtrace time / floor time")
	for _, r := range rows {
		same := "identical"
		switch {
		case !cfg.oneProc:
			same = "not compared (-procs1=false)"
		case !r.same:
			same = "DIFFERENT"
		}
		fmt.Fprintf(w, "%s: reports with GOMAXPROCS=1 and 2: %s\n", r.name, same)
	}
	if len(rows) == 2 && rows[0].flows == rows[1].flows && rows[1].kt.maxRSS > 0 {
		fmt.Fprintf(w, "same %d flows: bulk traffic adds %.1f%% to kerbtrace's peak RSS (%s -> %s)\n",
			rows[0].flows, 100*(float64(rows[0].kt.maxRSS)/float64(rows[1].kt.maxRSS)-1),
			human(rows[1].kt.maxRSS), human(rows[0].kt.maxRSS))
	}
}

// timedRun is one command to time, and where its fastest measurement goes.
type timedRun struct {
	best      *measurement
	name      string
	args, env []string
}

// bestInTurns runs every command count times, in turns (each command once,
// then each again), and keeps each one's fastest run. Taking turns spreads
// the host's slow spells over every tool, so that their ratios hold when a
// shared machine slows down for a minute. The order changes from turn to
// turn (turnOrder), so that no command always follows the same one: what
// a run leaves behind moves the next one's time (README, "Fresh memory"),
// and in one fixed order kerbtrace's JSON run came right after tshark's in
// every turn but the first.
func bestInTurns(count int, runs []timedRun) error {
	for i := range max(count, 1) {
		for _, k := range turnOrder(i, len(runs)) {
			r := runs[k]
			m, err := measure(r.name, r.args, r.env)
			if err != nil {
				return err
			}
			if i == 0 || m.wall < r.best.wall {
				*r.best = m
			}
		}
	}
	return nil
}

// turnOrder returns the order of n commands in turn t: the rows of a
// balanced Latin square (Williams' design), in which, over n turns (2n
// when n is odd, the rows and then the rows reversed), every command
// comes as often in each place, and directly after every other command
// as often.
func turnOrder(t, n int) []int {
	rows := n
	if n%2 == 1 {
		rows = 2 * n
	}
	t %= max(rows, 1)
	order := make([]int, n)
	// The first row is 0, 1, n-1, 2, n-2, ...; row i adds i to each.
	lo, hi := 1, n-1
	for k := range order {
		var v int
		switch {
		case k == 0:
			v = 0
		case k%2 == 1:
			v, lo = lo, lo+1
		default:
			v, hi = hi, hi-1
		}
		order[k] = (v + t) % n
	}
	if t >= n {
		slices.Reverse(order)
	}
	return order
}

// measure runs a command, keeping its standard output, and returns its wall
// time and peak resident set size (the kernel's ru_maxrss of the child).
func measure(name string, args, env []string) (measurement, error) {
	var m measurement
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out lineCounter
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	t0 := time.Now()
	err := cmd.Run()
	m.wall = time.Since(t0)
	if err != nil {
		return m, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, tail(errb.String()))
	}
	m.maxRSS = maxRSS(cmd.ProcessState) // rss_*.go
	m.lines = int(out)
	return m, nil
}

// lineCounter counts the lines written to it.
type lineCounter int

func (c *lineCounter) Write(p []byte) (int, error) {
	*c += lineCounter(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// sameFiles reports whether two files hold the same bytes.
func sameFiles(a, b string) (bool, error) {
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ra, rb := bufio.NewReaderSize(fa, 1<<20), bufio.NewReaderSize(fb, 1<<20)
	bufA, bufB := make([]byte, 1<<16), make([]byte, 1<<16)
	for {
		na, ea := io.ReadFull(ra, bufA)
		nb, eb := io.ReadFull(rb, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		if ea != nil || eb != nil {
			return errors.Is(ea, io.EOF) == errors.Is(eb, io.EOF) &&
				errors.Is(ea, io.ErrUnexpectedEOF) == errors.Is(eb, io.ErrUnexpectedEOF), nil
		}
	}
}

func tail(s string) string {
	if len(s) > 500 {
		return "..." + s[len(s)-500:]
	}
	return s
}

func writeSynth(path string, s capturetest.Synth) (capturetest.SynthStats, error) {
	f, err := os.Create(path)
	if err != nil {
		return capturetest.SynthStats{}, err
	}
	st, err := capturetest.WriteSynth(f, s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return st, err
}

// synthSize is the size of the capture s describes.
func synthSize(s capturetest.Synth) (int64, error) {
	st, err := capturetest.WriteSynth(io.Discard, s)
	return st.Bytes, err
}

func warm(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, bufio.NewReaderSize(f, 1<<20))
	return err
}

// goBuild builds pkg of the module at root into out.
func goBuild(root, out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v: %s", pkg, err, b)
	}
	return nil
}

// floorSource is the floor program: iterate over every record with pcapgo's
// zero-copy reader, as any Go reader must at least do.
const floorSource = `package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/google/gopacket/pcapgo"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		panic(err)
	}
	n, bytes := 0, 0
	for {
		data, _, err := r.ZeroCopyReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		n++
		bytes += len(data)
	}
	fmt.Println(n, bytes)
}
`

// buildFloor builds the floor program in a module of its own: importing
// pcapgo needs golang.org/x/net (its live-capture file), which kerbtrace's
// go.sum does not hold.
func buildFloor(dir string) (string, error) {
	src := filepath.Join(dir, "floor")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	gomod := "module floor\n\ngo 1.21\n\nrequire github.com/google/gopacket v1.1.19\n"
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte(gomod), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(floorSource), 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "pcapgo-floor")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, b)
	}
	return out, nil
}

// findRoot walks up from the working directory to the one holding go.mod.
func findRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		p := filepath.Dir(d)
		if p == d {
			return "", errors.New("no go.mod above the working directory: use -root")
		}
		d = p
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, suf := range []struct {
		s string
		m int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if strings.HasSuffix(u, suf.s) {
			mult, u = suf.m, strings.TrimSuffix(u, suf.s)
			break
		}
	}
	n, err := strconv.ParseFloat(u, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(n * float64(mult)), nil
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if i := strings.IndexByte(l, ':'); i >= 0 {
				return strings.TrimSpace(l[i+1:])
			}
		}
	}
	return "unknown CPU"
}

// freshMemory returns how fast, in MB/s, this process gets n bytes of
// memory it never had, written once a page (4 KB): the page faults and the
// zeroing of the kernel, which every process pays for its peak memory. It
// grows this process by n bytes: a child started afterwards reports this
// process's peak as its own peak RSS (Linux counts the memory the child
// shared before its exec), so it is measured after the children. On
// a virtual machine whose host takes back the memory its guest frees, it
// can be far slower than copying (~290 MB/s on one AMD VM of the README),
// and it varies from run to run: the reason kerbtrace's and tshark's times
// move together, and why peak memory costs time there.
func freshMemory(n int) float64 {
	start := time.Now()
	b := make([]byte, n) // this large, fresh from the kernel: not cleared by Go
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	d := time.Since(start)
	runtime.KeepAlive(b)
	debug.FreeOSMemory()
	return float64(n) / 1e6 / d.Seconds()
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
