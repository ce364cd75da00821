package report

import (
	"bufio"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/kcrypt"
	"github.com/kerbtrace/kerbtrace/decode/pac"
)

// What decryption with --keytab / --password-file adds to a Kerberos
// message of the report. Keys, ciphertext and passwords never appear: keys
// are named by principal, kvno, etype and file.

// KeyEntry names a key of a keytab or password file.
type KeyEntry struct {
	Principal string `json:"principal"`
	Kvno      *int   `json:"kvno,omitempty"`
	Etype     string `json:"etype"`
	File      string `json:"file"`
}

// TicketInfo is a ticket of an AP-REQ, KDC reply or TGS-REQ (its TGT) and
// what the keys made of it.
type TicketInfo struct {
	Etype     string           `json:"etype"`
	Kvno      *int             `json:"kvno,omitempty"`
	Decrypted *DecryptedTicket `json:"decrypted,omitempty"`
	// When not decrypted: why, the keys of its etype that were tried, and
	// every key the keytabs hold.
	DecryptError string     `json:"decrypt_error,omitempty"`
	KeysTried    []KeyEntry `json:"keys_tried,omitempty"`
	Keytab       []KeyEntry `json:"keytab,omitempty"`
}

// DecryptedTicket is the EncTicketPart, as klist shows a ticket.
type DecryptedTicket struct {
	Client       string    `json:"client"`
	Flags        []string  `json:"flags"`
	FlagsValue   string    `json:"flags_value"`
	AuthTime     string    `json:"authtime,omitempty"`
	StartTime    string    `json:"starttime,omitempty"`
	EndTime      string    `json:"endtime,omitempty"`
	RenewTill    string    `json:"renew_till,omitempty"`
	SessionEtype string    `json:"session_etype"`
	Transited    string    `json:"transited,omitempty"`
	Addresses    []string  `json:"addresses,omitempty"`
	PAC          *PACInfo  `json:"pac,omitempty"`
	KeytabEntry  *KeyEntry `json:"keytab_entry"`
	Error        string    `json:"error,omitempty"`
}

// PACInfo summarises the PAC of a ticket (MS-PAC).
type PACInfo struct {
	Buffers    []string       `json:"buffers"`
	LogonInfo  *PACLogonInfo  `json:"logon_info,omitempty"`
	ClientInfo *PACClientInfo `json:"client_info,omitempty"`
	UPNDNS     *PACUPNDNS     `json:"upn_dns_info,omitempty"`
	Signatures []PACSignature `json:"signatures,omitempty"`
	Error      string         `json:"error,omitempty"`
}

// PACLogonInfo is the KERB_VALIDATION_INFO: the user's groups.
type PACLogonInfo struct {
	User            string   `json:"user"`
	FullName        string   `json:"full_name,omitempty"`
	LogonDomain     string   `json:"logon_domain"`
	LogonServer     string   `json:"logon_server,omitempty"`
	LogonTime       string   `json:"logon_time,omitempty"`
	UserSID         string   `json:"user_sid"`
	PrimaryGroupSID string   `json:"primary_group_sid"`
	GroupSIDs       []string `json:"group_sids"`
	UserFlags       []string `json:"user_flags,omitempty"`
}

// PACClientInfo is PAC_CLIENT_INFO.
type PACClientInfo struct {
	Name     string `json:"name"`
	ClientID string `json:"client_id,omitempty"`
}

// PACUPNDNS is UPN_DNS_INFO.
type PACUPNDNS struct {
	UPN       string `json:"upn,omitempty"`
	DNSDomain string `json:"dns_domain,omitempty"`
	SAMName   string `json:"sam_name,omitempty"`
	SID       string `json:"sid,omitempty"`
}

// PACSignature names a signature buffer and its checksum type.
type PACSignature struct {
	Buffer       string `json:"buffer"`
	ChecksumType int32  `json:"checksum_type"`
}

// AuthenticatorInfo is a decrypted authenticator (AP-REQ, or the
// PA-TGS-REQ of a TGS-REQ).
type AuthenticatorInfo struct {
	CName string `json:"cname"`
	CTime string `json:"ctime"`
	// SkewSeconds is the authenticator's time minus the capture time of
	// its frame: the client's clock offset, to the millisecond.
	SkewSeconds   float64  `json:"skew_seconds"`
	ChecksumFlags []string `json:"checksum_flags,omitempty"`
	Delegated     bool     `json:"delegated_tgt,omitempty"`
	SubkeyEtype   string   `json:"subkey_etype,omitempty"`
	SeqNumber     *uint32  `json:"seq_number,omitempty"`
}

// EncPartInfo is the decrypted enc-part of an AP-REP or KDC reply.
type EncPartInfo struct {
	CTime        string    `json:"ctime,omitempty"`
	SubkeyEtype  string    `json:"subkey_etype,omitempty"`
	SeqNumber    *uint32   `json:"seq_number,omitempty"`
	SessionEtype string    `json:"session_etype,omitempty"`
	Server       string    `json:"server,omitempty"`
	Flags        []string  `json:"flags,omitempty"`
	AuthTime     string    `json:"authtime,omitempty"`
	EndTime      string    `json:"endtime,omitempty"`
	RenewTill    string    `json:"renew_till,omitempty"`
	KeyUsage     int       `json:"key_usage,omitempty"`
	FAST         bool      `json:"fast,omitempty"` // the reply key was strengthened by FAST (RFC 6113)
	KeyEntry     *KeyEntry `json:"key_entry,omitempty"`
}

// decryptedFields adds what decryption revealed to a Kerberos message.
func decryptedFields(rm *Message, m *decode.Message) {
	r := m.Decrypted
	if r == nil {
		return
	}
	if r.Ticket != nil {
		rm.Ticket = ticketInfo(r.Ticket)
	}
	if r.TGT != nil {
		rm.TGT = ticketInfo(r.TGT)
	}
	if a := r.Authenticator; a != nil {
		ai := &AuthenticatorInfo{CName: a.Client(), CTime: timeText(a.CTime), SubkeyEtype: etypeName(a.SubkeyEtype),
			SkewSeconds: math.Round(a.CTime.Sub(m.Time).Seconds()*1000) / 1000, Delegated: a.Delegated}
		if a.HasGSS {
			ai.ChecksumFlags = nonNilStrings(a.GSSFlags.Names())
		}
		if a.HasSeq {
			v := a.SeqNumber
			ai.SeqNumber = &v
		}
		rm.Authenticator = ai
	}
	if p := r.APRep; p != nil {
		e := &EncPartInfo{CTime: timeText(p.CTime), SubkeyEtype: etypeName(p.SubkeyEtype)}
		if p.HasSeq {
			v := p.SeqNumber
			e.SeqNumber = &v
		}
		rm.EncPart = e
	}
	if p := r.KDCRep; p != nil {
		rm.EncPart = &EncPartInfo{SessionEtype: p.SessionEtype.String(), Server: p.SName.String() + "@" + p.SRealm,
			Flags: nonNilStrings(p.Flags.Names()), AuthTime: timeText(p.AuthTime), EndTime: timeText(p.EndTime),
			RenewTill: timeText(p.RenewTill), KeyUsage: p.Usage, FAST: p.FAST, KeyEntry: keyEntry(p.Entry)}
	}
}

func etypeName(e interface{ String() string }) string {
	s := e.String()
	if s == "null" {
		return ""
	}
	return s
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func keyEntry(e *kcrypt.Entry) *KeyEntry {
	if e == nil {
		return nil
	}
	k := &KeyEntry{Principal: e.Principal, Etype: e.Etype.String(), File: e.Source}
	if e.Kvno >= 0 {
		v := e.Kvno
		k.Kvno = &v
	}
	return k
}

func keyEntries(es []kcrypt.Entry) []KeyEntry {
	var out []KeyEntry
	for i := range es {
		out = append(out, *keyEntry(&es[i]))
	}
	return out
}

func ticketInfo(t *kcrypt.TicketResult) *TicketInfo {
	ti := &TicketInfo{Etype: t.Etype.String()}
	if t.Kvno >= 0 {
		v := t.Kvno
		ti.Kvno = &v
	}
	p := t.Part
	if p == nil {
		ti.DecryptError = t.Err
		ti.KeysTried = keyEntries(t.Tried)
		ti.Keytab = keyEntries(t.Available)
		return ti
	}
	ti.Decrypted = &DecryptedTicket{Client: p.Client(), Flags: nonNilStrings(p.Flags.Names()),
		FlagsValue: fmt.Sprintf("0x%08x", uint32(p.Flags)), AuthTime: timeText(p.AuthTime), StartTime: timeText(p.StartTime),
		EndTime: timeText(p.EndTime), RenewTill: timeText(p.RenewTill), SessionEtype: p.SessionEtype.String(),
		Transited: p.Transited, Addresses: p.Addresses, PAC: pacInfo(p), KeytabEntry: keyEntry(t.Entry), Error: t.Err}
	return ti
}

func pacInfo(p *kcrypt.EncTicketPart) *PACInfo {
	if p.PAC == nil {
		return nil
	}
	pc := p.PAC
	pi := &PACInfo{Buffers: []string{}, Error: p.PACErr}
	for _, b := range pc.Buffers {
		pi.Buffers = append(pi.Buffers, b.Type.String())
	}
	if l := pc.LogonInfo; l != nil {
		pi.LogonInfo = &PACLogonInfo{User: l.EffectiveName, FullName: l.FullName, LogonDomain: l.LogonDomainName,
			LogonServer: l.LogonServer, LogonTime: timeText(l.LogonTime), UserSID: l.UserSID(),
			PrimaryGroupSID: ridOf(l), GroupSIDs: nonNilStrings(l.GroupSIDs()), UserFlags: l.UserFlagNames()}
	}
	if c := pc.ClientInfo; c != nil {
		pi.ClientInfo = &PACClientInfo{Name: c.Name, ClientID: timeText(c.ClientID)}
	}
	if u := pc.UPNDNS; u != nil {
		pi.UPNDNS = &PACUPNDNS{UPN: u.UPN, DNSDomain: u.DNSDomain, SAMName: u.SAMName, SID: u.SID}
	}
	for _, s := range pc.Signatures {
		pi.Signatures = append(pi.Signatures, PACSignature{Buffer: s.Buffer.String(), ChecksumType: s.ChecksumType})
	}
	return pi
}

func ridOf(l *pac.LogonInfo) string {
	if l.LogonDomainSID == "" {
		return fmt.Sprintf("RID %d", l.PrimaryGroupID)
	}
	return fmt.Sprintf("%s-%d", l.LogonDomainSID, l.PrimaryGroupID)
}

// ticketsText writes a klist-like block for every decrypted ticket and for
// every AP-REQ ticket the keys could not open.
func ticketsText(w *bufio.Writer, r *Report) {
	first := true
	// Only a message the keys opened has a Ticket (decryptedFields).
	r.eachDecrypted(func(m *Message) {
		t := m.Ticket
		if t == nil || (t.Decrypted == nil && m.Kind != decode.KindAPReq.String()) {
			return
		}
		if first {
			fmt.Fprintf(w, "\nTickets (--keytab):\n")
			first = false
		}
		fmt.Fprintf(w, "\nframe %d %s: server %s\n", m.Frame, strings.ToUpper(strings.ReplaceAll(m.Kind, "_", "-")), Sanitize(m.TicketSName+" @ "+m.Realm))
		if t.Decrypted == nil {
			need := t.Etype
			if t.Kvno != nil {
				need = fmt.Sprintf("kvno %d %s", *t.Kvno, t.Etype)
			}
			fmt.Fprintf(w, "  NOT decrypted (%s): the ticket needs %s; keys: %s\n", Sanitize(t.DecryptError), need, entryList(t.Keytab))
			return
		}
		klist(w, m, t)
	})
}

func klist(w *bufio.Writer, m *Message, t *TicketInfo) {
	d := t.Decrypted
	fmt.Fprintf(w, "  decrypted with %s\n", entryList([]KeyEntry{*d.KeytabEntry}))
	fmt.Fprintf(w, "  Client: %s\n", Sanitize(strings.Replace(d.Client, "@", " @ ", 1)))
	fmt.Fprintf(w, "  KerbTicket Encryption Type: %s\n", klistEtype(t.Etype))
	fmt.Fprintf(w, "  Ticket Flags %s -> %s\n", d.FlagsValue, strings.Join(d.Flags, " "))
	start := d.StartTime
	if start == "" {
		start = d.AuthTime
	}
	fmt.Fprintf(w, "  Start Time: %s\n  End Time:   %s\n", klistTime(start), klistTime(d.EndTime))
	if d.RenewTill != "" {
		fmt.Fprintf(w, "  Renew Time: %s\n", klistTime(d.RenewTill))
	}
	fmt.Fprintf(w, "  Session Key Type: %s\n", klistEtype(d.SessionEtype))
	if len(d.Addresses) > 0 {
		fmt.Fprintf(w, "  Addresses: %s\n", Sanitize(strings.Join(d.Addresses, ", ")))
	}
	if p := d.PAC; p != nil {
		pacText(w, p)
	}
	if a := m.Authenticator; a != nil {
		fmt.Fprintf(w, "  Authenticator: %s, ctime %s (%+.3f s from the capture clock)", Sanitize(a.CName), klistTime(a.CTime), a.SkewSeconds)
		if len(a.ChecksumFlags) > 0 {
			fmt.Fprintf(w, ", GSS flags %s", strings.Join(a.ChecksumFlags, " "))
		}
		fmt.Fprintln(w)
	}
}

func pacText(w *bufio.Writer, p *PACInfo) {
	fmt.Fprintf(w, "  PAC: %s\n", strings.Join(p.Buffers, " "))
	if l := p.LogonInfo; l != nil {
		fmt.Fprintf(w, "    user %s\\%s (%s), %d groups: %s\n", Sanitize(l.LogonDomain), Sanitize(l.User), l.UserSID,
			len(l.GroupSIDs), strings.Join(l.GroupSIDs, " "))
	}
	if c := p.ClientInfo; c != nil {
		fmt.Fprintf(w, "    client info: %s\n", Sanitize(c.Name))
	}
	if u := p.UPNDNS; u != nil {
		fmt.Fprintf(w, "    UPN %s, DNS domain %s\n", Sanitize(u.UPN), Sanitize(u.DNSDomain))
	}
	if p.Error != "" {
		fmt.Fprintf(w, "    error: %s\n", Sanitize(p.Error))
	}
}

func entryList(es []KeyEntry) string {
	if len(es) == 0 {
		return "none"
	}
	var parts []string
	for _, e := range es {
		s := e.Principal
		if e.Kvno != nil {
			s += fmt.Sprintf(" kvno %d", *e.Kvno)
		}
		parts = append(parts, Sanitize(s+" "+e.Etype+" ("+e.File+")"))
	}
	return strings.Join(parts, ", ")
}

// klistTime shows a report time as "2026-11-25 10:13:02 UTC".
func klistTime(s string) string {
	t, err := time.Parse("2006-01-02T15:04:05.000000000Z", s)
	if err != nil {
		return s
	}
	return t.Format("2006-01-02 15:04:05 UTC")
}

// klistEtype spells an etype as Windows klist does ("AES-256-CTS-HMAC-SHA1-96",
// "RSADSI RC4-HMAC(NT)"); others upper-cased.
func klistEtype(e string) string {
	switch e {
	case "aes256-cts-hmac-sha1-96":
		return "AES-256-CTS-HMAC-SHA1-96"
	case "aes128-cts-hmac-sha1-96":
		return "AES-128-CTS-HMAC-SHA1-96"
	case "rc4-hmac":
		return "RSADSI RC4-HMAC(NT)"
	}
	return strings.ToUpper(e)
}
