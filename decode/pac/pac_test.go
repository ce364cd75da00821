package pac

import (
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// Test vectors: gokrb5 v8.4.4 test/testdata/test_vectors.go
// (MarshaledPAC_AD_WIN2K_PAC, a PAC issued by an AD KDC for testuser1 of
// TEST.GOKRB5, and MarshaledPAC_Kerb_Validation_Info_MS, the logon info of
// a Microsoft example PAC for lzhu in NTDEV). The expected values are those
// gokrb5's own tests assert, checked against Wireshark's dissection.
const adWin2kPAC = "0500000000000000010000002802000058000000000000000a0000001c00000080020000000000000c00000058000000a0020000000000000600000010000000f8020000000000000700000014000000080300000000000001100800cccccccc180200000000000000000200058e4fdd80c6d201ffffffffffffff7fffffffffffffff7fcc27969c39c6d201cce7ffc602c7d201ffffffffffffff7f12001200040002001600160008000200000000000c000200000000001000020000000000140002000000000018000200d80000005104000001020000050000001c000200200000000000000000000000000000000000000008000a002000020008000a00240002002800020000000000000000001002000000000000000000000000000000000000000000000000000000000000020000002c00020000000000000000000000000009000000000000000900000074006500730074007500730065007200310000000b000000000000000b000000540065007300740031002000550073006500720031000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000050000000102000007000000540400000700000055040000070000005b040000070000005c0400000700000005000000000000000400000041004400440043000500000000000000040000005400450053005400040000000104000000000005150000004c86cebca07160e63fdce8870200000030000200070000203400020007000020050000000105000000000005150000004c86cebca07160e63fdce8875a040000050000000105000000000005150000004c86cebca07160e63fdce8875704000000000000808dd1dc80c6d2011200740065007300740075007300650072003100000000002a001000160040000000000000000000740065007300740075007300650072003100400074006500730074002e0067006f006b0072006200350000000000000054004500530054002e0047004f004b005200420035000000100000001e251d98d552be7df384f55076ffffff340be28b48765d0519ee9346cf53d82200000000"

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseADPAC(t *testing.T) {
	p, err := Parse(unhex(t, adWin2kPAC))
	if err != nil {
		t.Fatal(err)
	}
	var types []BufferType
	for _, b := range p.Buffers {
		types = append(types, b.Type)
	}
	if want := []BufferType{1, 10, 12, 6, 7}; !reflect.DeepEqual(types, want) {
		t.Errorf("buffers %v, want %v", types, want)
	}
	l := p.LogonInfo
	if l == nil {
		t.Fatal("no logon info")
	}
	checks := []struct{ name, got, want string }{
		{"EffectiveName", l.EffectiveName, "testuser1"},
		{"FullName", l.FullName, "Test1 User1"},
		{"LogonServer", l.LogonServer, "ADDC"},
		{"LogonDomainName", l.LogonDomainName, "TEST"},
		{"LogonDomainSID", l.LogonDomainSID, "S-1-5-21-3167651404-3865080224-2280184895"},
		{"UserSID", l.UserSID(), "S-1-5-21-3167651404-3865080224-2280184895-1105"},
		{"LogonTime", l.LogonTime.Format(time.RFC3339), "2017-05-06T15:53:11Z"},
		{"ClientInfo.Name", p.ClientInfo.Name, "testuser1"},
		{"UPN", p.UPNDNS.UPN, "testuser1@test.gokrb5"},
		{"DNSDomain", p.UPNDNS.DNSDomain, "TEST.GOKRB5"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if l.UserID != 1105 || l.PrimaryGroupID != 513 || l.UserFlags != 0x20 || l.UserAccountControl != 0x210 {
		t.Errorf("user %d group %d flags %#x uac %#x", l.UserID, l.PrimaryGroupID, l.UserFlags, l.UserAccountControl)
	}
	var rids []uint32
	for _, g := range l.Groups {
		rids = append(rids, g.RID)
	}
	if want := []uint32{513, 1108, 1109, 1115, 1116}; !reflect.DeepEqual(rids, want) {
		t.Errorf("group RIDs %v, want %v", rids, want)
	}
	wantExtra := []SIDAttr{{"S-1-5-21-3167651404-3865080224-2280184895-1114", 0x20000007}, {"S-1-5-21-3167651404-3865080224-2280184895-1111", 0x20000007}}
	if !reflect.DeepEqual(l.ExtraSIDs, wantExtra) {
		t.Errorf("extra SIDs %v, want %v", l.ExtraSIDs, wantExtra)
	}
	if len(l.GroupSIDs()) != 7 {
		t.Errorf("group SIDs %v", l.GroupSIDs())
	}
	wantSig := []Signature{{TypeServerChecksum, 16, 12}, {TypeKDCChecksum, -138, 16}}
	if !reflect.DeepEqual(p.Signatures, wantSig) {
		t.Errorf("signatures %+v, want %+v", p.Signatures, wantSig)
	}
}

// Every prefix decodes without panicking and, when cut, says so.
func TestPrefixes(t *testing.T) {
	b := unhex(t, adWin2kPAC)
	end := 0 // the end of the last buffer; padding follows
	p, _ := Parse(b)
	for _, bf := range p.Buffers {
		end = max(end, int(bf.Offset)+int(bf.Size))
	}
	for n := 0; n < end; n++ {
		_, err := Parse(b[:n])
		if err == nil {
			t.Fatalf("prefix %d: no error", n)
		}
		if !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("prefix %d: %v", n, err)
		}
	}
}
