package flow

import (
	"strings"

	"github.com/kerbtrace/kerbtrace/decode"
)

// scan is what one pass over every message finds, so that the pairing and
// the capture-wide checks visit only the messages they are about instead
// of each walking the whole input again.
type scan struct {
	carried    []int32 // messages with a parent, in order
	dns        []int32 // DNS queries and responses, in order
	dnsQueries int
	kdc        []int32 // KDC requests and replies outside any carrier, in order
	kdcReqs    int
	http       []int32 // HTTP requests and responses, in order
	httpReqs   int
	carrier    []int32 // SMB2 and LDAP requests and responses pairCarriers pairs, in order
	truncated  []int32 // top-level messages cut short, in order
	realms     []string
	authSeen   bool // any message other than DNS and HTTP without authentication
	decrypted  bool // any message SetKeys opened
}

// carrierKind reports whether pairCarriers looks at messages of kind k:
// the requests and responses of carrierKinds.
func carrierKind(k decode.Kind) bool {
	switch k {
	case decode.KindSMB2NegotiateRequest, decode.KindSMB2NegotiateResponse,
		decode.KindSMB2SessionSetupRequest, decode.KindSMB2SessionSetupResponse,
		decode.KindLDAPBindRequest, decode.KindLDAPBindResponse:
		return true
	}
	return false
}

func (a *analyzer) scanMessages() {
	s := &a.scan
	n := a.in.Len()
	lastRealm := ""
	// Only the cheap accessors: building each Message would cost more
	// than the scan.
	in := a.in
	// The lists start at their size, counted first (a look at each
	// entry's kind): grown by appending, they allocated five times what
	// they keep (~15 MB at 20,000 flows, while the analysis's garbage
	// sets its peak). The other messages bound the KDC and carried ones.
	var nDNS, nHTTP int
	for i := range n {
		switch in.Kind(i) {
		case decode.KindDNSQuery, decode.KindDNSResponse:
			nDNS++
		case decode.KindHTTPRequest, decode.KindHTTPResponse:
			nHTTP++
		}
	}
	nOther := n - nDNS - nHTTP
	s.dns, s.http = make([]int32, 0, nDNS), make([]int32, 0, nHTTP)
	s.kdc, s.carried = make([]int32, 0, nOther), make([]int32, 0, nOther)
	for i := range in.Len() {
		f := in.Facts(i) // one look at the message, not one per field
		kind, parent := f.Kind, f.Parent
		if p := parent; p >= 0 && p < n {
			s.carried = append(s.carried, int32(i))
		}
		switch kind {
		case decode.KindDNSQuery:
			s.dns = append(s.dns, int32(i))
			s.dnsQueries++
		case decode.KindDNSResponse:
			s.dns = append(s.dns, int32(i))
		case decode.KindHTTPRequest:
			s.http = append(s.http, int32(i))
			s.httpReqs++
			if h := f.HTTP; h.Authorization != nil || len(h.WWWAuthenticate) > 0 {
				s.authSeen = true
			}
		case decode.KindHTTPResponse:
			s.http = append(s.http, int32(i))
			if h := f.HTTP; h.Authorization != nil || len(h.WWWAuthenticate) > 0 {
				s.authSeen = true
			}
		default:
			s.authSeen = true
			if f.Carrier == decode.CarrierNone && f.Krb != nil {
				switch {
				case isKDCRequest(kind):
					s.kdc = append(s.kdc, int32(i))
					s.kdcReqs++
				case isKDCReply(kind):
					s.kdc = append(s.kdc, int32(i))
				}
			}
			if carrierKind(kind) {
				s.carrier = append(s.carrier, int32(i))
			}
		}
		if parent < 0 && f.Truncated {
			s.truncated = append(s.truncated, int32(i))
		}
		if k := f.Krb; k != nil && k.Realm != "" && k.Realm != lastRealm {
			lastRealm = k.Realm
			s.realms = appendUniq(s.realms, strings.ToLower(k.Realm))
		}
		if f.Decrypted {
			s.decrypted = true
		}
	}
}
