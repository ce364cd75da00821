package report

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
)

// TransportFrame is one UDP datagram or TCP segment of a capture, listed
// by the summary format when --all asks for the frames that carry no
// decoded message.
type TransportFrame struct {
	Capture  int    `json:"capture"`
	Frame    int    `json:"frame"`
	Time     string `json:"time"`
	Src      string `json:"src"`
	Dst      string `json:"dst"`
	Protocol string `json:"protocol"` // "TCP" or "UDP"
	Summary  string `json:"summary"`
}

// NewTransportFrame returns the model of one frame; src and dst are
// written "ip:port" as in messages.
func NewTransportFrame(capture, frame int, t time.Time, src, dst netip.AddrPort, protocol, summary string) TransportFrame {
	return TransportFrame{Capture: capture, Frame: frame, Time: timeText(t), Src: src.String(), Dst: dst.String(),
		Protocol: protocol, Summary: summary}
}

// Summary writes one line per message in the manner of a Network Monitor
// frame summary:
//
//	frame time src -> dst protocol summary
//	46 10:41:07.5512820 client1.kerbtrace.test -> dc.kerbtrace.test KerberosV5 TGS Request Realm: ...
//
// The time is the capture's (UTC) with seven decimals as Network Monitor
// shows it; src and dst are the host names the capture's DNS answers give
// the addresses (the first answer seen wins), else the addresses, without
// ports. A frame that carries several messages (an HTTP request with its
// SPNEGO token and the Kerberos AP-REQ inside) has one line per message.
// When the report holds several captures, the frame is written
// "capture:frame" with the capture's index of the JSON report. The
// report's Frames (--all) fill in the frames that carry no message, in
// frame order. It reads the messages one at a time (Report.eachMessage).
func Summary(w io.Writer, r *Report, _ RenderOptions) error {
	bw := bufio.NewWriter(w)
	names := addressNames(r)
	multi := len(r.Captures) > 1
	fi := 0
	shown := map[[2]int]bool{}
	if len(r.Frames) > 0 {
		r.eachFrame(func(capture, frame int) { shown[[2]int{capture, frame}] = true })
	}
	writeFrames := func(capture, frame int) {
		for ; fi < len(r.Frames) && frameBefore(&r.Frames[fi], capture, frame); fi++ {
			f := &r.Frames[fi]
			if !shown[[2]int{f.Capture, f.Frame}] {
				summaryLine(bw, multi, f.Capture, f.Frame, f.Time, names.name(f.Capture, f.Src), names.name(f.Capture, f.Dst), f.Protocol, f.Summary)
			}
		}
	}
	r.eachMessage(nil, func(m *Message) {
		writeFrames(m.Capture, m.Frame+1)
		proto, text := messageSummary(m)
		summaryLine(bw, multi, m.Capture, m.Frame, m.Time, names.name(m.Capture, m.Src), names.name(m.Capture, m.Dst), proto, text)
	})
	writeFrames(int(^uint(0)>>1), 0)
	// The summary needs no flow: the analysis ran while it was written.
	r.Complete()
	return bw.Flush()
}

// frameBefore reports whether f comes before frame of capture.
func frameBefore(f *TransportFrame, capture, frame int) bool {
	return f.Capture < capture || f.Capture == capture && f.Frame < frame
}

func summaryLine(w *bufio.Writer, multi bool, capture, frame int, t, src, dst, proto, text string) {
	if multi {
		fmt.Fprintf(w, "%d:", capture)
	}
	fmt.Fprintf(w, "%d %s %s -> %s %s %s\n", frame, netmonTime(t), Sanitize(src), Sanitize(dst), proto, Sanitize(text))
}

// netmonTime turns an RFC 3339 time into Network Monitor's HH:MM:SS.fffffff.
func netmonTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "-"
	}
	return t.UTC().Format("15:04:05.0000000")
}

// hostNames maps, per capture, addresses to the names the capture's DNS
// answers give them.
type hostNames map[int]map[string]string

func addressNames(r *Report) hostNames {
	n := hostNames{}
	dnsAnswers := func(d *decode.Result, i int) bool {
		_, c := d.DNS(i)
		return c != nil && len(c.Answers) > 0
	}
	r.eachMessage(dnsAnswers, func(m *Message) {
		for _, a := range m.Answers {
			if a.Type != "A" && a.Type != "AAAA" {
				continue
			}
			ad, err := netip.ParseAddr(a.Data)
			if err != nil || a.Name == "" {
				continue
			}
			if n[m.Capture] == nil {
				n[m.Capture] = map[string]string{}
			}
			if _, ok := n[m.Capture][ad.String()]; !ok {
				n[m.Capture][ad.String()] = strings.TrimSuffix(a.Name, ".")
			}
		}
	})
	return n
}

// name returns the host name of "ip:port", else its address.
func (n hostNames) name(capture int, addr string) string {
	a := addr
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		a = ap.Addr().String()
	}
	if h, ok := n[capture][a]; ok {
		return h
	}
	if a == "" {
		return "-"
	}
	return a
}

// messageSummary returns the protocol name Network Monitor uses and the
// summary of one message.
func messageSummary(m *Message) (string, string) {
	proto, text := kindSummary(m)
	if m.Truncated {
		text += " [truncated]"
	}
	if m.Error != "" {
		text += " [error: " + m.Error + "]"
	}
	return proto, strings.TrimSpace(text)
}

func kindSummary(m *Message) (string, string) {
	switch {
	case strings.HasPrefix(m.Kind, "dns_"):
		return "DNS", dnsLine(m)
	case strings.HasPrefix(m.Kind, "http_"):
		return "HTTP", httpLine(m)
	case strings.HasPrefix(m.Kind, "spnego_"):
		return "SPNEGO", spnegoLine(m)
	case strings.HasPrefix(m.Kind, "ntlm_"):
		return "NLMP", ntlmLine(m)
	case strings.HasPrefix(m.Kind, "smb2_"):
		return "SMB2", smbLine(m)
	case strings.HasPrefix(m.Kind, "ldap_"):
		return "LDAP", ldapLine(m)
	case strings.HasPrefix(m.Kind, "cldap_"):
		return "CLDAP", cldapLine(m)
	}
	if s, ok := krbLine(m); ok {
		return "KerberosV5", s
	}
	return strings.ToUpper(m.Transport), m.Kind
}

// field appends " label: value" when value is set.
func field(b *strings.Builder, label, value string) {
	if value != "" {
		b.WriteString(" " + label + ": " + value)
	}
}

func dnsLine(m *Message) string {
	var b strings.Builder
	if m.Kind == "dns_query" {
		b.WriteString("Query")
	} else {
		b.WriteString("Response " + m.RCode)
	}
	if m.QType != "" || m.QName != "" {
		b.WriteString(" " + strings.TrimSpace(m.QType+" "+m.QName))
	}
	var ans []string
	for _, a := range m.Answers {
		if a.Type == "A" || a.Type == "AAAA" {
			ans = append(ans, a.Data)
		} else {
			ans = append(ans, a.Type+" "+a.Data)
		}
	}
	if len(ans) > 0 {
		b.WriteString(" -> " + strings.Join(ans, ", "))
	}
	return b.String()
}

func httpLine(m *Message) string {
	var b strings.Builder
	if m.Kind == "http_request" {
		b.WriteString(m.Method + " " + m.URI)
		field(&b, "Host", m.Host)
		field(&b, "Authorization", m.Authorization)
		return b.String()
	}
	b.WriteString("Response")
	if m.Status != 0 {
		b.WriteString(" " + strconv.Itoa(m.Status))
	}
	field(&b, "WWW-Authenticate", strings.Join(m.WWWAuthenticate, ", "))
	return b.String()
}

// krbNames are the Network Monitor names of the Kerberos messages.
var krbNames = map[string]string{
	"as_req": "AS Request", "as_rep": "AS Response", "tgs_req": "TGS Request", "tgs_rep": "TGS Response",
	"ap_req": "AP Request", "ap_rep": "AP Response",
}

func krbLine(m *Message) (string, bool) {
	var b strings.Builder
	switch m.Kind {
	case "krb_error":
		b.WriteString("KRB_ERROR: " + m.ErrorName)
		if m.ErrorCode != nil {
			fmt.Fprintf(&b, " (%d)", *m.ErrorCode)
		}
		field(&b, "Sname", m.SName)
		field(&b, "E-text", m.EText)
		field(&b, "NTSTATUS", m.NTStatus)
		return b.String(), true
	case "as_req":
		b.WriteString(krbNames[m.Kind])
		field(&b, "Cname", m.CName)
		field(&b, "Realm", m.Realm)
		field(&b, "Sname", m.SName)
	case "tgs_req":
		b.WriteString(krbNames[m.Kind])
		field(&b, "Realm", m.Realm)
		field(&b, "Sname", m.SName)
	case "as_rep", "tgs_rep":
		// The report's realm of a KDC reply is the client's (crealm).
		b.WriteString(krbNames[m.Kind])
		field(&b, "Crealm", m.Realm)
		field(&b, "Cname", m.CName)
		if m.TicketSName != "" {
			fmt.Fprintf(&b, " Ticket[Sname: %s]", m.TicketSName)
		}
	case "ap_req":
		b.WriteString(krbNames[m.Kind])
		if m.TicketSName != "" {
			fmt.Fprintf(&b, " Ticket[Realm: %s, Sname: %s]", m.Realm, m.TicketSName)
		}
	case "ap_rep":
		b.WriteString(krbNames[m.Kind])
	default:
		return "", false
	}
	return b.String(), true
}

// mechNames are the short names of the SPNEGO mechanisms.
var mechNames = map[string]string{
	"1.2.840.113554.1.2.2":   "Kerberos 5",
	"1.2.840.48018.1.2.2":    "MS Kerberos 5",
	"1.3.6.1.4.1.311.2.2.10": "NTLMSSP",
	"1.3.6.1.4.1.311.2.2.30": "NEGOEX",
	"1.2.840.113554.1.2.2.3": "Kerberos 5 user-to-user",
}

func mechName(oid string) string {
	if n, ok := mechNames[oid]; ok {
		return n
	}
	return oid
}

func spnegoLine(m *Message) string {
	var b strings.Builder
	if m.Kind == "spnego_init" {
		b.WriteString("NegTokenInit")
		var ms []string
		for _, o := range m.MechTypes {
			ms = append(ms, mechName(o))
		}
		field(&b, "MechTypes", strings.Join(ms, ", "))
		return b.String()
	}
	b.WriteString("NegTokenResp")
	field(&b, "NegState", m.NegState)
	if m.SupportedMech != "" {
		field(&b, "SupportedMech", mechName(m.SupportedMech))
	}
	return b.String()
}

func ntlmLine(m *Message) string {
	var b strings.Builder
	switch m.Kind {
	case "ntlm_negotiate":
		b.WriteString("NTLM NEGOTIATE_MESSAGE")
	case "ntlm_challenge":
		b.WriteString("NTLM CHALLENGE_MESSAGE")
		field(&b, "Target", m.TargetName)
	default:
		b.WriteString("NTLM AUTHENTICATE_MESSAGE")
		field(&b, "Domain", m.Domain)
		field(&b, "User", m.User)
		field(&b, "Workstation", m.Workstation)
	}
	return b.String()
}

func smbLine(m *Message) string {
	var b strings.Builder
	b.WriteString(m.Command)
	if strings.HasSuffix(m.Kind, "_response") {
		b.WriteString(" Response")
		if m.SMBStatus != "" {
			b.WriteString(" " + m.SMBStatus)
		}
	} else {
		b.WriteString(" Request")
	}
	field(&b, "Dialect", m.Dialect)
	field(&b, "Tree", m.TreePath)
	return b.String()
}

func ldapLine(m *Message) string {
	var b strings.Builder
	if m.Kind == "ldap_bind_response" {
		b.WriteString("bindResponse " + m.ResultCode)
		field(&b, "Diagnostic", m.Diagnostic)
		return b.String()
	}
	b.WriteString("bindRequest")
	field(&b, "Name", m.BindDN)
	field(&b, "Auth", strings.TrimSpace(m.AuthMethod+" "+m.Mechanism))
	return b.String()
}

func cldapLine(m *Message) string {
	var b strings.Builder
	if m.Kind == "cldap_ping" {
		b.WriteString("searchRequest (DC locator ping)")
		field(&b, "Filter", m.Filter)
		return b.String()
	}
	b.WriteString("searchResponse")
	if m.ResultCode != "" {
		b.WriteString(" " + m.ResultCode)
	}
	return b.String()
}
