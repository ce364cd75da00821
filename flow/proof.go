package flow

import (
	"fmt"
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/kcrypt"
)

// proofs adds what decryption showed (kerbtrace analyze --keytab,
// --password-file) to the findings it bears on: SERVICE_REJECTED_TICKET
// says whether the service's key opens the ticket, KRB_SKEW (and a
// KRB_AP_ERR_TKT_NYV) gives the client's clock offset measured from its
// authenticator. Without keys nothing changes.
func (a *analyzer) proofs() {
	if !a.anyDecrypted() {
		return
	}
	ix := proofIndex{} // frame -> the messages that can bear a proof
	for i := range a.in.Len() {
		if a.in.Decrypted(i) != nil || a.in.Kind(i) == decode.KindKRBError {
			ix[a.in.Frame(i)] = append(ix[a.in.Frame(i)], i)
		}
	}
	for i := range a.res.Findings {
		f := &a.res.Findings[i]
		switch f.ID {
		case "SERVICE_REJECTED_TICKET":
			if m := a.decryptedIn(ix, f, decode.KindAPReq); m != nil && m.Decrypted.Ticket != nil {
				f.Summary += " " + ticketProof(m)
			}
		case "KRB_SKEW", "KRB_ERROR_OTHER":
			if f.ID == "KRB_ERROR_OTHER" && !a.errorIn(ix, f, 33) { // KRB_AP_ERR_TKT_NYV: a clock too
				continue
			}
			for _, k := range []decode.Kind{decode.KindAPReq, decode.KindTGSReq} {
				if m := a.decryptedIn(ix, f, k); m != nil && m.Decrypted.Authenticator != nil {
					f.Summary += " " + authSkew(m)
					break
				}
			}
		}
	}
}

// proofIndex maps a frame number to the indices of its messages that
// carry decryption results or a KRB-ERROR.
type proofIndex map[int][]int

// anyDecrypted reports whether keys were given and opened anything.
func (a *analyzer) anyDecrypted() bool {
	return a.scan.decrypted
}

// decryptedIn returns the message of kind k with decryption results among
// the frames of finding f, in the finding's capture.
func (a *analyzer) decryptedIn(ix proofIndex, f *Finding, k decode.Kind) *decode.Message {
	capture := -1
	if f.flow >= 0 && f.flow < len(a.res.Flows) {
		capture = a.res.Flows[f.flow].Capture
	}
	for _, fr := range f.Frames {
		for _, i := range ix[fr] {
			m := a.msg(i)
			if m.Kind == k && m.Decrypted != nil && (capture < 0 || m.Capture == capture) {
				return &m
			}
		}
	}
	return nil
}

// errorIn reports whether a KRB-ERROR with code among the finding's frames.
func (a *analyzer) errorIn(ix proofIndex, f *Finding, code int32) bool {
	for _, fr := range f.Frames {
		for _, i := range ix[fr] {
			m := a.msg(i)
			if m.Kind == decode.KindKRBError && int32(m.Krb().ErrorCode) == code {
				return true
			}
		}
	}
	return false
}

// ticketProof says whether the keys given open the ticket of AP-REQ m and,
// when none does, what the ticket needs and what the keytabs hold.
func ticketProof(m *decode.Message) string {
	t := m.Decrypted.Ticket
	need := fmt.Sprintf("%s", t.Etype)
	if t.Kvno >= 0 {
		need = fmt.Sprintf("kvno %d %s", t.Kvno, t.Etype)
	}
	owner := ""
	if tk := m.Krb().Ticket; tk != nil {
		owner = tk.SName.String() + "@" + tk.Realm
	}
	if t.Entry != nil {
		s := fmt.Sprintf("Keytab check: the ticket (%s) decrypts with %s from %s, so the keytab given holds the key the KDC used; "+
			"if the service reads this keytab, the rejection is not a key mismatch (look at the clock, replay cache, channel bindings or the service's own configuration)",
			need, t.Entry, t.Entry.Source)
		if p := t.Part; p != nil {
			s += fmt.Sprintf("; client %s", p.Client())
		}
		return s + "."
	}
	s := fmt.Sprintf("Keytab check: no key given decrypts the ticket, which needs %s of %s; the keytabs hold %s",
		need, orSPN(owner), entriesText(t.Available))
	return s + keyDiagnosis(t, owner) + "."
}

// keyDiagnosis names the likely mismatch between ticket and keytab.
func keyDiagnosis(t *kcrypt.TicketResult, owner string) string {
	sameEtype, sameKvno := false, false
	var kvnos []string
	for _, e := range t.Available {
		if e.Etype != t.Etype {
			continue
		}
		sameEtype = true
		if e.Kvno == t.Kvno {
			sameKvno = true
		}
		if strings.EqualFold(e.Principal, owner) {
			kvnos = append(kvnos, fmt.Sprint(e.Kvno))
		}
	}
	switch {
	case !sameEtype:
		return fmt.Sprintf(": no key of etype %s at all (the keytab lacks that etype)", t.Etype)
	case sameKvno:
		return fmt.Sprintf(": a key with kvno %d exists but is not the one the KDC used (the keytab was made from another password, or the SPN belongs to another account)", t.Kvno)
	case len(kvnos) > 0 && t.Kvno >= 0:
		return fmt.Sprintf(": the keytab's key for %s is kvno %s, the ticket needs kvno %d (a stale keytab: the account was re-keyed since)", owner, strings.Join(kvnos, ", "), t.Kvno)
	}
	return ""
}

func entriesText(es []kcrypt.Entry) string {
	if len(es) == 0 {
		return "no key"
	}
	var parts []string
	for _, e := range es {
		parts = append(parts, e.String())
	}
	return strings.Join(parts, ", ")
}

// authSkew states the clock offset of the client measured from the
// authenticator of message m against the capture's clock.
func authSkew(m *decode.Message) string {
	au := m.Decrypted.Authenticator
	d := au.CTime.Sub(m.Time).Seconds()
	return fmt.Sprintf("Decrypted authenticator of frame %d: the client's clock (ctime %s) was %s the capture's clock.",
		m.Frame, au.CTime.UTC().Format("2006-01-02T15:04:05.000000Z"), offset(d))
}
