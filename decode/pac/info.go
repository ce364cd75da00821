package pac

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// ClientInfo is PAC_CLIENT_INFO (MS-PAC 2.7): the client's name and the
// ticket's authtime as the KDC saw them.
type ClientInfo struct {
	ClientID time.Time
	Name     string
}

func parseClientInfo(d []byte) (*ClientInfo, error) {
	id, _, err := wire.U64LE(d, 0)
	if err != nil {
		return nil, wire.Errorf("pac", "client_info.ClientId", 0, err)
	}
	c := &ClientInfo{ClientID: filetime(id)}
	n, _, err := wire.U16LE(d, 8)
	if err != nil {
		return c, wire.Errorf("pac", "client_info.NameLength", 8, err)
	}
	name, _, err := wire.Bytes(d, 10, int(n))
	if err != nil {
		return c, wire.Errorf("pac", "client_info.Name", 10, err)
	}
	c.Name = wire.UTF16LE(name)
	return c, nil
}

// UPNDNSInfo is UPN_DNS_INFO (MS-PAC 2.10): the user's UPN and DNS domain,
// and with the extended flag its sAMAccountName and SID.
type UPNDNSInfo struct {
	UPN       string
	DNSDomain string
	Flags     uint32 // 1 the UPN was built (no UPN set), 2 SamName and SID present
	SAMName   string
	SID       string
}

func parseUPNDNS(d []byte) (*UPNDNSInfo, error) {
	hdr, _, err := wire.Bytes(d, 0, 12)
	if err != nil {
		return nil, wire.Errorf("pac", "upn_dns_info", 0, err)
	}
	u := &UPNDNSInfo{Flags: le32(hdr, 8)}
	var first error
	str := func(field string, lenOff int) string {
		l, o := int(hdr[lenOff])|int(hdr[lenOff+1])<<8, int(hdr[lenOff+2])|int(hdr[lenOff+3])<<8
		v, _, err := wire.Bytes(d, o, l)
		if err != nil && first == nil {
			first = wire.Errorf("pac", "upn_dns_info."+field, o, err)
		}
		return v2s(v)
	}
	u.UPN = str("Upn", 0)
	u.DNSDomain = str("DnsDomainName", 4)
	if u.Flags&2 != 0 {
		ext, _, err := wire.Bytes(d, 12, 8)
		if err != nil {
			return u, wire.Errorf("pac", "upn_dns_info.SamName", 12, err)
		}
		sl, so := int(ext[0])|int(ext[1])<<8, int(ext[2])|int(ext[3])<<8
		if v, _, err := wire.Bytes(d, so, sl); err == nil {
			u.SAMName = v2s(v)
		} else if first == nil {
			first = wire.Errorf("pac", "upn_dns_info.SamName", so, err)
		}
		il, io := int(ext[4])|int(ext[5])<<8, int(ext[6])|int(ext[7])<<8
		if v, _, err := wire.Bytes(d, io, il); err == nil {
			u.SID, err = binarySID(v)
			if err != nil && first == nil {
				first = wire.Errorf("pac", "upn_dns_info.Sid", io, err)
			}
		} else if first == nil {
			first = wire.Errorf("pac", "upn_dns_info.Sid", io, err)
		}
	}
	return u, first
}

func v2s(v []byte) string {
	if v == nil {
		return ""
	}
	return wire.UTF16LE(v)
}

// binarySID formats a SID in its binary form (MS-DTYP 2.4.2.2).
func binarySID(v []byte) (string, error) {
	if len(v) < 8 {
		return "", fmt.Errorf("SID of %d bytes: %w", len(v), wire.ErrTruncated)
	}
	n := int(v[1])
	if n > maxSubAuthorities {
		return "", fmt.Errorf("SID with %d sub-authorities: %w", n, wire.ErrMalformed)
	}
	if len(v) < 8+4*n {
		return "", fmt.Errorf("SID of %d bytes for %d sub-authorities: %w", len(v), n, wire.ErrTruncated)
	}
	subs := make([]uint32, n)
	for i := range subs {
		subs[i] = le32(v, 8+4*i)
	}
	return sidString(v[0], v[2:8], subs), nil
}

// maxSubAuthorities is SID_MAX_SUB_AUTHORITIES (MS-DTYP 2.4.2).
const maxSubAuthorities = 15

// sidString formats S-R-A-S1-S2... (MS-DTYP 2.4.2.1).
func sidString(rev byte, auth []byte, subs []uint32) string {
	var a uint64
	for _, c := range auth {
		a = a<<8 | uint64(c)
	}
	var sb strings.Builder
	sb.WriteString("S-" + strconv.Itoa(int(rev)) + "-")
	if a >= 1<<32 {
		sb.WriteString(fmt.Sprintf("0x%012X", a))
	} else {
		sb.WriteString(strconv.FormatUint(a, 10))
	}
	for _, s := range subs {
		sb.WriteString("-" + strconv.FormatUint(uint64(s), 10))
	}
	return sb.String()
}

// filetime converts a FILETIME (100 ns since 1601, UTC); 0 and
// 0x7fffffffffffffff ("never") give the zero time.
func filetime(v uint64) time.Time {
	if v == 0 || v >= 0x7fffffffffffffff {
		return time.Time{}
	}
	return time.Unix(int64(v/1e7)-11644473600, int64(v%1e7)*100).UTC()
}
