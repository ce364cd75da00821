package decode

import (
	"net/netip"
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

// Kind names what a Message is. The values are the `kind` strings of the
// JSON contract (spec/report-json.md).
type Kind string

// The message kinds kerbtrace reports.
const (
	KindDNSQuery         Kind = "dns_query"
	KindDNSResponse      Kind = "dns_response"
	KindHTTPRequest      Kind = "http_request"
	KindHTTPResponse     Kind = "http_response"
	KindASReq            Kind = "as_req"
	KindASRep            Kind = "as_rep"
	KindTGSReq           Kind = "tgs_req"
	KindTGSRep           Kind = "tgs_rep"
	KindAPReq            Kind = "ap_req"
	KindAPRep            Kind = "ap_rep"
	KindKRBError         Kind = "krb_error"
	KindSPNEGOInit       Kind = "spnego_init"
	KindSPNEGOResp       Kind = "spnego_resp"
	KindNTLMNegotiate    Kind = "ntlm_negotiate"
	KindNTLMChallenge    Kind = "ntlm_challenge"
	KindNTLMAuthenticate Kind = "ntlm_authenticate"

	KindSMB2NegotiateRequest     Kind = "smb2_negotiate_request"
	KindSMB2NegotiateResponse    Kind = "smb2_negotiate_response"
	KindSMB2SessionSetupRequest  Kind = "smb2_session_setup_request"
	KindSMB2SessionSetupResponse Kind = "smb2_session_setup_response"
	KindLDAPBindRequest          Kind = "ldap_bind_request"
	KindLDAPBindResponse         Kind = "ldap_bind_response"
	KindCLDAPPing                Kind = "cldap_ping"
	KindCLDAPPingResponse        Kind = "cldap_ping_response"
)

// Carrier names the protocol that carried a Kerberos, SPNEGO or NTLM message.
type Carrier string

// The carriers. CarrierNone is Kerberos straight on UDP or TCP port 88.
const (
	CarrierNone Carrier = ""
	CarrierHTTP Carrier = "http"
	CarrierSMB2 Carrier = "smb2"
	CarrierLDAP Carrier = "ldap"
)

// Message is one decoded protocol message with where and when it was seen.
// Exactly one of the protocol pointers is set, matching Kind.
type Message struct {
	Capture   int       // index into Result.Captures
	Frame     int       // the frame that completed the message (Wireshark's number)
	Frames    []int     // every frame that carried part of it, ascending
	Time      time.Time // capture time of Frame, UTC
	Src, Dst  netip.AddrPort
	Transport string // "udp" or "tcp"
	Kind      Kind
	Carrier   Carrier
	Truncated bool   // the bytes ended before the message did
	Err       string // why decoding stopped early, when it did
	Parent    int    // index in Result.Messages of the carrying message (an HTTP head, a SPNEGO token), or -1
	Header    string // for tokens inside HTTP: "Authorization", "WWW-Authenticate", ...

	DNS    *dns.Message
	HTTP   *httpauth.Head
	Krb    *krb.Message
	SPNEGO *spnego.Token
	NTLM   *ntlm.Message
	SMB2   *smb2.Message
	LDAP   *ldap.Message

	// Decrypted is what the keys given to SetKeys revealed (kcrypt); nil
	// without keys or when the message has nothing they open.
	Decrypted *kcrypt.Result
}

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
	MidStream      bool // the capture holds no SYN: the connection was already open
	Gaps           int  // bytes never captured (TCP sequence holes)
	GapFrames      []int
}

// CaptureInfo describes one input file.
type CaptureInfo struct {
	File string
	capture.Info
}

// Result is everything the dissector found in the captures it was given.
type Result struct {
	Captures []CaptureInfo
	Messages []Message
	Conns    []Conn
	// Anomalies are messages that could not be decoded, with file, frame and offset.
	Anomalies []string
}
