package pac

import (
	"fmt"
	"strconv"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// maxBuffers bounds the PAC_INFO_BUFFERs read; real PACs have under 20.
const maxBuffers = 64

// BufferType is the ulType of a PAC_INFO_BUFFER (MS-PAC 2.4).
type BufferType uint32

// The buffer types kerbtrace reads or names.
const (
	TypeLogonInfo      BufferType = 1
	TypeCredentials    BufferType = 2
	TypeServerChecksum BufferType = 6
	TypeKDCChecksum    BufferType = 7
	TypeClientInfo     BufferType = 10
	TypeDelegation     BufferType = 11
	TypeUPNDNSInfo     BufferType = 12
	TypeClientClaims   BufferType = 13
	TypeDeviceInfo     BufferType = 14
	TypeDeviceClaims   BufferType = 15
	TypeTicketChecksum BufferType = 16
	TypeAttributes     BufferType = 17
	TypeRequestorSID   BufferType = 18
	TypeFullChecksum   BufferType = 19
)

var bufferNames = map[BufferType]string{
	TypeLogonInfo: "logon_info", TypeCredentials: "credentials_info", TypeServerChecksum: "server_checksum",
	TypeKDCChecksum: "kdc_checksum", TypeClientInfo: "client_info", TypeDelegation: "s4u_delegation_info",
	TypeUPNDNSInfo: "upn_dns_info", TypeClientClaims: "client_claims_info", TypeDeviceInfo: "device_info",
	TypeDeviceClaims: "device_claims_info", TypeTicketChecksum: "ticket_checksum", TypeAttributes: "attributes_info",
	TypeRequestorSID: "requestor_sid", TypeFullChecksum: "full_checksum",
}

// String names the buffer type ("logon_info") or gives "type-N".
func (t BufferType) String() string {
	if s, ok := bufferNames[t]; ok {
		return s
	}
	return "type-" + strconv.FormatUint(uint64(t), 10)
}

// Buffer is one PAC_INFO_BUFFER: where its data lies in the PAC.
type Buffer struct {
	Type   BufferType
	Size   uint32
	Offset uint64
}

// Signature is a PAC_SIGNATURE_DATA (MS-PAC 2.8): which signature buffer
// and its checksum type (16 hmac-sha1-96-aes256, 15 -aes128, -138
// KERB_CHECKSUM_HMAC_MD5); the signature bytes are not kept.
type Signature struct {
	Buffer       BufferType
	ChecksumType int32
	Len          int // signature length in bytes
}

// PAC is a decoded PACTYPE. The parts are nil when their buffer is absent
// or could not be decoded (the error then says why).
type PAC struct {
	Version    uint32
	Buffers    []Buffer
	LogonInfo  *LogonInfo
	ClientInfo *ClientInfo
	UPNDNS     *UPNDNSInfo
	Signatures []Signature
	Truncated  bool
}

// Has reports whether the PAC has a buffer of type t.
func (p *PAC) Has(t BufferType) bool {
	for _, b := range p.Buffers {
		if b.Type == t {
			return true
		}
	}
	return false
}

// Parse decodes a PACTYPE (MS-PAC 2.3), the ad-data of an AD-WIN2K-PAC
// element. A buffer that lies outside the bytes or fails to decode is
// skipped and the first such error returned along with everything else.
func Parse(b []byte) (*PAC, error) {
	n, _, err := wire.U32LE(b, 0)
	if err != nil {
		return nil, wire.Errorf("pac", "cBuffers", 0, err)
	}
	ver, _, err := wire.U32LE(b, 4)
	if err != nil {
		return &PAC{Truncated: true}, wire.Errorf("pac", "Version", 4, err)
	}
	p := &PAC{Version: ver}
	if n > maxBuffers {
		return p, wire.Errorf("pac", "cBuffers", 0, fmt.Errorf("%d buffers: %w", n, wire.ErrMalformed))
	}
	var first error
	keep := func(e error) {
		if first == nil && e != nil {
			first = e
		}
	}
	for i := 0; i < int(n); i++ {
		off := 8 + 16*i
		hdr, _, err := wire.Bytes(b, off, 16)
		if err != nil {
			p.Truncated = true
			keep(wire.Errorf("pac", "Buffers", off, err))
			break
		}
		bf := Buffer{Type: BufferType(le32(hdr, 0)), Size: le32(hdr, 4), Offset: uint64(le32(hdr, 8)) | uint64(le32(hdr, 12))<<32}
		p.Buffers = append(p.Buffers, bf)
		if bf.Offset > uint64(len(b)) || uint64(bf.Size) > uint64(len(b))-bf.Offset {
			p.Truncated = true
			keep(wire.Errorf("pac", bf.Type.String(), off, fmt.Errorf("buffer of %d bytes at %d runs past the %d bytes of the PAC: %w", bf.Size, bf.Offset, len(b), wire.ErrTruncated)))
			continue
		}
		keep(p.buffer(bf, b[bf.Offset:bf.Offset+uint64(bf.Size)]))
	}
	return p, first
}

// buffer decodes the data of one buffer into p.
func (p *PAC) buffer(bf Buffer, d []byte) error {
	var err error
	switch bf.Type {
	case TypeLogonInfo:
		if p.LogonInfo == nil {
			p.LogonInfo, err = parseLogonInfo(d)
		}
	case TypeClientInfo:
		if p.ClientInfo == nil {
			p.ClientInfo, err = parseClientInfo(d)
		}
	case TypeUPNDNSInfo:
		if p.UPNDNS == nil {
			p.UPNDNS, err = parseUPNDNS(d)
		}
	case TypeServerChecksum, TypeKDCChecksum, TypeTicketChecksum, TypeFullChecksum:
		t, _, e := wire.U32LE(d, 0)
		if e != nil {
			return wire.Errorf("pac", bf.Type.String(), 0, e)
		}
		p.Signatures = append(p.Signatures, Signature{Buffer: bf.Type, ChecksumType: int32(t), Len: len(d) - 4})
	}
	return err
}

func le32(b []byte, off int) uint32 {
	return uint32(b[off]) | uint32(b[off+1])<<8 | uint32(b[off+2])<<16 | uint32(b[off+3])<<24
}
