package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium finds Debian's headless-capable Chromium. Without it the test
// skips, except in CI (CI set), which must have it: .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; CI must have it (.ci/run installs it)")
	}
	t.Skip("chromium not installed")
	return ""
}

// runChromium runs Chromium headless on the page with the flags of a
// machine without display, sandbox or network, each run in a fresh
// profile, and returns its standard output.
func runChromium(t *testing.T, bin, dir, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	profile, err := os.MkdirTemp(dir, "profile")
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + profile}, args...)
	all = append(all, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, all...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// TestHTMLChromium renders the report of the spn-missing lab capture in
// real headless Chromium: the screenshot must not be blank and must show
// the red of the failing arrows, and the DOM Chromium parsed must hold the
// SVG diagram with its arrows and their texts.
func TestHTMLChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "spn-missing.html")
	if err := os.WriteFile(page, []byte(renderHTML(t, goldenReport(t, "spn-missing"))), 0o644); err != nil {
		t.Fatal(err)
	}

	shot := filepath.Join(dir, "out.png")
	runChromium(t, bin, dir, page, "--screenshot="+shot, "--window-size=1200,1600", "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	st := pixelStats(img)
	t.Logf("screenshot %v: %d colours, %.1f%% non-white, %d failure-red pixels", img.Bounds().Size(), st.colours, st.inked*100, st.red)
	if st.colours < 16 || st.inked < 0.02 {
		t.Errorf("screenshot looks blank: %d colours, %.2f%% non-white", st.colours, st.inked*100)
	}
	if st.red < 200 {
		t.Errorf("only %d pixels of the failing arrows' red: the diagram is not drawn", st.red)
	}

	dom := string(runChromium(t, bin, dir, page, "--dump-dom"))
	f2 := readSVGs(t, dom)
	if f2.diagrams != 1 || f2.arrows != 19 || f2.failed != 4 {
		t.Errorf("parsed DOM: %d diagrams, %d arrows, %d failed; want 1, 19, 4", f2.diagrams, f2.arrows, f2.failed)
	}
	for _, w := range []string{"TGS-REQ HTTP/noprinc.kerbtrace.test (frame 46)", "KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN (frame 47)"} {
		if !contains(f2.texts, w) {
			t.Errorf("parsed DOM has no diagram text %q", w)
		}
	}
	if !strings.Contains(dom, "setspn -Q HTTP/noprinc.kerbtrace.test") {
		t.Error("parsed DOM lacks the remedy")
	}
}

type pixels struct {
	colours int     // distinct colours
	inked   float64 // share of pixels that are not white
	red     int     // pixels of the failing arrows' #d0021b
}

func near(c, want uint32) bool { return c+12 >= want && c <= want+12 }

func pixelStats(img image.Image) pixels {
	var st pixels
	seen := map[uint32]bool{}
	b := img.Bounds()
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			seen[r<<16|g<<8|bl] = true
			if r < 245 || g < 245 || bl < 245 {
				inked++
			}
			if near(r, 0xd0) && g < 0x18 && near(bl, 0x1b) { // only the diagram uses this red

				st.red++
			}
		}
	}
	st.colours = len(seen)
	st.inked = float64(inked) / float64(max(b.Dx()*b.Dy(), 1))
	return st
}
