package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// goldenReport reads the committed JSON report of a lab capture
// (testdata/golden/<name>.json), the model every renderer reads.
func goldenReport(t testing.TB, name string) *Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "golden", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return &r
}

// seqFacts is what a reader checks in a diagram.
type seqFacts struct {
	participants []string // labels
	arrows       int
	failed       []int    // frames of the failing arrows
	notes        []string // note texts, prefixes are enough
}

func factsOf(s *Sequence) seqFacts {
	var f seqFacts
	for _, p := range s.Participants {
		f.participants = append(f.participants, p.ID+" "+p.Label())
	}
	for _, it := range s.Items {
		if it.Arrow != nil {
			f.arrows++
			if it.Arrow.Failed {
				f.failed = append(f.failed, it.Arrow.Frames[0])
			}
		} else {
			f.notes = append(f.notes, it.Note.Text)
		}
	}
	return f
}

func TestSequenceLab(t *testing.T) {
	cases := []struct {
		capture string
		flow    int // 0-based
		want    seqFacts
	}{
		{"spn-missing", 0, seqFacts{
			participants: []string{"C Client 192.0.2.101", "D1 DNS server 192.0.2.10", "K1 KDC 192.0.2.10", "S1 Service noprinc.kerbtrace.test (192.0.2.21)"},
			arrows:       19, // 4 AS, 4 DNS, the handshake, GET, 401, 4 TGS-REQ, 4 KRB-ERROR
			failed:       []int{47, 57, 73, 83},
			notes: []string{"step 6 ticket_reply failed: KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN",
				"not seen: authenticated request (step 7), server's answer (step 8)"},
		}},
		{"ntlm-fallback", 0, seqFacts{
			participants: []string{"C Client 192.0.2.101", "D1 DNS server 192.0.2.10", "K1 KDC 192.0.2.10", "S1 Service noprinc.kerbtrace.test (192.0.2.21)"},
			arrows:       17,
			// the KRB-ERRORs, then the request carrying NTLM where an AP-REQ was due
			failed: []int{47, 57, 60},
			notes: []string{"step 6 ticket_reply failed: KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN",
				"step 7 authenticated_request failed: Authorization: Negotiate carries NTLMSSP, not Kerberos"},
		}},
		{"stale-key", 0, seqFacts{
			participants: []string{"C Client 192.0.2.101", "D1 DNS server 192.0.2.10", "K1 KDC 192.0.2.10", "S1 Service www.kerbtrace.test (192.0.2.20)"},
			arrows:       15,
			failed:       []int{51},
			notes:        []string{"step 8 acceptance failed: 401 again: the server rejected the authentication with KRB_AP_ERR_BADKEYVER in its Negotiate token"},
		}},
		{"two-clients", 1, seqFacts{
			participants: []string{"C Client 192.0.2.102", "D1 DNS server 192.0.2.10", "K1 KDC 192.0.2.10", "S1 Service www.kerbtrace.test (192.0.2.20)"},
			arrows:       11,
			failed:       []int{42}, // PREAUTH_FAILED; the PREAUTH_REQUIRED of frame 32 is normal
			notes: []string{"step 5 ticket_request failed: AS exchange: KDC_ERR_PREAUTH_REQUIRED, KDC_ERR_PREAUTH_FAILED",
				"not seen: TGS-REP (step 6), authenticated request (step 7), server's answer (step 8)"},
		}},
		{"dns-nxdomain", 1, seqFacts{
			participants: []string{"C Client 192.0.2.101", "D1 DNS server 192.0.2.10"},
			arrows:       4,
			failed:       []int{24, 26},
			notes: []string{"step 1 name_resolution failed: A nosuch.kerbtrace.test: NXDOMAIN",
				"not seen: steps 2 to 8, TCP handshake to server's answer"},
		}},
		{"cached-ticket", 0, seqFacts{
			participants: []string{"C Client 192.0.2.101", "D1 DNS server 192.0.2.10", "S1 Service www.kerbtrace.test (192.0.2.20)"},
			arrows:       9, // skipped steps are no note and no failure
		}},
		{"smb-success", 0, seqFacts{
			participants: []string{"C Client 192.0.2.101", "D1 DNS server 192.0.2.10", "K1 KDC 192.0.2.10", "S1 Service fs.kerbtrace.test (192.0.2.30)"},
			arrows:       13,
		}},
	}
	for _, c := range cases {
		t.Run(c.capture, func(t *testing.T) {
			r := goldenReport(t, c.capture)
			s := FlowSequence(r, c.flow)
			got := factsOf(&s)
			if !reflect.DeepEqual(got.participants, c.want.participants) {
				t.Errorf("participants = %q, want %q", got.participants, c.want.participants)
			}
			if got.arrows != c.want.arrows {
				t.Errorf("%d arrows, want %d", got.arrows, c.want.arrows)
			}
			if !reflect.DeepEqual(got.failed, c.want.failed) {
				t.Errorf("failing frames %v, want %v", got.failed, c.want.failed)
			}
			if len(got.notes) != len(c.want.notes) {
				t.Fatalf("notes %q, want %q", got.notes, c.want.notes)
			}
			for i := range got.notes {
				if !strings.HasPrefix(got.notes[i], c.want.notes[i]) {
					t.Errorf("note %d = %q, want prefix %q", i, got.notes[i], c.want.notes[i])
				}
			}
		})
	}
}

// TestSequenceLabels checks the arrow texts a reader looks for: the SPN of
// the TGS-REQ, the error name, the token inside the HTTP request.
func TestSequenceLabels(t *testing.T) {
	s := FlowSequence(goldenReport(t, "stale-key"), 0)
	want := map[int]string{
		46: "TGS-REQ HTTP/www.kerbtrace.test (frame 46)",
		47: "TGS-REP HTTP/www.kerbtrace.test (frame 47)",
		50: "GET / Authorization: Negotiate [AP-REQ HTTP/www.kerbtrace.test] (frame 50)",
		51: "HTTP 401 WWW-Authenticate: Negotiate [KRB-ERROR KRB_AP_ERR_BADKEYVER] (frame 51)",
		29: "TCP handshake (frames 29, 30)",
	}
	for _, it := range s.Items {
		if a := it.Arrow; a != nil {
			if w, ok := want[a.Frames[0]]; ok {
				if a.Label() != w {
					t.Errorf("frame %d: %q, want %q", a.Frames[0], a.Label(), w)
				}
				delete(want, a.Frames[0])
			}
			if a.Response != (a.To == 0) {
				t.Errorf("frame %d: response %v but drawn to %d", a.Frames[0], a.Response, a.To)
			}
		}
	}
	for fr := range want {
		t.Errorf("no arrow for frame %d", fr)
	}
}

func TestSequenceBounded(t *testing.T) {
	r := &Report{Flows: []Flow{{Client: "192.0.2.1", Server: "w", Steps: []Step{{Step: "ticket_request", Status: "ok"}}}}}
	for i := 1; i <= MaxArrows+30; i++ {
		r.Messages = append(r.Messages, Message{Frame: i, Src: "192.0.2.1:1000", Dst: "192.0.2.10:88", Kind: "tgs_req", SName: "HTTP/w"})
		r.Flows[0].Steps[0].Frames = append(r.Flows[0].Steps[0].Frames, i)
	}
	s := FlowSequence(r, 0)
	if got := factsOf(&s).arrows; got != MaxArrows || s.Omitted != 30 {
		t.Errorf("%d arrows, %d omitted; want %d, 30", got, s.Omitted, MaxArrows)
	}
}

func TestClipAndWrap(t *testing.T) {
	if got := clip("abcdef", 4); got != "abc…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("äöü", 3); got != "äöü" {
		t.Errorf("clip = %q", got)
	}
	got := wrapText("one two three four five six", 10, 2)
	if want := []string{"one two", "three fou…"}; !reflect.DeepEqual(got, want) {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

// TestSequenceCapture checks that a flow of the second capture draws that
// capture's messages, not those with the same frame numbers in the first.
func TestSequenceCapture(t *testing.T) {
	r := &Report{
		Messages: []Message{
			{Capture: 0, Frame: 1, Src: "192.0.2.1:1000", Dst: "192.0.2.10:88", Kind: "tgs_req", SName: "HTTP/first"},
			{Capture: 1, Frame: 1, Src: "192.0.2.2:1000", Dst: "192.0.2.11:88", Kind: "tgs_req", SName: "HTTP/second"},
		},
		Flows: []Flow{{Capture: 1, Client: "192.0.2.2", Server: "second", Steps: []Step{{Step: "ticket_request", Status: "ok", Frames: []int{1}}}}},
	}
	s := FlowSequence(r, 0)
	if len(s.Items) != 1 || s.Items[0].Arrow.Text != "TGS-REQ HTTP/second" || s.Participants[1].Label() != "KDC 192.0.2.11" {
		t.Errorf("items %+v, participants %+v", s.Items, s.Participants)
	}
}

// TestSequenceFailedWithoutFrames checks that a failed step no message
// stands for still shows, as a red note where it would have happened.
func TestSequenceFailedWithoutFrames(t *testing.T) {
	r := &Report{
		Messages: []Message{{Frame: 1, Src: "192.0.2.1:1000", Dst: "192.0.2.10:88", Kind: "tgs_req", SName: "HTTP/w"}},
		Flows: []Flow{{Client: "192.0.2.1", Server: "w", Steps: []Step{
			{Step: "ticket_request", Status: "ok", Frames: []int{1}},
			{Step: "ticket_reply", Status: "failed", Detail: "no answer"},
			{Step: "authenticated_request", Status: "missing"},
		}}},
	}
	s := FlowSequence(r, 0)
	got := factsOf(&s)
	want := []string{"step 2 ticket_reply failed: no answer", "not seen: authenticated request (step 3)"}
	if !reflect.DeepEqual(got.notes, want) || got.arrows != 1 || !s.Items[1].Note.Failed {
		t.Errorf("notes %q (%d arrows), want %q after one arrow", got.notes, got.arrows, want)
	}
}

// TestSequenceMerged checks a flow of two merged captures: frames are
// found by their refs (the same number means another packet in each
// file), a message both captures saw is one arrow naming both frames, and
// the order is the capture time's.
func TestSequenceMerged(t *testing.T) {
	r := &Report{
		Captures: []Capture{{File: "dir/client.pcap"}, {File: "server.pcap"}},
		Messages: []Message{
			{Capture: 0, Frame: 5, Time: "2026-01-01T00:00:01.000000000Z", Src: "192.0.2.1:1000", Dst: "192.0.2.10:88", Kind: "tgs_req", SName: "HTTP/w"},
			{Capture: 0, Frame: 6, Time: "2026-01-01T00:00:01.100000000Z", Src: "192.0.2.10:88", Dst: "192.0.2.1:1000", Kind: "krb_error", ErrorName: "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
			{Capture: 0, Frame: 9, Time: "2026-01-01T00:00:00.500000000Z", Src: "192.0.2.1:2000", Dst: "192.0.2.20:80", Kind: "http_request", Method: "GET", URI: "/"},
			{Capture: 1, Frame: 5, Time: "2026-01-01T00:00:01.000000000Z", Src: "192.0.2.30:3000", Dst: "192.0.2.20:80", Kind: "http_request", Method: "POST", URI: "/other"},
			{Capture: 1, Frame: 9, Time: "2026-01-01T00:00:00.600000000Z", Src: "192.0.2.1:2000", Dst: "192.0.2.20:80", Kind: "http_request", Method: "GET", URI: "/"},
		},
		Flows: []Flow{{Client: "192.0.2.1", Server: "w", Steps: []Step{
			{Step: "anonymous_request", Status: "ok", Frames: []int{9, 9}, Refs: []string{"client.pcap#9", "server.pcap#9"}},
			{Step: "ticket_request", Status: "ok", Frames: []int{5}, Refs: []string{"client.pcap#5"}},
			{Step: "ticket_reply", Status: "failed", Frames: []int{6}, Refs: []string{"client.pcap#6"}},
		}}},
	}
	s := FlowSequence(r, 0)
	var got []string
	for _, it := range s.Items {
		if it.Arrow != nil {
			got = append(got, it.Arrow.Label())
		}
	}
	want := []string{"GET / (no Authorization) (client.pcap#9, server.pcap#9)", "TGS-REQ HTTP/w (client.pcap#5)",
		"KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN (client.pcap#6)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("arrows %q, want %q", got, want)
	}
	if f := factsOf(&s).failed; len(f) != 1 || f[0] != 6 {
		t.Errorf("failed frames %v, want [6]", f)
	}
}

// TestFrameIndex checks the frame → messages lookup of the diagrams on
// the order a merge of two captures gives: frames out of order, and a
// frame with several messages, which must stay in message order.
func TestFrameIndex(t *testing.T) {
	var l frameIndex
	for i, k := range []frameKey{{0, 5}, {1, 2}, {0, 3}, {0, 5}, {1, 2}, {0, 1}, {0, 5}, {0, 1 << 31}, {1, 0}} {
		l.add(i, k)
	}
	l.sort()
	tests := []struct {
		k    frameKey
		want []int32
	}{
		{frameKey{0, 1}, []int32{5}},
		{frameKey{0, 3}, []int32{2}},
		{frameKey{0, 5}, []int32{0, 3, 6}},
		{frameKey{1, 2}, []int32{1, 4}},
		{frameKey{0, 1 << 31}, []int32{7}}, // a frame past 2^31 sorts after the others
		{frameKey{1, 0}, []int32{8}},
		{frameKey{0, 2}, nil},
		{frameKey{1, 5}, nil},
		{frameKey{2, 0}, nil},
	}
	for _, tt := range tests {
		got := l.of(tt.k)
		if !slices.Equal(got, tt.want) {
			t.Errorf("of(%v) = %v, want %v", tt.k, got, tt.want)
		}
		if len(got) > 0 && cap(got) != len(got) {
			t.Errorf("of(%v) has room to append in place (cap %d, len %d)", tt.k, cap(got), len(got))
		}
	}
}
