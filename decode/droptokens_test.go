package decode_test

import (
	"bytes"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// dissectLabDropping is dissectLab with DropTokens set, or not.
func dissectLabDropping(t *testing.T, name string, drop bool) *decode.Result {
	t.Helper()
	d := decode.NewDissector()
	if drop {
		d.DropTokens()
	}
	if err := d.Add(name, bytes.NewReader(readLab(t, name))); err != nil {
		t.Fatal(err)
	}
	r := d.Result()
	if err := checkResult(r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDropTokens checks that DropTokens lets go of the HTTP tokens' bytes
// and nothing else: the same messages, the same kinds and frames, and
// every header that had a token still says so; without it, the tokens stay.
func TestDropTokens(t *testing.T) {
	for _, name := range []string{"success.pcap", "ntlm-fallback.pcap", "stale-key.pcap"} {
		t.Run(name, func(t *testing.T) {
			kept, dropped := dissectLabDropping(t, name, false), dissectLabDropping(t, name, true)
			if kept.Len() != dropped.Len() {
				t.Fatalf("%d messages kept, %d dropped", kept.Len(), dropped.Len())
			}
			tokens := 0
			for i := range kept.Len() {
				mk, md := kept.Message(i), dropped.Message(i)
				if mk.Kind != md.Kind || mk.Frame != md.Frame || mk.Parent != md.Parent {
					t.Fatalf("message %d: %v frame %d parent %d kept, %v frame %d parent %d dropped",
						i, mk.Kind, mk.Frame, mk.Parent, md.Kind, md.Frame, md.Parent)
				}
				hk, hd := mk.HTTP(), md.HTTP()
				if hk == nil {
					continue
				}
				pairs := [][2]*httpauth.Challenge{{hk.Authorization, hd.Authorization}}
				for j := range hk.WWWAuthenticate {
					pairs = append(pairs, [2]*httpauth.Challenge{&hk.WWWAuthenticate[j], &hd.WWWAuthenticate[j]})
				}
				for _, p := range pairs {
					k, d := p[0], p[1]
					if k == nil {
						continue
					}
					if len(k.Token) > 0 {
						tokens++
						if !k.HasToken() {
							t.Errorf("frame %d: a kept token, HasToken false", mk.Frame)
						}
					}
					if d.Token != nil {
						t.Errorf("frame %d: %s token of %d bytes kept by DropTokens", md.Frame, d.Scheme, len(d.Token))
					}
					if d.HasToken() != k.HasToken() {
						t.Errorf("frame %d: HasToken %v dropped, %v kept", md.Frame, d.HasToken(), k.HasToken())
					}
				}
			}
			if tokens == 0 {
				t.Fatal("no HTTP token in the capture: the test checks nothing")
			}
		})
	}
}

// TestDecodedTokensHoldNoBytes checks that SPNEGO messages and the SMB2
// messages that carried a token hold none of its bytes once it is decoded:
// they were slices of a stream buffer that is reused, or of a token that
// would stay in memory for them.
func TestDecodedTokensHoldNoBytes(t *testing.T) {
	for _, name := range []string{"success.pcap", "ntlm-fallback.pcap", "smb-success.pcap"} {
		r := dissectLabDropping(t, name, false)
		spnegos, smbs := 0, 0
		for i := range r.Len() {
			m := r.Message(i)
			if s := m.SPNEGO(); s != nil {
				spnegos++
				if s.MechToken != nil || s.ResponseToken != nil {
					t.Errorf("%s frame %d: SPNEGO keeps %d+%d token bytes", name, m.Frame, len(s.MechToken), len(s.ResponseToken))
				}
				if s.Kind == spnego.KindNegTokenInit && m.Kind == decode.KindSPNEGOInit && !s.HasMechToken && r.Len() > i+1 && r.Message(i+1).Parent == i {
					t.Errorf("%s frame %d: a NegTokenInit lost HasMechToken", name, m.Frame)
				}
			}
			if s := m.SMB2(); s != nil {
				smbs++
				if s.SecurityBlob != nil {
					t.Errorf("%s frame %d: SMB2 %s keeps a %d-byte security blob", name, m.Frame, s.Command, len(s.SecurityBlob))
				}
			}
		}
		if spnegos == 0 {
			t.Errorf("%s: no SPNEGO message", name)
		}
		if name == "smb-success.pcap" && smbs == 0 {
			t.Errorf("%s: no SMB2 message", name)
		}
	}
}
