package smb2

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/pcaptest"
	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// krb5OID is the DER of the Kerberos V5 mechanism OID 1.2.840.113554.1.2.2
// (RFC 1964), which a SPNEGO token offering Kerberos carries.
var krb5OID = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02}

// found is one decoded message with the frame it came in.
type found struct {
	frame int
	m     Message
}

// decodeCapture parses every SMB PDU of a capture; errors are returned
// by frame.
func decodeCapture(t *testing.T, c *pcaptest.Capture) ([]found, map[int]error) {
	t.Helper()
	var out []found
	errs := map[int]error{}
	for _, p := range pdus(c) {
		ms, err := Parse(p.payload)
		if err != nil {
			if !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrUnsupported) {
				t.Errorf("frame %d: error outside the vocabulary: %v", p.frame, err)
			}
			errs[p.frame] = err
		}
		for _, m := range ms {
			if m.Response != !p.toServer {
				t.Errorf("frame %d: Response %v in the wrong direction", p.frame, m.Response)
			}
			out = append(out, found{p.frame, m})
		}
	}
	return out, errs
}

func byFrame(fs []found, frame int, cmd Command) *Message {
	for i := range fs {
		if fs[i].frame == frame && fs[i].m.Command == cmd {
			return &fs[i].m
		}
	}
	return nil
}

// TestLabCaptures checks the session setups of the project's lab traces:
// the Kerberos AP-REQ in frame 42 and AP-REP in frame 43 of smb-success,
// the STATUS_LOGON_FAILURE in frame 43 of smb-rejected.
func TestLabCaptures(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "testdata", "captures")
	c, err := pcaptest.Read(filepath.Join(dir, "smb-success.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	fs, errs := decodeCapture(t, c)
	if len(errs) != 0 {
		t.Errorf("errors: %v", errs)
	}
	req := byFrame(fs, 42, CmdSessionSetup)
	if req == nil || req.Response || !bytes.Contains(req.SecurityBlob, krb5OID) || req.SecurityBlob[0] != 0x60 {
		t.Errorf("frame 42: %+v", req)
	}
	resp := byFrame(fs, 43, CmdSessionSetup)
	if resp == nil || resp.Status != StatusSuccess || resp.SessionID != 0x49968e4f || !resp.Signed ||
		len(resp.SecurityBlob) != 186 || resp.SecurityBlob[0] != 0xa1 {
		t.Errorf("frame 43: %+v", resp)
	}
	if tc := byFrame(fs, 50, CmdTreeConnect); tc == nil || tc.TreePath != `\\fs.kerbtrace.test\share` {
		t.Errorf("frame 50: %+v", tc)
	}
	if neg := byFrame(fs, 32, CmdNegotiate); neg == nil || neg.DialectName() != "SMB 3.1.1" {
		t.Errorf("frame 32: %+v", neg)
	}

	c, err = pcaptest.Read(filepath.Join(dir, "smb-rejected.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	fs, _ = decodeCapture(t, c)
	if r := byFrame(fs, 43, CmdSessionSetup); r == nil || r.Status != StatusLogonFailure || r.SecurityBlob != nil {
		t.Errorf("smb-rejected frame 43: %+v", r)
	}
}

// TestSharedCaptures walks every SMB stream of the shared public captures:
// nothing may fail but SMB 1, encrypted messages and PDUs cut by the
// capture, and the Kerberos session setups of MS-ADOD Example 2.10 and
// MS-FASOD Example 2 (frame 46) must be found.
func TestSharedCaptures(t *testing.T) {
	type want struct {
		file  string
		frame int
		resp  bool
	}
	wants := map[want]bool{
		{"ms-prot-od-netcaps/MS-ADOD_Example2_10_WS2019v2004_X64_Win10v2004_X64_Domain_ObtainAListOfUserAccountsUsingTheLDAPProtocol.pcapng", 14, false}: false,
		{"ms-prot-od-netcaps/MS-ADOD_Example2_10_WS2019v2004_X64_Win10v2004_X64_Domain_ObtainAListOfUserAccountsUsingTheLDAPProtocol.pcapng", 16, true}:  false,
		{"ms-prot-od-netcaps/MS-FASOD_Example2_Win2019v2004_X64_Win10v2004_X64_Domain.pcapng", 46, false}:                                                false,
		{"zeek/smb2_krb.pcap", 12, false}: false,
	}
	var msgs, blobs, krb, smb1, enc int
	pcaptest.Shared(t, func(name string, c *pcaptest.Capture) {
		fs, errs := decodeCapture(t, c)
		for frame, err := range errs {
			switch {
			case errors.Is(err, ErrSMB1):
				smb1++
			case errors.Is(err, ErrEncrypted):
				enc++
			default:
				t.Errorf("%s frame %d: %v", name, frame, err)
			}
		}
		for _, f := range fs {
			msgs++
			if f.m.SecurityBlob == nil {
				continue
			}
			blobs++
			if f.m.Command == CmdSessionSetup && (bytes.Contains(f.m.SecurityBlob, krb5OID) ||
				bytes.Contains(f.m.SecurityBlob, []byte{0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02})) {
				krb++
				k := want{name, f.frame, f.m.Response}
				if _, ok := wants[k]; ok {
					wants[k] = true
				}
			}
		}
	})
	t.Logf("%d messages, %d security blobs, %d with a Kerberos OID; %d SMB1, %d encrypted PDUs", msgs, blobs, krb, smb1, enc)
	for k, ok := range wants {
		if !ok {
			t.Errorf("no Kerberos session setup in %s frame %d", k.file, k.frame)
		}
	}
}
