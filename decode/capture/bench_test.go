package capture

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// benchFiles are real captures for BenchmarkRead: a pcapng of LDAP, SMB and
// Kerberos traffic and a pcap with 26068 frames.
var benchFiles = []string{
	"ms-prot-od-netcaps/MS-ADOD_Example2_18_WS2019v2004_X64_Win10v2004_X64_Domain_ManageAccessControlOnDirectoryObjects.pcapng",
	"gopacket/cip.pcap",
}

// countHandler touches every event and keeps nothing.
type countHandler struct{ udp, seg, bytes int }

func (h *countHandler) UDP(d *Datagram) { h.udp++ }
func (h *countHandler) TCP(s *Segment)  { h.seg++ }
func (h *countHandler) Stream(c *Chunk) { h.bytes += len(c.Data) }

func loadBench(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(capturesDir(tb), name))
	if err != nil {
		tb.Skip(err)
	}
	return b
}

func BenchmarkRead(b *testing.B) {
	for _, name := range benchFiles {
		b.Run(filepath.Base(name), func(b *testing.B) {
			data := loadBench(b, name)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Read(bytes.NewReader(data), &countHandler{}, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestReadAllocs checks that reading allocates far less than once per
// frame: records are read into one buffer, headers parsed in place, and
// in-order TCP data handed over without copying.
func TestReadAllocs(t *testing.T) {
	data := loadBench(t, benchFiles[0])
	var packets int
	allocs := testing.AllocsPerRun(3, func() {
		info, err := Read(bytes.NewReader(data), &countHandler{}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		packets = info.Packets
	})
	if perFrame := allocs / float64(packets); perFrame > 0.5 {
		t.Errorf("%.0f allocations for %d frames (%.2f per frame)", allocs, packets, perFrame)
	}
}
