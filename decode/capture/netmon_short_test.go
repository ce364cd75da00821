package capture

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

// TestNetmonShortHeaderCut reads a Network Monitor 2.3 file whose records
// start right after its 72-byte header (as Network Monitor 3.4 and Message
// Analyzer write them), cut inside its last record: without the frame
// table, the records are read in file order from 0x48, not from 0x80.
func TestNetmonShortHeaderCut(t *testing.T) {
	var recs []nmRecord
	for i := range 5 {
		recs = append(recs, nmRecord{media: netmonEthernet,
			data: ct.Ethernet(ct.UDP("192.0.2.1:5000", "192.0.2.2:88", bytes.Repeat([]byte{byte(i)}, 40)))})
	}
	b := nmFile{minor: 3, recs: recs}.bytes()
	// Drop the header padding and move every offset back.
	const pad = netmonFirstFrame - netmonShortHeader
	short := append(append([]byte(nil), b[:netmonShortHeader]...), b[netmonFirstFrame:]...)
	table := binary.LittleEndian.Uint32(short[24:]) - pad
	binary.LittleEndian.PutUint32(short[24:], table)
	for i := 0; i < len(recs); i++ {
		at := int(table) + 4*i
		binary.LittleEndian.PutUint32(short[at:], binary.LittleEndian.Uint32(short[at:])-pad)
	}
	if info, err := Read(bytes.NewReader(short), nil, Options{}); err != nil || info.Packets != 5 || len(info.Warnings) != 0 {
		t.Fatalf("whole file: %v, %d packets, %v", err, info.Packets, info.Warnings)
	}
	cut := short[:table-10]
	info, err := Read(bytes.NewReader(cut), nil, Options{})
	if err != nil || info.Packets != 4 || len(info.Warnings) != 2 ||
		!strings.Contains(info.Warnings[0].Msg, "from offset 0x48") ||
		!strings.Contains(info.Warnings[1].String(), "frame 5 (offset ") {
		t.Fatalf("cut file: %v, %d packets, %v", err, info.Packets, info.Warnings)
	}
}
