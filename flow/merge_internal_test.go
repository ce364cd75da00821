package flow

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestFrameClock checks the binary search of the clock of a frameTable
// against a scan of every known frame (what timeOf did, in time quadratic
// in the frames):
// the frame's own time, else the nearest earlier known frame's, else the
// nearest later one's, else the zero time; frames 0 and below are never
// neighbours.
func TestFrameClock(t *testing.T) {
	scan := func(known map[int]time.Time, f int) time.Time {
		if t, ok := known[f]; ok {
			return t
		}
		best, bestF := time.Time{}, 0
		after, afterF := time.Time{}, 0
		for k, t := range known {
			if k < f && k > bestF {
				best, bestF = t, k
			}
			if k > f && (afterF == 0 || k < afterF) {
				after, afterF = t, k
			}
		}
		if bestF > 0 {
			return best
		}
		return after
	}
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	for trial := range 200 {
		known := map[int]time.Time{}
		n := rng.IntN(12)
		if trial == 0 {
			n = 0
		}
		for range n {
			known[rng.IntN(40)-3] = base.Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
		}
		table := frameTable{nil}
		for f, t := range known {
			if ft := table.frame(0, f); ft != nil {
				ft.t, ft.known = t, true
			}
		}
		c := table.clock(0)
		for f := 1; f <= 45; f++ {
			if got, want := c.timeOf(f), scan(known, f); !got.Equal(want) {
				t.Fatalf("known %v: frame %d at %v, want %v", known, f, got, want)
			}
		}
	}
}

// contentKeyOracle is how the merge formatted a message's content key
// until 2026-12-07; appendContentKey must append the same text.
func contentKeyOracle(m *decode.Message) string {
	k := fmt.Sprintf("%s|%s|%s|%s", m.Kind, m.Src, m.Dst, m.Transport)
	switch {
	case m.DNS() != nil:
		q := ""
		if len(m.DNS().Questions) > 0 {
			q = strings.ToLower(m.DNS().Questions[0].Name) + "/" + m.DNS().Questions[0].Type.String()
		}
		k += fmt.Sprintf("|%d|%s|%d|%d", m.DNS().ID, q, m.DNS().RCode, len(m.DNS().Answers))
	case m.HTTP() != nil:
		h := m.HTTP()
		k += fmt.Sprintf("|%s|%s|%d|%s", h.Method, h.URI, h.Status, schemes(h))
		if h.Authorization != nil {
			k += fmt.Sprintf("|%s|%d", h.Authorization.Scheme, h.Authorization.TokenB64Len)
		}
	case m.Krb() != nil:
		x := m.Krb()
		k += fmt.Sprintf("|%d|%s|%s|%s|%d|%d|%s", x.Type, x.Realm, x.SName, x.CName, x.ReqFields().Nonce, x.ErrorFields().ErrorCode, x.ErrorFields().STime.Time().Format(time.RFC3339))
	case m.SMB2() != nil:
		k += fmt.Sprintf("|%s|%d|%d|%s", m.SMB2().Command, m.SMB2().MessageID, m.SMB2().SessionID, m.SMB2().Status)
	case m.LDAP() != nil:
		k += fmt.Sprintf("|%d|%s|%s", m.LDAP().MessageID, m.LDAP().Auth, m.LDAP().ResultCode)
	}
	return k
}

// TestAppendContentKey checks appendContentKey against the Sprintf it
// replaced, on every message of the lab captures and of the shared ones
// (when ../shared is there), and on a message with no addresses and none
// of the bodies.
func TestAppendContentKey(t *testing.T) {
	checkFiles := func(t *testing.T, files []string) {
		n := 0
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d := decode.NewDissector()
			if d.Add(filepath.Base(f), bytes.NewReader(b)) != nil {
				continue
			}
			r := d.Result()
			for i := range r.Len() {
				m := r.Message(i)
				checkContentKey(t, f, &m)
				n++
			}
		}
		if n < 500 {
			t.Errorf("only %d messages checked", n)
		}
	}
	lab, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(t), "testdata", "captures", "*.pcap*"))
	checkFiles(t, lab)
	checkContentKey(t, "empty", &decode.Message{})
	t.Run("shared", func(t *testing.T) {
		dir := testutil.SharedCaptures(t)
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*.pcap*"))
		netmon, _ := filepath.Glob(filepath.Join(dir, "*", "*.cap"))
		checkFiles(t, append(files, netmon...))
	})
}

func checkContentKey(t *testing.T, name string, m *decode.Message) {
	t.Helper()
	if got, want := string(appendContentKey(nil, m)), contentKeyOracle(m); got != want {
		t.Fatalf("%s: frame %d (%v): key\n%q\nwant\n%q", name, m.Frame, m.Kind, got, want)
	}
}
