package kcrypt

import (
	"strconv"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/pac"
)

// Result is what the keys revealed about one Kerberos message. Each part
// is nil when the message has no such part or nothing could decrypt it;
// Ticket is set whenever the message carries a ticket and keys were tried.
type Result struct {
	Ticket        *TicketResult  // the ticket of an AP-REQ or KDC-REP
	TGT           *TicketResult  // the TGT inside a TGS-REQ's PA-TGS-REQ
	Authenticator *Authenticator // of an AP-REQ, or of the PA-TGS-REQ of a TGS-REQ
	APRep         *APRepPart     // the enc-part of an AP-REP
	KDCRep        *KDCRepPart    // the enc-part of an AS-REP or TGS-REP
	// Errors are the reasons parts could not be read ("authenticator:
	// no session key: the ticket was not decrypted").
	Errors []string
}

// TicketResult says whether a ticket could be decrypted, with which key,
// and what it holds.
type TicketResult struct {
	Etype krb.Etype // the etype the ticket is encrypted with
	Kvno  int       // the kvno it names; -1 absent
	// Entry is the key that decrypted it (principal and kvno as the keytab
	// labels them, which may differ from the ticket's), nil when none did.
	Entry *Entry
	// Tried lists the keys of the ticket's etype that failed; Available
	// every key loaded (what the keytabs hold; shared, read-only), for the
	// proof when none worked.
	Tried     []Entry
	Available []Entry
	Part      *EncTicketPart // the decrypted EncTicketPart, nil when not decrypted
	Err       string         // why Part is nil, or a decode error inside it
}

// EncTicketPart is the decrypted part of a ticket (RFC 4120 5.3). The
// session key is given by etype only.
type EncTicketPart struct {
	Flags         krb.TicketFlags
	SessionEtype  krb.Etype
	CRealm        string
	CName         krb.Principal
	TransitedType int32
	Transited     string // the transited realms, as encoded (empty for none)
	AuthTime      time.Time
	StartTime     time.Time // zero when absent (then authtime applies)
	EndTime       time.Time
	RenewTill     time.Time
	Addresses     []string
	// ADTypes lists the authorization-data types met, nested ones
	// included (1 AD-IF-RELEVANT, 128 AD-WIN2K-PAC, ...).
	ADTypes []int32
	PAC     *pac.PAC // nil when the ticket has none
	PACErr  string

	session *key
}

// Client is "alice@EXAMPLE.COM".
func (p *EncTicketPart) Client() string { return principalAt(p.CName, p.CRealm) }

// Authenticator is the decrypted authenticator of an AP-REQ (RFC 4120
// 5.5.1), with the GSS-API checksum of RFC 4121 4.1.1 when present.
type Authenticator struct {
	CRealm       string
	CName        krb.Principal
	CTime        time.Time // ctime + cusec
	CUSec        int
	ChecksumType int32
	// GSSFlags are the context flags of a GSS checksum (type 0x8003);
	// HasGSS says the checksum was one.
	GSSFlags    GSSFlags
	HasGSS      bool
	Delegated   bool // the GSS checksum carries a KRB-CRED (delegated TGT)
	SubkeyEtype krb.Etype
	SeqNumber   uint32
	HasSeq      bool

	subkey *key
}

// Client is "alice@EXAMPLE.COM".
func (a *Authenticator) Client() string { return principalAt(a.CName, a.CRealm) }

// APRepPart is the decrypted part of an AP-REP (RFC 4120 5.5.2): the
// server echoes the authenticator's ctime and cusec.
type APRepPart struct {
	CTime       time.Time
	CUSec       int
	SubkeyEtype krb.Etype
	SeqNumber   uint32
	HasSeq      bool
}

// KDCRepPart is the decrypted EncKDCRepPart of an AS-REP or TGS-REP
// (RFC 4120 5.4.2): what the KDC told the client about the ticket.
type KDCRepPart struct {
	Entry        *Entry // the key that decrypted it, for AS-REP (a password or keytab); nil for TGS-REP
	Usage        int    // key usage that worked: 3, 8 or 9
	FAST         bool   // the reply key was strengthened by FAST (RFC 6113)
	SessionEtype krb.Etype
	Nonce        uint32
	KeyExpiry    time.Time
	Flags        krb.TicketFlags
	AuthTime     time.Time
	StartTime    time.Time
	EndTime      time.Time
	RenewTill    time.Time
	SRealm       string
	SName        krb.Principal

	session *key
}

// GSSFlags are the GSS-API context flags of RFC 2744 / RFC 4121 4.1.1.1.
type GSSFlags uint32

var gssFlagNames = []struct {
	bit  GSSFlags
	name string
}{
	{0x1, "delegation"}, {0x2, "mutual"}, {0x4, "replay"}, {0x8, "sequence"},
	{0x10, "confidentiality"}, {0x20, "integrity"}, {0x40, "anonymous"},
	{0x1000, "dce-style"}, {0x2000, "identify"}, {0x4000, "extended-error"},
}

// Names lists the flags set ("mutual", "integrity", ...); unnamed bits read
// "0x100".
func (f GSSFlags) Names() []string {
	var out []string
	rest := f
	for _, n := range gssFlagNames {
		if f&n.bit != 0 {
			out = append(out, n.name)
			rest &^= n.bit
		}
	}
	for b := GSSFlags(1); rest != 0 && b != 0; b <<= 1 {
		if rest&b != 0 {
			out = append(out, "0x"+strconv.FormatUint(uint64(b), 16))
			rest &^= b
		}
	}
	return out
}

func principalAt(p krb.Principal, realm string) string {
	s := p.String()
	if realm != "" {
		s += "@" + realm
	}
	return s
}
