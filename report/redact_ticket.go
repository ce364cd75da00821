package report

import (
	"fmt"
	"strings"
)

// walkDecrypted passes the names of what --keytab decryption added to a
// message (ticket.go) through f: principals, PAC user and domain names,
// logon servers, SIDs' domain parts, addresses, keytab file names.
func walkDecrypted(m *Message, f nameFunc) {
	for _, t := range []*TicketInfo{m.Ticket, m.TGT} {
		if t == nil {
			continue
		}
		t.DecryptError = f(obsText, t.DecryptError)
		redactKeyEntries(t.KeysTried, f)
		redactKeyEntries(t.Keytab, f)
		if d := t.Decrypted; d != nil {
			d.Client = rewritePrincipal(d.Client, f)
			d.Transited = f(obsText, d.Transited)
			for i := range d.Addresses {
				d.Addresses[i] = rewriteIP(d.Addresses[i], f)
			}
			d.Error = f(obsText, d.Error)
			redactKeyEntry(d.KeytabEntry, f)
			walkPAC(d.PAC, f)
		}
	}
	if a := m.Authenticator; a != nil {
		a.CName = rewritePrincipal(a.CName, f)
	}
	if e := m.EncPart; e != nil {
		e.Server = rewritePrincipal(e.Server, f)
		redactKeyEntry(e.KeyEntry, f)
	}
}

func redactKeyEntries(ks []KeyEntry, f nameFunc) {
	for i := range ks {
		redactKeyEntry(&ks[i], f)
	}
}

func redactKeyEntry(k *KeyEntry, f nameFunc) {
	if k == nil {
		return
	}
	k.Principal = rewritePrincipal(k.Principal, f)
	if k.File != "" && k.File != "-" {
		k.File = f(obsFile, k.File)
	}
}

func walkPAC(p *PACInfo, f nameFunc) {
	if p == nil {
		return
	}
	p.Error = f(obsText, p.Error)
	if l := p.LogonInfo; l != nil {
		l.User = rewriteUser(l.User, f)
		l.FullName = f(obsUser, l.FullName)
		l.LogonDomain = f(obsDomain, l.LogonDomain)
		l.LogonServer = rewriteDNSName(l.LogonServer, f)
		l.UserSID, l.PrimaryGroupSID = rewriteSID(l.UserSID, f), rewriteSID(l.PrimaryGroupSID, f)
		for i := range l.GroupSIDs {
			l.GroupSIDs[i] = rewriteSID(l.GroupSIDs[i], f)
		}
	}
	if c := p.ClientInfo; c != nil {
		c.Name = rewritePrincipal(c.Name, f)
	}
	if u := p.UPNDNS; u != nil {
		u.UPN = rewritePrincipal(u.UPN, f)
		u.DNSDomain = f(obsDomain, u.DNSDomain)
		u.SAMName = rewriteUser(u.SAMName, f)
		u.SID = rewriteSID(u.SID, f)
	}
}

// domainSIDPrefix starts the SIDs of a domain's accounts (MS-DTYP 2.4.2.4):
// S-1-5-21-a-b-c, then a relative identifier.
const domainSIDPrefix = "S-1-5-21-"

// rewriteSID passes the domain part of a domain account's SID through f
// (kind obsSID) and keeps its relative identifier, so that 512 (Domain
// Admins) or 500 (Administrator) still read; other SIDs (S-1-5-32-544,
// S-1-1-0) are well known and stay.
func rewriteSID(s string, f nameFunc) string {
	dom, rid, ok := splitSID(s)
	if !ok {
		return f(obsText, s)
	}
	return f(obsSID, dom) + rid
}

// splitSID splits "S-1-5-21-a-b-c-rid" into "S-1-5-21-a-b-c" and "-rid"
// (empty for a domain SID).
func splitSID(s string) (dom, rid string, ok bool) {
	if len(s) <= len(domainSIDPrefix) || !strings.EqualFold(s[:len(domainSIDPrefix)], domainSIDPrefix) {
		return "", "", false
	}
	parts := strings.Split(s[len(domainSIDPrefix):], "-")
	if len(parts) < 3 || len(parts) > 4 {
		return "", "", false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return "", "", false
		}
	}
	dom = s[:len(domainSIDPrefix)] + strings.Join(parts[:3], "-")
	if len(parts) == 4 {
		rid = "-" + parts[3]
	}
	return dom, rid, true
}

// sid returns the entry of a domain SID: S-1-5-21-0-0-N.
func (rd *redactor) sid(s string) *entry {
	key := strings.ToUpper(s)
	if e, ok := rd.sids[key]; ok {
		return e
	}
	e := &entry{kind: "sid", orig: s, out: fmt.Sprintf("S-1-5-21-0-0-%d", rd.next("sid"))}
	rd.sids[key] = e
	rd.order = append(rd.order, e)
	return e
}
