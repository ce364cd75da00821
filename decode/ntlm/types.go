package ntlm

import (
	"fmt"
	"math/bits"
)

// MsgType is the MessageType field of an NTLM message (MS-NLMP 2.2.1).
type MsgType uint32

// The three NTLM message types.
const (
	Negotiate    MsgType = 1 // NEGOTIATE_MESSAGE, client -> server (2.2.1.1)
	Challenge    MsgType = 2 // CHALLENGE_MESSAGE, server -> client (2.2.1.2)
	Authenticate MsgType = 3 // AUTHENTICATE_MESSAGE, client -> server (2.2.1.3)
)

// String returns "NEGOTIATE", "CHALLENGE", "AUTHENTICATE" or "MsgType(N)".
func (t MsgType) String() string {
	switch t {
	case Negotiate:
		return "NEGOTIATE"
	case Challenge:
		return "CHALLENGE"
	case Authenticate:
		return "AUTHENTICATE"
	}
	return fmt.Sprintf("MsgType(%d)", uint32(t))
}

// Kind returns the event-kind name of the message: "ntlm_negotiate",
// "ntlm_challenge", "ntlm_authenticate", or "ntlm_unknown".
func (t MsgType) Kind() string {
	switch t {
	case Negotiate:
		return "ntlm_negotiate"
	case Challenge:
		return "ntlm_challenge"
	case Authenticate:
		return "ntlm_authenticate"
	}
	return "ntlm_unknown"
}

// Flags is the NegotiateFlags field (MS-NLMP 2.2.2.5).
type Flags uint32

// NegotiateFlags bits, named as in MS-NLMP 2.2.2.5.
const (
	FlagUnicode                 Flags = 0x00000001 // A
	FlagOEM                     Flags = 0x00000002 // B
	FlagRequestTarget           Flags = 0x00000004 // C
	FlagSign                    Flags = 0x00000010 // D
	FlagSeal                    Flags = 0x00000020 // E
	FlagDatagram                Flags = 0x00000040 // F
	FlagLMKey                   Flags = 0x00000080 // G
	FlagNTLM                    Flags = 0x00000200 // H
	FlagAnonymous               Flags = 0x00000800 // J
	FlagOEMDomainSupplied       Flags = 0x00001000 // K
	FlagOEMWorkstationSupplied  Flags = 0x00002000 // L
	FlagAlwaysSign              Flags = 0x00008000 // M
	FlagTargetTypeDomain        Flags = 0x00010000 // N
	FlagTargetTypeServer        Flags = 0x00020000 // O
	FlagExtendedSessionSecurity Flags = 0x00080000 // P
	FlagIdentify                Flags = 0x00100000 // Q
	FlagRequestNonNTSessionKey  Flags = 0x00400000 // R
	FlagTargetInfo              Flags = 0x00800000 // S
	FlagVersion                 Flags = 0x02000000 // T
	Flag128                     Flags = 0x20000000 // U
	FlagKeyExch                 Flags = 0x40000000 // V
	Flag56                      Flags = 0x80000000 // W
)

var flagNames = map[Flags]string{
	FlagUnicode:                 "NTLMSSP_NEGOTIATE_UNICODE",
	FlagOEM:                     "NTLM_NEGOTIATE_OEM",
	FlagRequestTarget:           "NTLMSSP_REQUEST_TARGET",
	FlagSign:                    "NTLMSSP_NEGOTIATE_SIGN",
	FlagSeal:                    "NTLMSSP_NEGOTIATE_SEAL",
	FlagDatagram:                "NTLMSSP_NEGOTIATE_DATAGRAM",
	FlagLMKey:                   "NTLMSSP_NEGOTIATE_LM_KEY",
	FlagNTLM:                    "NTLMSSP_NEGOTIATE_NTLM",
	FlagAnonymous:               "NTLMSSP_ANONYMOUS",
	FlagOEMDomainSupplied:       "NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED",
	FlagOEMWorkstationSupplied:  "NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED",
	FlagAlwaysSign:              "NTLMSSP_NEGOTIATE_ALWAYS_SIGN",
	FlagTargetTypeDomain:        "NTLMSSP_TARGET_TYPE_DOMAIN",
	FlagTargetTypeServer:        "NTLMSSP_TARGET_TYPE_SERVER",
	FlagExtendedSessionSecurity: "NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY",
	FlagIdentify:                "NTLMSSP_NEGOTIATE_IDENTIFY",
	FlagRequestNonNTSessionKey:  "NTLMSSP_REQUEST_NON_NT_SESSION_KEY",
	FlagTargetInfo:              "NTLMSSP_NEGOTIATE_TARGET_INFO",
	FlagVersion:                 "NTLMSSP_NEGOTIATE_VERSION",
	Flag128:                     "NTLMSSP_NEGOTIATE_128",
	FlagKeyExch:                 "NTLMSSP_NEGOTIATE_KEY_EXCH",
	Flag56:                      "NTLMSSP_NEGOTIATE_56",
}

// Has reports whether every bit of x is set in f.
func (f Flags) Has(x Flags) bool { return f&x == x }

// Names returns the MS-NLMP names of the bits set in f, lowest bit first.
// A reserved bit (r1..r10) appears as its hex value, e.g. "0x00000008".
func (f Flags) Names() []string {
	names := make([]string, 0, bits.OnesCount32(uint32(f)))
	for i := 0; i < 32; i++ {
		bit := Flags(1) << i
		if f&bit == 0 {
			continue
		}
		if n, ok := flagNames[bit]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("0x%08x", uint32(bit)))
		}
	}
	return names
}

// String returns the flags as hex, e.g. "0xe2888215".
func (f Flags) String() string { return fmt.Sprintf("0x%08x", uint32(f)) }

// Version is the VERSION structure (MS-NLMP 2.2.2.10): the sender's Windows
// version, informational only.
type Version struct {
	Major, Minor uint8
	Build        uint16
	NTLMRevision uint8 // 15 = NTLMSSP_REVISION_W2K3
}

// String formats the version as "10.0.19041 (NTLM rev 15)".
func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d (NTLM rev %d)", v.Major, v.Minor, v.Build, v.NTLMRevision)
}

// AVID is the AvId of an AV_PAIR (MS-NLMP 2.2.2.1).
type AVID uint16

// AV pair identifiers of MS-NLMP 2.2.2.1.
const (
	MsvAvEOL             AVID = 0
	MsvAvNbComputerName  AVID = 1
	MsvAvNbDomainName    AVID = 2
	MsvAvDnsComputerName AVID = 3
	MsvAvDnsDomainName   AVID = 4
	MsvAvDnsTreeName     AVID = 5
	MsvAvFlags           AVID = 6
	MsvAvTimestamp       AVID = 7
	MsvAvSingleHost      AVID = 8
	MsvAvTargetName      AVID = 9
	MsvAvChannelBindings AVID = 10
)

var avNames = [...]string{
	"MsvAvEOL", "MsvAvNbComputerName", "MsvAvNbDomainName", "MsvAvDnsComputerName",
	"MsvAvDnsDomainName", "MsvAvDnsTreeName", "MsvAvFlags", "MsvAvTimestamp",
	"MsvAvSingleHost", "MsvAvTargetName", "MsvAvChannelBindings",
}

// String returns the MS-NLMP name, e.g. "MsvAvTargetName", or "AVID(N)".
func (id AVID) String() string {
	if int(id) < len(avNames) {
		return avNames[id]
	}
	return fmt.Sprintf("AVID(%d)", uint16(id))
}

// MsvAvFlags bits (MS-NLMP 2.2.2.1).
const (
	AvFlagAccountAuthConstrained = 0x00000001 // the account authentication is constrained
	AvFlagMICPresent             = 0x00000002 // the AUTHENTICATE_MESSAGE carries a MIC
	AvFlagUntrustedSPNSource     = 0x00000004 // the SPN came from an untrusted source
)

// AVPair is one AV_PAIR, with its value rendered as text: names as text,
// MsvAvFlags as "0x%08x", MsvAvTimestamp as RFC 3339 (UTC, 100 ns
// resolution), and anything binary as "present (N bytes)".
type AVPair struct {
	ID    AVID
	Value string
}
