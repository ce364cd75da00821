package krb

import (
	"errors"
	"reflect"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// Expected values are what tshark 4.0 prints for the same frames
// (tshark -V, see each testdata/*.hex header for file and frame).

func pn(typ int32, comps ...string) Principal { return Principal{NameType: typ, Components: comps} }

var realVectors = []struct {
	file string
	want Message
	// cutKeepsAll: the message ends in an OCTET STRING, so dropping its
	// last byte must leave every field decoded.
	cutKeepsAll bool
}{
	{
		file: "as-req-udp", // arkime/krb5-udp.pcap frame 1
		want: Message{
			Type:        MsgASReq,
			PVNO:        5,
			PAData:      []PADataType{PAEncTimestamp, PAReqEncPARep},
			Realm:       "xx.xxx.xxxxx.NET",
			CName:       pn(1, "xxxxxxxx$"),
			SName:       pn(2, "krbtgt", "xx.xxx.xxxxx.NET"),
			EncPartKvno: -1,
			ReqBody: &ReqBody{
				KDCOptions: 0x40000000,
				Till:       mustTime("2016-06-18T22:14:15Z"),
				Nonce:      741142704,
				Etypes:     []Etype{18, 17, 16, 23},
			},
		},
	},
	{
		file: "as-req-nopreauth", // ndpi/kerberos.pcap frame 1
		want: Message{
			Type:        MsgASReq,
			PVNO:        5,
			PAData:      []PADataType{PAPACRequest},
			Realm:       "happycraft.org",
			CName:       pn(1, "johnson-pc$"),
			SName:       pn(2, "krbtgt", "happycraft.org"),
			EncPartKvno: -1,
			ReqBody: &ReqBody{
				KDCOptions: 0x40810010,
				Till:       mustTime("2037-09-13T02:48:05Z"),
				RTime:      mustTime("2037-09-13T02:48:05Z"),
				Nonce:      1321211415,
				Etypes:     []Etype{18, 17, 23, 24, -135, 3},
			},
		},
	},
	{
		file: "as-req-preauth", // suricata-verify krb5-krb5_msg_type frame 16
		want: Message{
			Type:        MsgASReq,
			PVNO:        5,
			PAData:      []PADataType{PAEncTimestamp, PAPACRequest},
			Realm:       "CYLERA.LAB",
			CName:       pn(1, "robin"),
			SName:       pn(2, "krbtgt", "CYLERA.LAB"),
			EncPartKvno: -1,
			ReqBody: &ReqBody{
				KDCOptions: 0x40810010,
				Till:       mustTime("2037-09-13T02:48:05Z"),
				RTime:      mustTime("2037-09-13T02:48:05Z"),
				Nonce:      1493830576,
				Etypes:     []Etype{18, 23, -133, -128, 24, -135},
			},
		},
	},
	{
		file: "as-rep", // suricata-verify krb5-krb5_msg_type frame 18
		want: Message{
			Type: MsgASRep, PVNO: 5,
			PAData:           []PADataType{PAETypeInfo2},
			ETypeInfo2:       []ETypeInfo{{Etype: 18, Salt: "CYLERA.LABrobin", HasSalt: true}},
			CRealm:           "CYLERA.LAB",
			CName:            pn(1, "robin"),
			Ticket:           &Ticket{TktVNO: 5, Realm: "CYLERA.LAB", SName: pn(2, "krbtgt", "CYLERA.LAB"), Etype: 18, Kvno: 2, CipherLen: 964},
			EncPartEtype:     18,
			EncPartKvno:      2,
			EncPartCipherLen: 321,
		},
		cutKeepsAll: true,
	},
	{
		file: "tgs-req-http", // suricata-verify krb5-kerberoasting frame 4
		want: Message{
			Type:        MsgTGSReq,
			PVNO:        5,
			PAData:      []PADataType{PATGSReq},
			TGT:         &Ticket{TktVNO: 5, Realm: "OFFENSE.LOCAL", SName: pn(2, "krbtgt", "OFFENSE.LOCAL"), Etype: 18, Kvno: 2, CipherLen: 994},
			Realm:       "OFFENSE.LOCAL",
			SName:       pn(2, "HTTP", "dc-mantvydas.offense.local"),
			EncPartKvno: -1,
			ReqBody: &ReqBody{
				KDCOptions: 0x40810000,
				Till:       mustTime("2037-09-13T02:48:05Z"),
				Nonce:      1608899909,
				Etypes:     []Etype{18, 17, 23, 24, -135},
			},
		},
		cutKeepsAll: true, // ends with enc-authorization-data's cipher
	},
	{
		file: "tgs-rep-http", // suricata-verify krb5-kerberoasting frame 7
		want: Message{
			Type: MsgTGSRep, PVNO: 5,
			CRealm:           "OFFENSE.LOCAL",
			CName:            pn(1, "spotless"),
			Ticket:           &Ticket{TktVNO: 5, Realm: "OFFENSE.LOCAL", SName: pn(2, "HTTP", "dc-mantvydas.offense.local"), Etype: 23, Kvno: 2, CipherLen: 1088},
			EncPartEtype:     18,
			EncPartKvno:      -1,
			EncPartCipherLen: 270,
		},
		cutKeepsAll: true,
	},
	{
		file: "tgs-req-udp", // ndpi/kerberos-login.pcap frame 1
		want: Message{
			Type:        MsgTGSReq,
			PVNO:        5,
			PAData:      []PADataType{PATGSReq},
			TGT:         &Ticket{TktVNO: 5, Realm: "DENYDC.COM", SName: pn(2, "krbtgt", "DENYDC.COM"), Etype: 23, Kvno: 2, CipherLen: 790},
			Realm:       "DENYDC.COM",
			SName:       pn(3, "host", "xp1.denydc.com"),
			EncPartKvno: -1,
			ReqBody: &ReqBody{
				KDCOptions: 0x40800000,
				Till:       mustTime("2037-09-13T02:48:05Z"),
				Nonce:      197296424,
				Etypes:     []Etype{23, -133, -128, 3, 1, 24, -135},
			},
		},
	},
	{
		file: "tgs-rep-udp", // ndpi/kerberos-login.pcap frame 2
		want: Message{
			Type: MsgTGSRep, PVNO: 5,
			CRealm:           "DENYDC.COM",
			CName:            pn(1, "des"),
			Ticket:           &Ticket{TktVNO: 5, Realm: "DENYDC.COM", SName: pn(3, "host", "xp1.denydc.com"), Etype: 23, Kvno: 2, CipherLen: 798},
			EncPartEtype:     3,
			EncPartKvno:      -1,
			EncPartCipherLen: 232,
		},
		cutKeepsAll: true,
	},
	{
		file: "tgs-req-enterprise", // ndpi/kerberos.pcap frame 28
		want: Message{
			Type:        MsgTGSReq,
			PVNO:        5,
			PAData:      []PADataType{PATGSReq},
			TGT:         &Ticket{TktVNO: 5, Realm: "HAPPYCRAFT.ORG", SName: pn(2, "krbtgt", "HAPPYCRAFT.ORG"), Etype: 18, Kvno: 2, CipherLen: 982},
			Realm:       "HAPPYCRAFT.ORG",
			SName:       pn(10, "johnson-pc$@HAPPYCRAFT.ORG"),
			EncPartKvno: -1,
			ReqBody: &ReqBody{
				KDCOptions: 0x40810000,
				Till:       mustTime("2037-09-13T02:48:05Z"),
				Nonce:      1312338362,
				Etypes:     []Etype{18, 17, 23, 24, -135},
			},
		},
	},
	{
		file: "err-preauth-required", // ndpi/kerberos.pcap frame 2
		want: Message{
			Type:        MsgKRBError,
			PVNO:        5,
			Realm:       "happycraft.org",
			SName:       pn(2, "krbtgt", "happycraft.org"),
			EncPartKvno: -1,
			ErrorInfo: &ErrorInfo{
				STime:     mustTime("2019-02-05T03:38:48Z"),
				SUSec:     406816,
				ErrorCode: ErrPreauthRequired,
				EDataLen:  164,
				EData: &EData{
					MethodData: []PADataType{PAETypeInfo2, PAEncTimestamp, PAPKASReq, 15},
					ETypeInfo2: []ETypeInfo{
						{Etype: 18, Salt: "HAPPYCRAFT.ORGhostjohnson-pc.happycraft.org", HasSalt: true},
						{Etype: 23},
						{Etype: 3, Salt: "HAPPYCRAFT.ORGhostjohnson-pc.happycraft.org", HasSalt: true},
					},
				},
			},
		},
		cutKeepsAll: true,
	},
	{
		file: "err-preauth-required-win", // suricata-verify krb5-krb5_msg_type frame 9
		want: Message{
			Type:        MsgKRBError,
			PVNO:        5,
			Realm:       "CYLERA.LAB",
			SName:       pn(2, "krbtgt", "CYLERA.LAB"),
			EncPartKvno: -1,
			ErrorInfo: &ErrorInfo{
				STime:     mustTime("2021-06-22T09:27:40Z"),
				SUSec:     649488,
				ErrorCode: ErrPreauthRequired,
				EDataLen:  96,
				EData: &EData{
					MethodData: []PADataType{PAETypeInfo2, PAEncTimestamp, PAPKASReq, 15},
					ETypeInfo2: []ETypeInfo{{Etype: 18, Salt: "CYLERA.LABrobin", HasSalt: true}, {Etype: 23}, {Etype: -133}, {Etype: -128}},
				},
			},
		},
		cutKeepsAll: true,
	},
	{
		file: "err-preauth-required-mit", // zeek/kinit.pcap frame 139
		want: Message{
			Type:        MsgKRBError,
			PVNO:        5,
			CRealm:      "VLADG.NET",
			CName:       pn(1, "requires_preauth_client_principal"),
			Realm:       "VLADG.NET",
			SName:       pn(2, "krbtgt", "VLADG.NET"),
			EncPartKvno: -1,
			ErrorInfo: &ErrorInfo{
				CTime:     mustTime("1990-08-11T14:24:17Z"),
				STime:     mustTime("2015-01-19T22:54:09Z"),
				SUSec:     334091,
				ErrorCode: ErrPreauthRequired,
				EText:     "NEEDED_PREAUTH",
				EDataLen:  316,
				EData: &EData{
					MethodData: []PADataType{PAFXFast, PAETypeInfo2, PAPKASReq, 14, 15, 147, PAEncTimestamp, 133},
					ETypeInfo2: []ETypeInfo{
						{Etype: 18, Salt: "VLADG.NETrequires_preauth_client_principal", HasSalt: true},
						{Etype: 17, Salt: "VLADG.NETrequires_preauth_client_principal", HasSalt: true},
						{Etype: 16, Salt: "VLADG.NETrequires_preauth_client_principal", HasSalt: true},
						{Etype: 23, Salt: "VLADG.NETrequires_preauth_client_principal", HasSalt: true},
					},
				},
			},
		},
		cutKeepsAll: true,
	},
	{
		file: "err-client-revoked-mit", // zeek/kinit.pcap frame 159
		want: Message{
			Type:        MsgKRBError,
			PVNO:        5,
			CRealm:      "VLADG.NET",
			CName:       pn(1, "lockout_policy_client_principal"),
			Realm:       "VLADG.NET",
			SName:       pn(2, "krbtgt", "VLADG.NET"),
			EncPartKvno: -1,
			ErrorInfo: &ErrorInfo{
				CTime:     mustTime("1996-10-30T00:37:33Z"),
				STime:     mustTime("2015-01-19T22:54:11Z"),
				SUSec:     164532,
				ErrorCode: ErrClientRevoked,
				EText:     "LOCKED_OUT",
			},
		},
	},
	{
		file: "err-badoption-ntstatus", // ndpi/kerberos.pcap frame 32
		want: Message{
			Type:        MsgKRBError,
			PVNO:        5,
			Realm:       "HAPPYCRAFT.ORG",
			SName:       pn(10, "johnson-pc$@HAPPYCRAFT.ORG"),
			EncPartKvno: -1,
			ErrorInfo: &ErrorInfo{
				STime:     mustTime("2019-02-05T03:38:49Z"),
				SUSec:     826418,
				ErrorCode: ErrBadOption,
				EDataLen:  23,
				// tshark shows it as a PA-PW-SALT with "NT Status:
				// STATUS_NOT_SUPPORTED (0xc00000bb)"; it is a KERB-ERROR-DATA
				// of type 3 (MS-KILE 2.2.1), the two share the tag layout.
				EData: &EData{NTStatus: 0xc00000bb, HasNTStatus: true, KerbErrType: KerbErrTypeExtended},
			},
		},
	},
	{
		file: "err-s-principal-unknown-http", // MS-RMSOD_Example2 frame 66
		want: Message{
			Type:        MsgKRBError,
			PVNO:        5,
			Realm:       "CONTOSO.COM",
			SName:       pn(2, "HTTP", "contoso.com"),
			EncPartKvno: -1,
			ErrorInfo: &ErrorInfo{
				STime:     mustTime("2016-08-11T02:29:20Z"),
				SUSec:     527811,
				ErrorCode: ErrSPrincipalUnknown,
			},
		},
	},
	{
		file: "tgt-req-u2u", // MS-WMOD_Example4 frame 40, inside SPNEGO
		want: Message{
			Type: MsgTGTReq, PVNO: 5,
			SName:       pn(-128, "Administrator"),
			Realm:       "contoso",
			EncPartKvno: -1,
		},
	},
	{
		file: "tgt-rep-u2u", // MS-WMOD_Example4 frame 41, inside SPNEGO
		want: Message{
			Type: MsgTGTRep, PVNO: 5,
			Ticket:      &Ticket{TktVNO: 5, Realm: "CONTOSO.COM", SName: pn(2, "krbtgt", "CONTOSO.COM"), Etype: 18, Kvno: 2, CipherLen: 1045},
			EncPartKvno: -1,
		},
		cutKeepsAll: true,
	},
	{
		file: "err-s-principal-unknown", // suricata-verify bug-8278-krb5-03 frame 21
		want: Message{
			Type:        MsgKRBError,
			PVNO:        5,
			Realm:       "DOM189.LOCAL",
			SName:       pn(2, "host", "anything"),
			EncPartKvno: -1,
			ErrorInfo: &ErrorInfo{
				STime:     mustTime("2026-02-13T20:30:31Z"),
				SUSec:     275103,
				ErrorCode: ErrSPrincipalUnknown,
			},
		},
	},
}

// The user-to-user messages are untagged SEQUENCEs; until msg-type is read
// a prefix of one cannot be told from any SEQUENCE.
func isU2U(t MsgType) bool { return t == MsgTGTReq || t == MsgTGTRep }

func TestParseRealMessages(t *testing.T) {
	for _, v := range realVectors {
		t.Run(v.file, func(t *testing.T) {
			m, err := Parse(loadHex(t, v.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			for _, d := range diff(*m, v.want) {
				t.Error(d)
			}
		})
	}
}

// TestParseEveryPrefix cuts each real message at every length: Parse must
// report a truncation, and every field it fills must agree with the full
// decode (fields inside the bytes are right, nothing is invented).
func TestParseEveryPrefix(t *testing.T) {
	for _, v := range realVectors {
		t.Run(v.file, func(t *testing.T) {
			b := loadHex(t, v.file)
			for n := 1; n < len(b); n++ {
				m, err := Parse(b[:n])
				if !errors.Is(err, wire.ErrTruncated) {
					t.Fatalf("prefix %d: err %v, want ErrTruncated", n, err)
				}
				if m == nil && isU2U(v.want.Type) {
					continue
				}
				if m == nil {
					t.Fatalf("prefix %d: nil message", n)
				}
				if !m.Truncated || m.Type != v.want.Type {
					t.Fatalf("prefix %d: Truncated=%v Type=%v", n, m.Truncated, m.Type)
				}
				var out []string
				consistent("", reflect.ValueOf(*m), reflect.ValueOf(v.want), &out)
				if len(out) > 0 {
					t.Fatalf("prefix %d: %v", n, out)
				}
			}
			if v.cutKeepsAll {
				m, _ := Parse(b[:len(b)-1])
				want := v.want
				want.Truncated = true
				for _, d := range diff(*m, want) {
					t.Errorf("last byte cut: %s", d)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want error
		typ  MsgType // expected Type of the returned message; 0 for nil
	}{
		{"empty", nil, wire.ErrTruncated, 0},
		{"identifier only", []byte{0x6c}, wire.ErrTruncated, MsgTGSReq},
		{"long length cut", []byte{0x7e, 0x82, 0x01}, wire.ErrTruncated, MsgKRBError},
		{"not kerberos", []byte("GET / HTTP/1.1\r\n"), wire.ErrUnsupported, 0},
		{"ticket is not a message", []byte{0x61, 0x03, 0x30, 0x01, 0x00}, wire.ErrUnsupported, 0},
		{"indefinite length", []byte{0x6e, 0x80, 0x30, 0x00, 0x00, 0x00}, wire.ErrUnsupported, 0},
		{"length of 5 octets", []byte{0x6a, 0x85, 1, 0, 0, 0, 0}, wire.ErrMalformed, 0},
		{"primitive body", []byte{0x6f, 0x01, 0x05}, wire.ErrMalformed, MsgAPRep},
		{"child overruns parent", []byte{0x6f, 0x04, 0x30, 0x05, 0xa0, 0x03}, wire.ErrMalformed, MsgAPRep},
		{"sequence of junk", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, wire.ErrUnsupported, 0},
		{"msg-type disagrees", []byte{0x6f, 0x0c, 0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x0e}, wire.ErrMalformed, MsgAPRep},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(c.in)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if (m == nil) != (c.typ == 0) || (m != nil && m.Type != c.typ) {
				t.Fatalf("message = %+v, want type %v", m, c.typ)
			}
		})
	}
}

// TestParseEDataNotOctetString is Zeek's error-preauth-padata trace: e-data
// holds a SEQUENCE directly and its only PA-DATA has an empty value tag.
// Zeek logs KDC_ERR_PREAUTH_REQUIRED; tshark reports BER errors.
func TestParseEDataNotOctetString(t *testing.T) {
	m, err := Parse(loadHex(t, "err-edata-not-octets"))
	if !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
	if m.ErrorCode != ErrPreauthRequired || m.EData == nil || !reflect.DeepEqual(m.EData.MethodData, []PADataType{PAEncTimestamp}) {
		t.Fatalf("got error-code %v, e-data %+v", m.ErrorCode, m.EData)
	}
}
