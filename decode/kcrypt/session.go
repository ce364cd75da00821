package kcrypt

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// Bounds of what a Session remembers.
const (
	maxRecent  = 64   // session keys and subkeys tried on replies
	maxTickets = 1024 // tickets remembered (their result and session key)
	maxConns   = 1024
	maxSalts   = 256
	maxDerived = 256
)

// Key usages (RFC 4120 7.5.1).
const (
	usageTicket      = 2
	usageASRep       = 3
	usageTGSAuth     = 7
	usageTGSRepSess  = 8
	usageTGSRepSub   = 9
	usageAPReqAuth   = 11
	usageAPRepEncPrt = 12
)

type ticketID [16]byte

// Session decrypts the messages of a capture in order, remembering what
// earlier messages revealed: ticket session keys (from a decrypted ticket
// or from the KDC reply that issued it), authenticator subkeys, the
// session key of the last AP-REQ on each connection (for its AP-REP), and
// the salts KDCs announced. Everything it remembers is bounded.
type Session struct {
	keys    *Keys
	tickets map[ticketID]*ticketState
	conns   map[string]*key
	recent  []*key
	salts   map[string]string
	derived map[string]*key
	fast    map[string]fastState // fast.go: TGS-REQ armor by connection
	avail   []Entry              // the keytab entries, shared by every TicketResult
}

type ticketState struct {
	res     *TicketResult
	session *key
}

// NewSession starts the decryption of one run of captures with keys.
func (k *Keys) NewSession() *Session {
	return &Session{keys: k, tickets: map[ticketID]*ticketState{}, conns: map[string]*key{},
		salts: map[string]string{}, derived: map[string]*key{}, fast: map[string]fastState{}, avail: k.Entries()}
}

// Decrypt decrypts what it can of the Kerberos message b, already decoded
// as m. conn names the connection or address pair the message travelled
// on, the same string for both directions; an AP-REP is decrypted with the
// session key of the AP-REQ seen last on its connection. It returns nil
// when the message has nothing to decrypt.
func (s *Session) Decrypt(b []byte, m *krb.Message, conn string) *Result {
	if s == nil || m == nil {
		return nil
	}
	if m.Type == krb.MsgKRBError || m.Type == krb.MsgASRep {
		s.learnSalts(m)
	}
	raw := extract(b)
	if raw == nil {
		return nil
	}
	r := &Result{}
	switch m.Type {
	case krb.MsgASRep, krb.MsgTGSRep:
		s.kdcRep(r, raw, m, conn)
	case krb.MsgTGSReq:
		if raw.tgs != nil {
			ts := s.ticket(raw.tgs.ticket)
			if ts != nil {
				r.TGT = ts.res
			}
			r.Authenticator = s.authenticator(r, raw.tgs.auth, ts, usageTGSAuth)
			if ts != nil && r.Authenticator != nil {
				s.rememberFast(conn, ts.session, r.Authenticator.subkey)
			}
		}
	case krb.MsgAPReq:
		ts := s.ticket(raw.ticket)
		if ts != nil {
			r.Ticket = ts.res
			if ts.session != nil && conn != "" {
				s.remember(conn, ts.session)
			}
		}
		r.Authenticator = s.authenticator(r, raw.auth, ts, usageAPReqAuth)
	case krb.MsgAPRep:
		s.apRep(r, raw, conn)
	}
	if r.Ticket == nil && r.TGT == nil && r.Authenticator == nil && r.APRep == nil && r.KDCRep == nil && len(r.Errors) == 0 {
		return nil
	}
	return r
}

func (s *Session) remember(conn string, k *key) {
	if len(s.conns) >= maxConns {
		clear(s.conns)
	}
	s.conns[conn] = k
}

// learn adds a session key or subkey to the keys tried on replies.
func (s *Session) learn(k *key) {
	if k == nil || len(k.value) == 0 {
		return
	}
	for _, r := range s.recent {
		if r.Etype == k.Etype && string(r.value) == string(k.value) {
			return
		}
	}
	if len(s.recent) == maxRecent {
		s.recent = s.recent[1:]
	}
	s.recent = append(s.recent, k)
}

// ticket decrypts a ticket with every keytab key of its etype, once per
// distinct ticket. It returns nil when e is nil.
func (s *Session) ticket(e *encData) *ticketState {
	if e == nil {
		return nil
	}
	sum := sha256.Sum256(e.cipher)
	id := ticketID(sum[:16])
	if ts, ok := s.tickets[id]; ok {
		return ts
	}
	ts := &ticketState{}
	if len(s.keys.keys) > 0 {
		ts.res = s.decryptTicket(e)
		if ts.res.Part != nil {
			ts.session = ts.res.Part.session
			s.learn(ts.session)
		}
	}
	if len(s.tickets) >= maxTickets {
		clear(s.tickets)
	}
	s.tickets[id] = ts
	return ts
}

func (s *Session) decryptTicket(e *encData) *TicketResult {
	tr := &TicketResult{Etype: e.etype, Kvno: e.kvno, Available: s.avail}
	if !Supported(e.etype) {
		tr.Err = fmt.Sprintf("etype %s is not supported", e.etype)
		return tr
	}
	for _, k := range s.keys.ofEtype(e.etype) {
		plain, err := decrypt(e.etype, k.value, e.cipher, usageTicket)
		if err != nil {
			tr.Tried = append(tr.Tried, k.Entry)
			continue
		}
		ent := k.Entry
		tr.Entry = &ent
		part, perr := parseEncTicketPart(plain)
		tr.Part = part
		if perr != nil {
			tr.Err = perr.Error()
		}
		return tr
	}
	if len(tr.Tried) == 0 {
		tr.Err = fmt.Sprintf("no key of etype %s loaded", e.etype)
	} else {
		tr.Err = "no key decrypts the ticket"
	}
	return tr
}

// authenticator decrypts the authenticator of an AP-REQ (usage 11) or of a
// PA-TGS-REQ (usage 7) with the ticket's session key.
func (s *Session) authenticator(r *Result, e *encData, ts *ticketState, usage uint32) *Authenticator {
	if e == nil || ts == nil || ts.session == nil {
		return nil
	}
	plain, err := decrypt(e.etype, ts.session.value, e.cipher, usage)
	if err != nil {
		r.Errors = append(r.Errors, "authenticator: "+err.Error())
		return nil
	}
	a, err := parseAuthenticator(plain)
	if err != nil {
		r.Errors = append(r.Errors, err.Error())
	}
	s.learn(a.subkey)
	return a
}

// apRep decrypts an AP-REP (usage 12) with the session key of its
// connection's AP-REQ, or else any recent session key.
func (s *Session) apRep(r *Result, raw *rawMsg, conn string) {
	if raw.enc == nil {
		return
	}
	cands := []*key{}
	if k, ok := s.conns[conn]; ok {
		cands = append(cands, k)
	}
	cands = append(cands, s.recent...)
	for _, k := range cands {
		if k.Etype != raw.enc.etype {
			continue
		}
		plain, err := decrypt(raw.enc.etype, k.value, raw.enc.cipher, usageAPRepEncPrt)
		if err != nil {
			continue
		}
		p, err := parseAPRepPart(plain)
		r.APRep = p
		if err != nil {
			r.Errors = append(r.Errors, err.Error())
		}
		return
	}
}

// kdcRep decrypts the ticket of an AS-REP or TGS-REP with the keytabs and
// its enc-part with the client's key (AS-REP, usage 3) or the TGT session
// key or subkey of the request (TGS-REP, usages 9 and 8).
func (s *Session) kdcRep(r *Result, raw *rawMsg, m *krb.Message, conn string) {
	ts := s.ticket(raw.ticket)
	if ts != nil {
		r.Ticket = ts.res
	}
	if raw.enc == nil || !Supported(raw.enc.etype) {
		return
	}
	var part *KDCRepPart
	if m.Type == krb.MsgASRep {
		part = s.asRepPart(raw.enc, m)
	} else {
		part = s.tgsRepPart(raw.enc, s.tgsFast(raw.fast, conn))
	}
	if part == nil {
		return
	}
	r.KDCRep = part
	s.learn(part.session)
	if ts != nil && ts.session == nil && part.session != nil {
		ts.session = part.session
	}
}

func (s *Session) tgsRepPart(e *encData, fast []usedKey) *KDCRepPart {
	for _, u := range fast {
		if u.k.Etype == e.etype {
			if p := tryKDCRep(e, u.k.value, u.usage); p != nil {
				p.FAST = true
				return p
			}
		}
	}
	for _, usage := range []uint32{usageTGSRepSub, usageTGSRepSess} {
		for i := len(s.recent) - 1; i >= 0; i-- {
			k := s.recent[i]
			if k.Etype != e.etype {
				continue
			}
			if p := tryKDCRep(e, k.value, usage); p != nil {
				return p
			}
		}
	}
	return nil
}

func tryKDCRep(e *encData, kv []byte, usage uint32) *KDCRepPart {
	plain, err := decrypt(e.etype, kv, e.cipher, usage)
	if err != nil {
		return nil
	}
	p, _ := parseKDCRepPart(plain)
	p.Usage = int(usage)
	return p
}

// asRepPart tries the passwords (the client's first) with the salt the KDC
// announced for the enc-part's etype, then the keytab keys of that etype.
func (s *Session) asRepPart(e *encData, m *krb.Message) *KDCRepPart {
	client := m.CName.String() + "@" + m.CRealm
	salt := s.salts[saltKey(client, e.etype)]
	for _, ei := range m.ETypeInfo2 {
		if ei.Etype == e.etype && ei.HasSalt {
			salt = ei.Salt
		}
	}
	if salt == "" {
		salt = defaultSalt(client)
	}
	pws := append([]password(nil), s.keys.passwords...)
	for pass := 0; pass < 2; pass++ {
		for _, pw := range pws {
			if strings.EqualFold(pw.principal, client) != (pass == 0) {
				continue
			}
			k := s.derive(pw, e.etype, salt)
			if k == nil {
				continue
			}
			if p := tryKDCRep(e, k.value, usageASRep); p != nil {
				ent := k.Entry
				p.Entry = &ent
				return p
			}
		}
	}
	for _, k := range s.keys.ofEtype(e.etype) {
		if p := tryKDCRep(e, k.value, usageASRep); p != nil {
			ent := k.Entry
			p.Entry = &ent
			return p
		}
	}
	return nil
}

// derive computes (once) the key of a password for an etype and salt.
func (s *Session) derive(pw password, e krb.Etype, salt string) *key {
	id := pw.source + "\x00" + pw.principal + "\x00" + pw.secret + "\x00" + e.String() + "\x00" + salt
	if k, ok := s.derived[id]; ok {
		return k
	}
	v, err := stringToKey(e, pw.secret, salt, "")
	if err != nil {
		return nil
	}
	k := &key{Entry: Entry{Source: pw.source, Principal: pw.principal, Kvno: pw.kvno, Etype: e}, value: v}
	if len(s.derived) >= maxDerived {
		clear(s.derived)
	}
	s.derived[id] = k
	return k
}

func saltKey(principal string, e krb.Etype) string {
	return strings.ToLower(principal) + "\x00" + e.String()
}

// learnSalts keeps the salts of PA-ETYPE-INFO2 in KRB-ERROR e-data (for
// the client the error names) and in AS-REP padata.
func (s *Session) learnSalts(m *krb.Message) {
	var infos []krb.ETypeInfo
	realm := m.CRealm
	if m.ErrorInfo != nil && m.EData != nil {
		infos = m.EData.ETypeInfo2
	}
	if m.Type == krb.MsgASRep {
		infos = m.ETypeInfo2
	}
	if realm == "" {
		realm = m.Realm
	}
	client := m.CName.String() + "@" + realm
	if m.CName.IsZero() {
		return
	}
	for _, ei := range infos {
		if ei.HasSalt && len(s.salts) < maxSalts {
			s.salts[saltKey(client, ei.Etype)] = ei.Salt
		}
	}
}
