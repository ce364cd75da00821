package ber

import (
	"testing"
	"time"
)

// parseSlow is what GeneralizedTime did before its fast path.
func parseSlow(s string) (time.Time, error) {
	tm, err := time.Parse("20060102150405Z", s)
	if err != nil {
		tm, err = time.Parse("20060102150405.999999999Z", s)
	}
	return tm, err
}

// TestKerberosTimeAgreesWithTimeParse checks the fast path against
// time.Parse on valid, edge and invalid values.
func TestKerberosTimeAgreesWithTimeParse(t *testing.T) {
	in := []string{
		"20261125145000Z", "19700101000000Z", "00000101000000Z", "99991231235959Z",
		"20240229120000Z", "20230229120000Z", "20000229000000Z", "19000229000000Z",
		"20260431000000Z", "20261231235959Z", "20261301000000Z", "20260001000000Z",
		"20260100000000Z", "20260132000000Z", "20260101240000Z", "20260101006000Z",
		"20260101000060Z", "2026010100000Z", "202601010000000", "20260101000000z",
		"2026010100000aZ", "-0260101000000Z", "20260101000000.5Z", "20370913024000Z",
		"", "Z",
	}
	for y := 1999; y <= 2101; y += 17 {
		for m := 1; m <= 12; m++ {
			for d := 27; d <= 32; d++ {
				in = append(in, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")+
					twoDigits(m)+twoDigits(d)+"235958Z")
			}
		}
	}
	for _, s := range in {
		want, werr := parseSlow(s)
		got, err := GeneralizedTime(TLV{Tag: TagGeneralizedTime, Value: []byte(s), Len: len(s)})
		if (err != nil) != (werr != nil) || !got.Equal(want) || got != want {
			t.Errorf("%q: got %v, %v; time.Parse %v, %v", s, got, err, want, werr)
		}
	}
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }

func FuzzKerberosTime(f *testing.F) {
	f.Add("20261125145000Z")
	f.Add("20240229120000Z")
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := parseSlow(s)
		got, err := GeneralizedTime(TLV{Tag: TagGeneralizedTime, Value: []byte(s), Len: len(s)})
		if (err != nil) != (werr != nil) || got != want {
			t.Errorf("%q: got %v, %v; time.Parse %v, %v", s, got, err, want, werr)
		}
	})
}
