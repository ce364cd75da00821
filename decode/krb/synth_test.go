package krb

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// A small DER builder for the shapes no shared capture holds (KRB-CRED,
// KRB-PRIV, KRB-SAFE, additional tickets, TYPED-DATA, KERB-ERROR-DATA skew
// recovery, ETYPE-INFO). Each case below spells out its fields.

func der(tag byte, parts ...[]byte) []byte {
	var content []byte
	for _, p := range parts {
		content = append(content, p...)
	}
	n := len(content)
	switch {
	case n < 0x80:
		return append([]byte{tag, byte(n)}, content...)
	case n < 0x100:
		return append([]byte{tag, 0x81, byte(n)}, content...)
	default:
		return append([]byte{tag, 0x82, byte(n >> 8), byte(n)}, content...)
	}
}

func ctx(n int, v []byte) []byte { return der(0xa0|byte(n), v) }
func app(n int, v []byte) []byte { return der(0x60|byte(n), v) }
func seq(parts ...[]byte) []byte { return der(0x30, parts...) }
func gstr(s string) []byte       { return der(0x1b, []byte(s)) }
func octets(b []byte) []byte     { return der(0x04, b) }
func gtime(s string) []byte      { return der(0x18, []byte(s)) }
func kint(v int64) []byte        { return der(0x02, intBytes(v)) }
func bits32(v uint32) []byte {
	return der(0x03, []byte{0, byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
func fields(parts ...[]byte) []byte { return seq(parts...) }

// intBytes is the minimal two's complement encoding of v.
func intBytes(v int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(v))
	for len(b) > 1 && (b[0] == 0 && b[1]&0x80 == 0 || b[0] == 0xff && b[1]&0x80 != 0) {
		b = b[1:]
	}
	return b
}

func principalDER(nt int64, comps ...string) []byte {
	var ss [][]byte
	for _, c := range comps {
		ss = append(ss, gstr(c))
	}
	return seq(ctx(0, kint(nt)), ctx(1, seq(ss...)))
}

func encDataDER(etype, kvno int64, n int) []byte {
	parts := [][]byte{ctx(0, kint(etype))}
	if kvno >= 0 {
		parts = append(parts, ctx(1, kint(kvno)))
	}
	parts = append(parts, ctx(2, octets(make([]byte, n))))
	return seq(parts...)
}

func ticketDER(realm string, sname []byte, etype, kvno int64, n int) []byte {
	return app(1, seq(ctx(0, kint(5)), ctx(1, gstr(realm)), ctx(2, sname), ctx(3, encDataDER(etype, kvno, n))))
}

func krbErrorDER(code int64, edata []byte) []byte {
	return app(30, fields(
		ctx(0, kint(5)), ctx(1, kint(30)),
		ctx(4, gtime("20240102030405Z")), ctx(5, kint(123456)),
		ctx(6, kint(code)),
		ctx(9, gstr("CONTOSO.COM")), ctx(10, principalDER(2, "HTTP", "iisserver.contoso.com")),
		ctx(12, octets(edata)),
	))
}

func TestSynthetic(t *testing.T) {
	u2uTicket := ticketDER("CONTOSO.COM", principalDER(2, "krbtgt", "CONTOSO.COM"), 18, 2, 40)
	le := func(v ...uint32) []byte {
		b := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], x)
		}
		return b
	}
	cases := []struct {
		name  string
		in    []byte
		check func(t *testing.T, m *Message)
	}{
		{
			name: "TGS-REQ user-to-user with an additional ticket and a negative nonce",
			in: app(12, fields(ctx(1, kint(5)), ctx(2, kint(12)),
				ctx(4, fields(
					ctx(0, bits32(0x40810008)), // forwardable renewable canonicalize enc-tkt-in-skey
					ctx(2, gstr("CONTOSO.COM")),
					ctx(3, principalDER(1, "Administrator")),
					ctx(4, gtime("20240102030405Z")),
					ctx(5, gtime("20370913024805Z")),
					ctx(7, kint(-2023406815)), // 0x87654321 sent as a negative INTEGER
					ctx(8, seq(kint(18), kint(23))),
					ctx(11, seq(u2uTicket)),
				)))),
			check: func(t *testing.T, m *Message) {
				if m.Type != MsgTGSReq || m.Nonce != 0x87654321 || m.From.Time().Year() != 2024 || m.SName.String() != "Administrator" {
					t.Errorf("type %v nonce %#x from %v sname %v", m.Type, m.Nonce, m.From, m.SName)
				}
				want := []string{"forwardable", "renewable", "canonicalize", "enc-tkt-in-skey"}
				if got := m.KDCOptions.Names(); len(got) != 4 || got[3] != want[3] {
					t.Errorf("kdc-options %v", got)
				}
				if len(m.AdditionalTickets) != 1 || m.AdditionalTickets[0].SName.String() != "krbtgt/CONTOSO.COM" || m.AdditionalTickets[0].CipherLen != 40 {
					t.Errorf("additional tickets %+v", m.AdditionalTickets)
				}
			},
		},
		{
			name: "KRB_AP_ERR_SKEW with KERB-ERROR-DATA skew recovery (MS-KILE 2.2.1)",
			in:   krbErrorDER(37, seq(ctx(1, kint(2)))),
			check: func(t *testing.T, m *Message) {
				if m.ErrorCode.String() != "KRB_AP_ERR_SKEW" || m.EData == nil || m.EData.KerbErrType != KerbAPErrTypeSkewRecovery || m.EData.HasNTStatus {
					t.Errorf("code %v e-data %+v", m.ErrorCode, m.EData)
				}
				if m.SName.String() != "HTTP/iisserver.contoso.com" || m.SUSec != 123456 || m.STime.Time().Hour() != 3 {
					t.Errorf("sname %v susec %d stime %v", m.SName, m.SUSec, m.STime)
				}
			},
		},
		{
			name: "KDC_ERR_CLIENT_REVOKED with KERB-EXT-ERROR STATUS_ACCOUNT_LOCKED_OUT",
			in:   krbErrorDER(18, seq(ctx(1, kint(3)), ctx(2, octets(le(0xC0000234, 0, 1))))),
			check: func(t *testing.T, m *Message) {
				if m.EData == nil || !m.EData.HasNTStatus || m.EData.NTStatus.String() != "STATUS_ACCOUNT_LOCKED_OUT" {
					t.Errorf("e-data %+v", m.EData)
				}
			},
		},
		{
			name: "METHOD-DATA with a 12-byte PA-PW-SALT (read as KERB-EXT-ERROR, like Wireshark)",
			in: krbErrorDER(24, seq(
				seq(ctx(1, kint(19)), ctx(2, octets(seq(seq(ctx(0, kint(18))))))),
				seq(ctx(1, kint(3)), ctx(2, octets(le(0xC000006A, 0, 1)))),
			)),
			check: func(t *testing.T, m *Message) {
				e := m.EData
				if e == nil || len(e.MethodData) != 2 || e.MethodData[1] != PAPWSalt || e.NTStatus != StatusWrongPassword || len(e.ETypeInfo2) != 1 {
					t.Errorf("e-data %+v", e)
				}
			},
		},
		{
			name: "METHOD-DATA with the old PA-ETYPE-INFO only",
			in: krbErrorDER(25, seq(
				seq(ctx(1, kint(11)), ctx(2, octets(seq(seq(ctx(0, kint(23)), ctx(1, octets([]byte("CONTOSO.COMjohn")))))))),
			)),
			check: func(t *testing.T, m *Message) {
				e := m.EData
				if e == nil || len(e.ETypeInfo2) != 1 || e.ETypeInfo2[0] != (ETypeInfo{Etype: 23, Salt: "CONTOSO.COMjohn", HasSalt: true}) {
					t.Errorf("e-data %+v", e)
				}
			},
		},
		{
			name: "TYPED-DATA (RFC 4120 5.9.1)",
			in:   krbErrorDER(60, seq(seq(ctx(0, kint(106)), ctx(1, octets([]byte{1}))), seq(ctx(0, kint(107))))),
			check: func(t *testing.T, m *Message) {
				e := m.EData
				if e == nil || len(e.TypedData) != 2 || e.TypedData[0].String() != "TD-APP-DEFINED-ERROR" || e.TypedData[1] != 107 {
					t.Errorf("e-data %+v", e)
				}
			},
		},
		{
			name: "e-data of an unknown shape",
			in:   krbErrorDER(60, seq(kint(1))),
			check: func(t *testing.T, m *Message) {
				if m.EData == nil || m.EDataLen != 5 || m.EData.MethodData != nil {
					t.Errorf("e-data %+v (%d bytes)", m.EData, m.EDataLen)
				}
			},
		},
		{
			name: "KRB-CRED: first ticket and enc-part",
			in:   app(22, fields(ctx(0, kint(5)), ctx(1, kint(22)), ctx(2, seq(u2uTicket, u2uTicket)), ctx(3, encDataDER(18, -1, 30)))),
			check: func(t *testing.T, m *Message) {
				if m.Type.Kind() != "krb_22" || m.Ticket == nil || m.Ticket.Realm != "CONTOSO.COM" || m.EncPartEtype != 18 || m.EncPartCipherLen != 30 {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "KRB-PRIV enc-part",
			in:   app(21, fields(ctx(0, kint(5)), ctx(1, kint(21)), ctx(3, encDataDER(23, 3, 16)))),
			check: func(t *testing.T, m *Message) {
				if m.Type.String() != "KRB-PRIV" || m.EncPartEtype != EtypeRC4HMAC || m.EncPartKvno != 3 {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "KRB-SAFE outer fields",
			in:   app(20, fields(ctx(0, kint(5)), ctx(1, kint(20)), ctx(2, seq()), ctx(3, seq()))),
			check: func(t *testing.T, m *Message) {
				if m.Type != MsgSafe || m.PVNO != 5 {
					t.Errorf("%+v", m)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(c.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			c.check(t, m)
			for n := 1; n < len(c.in); n++ {
				if p, err := Parse(c.in[:n]); !errors.Is(err, wire.ErrTruncated) || p == nil || !p.Truncated {
					t.Fatalf("prefix %d: %v", n, err)
				}
			}
		})
	}
}

// TestParseBounds feeds lists longer than the decoder keeps.
func TestParseBounds(t *testing.T) {
	var many [][]byte
	for i := 0; i < maxItems+10; i++ {
		many = append(many, kint(18))
	}
	in := app(10, fields(ctx(1, kint(5)), ctx(2, kint(10)),
		ctx(4, fields(ctx(0, bits32(0)), ctx(2, gstr("R")), ctx(5, gtime("20370913024805Z")), ctx(7, kint(1)), ctx(8, seq(many...))))))
	m, err := Parse(in)
	if !errors.Is(err, wire.ErrMalformed) || len(m.Etypes) != maxItems || m.Nonce != 1 {
		t.Fatalf("err %v, %d etypes", err, len(m.Etypes))
	}
}
