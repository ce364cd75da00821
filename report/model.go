// Package report turns kerbtrace's analysis into the report users read and
// diff: a presentation-neutral model (the JSON contract of
// spec/report-json.md, which is also what the renderers read) and one
// renderer per file.
//
// Rendering is a pure function of the model: no clock, no map order, no
// environment, so the same input always gives the same bytes.
package report

import (
	"time"

	"github.com/kerbtrace/kerbtrace/flow"
)

// SchemaVersion is the value of the report's "version" key.
const SchemaVersion = "kerbtrace/1"

// Report is the whole analysis of one run.
type Report struct {
	Version  string    `json:"version"`
	Captures []Capture `json:"captures"`
	Messages []Message `json:"messages"`
	Flows    []Flow    `json:"flows"`
	Findings []Finding `json:"findings"`
	// Anomalies are the bytes kerbtrace could not decode, each naming the
	// file and frame ("x.pcap: frame 12: kerberos: ..."), in capture order.
	Anomalies []string `json:"anomalies"`
	// Frames are the UDP datagrams and TCP segments of the captures, for
	// the summary format with --all (framesummary.go); empty otherwise.
	Frames []TransportFrame `json:"frames,omitempty"`

	// stream, when set, gives the messages instead of Messages
	// (Options.StreamMessages).
	stream *messageStream
	// pending, when set, is the analysis still to come (BuildPending).
	pending <-chan *flow.Result
	// b is the builder of this report, with its caches.
	b *builder
}

// Capture describes one input file.
type Capture struct {
	File      string   `json:"file"`
	Format    string   `json:"format"`
	LinkTypes []string `json:"link_types"`
	Packets   int      `json:"packets"`
	Metadata  int      `json:"metadata_records,omitempty"` // numbered records that hold no packet (NetMon ETW events, pcapng custom blocks)
	First     string   `json:"first,omitempty"`
	Last      string   `json:"last,omitempty"`
	Warnings  []string `json:"warnings"`
}

// Answer is one DNS answer record.
type Answer struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Data string `json:"data"`
}

// Message is one decoded protocol message (spec/report-json.md "Message").
// Kind-specific keys are omitted when they do not apply.
type Message struct {
	Frame     int    `json:"frame"`
	Frames    []int  `json:"frames,omitempty"`
	Capture   int    `json:"capture"`
	Time      string `json:"time"`
	Src       string `json:"src"`
	Dst       string `json:"dst"`
	Transport string `json:"transport"`
	Kind      string `json:"kind"`
	Carrier   string `json:"carrier,omitempty"`
	Header    string `json:"header,omitempty"`

	// DNS
	ID      *uint16  `json:"id,omitempty"`
	QName   string   `json:"qname,omitempty"`
	QType   string   `json:"qtype,omitempty"`
	RCode   string   `json:"rcode,omitempty"`
	Answers []Answer `json:"answers,omitempty"`

	// HTTP
	Method          string   `json:"method,omitempty"`
	URI             string   `json:"uri,omitempty"`
	Host            string   `json:"host,omitempty"`
	Status          int      `json:"status,omitempty"`
	WWWAuthenticate []string `json:"www_authenticate,omitempty"`
	Authorization   string   `json:"authorization,omitempty"`
	Token           string   `json:"token,omitempty"`
	RawToken        string   `json:"raw_token,omitempty"`

	// Kerberos
	Realm       string   `json:"realm,omitempty"`
	CName       string   `json:"cname,omitempty"`
	SName       string   `json:"sname,omitempty"`
	Etypes      []string `json:"etypes,omitempty"`
	TicketEtype string   `json:"ticket_etype,omitempty"`
	TicketSName string   `json:"ticket_sname,omitempty"`
	TicketKvno  *int     `json:"ticket_kvno,omitempty"`
	KDCOptions  []string `json:"kdc_options,omitempty"`
	PAData      []string `json:"padata,omitempty"`
	ErrorCode   *int32   `json:"error_code,omitempty"`
	ErrorName   string   `json:"error_name,omitempty"`
	STime       string   `json:"stime,omitempty"`
	CTime       string   `json:"ctime,omitempty"`
	EText       string   `json:"e_text,omitempty"`
	NTStatus    string   `json:"nt_status,omitempty"`
	APOptions   []string `json:"ap_options,omitempty"`
	EncEtype    string   `json:"enc_part_etype,omitempty"`

	// Decrypted with --keytab / --password-file (ticket.go).
	Ticket        *TicketInfo        `json:"ticket,omitempty"`
	TGT           *TicketInfo        `json:"tgt,omitempty"`
	Authenticator *AuthenticatorInfo `json:"authenticator,omitempty"`
	EncPart       *EncPartInfo       `json:"enc_part,omitempty"`

	// NTLM
	Domain      string   `json:"domain,omitempty"`
	User        string   `json:"user,omitempty"`
	Workstation string   `json:"workstation,omitempty"`
	NTLMVersion string   `json:"version,omitempty"`
	NTLMFlags   []string `json:"ntlm_flags,omitempty"`
	TargetName  string   `json:"target_name,omitempty"`
	NTLMResp    string   `json:"ntlm_response,omitempty"`

	// SMB2 and LDAP
	Command    string `json:"command,omitempty"`
	SMBStatus  string `json:"smb_status,omitempty"`
	Dialect    string `json:"dialect,omitempty"`
	TreePath   string `json:"tree_path,omitempty"`
	BindDN     string `json:"bind_dn,omitempty"`
	AuthMethod string `json:"auth,omitempty"`
	Mechanism  string `json:"mechanism,omitempty"`
	ResultCode string `json:"result_code,omitempty"`
	Diagnostic string `json:"diagnostic,omitempty"`
	Filter     string `json:"filter,omitempty"`

	// SPNEGO
	MechTypes     []string `json:"mech_types,omitempty"`
	NegState      string   `json:"neg_state,omitempty"`
	SupportedMech string   `json:"supported_mech,omitempty"`

	Truncated bool   `json:"truncated,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Step is one of a flow's eight steps.
type Step struct {
	Step   string `json:"step"`
	Status string `json:"status"`
	Frames []int  `json:"frames"`
	Detail string `json:"detail"`
	// Refs ("file#frame") beside frames when several captures were merged
	// into one timeline: frame numbers alone are ambiguous then.
	Refs []string `json:"refs,omitempty"`
}

// Flow is one client's authentication to one service.
type Flow struct {
	Capture  int      `json:"capture"`
	Client   string   `json:"client"`
	User     string   `json:"user,omitempty"`
	Server   string   `json:"server"`
	Service  string   `json:"service"`
	SPN      string   `json:"spn,omitempty"`
	Steps    []Step   `json:"steps"`
	Outcome  string   `json:"outcome"`
	Findings []string `json:"findings"`
}

// Finding is one diagnosis.
type Finding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Client   string `json:"client,omitempty"`
	Server   string `json:"server,omitempty"`
	SPN      string `json:"spn,omitempty"`
	Frames   []int  `json:"frames"`
	Summary  string `json:"summary"`
	Cause    string `json:"cause"`
	Remedy   string `json:"remedy"`
	Flow     *int   `json:"flow,omitempty"`
	// Refs ("file#frame") beside frames when several captures were merged.
	Refs []string `json:"refs,omitempty"`
}

// timeText formats a time as the contract asks: RFC 3339 with nanoseconds, UTC.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	u := t.UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		return u.Format("2006-01-02T15:04:05.000000000Z")
	}
	var buf [32]byte
	return string(appendTimeText(buf[:0], u))
}
