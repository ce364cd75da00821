package ntlm

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// vec returns a copy of the bytes of the named vector of testdata/vectors.txt.
func vec(tb testing.TB, name string) []byte {
	tb.Helper()
	for _, v := range loadVectors(tb) {
		if v.name == name {
			return append([]byte(nil), v.raw...)
		}
	}
	tb.Fatalf("no vector %q", name)
	return nil
}

func put32(b []byte, off int, v uint32) []byte {
	binary.LittleEndian.PutUint32(b[off:], v)
	return b
}

func put16(b []byte, off int, v uint16) []byte {
	binary.LittleEndian.PutUint16(b[off:], v)
	return b
}

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// challengeWithTI builds a CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2) with an empty
// target name, flags UNICODE|TARGET_INFO and the given TargetInfo bytes at
// offset 48 (no Version).
func challengeWithTI(ti []byte) []byte {
	b := make([]byte, 48, 48+len(ti))
	copy(b, Signature)
	put32(b, 8, 2)
	put32(b, 16, 48) // TargetNameFields: len 0, offset 48
	put32(b, 20, uint32(FlagUnicode|FlagTargetInfo))
	copy(b[24:], "\x01\x23\x45\x67\x89\xab\xcd\xef")
	put16(b, 40, uint16(len(ti)))
	put16(b, 42, uint16(len(ti)))
	put32(b, 44, 48)
	return append(b, ti...)
}

// oemAuthenticate builds a 64-byte-header AUTHENTICATE_MESSAGE (no Version,
// no MIC) with flags NTLM|OEM and OEM strings: LM and NT responses of 24
// bytes, domain "LAB", user "alice", workstation "WS1".
func oemAuthenticate() []byte {
	b := make([]byte, 64)
	copy(b, Signature)
	put32(b, 8, 3)
	fields := []string{strings.Repeat("L", 24), strings.Repeat("N", 24), "LAB", "alice", "WS1"}
	for i, f := range fields {
		at := 12 + 8*i
		put16(b, at, uint16(len(f)))
		put16(b, at+2, uint16(len(f)))
		put32(b, at+4, uint32(len(b)))
		b = append(b, f...)
	}
	put32(b, 56, uint32(len(b))) // empty session key
	put32(b, 60, uint32(FlagNTLM|FlagOEM))
	return b
}

// av encodes one AV_PAIR with a UTF-16LE value.
func av(id AVID, s string) []byte {
	b := []byte{byte(id), byte(id >> 8), byte(2 * len(s)), byte(2 * len(s) >> 8)}
	for _, c := range s {
		b = append(b, byte(c), 0)
	}
	return b
}

func TestEdgeCases(t *testing.T) {
	eol := []byte{0, 0, 0, 0}
	var many []byte
	for i := 0; i < 70; i++ {
		many = append(many, av(MsvAvNbDomainName, "D")...)
	}
	cases := []struct {
		name      string
		in        func(t *testing.T) []byte
		wantErr   error // nil: no error
		nilMsg    bool
		truncated bool
		check     func(t *testing.T, m *Message)
	}{
		{name: "empty input", in: func(*testing.T) []byte { return nil }, wantErr: wire.ErrTruncated, truncated: true},
		{name: "signature prefix only", in: func(*testing.T) []byte { return []byte("NTLM") }, wantErr: wire.ErrTruncated, truncated: true},
		{name: "not NTLMSSP", in: func(*testing.T) []byte { return []byte("Negotiate TlRMTVNTUAAB") }, wantErr: wire.ErrMalformed, nilMsg: true},
		{name: "short garbage", in: func(*testing.T) []byte { return []byte("HTTP") }, wantErr: wire.ErrMalformed, nilMsg: true},
		{name: "signature without type", in: func(*testing.T) []byte { return []byte("NTLMSSP\x00\x01\x00") }, wantErr: wire.ErrTruncated, truncated: true},
		{
			name:    "unknown message type",
			in:      func(*testing.T) []byte { return []byte("NTLMSSP\x00\x04\x00\x00\x00") },
			wantErr: wire.ErrUnsupported,
			check: func(t *testing.T, m *Message) {
				if m.Type != 4 || m.Type.String() != "MsgType(4)" || m.Type.Kind() != "ntlm_unknown" {
					t.Errorf("type %v kind %s", m.Type, m.Type.Kind())
				}
			},
		},
		{
			name: "legacy 16-byte NEGOTIATE",
			in:   func(t *testing.T) []byte { return vec(t, "sasl_ntlm_4")[:16] },
			check: func(t *testing.T, m *Message) {
				if m.Type != Negotiate || m.Flags != 0x207 || m.Domain != "" {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name:      "NEGOTIATE cut inside the workstation fields",
			in:        func(t *testing.T) []byte { return vec(t, "dce_rpc_ntlm_4")[:28] },
			wantErr:   wire.ErrTruncated,
			truncated: true,
			check: func(t *testing.T, m *Message) {
				if m.Flags != 0xe218b297 {
					t.Errorf("flags %v", m.Flags)
				}
			},
		},
		{
			name:      "security buffer pointing past end",
			in:        func(t *testing.T) []byte { return put32(vec(t, "wireshark_smb_on_windows10_45"), 40, 0x7ffffff0) },
			wantErr:   wire.ErrTruncated,
			truncated: true,
			check: func(t *testing.T, m *Message) {
				// UserName is lost, every other field is still there.
				if m.User != "" || m.Domain != "DESKTOP-2AEFM7G" || m.Workstation != "DESKTOP-2AEFM7G" ||
					m.NTLMVersion != "v2" || m.Version == nil || !m.HasMIC {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "security buffer offset 0xffffffff length 0xffff",
			in: func(t *testing.T) []byte {
				b := vec(t, "smb_smb1_ascii_10")
				put16(b, 12, 0xffff)
				return put32(b, 16, 0xffffffff)
			},
			wantErr:   wire.ErrTruncated,
			truncated: true,
			check: func(t *testing.T, m *Message) {
				if m.TargetName != "" || m.ServerChallenge != "00000000fbe23422" {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "empty buffer with wild offset is fine",
			in:   func(t *testing.T) []byte { return put32(vec(t, "aduser1_ntlm_7"), 48, 0xffffffff) },
			check: func(t *testing.T, m *Message) {
				if m.User != "User1" || m.Workstation != "" {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "AV pair list unterminated but complete",
			in: func(*testing.T) []byte {
				return challengeWithTI(append(av(MsvAvNbDomainName, "CNAMIS"), av(MsvAvNbComputerName, "SATURN")...))
			},
			check: func(t *testing.T, m *Message) {
				want := []AVPair{{MsvAvNbDomainName, "CNAMIS"}, {MsvAvNbComputerName, "SATURN"}}
				if !reflect.DeepEqual(m.TargetInfo, want) {
					t.Errorf("TargetInfo %v", m.TargetInfo)
				}
			},
		},
		{
			name: "AV pair value overruns the list",
			in: func(*testing.T) []byte {
				ti := append(av(MsvAvNbDomainName, "CNAMIS"), 0x01, 0x00, 0x40, 0x00, 'S', 0)
				return challengeWithTI(ti)
			},
			wantErr: wire.ErrMalformed,
			check: func(t *testing.T, m *Message) {
				if len(m.TargetInfo) != 1 || m.TargetInfo[0].Value != "CNAMIS" || m.Truncated {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name:    "AV pair header cut",
			in:      func(*testing.T) []byte { return challengeWithTI(append(av(MsvAvNbDomainName, "X"), 0x01)) },
			wantErr: wire.ErrMalformed,
		},
		{
			name:    "more than 64 AV pairs",
			in:      func(*testing.T) []byte { return challengeWithTI(append(many, eol...)) },
			wantErr: wire.ErrMalformed,
			check: func(t *testing.T, m *Message) {
				if len(m.TargetInfo) != maxAVPairs {
					t.Errorf("%d pairs", len(m.TargetInfo))
				}
			},
		},
		{
			name: "binary, flags and timestamp AV values",
			in: func(t *testing.T) []byte {
				ti := append(av(MsvAvDnsTreeName, "x.test\x00"), unhex(t, "0600 0400 02000000  0700 0800 46fe95d1ad7dd001  0800 0300 aabbcc  0b00 0100 ff")...)
				return challengeWithTI(append(ti, eol...))
			},
			check: func(t *testing.T, m *Message) {
				want := []AVPair{{MsvAvDnsTreeName, "x.test"}, {MsvAvFlags, "0x00000002"},
					{MsvAvTimestamp, "2015-04-23T10:11:09.2826694Z"}, {MsvAvSingleHost, "present (3 bytes)"}, {11, "present (1 bytes)"}}
				if !reflect.DeepEqual(m.TargetInfo, want) {
					t.Errorf("TargetInfo %v", m.TargetInfo)
				}
			},
		},
		{
			name: "anonymous AUTHENTICATE",
			in:   func(t *testing.T) []byte { return vec(t, "wireshark_smb_on_windows10_20") },
			check: func(t *testing.T, m *Message) {
				if m.NTLMVersion != "anonymous" || m.User != "" || !m.Flags.Has(FlagAnonymous) || m.HasMIC {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "NTLMv1 AUTHENTICATE over HTTP",
			in:   func(t *testing.T) []byte { return vec(t, "ntlm_synthetic_48") },
			check: func(t *testing.T, m *Message) {
				if m.NTLMVersion != "v1" || m.User != "dave" || m.NTResponseLen != 24 || m.ClientTargetInfo != nil {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "NTLMv2 AUTHENTICATE with MIC and SPN",
			in:   func(t *testing.T) []byte { return vec(t, "wireshark_smb_on_windows10_45") },
			check: func(t *testing.T, m *Message) {
				spn, _ := m.ClientAV(MsvAvTargetName)
				if m.NTLMVersion != "v2" || !m.HasMIC || spn != "cifs/192.168.199.133" || m.SessionKeyLen != 16 {
					t.Errorf("%+v spn %q", m, spn)
				}
			},
		},
		{
			name: "OEM AUTHENTICATE (no UNICODE flag)",
			in:   func(*testing.T) []byte { return oemAuthenticate() },
			check: func(t *testing.T, m *Message) {
				if m.User != "alice" || m.Domain != "LAB" || m.Workstation != "WS1" || m.NTLMVersion != "v1" || m.Version != nil {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "NTLMv2 response with unknown RespType is not parsed",
			in: func(t *testing.T) []byte {
				b := vec(t, "aduser1_ntlm_7")
				b[128+16] = 2 // NtChallengeResponse at 0x80; RespType
				return b
			},
			check: func(t *testing.T, m *Message) {
				if m.NTLMVersion != "v2" || m.ClientTargetInfo != nil {
					t.Errorf("%+v", m)
				}
			},
		},
		{
			name: "non-ASCII OEM domain stays readable",
			in: func(t *testing.T) []byte {
				b := vec(t, "dce_rpc_ntlm_4")
				b[len(b)-1] = 0xc9 // last byte of DomainName "BLACKCLOVER"
				return b
			},
			check: func(t *testing.T, m *Message) {
				if m.Domain != "BLACKCLOVEÉ" {
					t.Errorf("Domain %q", m.Domain)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(c.in(t))
			if c.wantErr == nil && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "ntlm: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if (m == nil) != c.nilMsg {
				t.Fatalf("message %v, want nil %v", m, c.nilMsg)
			}
			if m == nil {
				return
			}
			if m.Truncated != c.truncated {
				t.Errorf("Truncated = %v, want %v", m.Truncated, c.truncated)
			}
			if c.check != nil {
				c.check(t, m)
			}
		})
	}
}

// TestEveryCut cuts real messages at every length: Parse must never panic,
// must report the cut as truncation (or malformed AV pairs inside a cut
// buffer) and must keep the fixed header fields that are present.
func TestEveryCut(t *testing.T) {
	for _, name := range []string{"wireshark_smb_on_windows10_45", "aduser1_ntlm_5", "dce_rpc_ntlm_4", "raw_ntlm_in_smb_22"} {
		full := vec(t, name)
		whole, err := Parse(full)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(full); n++ {
			m, err := Parse(full[:n])
			if err == nil {
				if n >= 16 && whole.Type == Negotiate {
					continue // the legacy 16-byte form and empty-buffer cuts are complete
				}
				t.Fatalf("%s cut at %d: no error", name, n)
			}
			if !errors.Is(err, wire.ErrTruncated) {
				t.Fatalf("%s cut at %d: %v", name, n, err)
			}
			if !m.Truncated {
				t.Fatalf("%s cut at %d: Truncated not set", name, n)
			}
			if n >= 12 && m.Type != whole.Type {
				t.Fatalf("%s cut at %d: type %v", name, n, m.Type)
			}
		}
	}
}

func TestFlagNames(t *testing.T) {
	// Flags of wireshark-smb-on-windows10.pcap frame 45 as tshark -V lists
	// them: 56, Key Exchange, 128, Version, Target Info, Extended Security,
	// Always Sign, NTLM key, Sign, Request Target, UNICODE.
	got := Flags(0xe2888215).Names()
	want := []string{
		"NTLMSSP_NEGOTIATE_UNICODE", "NTLMSSP_REQUEST_TARGET", "NTLMSSP_NEGOTIATE_SIGN",
		"NTLMSSP_NEGOTIATE_NTLM", "NTLMSSP_NEGOTIATE_ALWAYS_SIGN", "NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY",
		"NTLMSSP_NEGOTIATE_TARGET_INFO", "NTLMSSP_NEGOTIATE_VERSION", "NTLMSSP_NEGOTIATE_128",
		"NTLMSSP_NEGOTIATE_KEY_EXCH", "NTLMSSP_NEGOTIATE_56",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v", got)
	}
	cases := []struct {
		f    Flags
		want []string
	}{
		{0, []string{}},
		{FlagOEM | FlagAnonymous | FlagOEMDomainSupplied | FlagOEMWorkstationSupplied,
			[]string{"NTLM_NEGOTIATE_OEM", "NTLMSSP_ANONYMOUS", "NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED", "NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED"}},
		{FlagTargetTypeDomain | FlagTargetTypeServer | FlagSeal | FlagDatagram | FlagLMKey | FlagIdentify | FlagRequestNonNTSessionKey,
			[]string{"NTLMSSP_NEGOTIATE_SEAL", "NTLMSSP_NEGOTIATE_DATAGRAM", "NTLMSSP_NEGOTIATE_LM_KEY", "NTLMSSP_TARGET_TYPE_DOMAIN",
				"NTLMSSP_TARGET_TYPE_SERVER", "NTLMSSP_NEGOTIATE_IDENTIFY", "NTLMSSP_REQUEST_NON_NT_SESSION_KEY"}},
		{0x00000008 | 0x10000000, []string{"0x00000008", "0x10000000"}},
	}
	for _, c := range cases {
		if got := c.f.Names(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v.Names() = %v, want %v", c.f, got, c.want)
		}
	}
	if s := Flags(0xe2888215).String(); s != "0xe2888215" {
		t.Errorf("String() = %s", s)
	}
}

func TestStrings(t *testing.T) {
	cases := []struct{ got, want string }{
		{Negotiate.String(), "NEGOTIATE"},
		{Challenge.Kind(), "ntlm_challenge"},
		{Authenticate.Kind(), "ntlm_authenticate"},
		{Negotiate.Kind(), "ntlm_negotiate"},
		{Version{10, 0, 19041, 15}.String(), "10.0.19041 (NTLM rev 15)"},
		{MsvAvTargetName.String(), "MsvAvTargetName"},
		{MsvAvChannelBindings.String(), "MsvAvChannelBindings"},
		{AVID(42).String(), "AVID(42)"},
		{filetime(0), "1601-01-01T00:00:00Z"},
		{filetime(^uint64(0)), "60056-05-28T05:36:10.9551615Z"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
