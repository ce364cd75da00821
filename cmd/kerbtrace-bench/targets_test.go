package main

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestTargets checks the targets each kind of bench measures and how they
// are judged, on the figures of real benches (README, "Speed and memory").
func TestTargets(t *testing.T) {
	ms := func(wall float64, rssMB int64) measurement {
		return measurement{wall: time.Duration(wall * float64(time.Millisecond)), maxRSS: rssMB << 20}
	}
	// The default bench of 2026-12-08 02:48 on the AMD VM.
	def := []row{
		{name: "mixed", size: 291 << 20, flows: 2000, kt: ms(236, 45), table: ms(450, 44), tshark: ms(12070, 596), floor: ms(59, 12), same: true},
		{name: "auth-only", size: 51 << 20, flows: 5000, kt: ms(360, 81), table: ms(840, 84), tshark: ms(10390, 311), floor: ms(26, 12), same: true},
	}
	// The -big bench of 2026-12-08 01:13.
	big := []row{
		{name: "mixed", size: 1986 << 20, flows: 20000, kt: ms(2740, 256), table: ms(4750, 263), tshark: ms(125100, 3266), floor: ms(460, 12), same: true},
		{name: "auth-only", size: 204 << 20, flows: 20000, kt: ms(2060, 254), table: ms(4390, 252), tshark: ms(45100, 774), floor: ms(80, 12), same: true},
	}
	noTshark := []row{def[0], def[1]}
	noTshark[0].tshark, noTshark[1].tshark = measurement{}, measurement{}
	differs := []row{def[0], def[1]}
	differs[1].same = false
	fatBulk := []row{big[0], big[1]}
	fatBulk[0].kt.maxRSS = 290 << 20

	summary := func(ts []target) []string {
		var out []string
		for _, t := range ts {
			status := "met"
			if !t.met {
				status = "not met"
			}
			out = append(out, t.got+" "+status)
		}
		return out
	}
	cases := []struct {
		name    string
		rows    []row
		oneProc bool
		want    []string
	}{
		{"default", def, true, []string{"51.1x met", "4.0x not met", "28.9x met", "identical met"}},
		{"big", big, true, []string{"45.7x met", "6.0x not met", "21.9x met", "263 MB (JSON 256 MB, table 263 MB) met", "+0.8% met", "identical met"}},
		{"without tshark", noTshark, false, []string{"4.0x not met"}},
		{"reports differ", differs, true, []string{"51.1x met", "4.0x not met", "28.9x met", "DIFFERENT not met"}},
		{"bulk costs memory", fatBulk, true, []string{"45.7x met", "6.0x not met", "21.9x met", "290 MB (JSON 290 MB, table 263 MB) met", "+14.2% not met", "identical met"}},
	}
	for _, c := range cases {
		if got := summary(targets(c.rows, c.oneProc)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	var b strings.Builder
	printTargets(&b, targets(def, true))
	if out := b.String(); !strings.Contains(out, "mixed capture within 3x of the floor") || !strings.Contains(out, "NOT MET") {
		t.Errorf("printTargets:\n%s", out)
	}
}
