package decode

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/capture"
	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/decode/httpauth"
	"github.com/kerbtrace/kerbtrace/decode/kcrypt"
	"github.com/kerbtrace/kerbtrace/decode/krb"
	"github.com/kerbtrace/kerbtrace/decode/ldap"
	"github.com/kerbtrace/kerbtrace/decode/ntlm"
	"github.com/kerbtrace/kerbtrace/decode/smb2"
	"github.com/kerbtrace/kerbtrace/decode/spnego"
)

// Kind names what a Message is. Its String is the `kind` string of the
// JSON contract (spec/report-json.md). A Kind is one byte, so that a
// message is small: a capture holds hundreds of thousands of them.
type Kind uint8

// The message kinds kerbtrace reports. KindNone is the zero Kind, for no
// message.
const (
	KindNone Kind = iota
	KindDNSQuery
	KindDNSResponse
	KindHTTPRequest
	KindHTTPResponse
	KindASReq
	KindASRep
	KindTGSReq
	KindTGSRep
	KindAPReq
	KindAPRep
	KindKRBError
	KindSPNEGOInit
	KindSPNEGOResp
	KindNTLMNegotiate
	KindNTLMChallenge
	KindNTLMAuthenticate

	KindSMB2NegotiateRequest
	KindSMB2NegotiateResponse
	KindSMB2SessionSetupRequest
	KindSMB2SessionSetupResponse
	KindLDAPBindRequest
	KindLDAPBindResponse
	KindCLDAPPing
	KindCLDAPPingResponse

	// Kinds no flow step uses, named as the decoders name them.
	KindTGTReq      // user-to-user TGT-REQ
	KindTGTRep      // user-to-user TGT-REP
	KindKRBSafe     // KRB-SAFE
	KindKRBPriv     // KRB-PRIV
	KindKRBCred     // KRB-CRED
	KindNTLMUnknown // an NTLMSSP message of no known type

	numKinds // the number of kinds, KindNone included
)

// kindNames are the JSON names of the kinds, by value.
var kindNames = [numKinds]string{
	KindNone: "", KindDNSQuery: "dns_query", KindDNSResponse: "dns_response",
	KindHTTPRequest: "http_request", KindHTTPResponse: "http_response",
	KindASReq: "as_req", KindASRep: "as_rep", KindTGSReq: "tgs_req", KindTGSRep: "tgs_rep",
	KindAPReq: "ap_req", KindAPRep: "ap_rep", KindKRBError: "krb_error",
	KindSPNEGOInit: "spnego_init", KindSPNEGOResp: "spnego_resp",
	KindNTLMNegotiate: "ntlm_negotiate", KindNTLMChallenge: "ntlm_challenge",
	KindNTLMAuthenticate:     "ntlm_authenticate",
	KindSMB2NegotiateRequest: "smb2_negotiate_request", KindSMB2NegotiateResponse: "smb2_negotiate_response",
	KindSMB2SessionSetupRequest: "smb2_session_setup_request", KindSMB2SessionSetupResponse: "smb2_session_setup_response",
	KindLDAPBindRequest: "ldap_bind_request", KindLDAPBindResponse: "ldap_bind_response",
	KindCLDAPPing: "cldap_ping", KindCLDAPPingResponse: "cldap_ping_response",
	KindTGTReq: "krb_16", KindTGTRep: "krb_17", KindKRBSafe: "krb_20", KindKRBPriv: "krb_21",
	KindKRBCred: "krb_22", KindNTLMUnknown: "ntlm_unknown",
}

// krbKind returns the Kind of a Kerberos message of type t.
func krbKind(t krb.MsgType) Kind {
	switch t {
	case krb.MsgASReq:
		return KindASReq
	case krb.MsgASRep:
		return KindASRep
	case krb.MsgTGSReq:
		return KindTGSReq
	case krb.MsgTGSRep:
		return KindTGSRep
	case krb.MsgAPReq:
		return KindAPReq
	case krb.MsgAPRep:
		return KindAPRep
	case krb.MsgKRBError:
		return KindKRBError
	}
	k, _ := ParseKind(t.Kind())
	return k
}

// ntlmKind returns the Kind of an NTLMSSP message of type t.
func ntlmKind(t ntlm.MsgType) Kind {
	k, _ := ParseKind(t.Kind())
	return k
}

// String returns the JSON name of k ("dns_query", ...), "" for KindNone
// and "kind(N)" for a value that names no kind.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind returns the Kind whose JSON name is s.
func ParseKind(s string) (Kind, bool) {
	for k, name := range kindNames {
		if name == s && s != "" {
			return Kind(k), true
		}
	}
	return KindNone, false
}

// Carrier names the protocol that carried a Kerberos, SPNEGO or NTLM
// message. Its String is the `carrier` string of the JSON contract.
type Carrier uint8

// The carriers. CarrierNone is Kerberos straight on UDP or TCP port 88.
const (
	CarrierNone Carrier = iota
	CarrierHTTP
	CarrierSMB2
	CarrierLDAP
)

// String returns "" for CarrierNone, else "http", "smb2" or "ldap".
func (c Carrier) String() string {
	switch c {
	case CarrierNone:
		return ""
	case CarrierHTTP:
		return "http"
	case CarrierSMB2:
		return "smb2"
	case CarrierLDAP:
		return "ldap"
	}
	return "carrier(" + strconv.Itoa(int(c)) + ")"
}

// Transport is the transport protocol that carried a message.
type Transport uint8

// The transports. TransportNone is the zero Transport: not known.
const (
	TransportNone Transport = iota
	TransportUDP
	TransportTCP
)

// String returns "udp", "tcp", or "" for TransportNone.
func (t Transport) String() string {
	switch t {
	case TransportNone:
		return ""
	case TransportUDP:
		return "udp"
	case TransportTCP:
		return "tcp"
	}
	return "transport(" + strconv.Itoa(int(t)) + ")"
}

// Message is one decoded protocol message with where and when it was seen.
// Body holds the decoded protocol message, matching Kind; the methods DNS,
// HTTP, Krb, SPNEGO, NTLM, SMB2 and LDAP return it by its type. The
// fields are laid out to keep a Message small (200 bytes on 64-bit).
type Message struct {
	Capture  int       // index into Result.Captures
	Frame    int       // the frame that completed the message (Wireshark's number)
	Frames   []int     // every frame that carried part of it, ascending
	Time     time.Time // capture time of Frame, UTC
	Src, Dst netip.AddrPort
	Parent   int    // index in the Result (Result.Message) of the carrying message (an HTTP head, a SPNEGO token), or -1
	Err      string // why decoding stopped early, when it did
	Header   string // for tokens inside HTTP: "Authorization", "WWW-Authenticate", ...

	// Body is the decoded message: *dns.Message, *httpauth.Head,
	// *krb.Message, *spnego.Token, *ntlm.Message, *smb2.Message or
	// *ldap.Message; nil when there is none. The bytes of a token it
	// carries are decoded into messages of their own (their Parent is
	// this one) and not kept: a SPNEGO token's inner tokens, an SMB2
	// security blob and LDAP bind credentials are nil, and so is an HTTP
	// challenge's Token after Dissector.DropTokens.
	Body any

	// Decrypted is what the keys given to SetKeys revealed (kcrypt); nil
	// without keys or when the message has nothing they open.
	Decrypted *kcrypt.Result

	Kind      Kind
	Carrier   Carrier
	Transport Transport
	Truncated bool // the bytes ended before the message did
}

// DNS returns the DNS message of m, or nil.
func (m *Message) DNS() *dns.Message { p, _ := m.Body.(*dns.Message); return p }

// HTTP returns the HTTP head of m, or nil.
func (m *Message) HTTP() *httpauth.Head { p, _ := m.Body.(*httpauth.Head); return p }

// Krb returns the Kerberos message of m, or nil.
func (m *Message) Krb() *krb.Message { p, _ := m.Body.(*krb.Message); return p }

// SPNEGO returns the SPNEGO token of m, or nil.
func (m *Message) SPNEGO() *spnego.Token { p, _ := m.Body.(*spnego.Token); return p }

// NTLM returns the NTLMSSP message of m, or nil.
func (m *Message) NTLM() *ntlm.Message { p, _ := m.Body.(*ntlm.Message); return p }

// SMB2 returns the SMB2 message of m, or nil.
func (m *Message) SMB2() *smb2.Message { p, _ := m.Body.(*smb2.Message); return p }

// LDAP returns the LDAP message of m, or nil.
func (m *Message) LDAP() *ldap.Message { p, _ := m.Body.(*ldap.Message); return p }

// Conn is what the capture shows of one TCP connection that carried, or was
// opened to carry, authentication traffic: its handshake and its health.
type Conn struct {
	Capture        int
	Client, Server netip.AddrPort
	SYN            []int // frames of the client's SYNs (more than one: retransmitted)
	SYNACK         int   // frame of the server's SYN-ACK, 0 when not seen
	RST            int   // frame of the first RST, 0 when none
	RSTFromServer  bool
	FirstFrame     int
	FirstTime      time.Time
	MidStream      bool  // the capture holds no SYN: the connection was already open
	Gaps           int   // bytes never captured (TCP sequence holes)
	GapFrames      []int // per hole, the first frame with data after it
}

// CaptureInfo describes one input file.
type CaptureInfo struct {
	File string
	capture.Info
}

// Result is everything the dissector found in the captures it was given.
//
// Its messages are read by index, in capture order, then frame order:
// Len and Message. A decoded result keeps them compact and builds each
// Message when it is read, so that a capture of a million messages holds
// no million Messages.
type Result struct {
	Captures []CaptureInfo
	Conns    []Conn
	// Anomalies are messages that could not be decoded, with file, frame and offset.
	Anomalies []string

	msgs msgTable
}

// Len returns the number of messages.
func (r *Result) Len() int { return r.msgs.len() }

// Message returns message i, 0 <= i < Len(). The Message is a copy: changing
// it changes nothing in r (what its Body points at is shared).
func (r *Result) Message(i int) Message { return r.msgs.message(i) }

// MessageHead returns message i but for its Body, which it leaves nil:
// for a reader that takes the body from an accessor that makes none
// (DNS), where Message would make one.
func (r *Result) MessageHead(i int) Message { return r.msgs.messageHead(i) }

// Kind returns the Kind of message i, without building the Message.
func (r *Result) Kind(i int) Kind {
	e, m := r.msgs.find(i)
	if e == nil {
		return m.Kind
	}
	return e.kind
}

// Transport returns the Transport of message i, without building the
// Message.
func (r *Result) Transport(i int) Transport {
	e, m := r.msgs.find(i)
	if e == nil {
		return m.Transport
	}
	return e.transport
}

// Frame returns the Frame of message i, without building the Message.
func (r *Result) Frame(i int) int {
	e, m := r.msgs.find(i)
	if e == nil {
		return m.Frame
	}
	return int(e.frame)
}

// Capture returns the Capture of message i, without building the Message.
func (r *Result) Capture(i int) int {
	e, m := r.msgs.find(i)
	if e == nil {
		return m.Capture
	}
	return int(e.capture)
}

// Parent returns the Parent of message i, without building the Message.
func (r *Result) Parent(i int) int {
	e, m := r.msgs.find(i)
	if e == nil {
		return m.Parent
	}
	return e.parentIdx()
}

// Addrs returns the Src and Dst of message i, without building the
// Message.
func (r *Result) Addrs(i int) (src, dst netip.AddrPort) { return r.msgs.addrs(i) }

// Body returns the Body of message i, without building the Message.
func (r *Result) Body(i int) any {
	e, m := r.msgs.find(i)
	if e == nil {
		return m.Body
	}
	return e.bodyOf()
}

// DNS returns the ID and content of message i when it is a DNS message (c
// is nil otherwise), without building the Message or its Body.
func (r *Result) DNS(i int) (id uint16, c *dns.Content) {
	e, m := r.msgs.find(i)
	if e == nil {
		if dm := m.DNS(); dm != nil {
			return dm.ID, dm.Content
		}
		return 0, nil
	}
	return e.dns()
}

// Krb returns the Kerberos message i holds, or nil, without building the
// Message or its Body. So do HTTP, SPNEGO and NTLM for theirs.
func (r *Result) Krb(i int) *krb.Message { return bodyAs[krb.Message](r, i, bodyKrb) }

// HTTP returns the HTTP head message i holds, or nil (Krb).
func (r *Result) HTTP(i int) *httpauth.Head { return bodyAs[httpauth.Head](r, i, bodyHTTP) }

// SPNEGO returns the SPNEGO token message i holds, or nil (Krb).
func (r *Result) SPNEGO(i int) *spnego.Token { return bodyAs[spnego.Token](r, i, bodySPNEGO) }

// NTLM returns the NTLMSSP message i holds, or nil (Krb).
func (r *Result) NTLM(i int) *ntlm.Message { return bodyAs[ntlm.Message](r, i, bodyNTLM) }

// bodyAs returns the body of message i when it is a *T (tagged t in a
// compact entry), else nil.
func bodyAs[T any](r *Result, i int, t bodyTag) *T {
	e, m := r.msgs.find(i)
	if e == nil {
		p, _ := m.Body.(*T)
		return p
	}
	return (*T)(e.bodyIf(t))
}

// Carrier returns the Carrier of message i, without building the Message.
func (r *Result) Carrier(i int) Carrier {
	e, m := r.msgs.find(i)
	if e == nil {
		return m.Carrier
	}
	return e.carrier
}

// Truncated returns the Truncated of message i, without building the
// Message.
func (r *Result) Truncated(i int) bool {
	e, m := r.msgs.find(i)
	if e == nil {
		return m.Truncated
	}
	return e.truncated()
}

// Decrypted returns the Decrypted of message i, without building the
// Message.
func (r *Result) Decrypted(i int) *kcrypt.Result {
	if _, m := r.msgs.find(i); m != nil {
		return m.Decrypted
	}
	return nil // the compact form never holds a decrypted message
}

// Facts are the fields of a message that a pass over all of them reads,
// found with one look at its entry: each accessor above looks again (a
// pass over 215,000 messages made ~1.5 million looks).
type Facts struct {
	Kind      Kind
	Carrier   Carrier
	Truncated bool
	Decrypted bool // Decrypted(i) != nil
	Parent    int
	Krb       *krb.Message   // Krb(i)
	HTTP      *httpauth.Head // HTTP(i)
}

// Facts returns the Facts of message i, without building the Message.
func (r *Result) Facts(i int) Facts {
	e, m := r.msgs.find(i)
	if e == nil {
		f := Facts{Kind: m.Kind, Carrier: m.Carrier, Truncated: m.Truncated, Decrypted: m.Decrypted != nil, Parent: m.Parent}
		f.Krb, _ = m.Body.(*krb.Message)
		f.HTTP, _ = m.Body.(*httpauth.Head)
		return f
	}
	return Facts{Kind: e.kind, Carrier: e.carrier, Truncated: e.truncated(), Parent: e.parentIdx(),
		Krb: (*krb.Message)(e.bodyIf(bodyKrb)), HTTP: (*httpauth.Head)(e.bodyIf(bodyHTTP))}
}

// All returns a copy of every message, in order: for tests and for small
// results; a large one is better read message by message.
func (r *Result) All() []Message {
	ms := make([]Message, r.Len())
	for i := range ms {
		ms[i] = r.Message(i)
	}
	return ms
}

// AppendMessage adds m after the messages of r, kept in the compact form a
// decoded result keeps its own (some 50 bytes a message, against 200 for a
// Message): for a result rewritten message by message, where a list of
// all of them would hold as much again as the result it comes from (a
// merge of captures). Its Parent must index a message of r, or be -1. A
// result whose messages were set with SetMessages takes m into its list.
func (r *Result) AppendMessage(m Message) {
	t := &r.msgs
	if t.list != nil {
		t.list = append(t.list, m)
		return
	}
	if len(t.stores) == 0 {
		t.stores = []msgStore{{}}
	}
	s := len(t.stores) - 1
	t.at = append(t.at, msgRef{uint32(s), uint32(t.stores[s].add(&m))})
}

// SetMessages makes ms the messages of r, in that order, replacing any it
// had: for results built by hand or rewritten (a merge of captures).
// Each Parent must index ms, or be -1.
func (r *Result) SetMessages(ms []Message) {
	if ms == nil {
		ms = []Message{}
	}
	r.msgs = msgTable{list: ms}
}
