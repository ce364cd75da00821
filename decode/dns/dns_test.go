package dns

import (
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

func vec(tb testing.TB, name string) vector {
	tb.Helper()
	for _, v := range loadVectors(tb) {
		if v.name == name {
			return v
		}
	}
	tb.Fatalf("no vector %q", name)
	return vector{}
}

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// hdr is a response header: ID 0x1234, QR|RD|RA, with the given counts.
func hdr(qd, an, ns, ar byte) string {
	return "1234 8180 00" + hex.EncodeToString([]byte{qd}) + " 00" + hex.EncodeToString([]byte{an}) +
		" 00" + hex.EncodeToString([]byte{ns}) + " 00" + hex.EncodeToString([]byte{ar})
}

// q is the question "a.example A IN" (15 bytes at offset 12).
const q = "01 61 07 6578616d706c65 00 0001 0001"

func TestCNAMEChainAndAddrs(t *testing.T) {
	// pcapplusplus/sll.pcap frame 30: www.ynet.co.il -> ynet.co.il.d4p.net
	// -> a39.g.akamai.net -> 212.199.202.69, 212.199.202.9 (tshark agrees).
	m, err := Parse(vec(t, "sll_30").raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"www.ynet.co.il", "ynet.co.il.d4p.net", "a39.g.akamai.net"}
	if got := m.CNAMEChain("www.ynet.co.il"); !reflect.DeepEqual(got, want) {
		t.Errorf("CNAMEChain = %q", got)
	}
	if got := m.CNAMEChain("WWW.Ynet.co.IL."); len(got) != 3 || got[2] != "a39.g.akamai.net" {
		t.Errorf("case-insensitive CNAMEChain = %q", got)
	}
	wantA := []netip.Addr{netip.MustParseAddr("212.199.202.69"), netip.MustParseAddr("212.199.202.9")}
	if got := m.Addrs("www.ynet.co.il"); !reflect.DeepEqual(got, wantA) {
		t.Errorf("Addrs = %v", got)
	}
	if got := m.Addrs("other.example"); got != nil {
		t.Errorf("Addrs(other) = %v", got)
	}
	if got := m.CNAMEChain("a39.g.akamai.net"); !reflect.DeepEqual(got, []string{"a39.g.akamai.net"}) {
		t.Errorf("no-CNAME chain = %q", got)
	}
}

// TestAddrsWithoutCNAME checks the answers for a name with no CNAME: the
// name matches whatever its case and trailing dot, other owners do not.
func TestAddrsWithoutCNAME(t *testing.T) {
	a1, a2 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	m := &Message{Content: &Content{Answers: []RR{
		{Name: "Web.Example", Type: TypeA, Data: "192.0.2.1", Addr: a1},
		{Name: "other.example", Type: TypeA, Data: "192.0.2.9", Addr: netip.MustParseAddr("192.0.2.9")},
		{Name: "web.example", Type: TypeAAAA, Data: "2001:db8::1", Addr: a2},
		{Name: "web.example", Type: TypeTXT, Data: "v=1"},
	}}}
	for _, name := range []string{"web.example", "WEB.example.", "Web.Example"} {
		if got := m.Addrs(name); !reflect.DeepEqual(got, []netip.Addr{a1, a2}) {
			t.Errorf("Addrs(%q) = %v, want [%v %v]", name, got, a1, a2)
		}
	}
	if got := m.Addrs("example"); got != nil {
		t.Errorf("Addrs(example) = %v, want none", got)
	}
}

func TestCNAMELoop(t *testing.T) {
	m := &Message{Content: &Content{Answers: []RR{
		{Name: "a.test", Type: TypeCNAME, Data: "b.test"},
		{Name: "b.test", Type: TypeCNAME, Data: "A.test"},
		{Name: "b.test", Type: TypeA, Data: "192.0.2.1", Addr: netip.MustParseAddr("192.0.2.1")},
	}}}
	if got := m.CNAMEChain("a.test"); !reflect.DeepEqual(got, []string{"a.test", "b.test"}) {
		t.Errorf("CNAMEChain = %q", got)
	}
	if got := m.Addrs("a.test"); len(got) != 1 {
		t.Errorf("Addrs = %v", got)
	}
}

func TestSRVAndAdditional(t *testing.T) {
	// MS-ADOD Example 1.3 frame 3: the DC locator SRV answer with glue.
	m, err := Parse(vec(t, "MS_ADOD_Example1_3_Win2016_X64_Win2016_X_3").raw)
	if err != nil {
		t.Fatal(err)
	}
	if q := m.Questions[0]; q.Name != "_ldap._tcp.dc._msdcs.contoso.com" || q.Type != TypeSRV || q.Type.String() != "SRV" || q.Class != 1 {
		t.Errorf("question %+v", q)
	}
	if a := m.Answers[0]; a.Data != "0 100 389 PDC.contoso.com" || a.TTL != 600 || a.Type != TypeSRV {
		t.Errorf("answer %+v", a)
	}
	if g := m.Additional[0]; g.Name != "PDC.contoso.com" || g.Addr != netip.MustParseAddr("192.168.0.1") {
		t.Errorf("glue %+v", g)
	}
	if !m.Authoritative || !m.Response || m.RCode != RCodeNoError {
		t.Errorf("header %+v", m)
	}
}

func TestEdgeCases(t *testing.T) {
	cases := []struct {
		name    string
		hex     string
		wantErr error
		cut     bool
		check   func(t *testing.T, m *Message)
	}{
		{name: "empty", hex: "", wantErr: wire.ErrTruncated, cut: true},
		{
			name: "header cut after flags", hex: "1234 8583", wantErr: wire.ErrTruncated, cut: true,
			check: func(t *testing.T, m *Message) {
				if m.ID != 0x1234 || m.RCode != RCodeNXDomain || !m.Authoritative || !m.Response {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "pointer loop to itself", hex: hdr(1, 0, 0, 0) + " c00c 0001 0001", wantErr: wire.ErrMalformed,
		},
		{
			name: "pointer loop between two names", hex: hdr(1, 0, 0, 0) + " c00e c00c", wantErr: wire.ErrMalformed,
		},
		{
			name: "pointer past the message", hex: hdr(1, 0, 0, 0) + " c0ff 0001 0001", wantErr: wire.ErrMalformed,
		},
		{
			name: "name too long", hex: hdr(1, 0, 0, 0) + strings.Repeat(" 3f"+strings.Repeat("61", 63), 4) + " 00 0001 0001",
			wantErr: wire.ErrMalformed,
		},
		{
			// 254-byte name: 3 x 63-byte labels + 61-byte label = 4*1+252+... = 255 wire bytes.
			name: "name of exactly 255 bytes", hex: hdr(1, 0, 0, 0) + strings.Repeat(" 3f"+strings.Repeat("61", 63), 3) + " 3d" + strings.Repeat("62", 61) + " 00 0001 0001",
			check: func(t *testing.T, m *Message) {
				if len(m.Questions[0].Name) != 253 {
					t.Errorf("name length %d", len(m.Questions[0].Name))
				}
			},
		},
		{
			// question: 3 labels of 63 bytes (193 wire bytes); answer: 2 more
			// labels then a pointer to it, 321 bytes in all.
			name: "name too long through pointers", hex: hdr(1, 1, 0, 0) + strings.Repeat(" 3f"+strings.Repeat("61", 63), 3) + " 00 0001 0001" +
				strings.Repeat(" 3f"+strings.Repeat("62", 63), 2) + " c00c 0001 0001 00000000 0000",
			wantErr: wire.ErrMalformed,
		},
		{name: "reserved label type", hex: hdr(1, 0, 0, 0) + " 41 61 00 0001 0001", wantErr: wire.ErrMalformed},
		{
			name: "huge counts, tiny message", hex: "1234 0100 ffff ffff ffff ffff " + q, wantErr: wire.ErrTruncated, cut: true,
			check: func(t *testing.T, m *Message) {
				if len(m.Questions) != 1 || m.Questions[0].Name != "a.example" {
					t.Errorf("%+v", m.Questions)
				}
			},
		},
		{
			name:    "cut inside the second answer",
			hex:     hdr(1, 2, 0, 0) + " " + q + " c00c 0001 0001 0000003c 0004 c0000201  c00c 0001 0001 0000",
			wantErr: wire.ErrTruncated, cut: true,
			check: func(t *testing.T, m *Message) {
				if len(m.Answers) != 1 || m.Answers[0].Data != "192.0.2.1" {
					t.Errorf("%+v", m.Answers)
				}
			},
		},
		{
			name: "rdata length past the end", hex: hdr(1, 1, 0, 0) + " " + q + " c00c 0001 0001 0000003c 0010 c0000201",
			wantErr: wire.ErrTruncated, cut: true,
		},
		{
			name:    "A with 3-byte rdata is kept empty and parsing goes on",
			hex:     hdr(1, 2, 0, 0) + " " + q + " c00c 0001 0001 0000003c 0003 c00002  c00c 0001 0001 0000003c 0004 c0000202",
			wantErr: wire.ErrMalformed,
			check: func(t *testing.T, m *Message) {
				if len(m.Answers) != 2 || m.Answers[0].Data != "" || m.Answers[1].Data != "192.0.2.2" {
					t.Errorf("%+v", m.Answers)
				}
			},
		},
		{
			name:    "CNAME target overruns its rdata",
			hex:     hdr(1, 1, 0, 0) + " " + q + " c00c 0005 0001 0000003c 0002 0162 00",
			wantErr: wire.ErrMalformed,
		},
		{
			name: "UPDATE delete with empty rdata", hex: "1234 2800 0001 0000 0001 0000 " + q + " c00c 0001 00ff 00000000 0000",
			check: func(t *testing.T, m *Message) {
				if m.Opcode != 5 || len(m.Authority) != 1 || m.Authority[0].Data != "" || m.Authority[0].Class != 255 {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "escaped label bytes", hex: hdr(1, 0, 0, 0) + " 05 612e62205c 00 0001 0001",
			check: func(t *testing.T, m *Message) {
				if got := m.Questions[0].Name; got != `a\.b\032\\` {
					t.Errorf("name %q", got)
				}
			},
		},
		{
			name: "root name and extended RCODE BADVERS",
			hex:  "1234 8100 0000 0000 0000 0001 00 0029 1000 01000000 0000",
			check: func(t *testing.T, m *Message) {
				if m.RCode != RCodeBadVers || m.RCode.String() != "BADVERS" || m.Additional[0].Name != "" || m.Additional[0].Class != 4096 {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "MX, SOA and TXT data",
			hex: hdr(1, 3, 0, 0) + " " + q +
				" c00c 000f 0001 0000003c 0004 000a c00c" +
				" c00c 0006 0001 0000003c 001e 026e73 c00c 0268 6d c00c 00000007 00000001 00000002 00000003 00000004" +
				" c00c 0010 0001 0000003c 0007 02 6869 03 796f75",
			check: func(t *testing.T, m *Message) {
				got := []string{m.Answers[0].Data, m.Answers[1].Data, m.Answers[2].Data}
				want := []string{"10 a.example", "ns.a.example hm.a.example 7", "hi you"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("data %q", got)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(unhex(t, c.hex))
			if c.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "dns: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if m == nil {
				t.Fatal("nil message")
			}
			if m.Cut != c.cut {
				t.Errorf("Cut = %v, want %v", m.Cut, c.cut)
			}
			if c.check != nil {
				c.check(t, m)
			}
		})
	}
}

func TestSplitTCP(t *testing.T) {
	// Four queries that arrived in one TCP segment of
	// suricata-verify/dns_dns-tcp-multirequest-buffer (frame 4).
	var stream []byte
	var ids []uint16
	for i := 0; i < 4; i++ {
		stream = append(stream, vec(t, "dns_dns_tcp_multirequest_buffer_dns_tcp__4_"+string(rune('0'+i))).raw...)
	}
	for len(stream) > 0 {
		msg, n, err := SplitTCP(stream)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(msg)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
		stream = stream[n:]
	}
	if !reflect.DeepEqual(ids, []uint16{0, 1, 2, 3}) {
		t.Errorf("ids %v", ids)
	}

	full := vec(t, "dns_tcp_6").raw
	for _, cut := range []int{0, 1, 2, 100, len(full) - 1} {
		if msg, n, err := SplitTCP(full[:cut]); !errors.Is(err, wire.ErrTruncated) || n != 0 || msg != nil {
			t.Errorf("cut %d: %v n=%d", cut, err, n)
		}
	}
	if _, n, err := SplitTCP([]byte{0, 0, 1}); !errors.Is(err, wire.ErrMalformed) || n != 2 {
		t.Errorf("zero length: %v n=%d", err, n)
	}
}

func TestStrings(t *testing.T) {
	cases := []struct{ got, want string }{
		{TypeA.String(), "A"}, {TypeAAAA.String(), "AAAA"}, {TypeCNAME.String(), "CNAME"},
		{TypeSRV.String(), "SRV"}, {TypePTR.String(), "PTR"}, {TypeNS.String(), "NS"},
		{TypeSOA.String(), "SOA"}, {TypeTXT.String(), "TXT"}, {TypeANY.String(), "ANY"},
		{Type(65).String(), "TYPE65"},
		{RCodeNoError.String(), "NOERROR"}, {RCodeFormErr.String(), "FORMERR"},
		{RCodeServFail.String(), "SERVFAIL"}, {RCodeNXDomain.String(), "NXDOMAIN"},
		{RCodeNotImp.String(), "NOTIMP"}, {RCodeRefused.String(), "REFUSED"},
		{RCode(12).String(), "RCODE12"}, {RCode(200).String(), "RCODE200"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
