package flow_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/internal/testutil"
)

// TestHARSteps: a HAR holds only HTTP, so the steps it cannot show are
// not_applicable (not missing), and no finding blames the capture for them.
func TestHARSteps(t *testing.T) {
	f, err := os.Open(filepath.Join(testutil.RepoRoot(t), "decode", "har", "testdata", "success.har"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := decode.NewDissector()
	if err := d.AddHAR("success.har", f); err != nil {
		t.Fatal(err)
	}
	r := flow.Analyze(d.Result())
	if len(r.Flows) != 1 {
		t.Fatalf("%d flows, want 1", len(r.Flows))
	}
	fl := r.Flows[0]
	want := map[flow.StepID]flow.Status{
		flow.StepNameResolution: flow.StatusNotApplicable, flow.StepConnect: flow.StatusNotApplicable,
		flow.StepAnonymousRequest: flow.StatusOK, flow.StepChallenge: flow.StatusOK,
		flow.StepTicketRequest: flow.StatusNotApplicable, flow.StepTicketReply: flow.StatusNotApplicable,
		flow.StepAuthenticatedRequest: flow.StatusOK, flow.StepAcceptance: flow.StatusOK,
	}
	for id, st := range want {
		if got := fl.Step(id).Status; got != st {
			t.Errorf("step %s = %s, want %s", id, got, st)
		}
	}
	if fl.Outcome != flow.OutcomeKerberosOK || fl.SPN != "HTTP/www.kerbtrace.test" {
		t.Errorf("outcome %s, SPN %s", fl.Outcome, fl.SPN)
	}
	if len(r.Findings) != 0 {
		t.Errorf("findings %v, want none", r.Findings)
	}
}

// TestLDAPAndSMBFlows: Microsoft's domain capture of an LDAP session
// (ms-prot-od-netcaps MS-ADOD Example 2.18; tshark shows the SMB2
// SESSION_SETUP with an AP-REQ at frame 16 answered at 18, and the SASL
// GSS-SPNEGO bindRequest with an AP-REQ at 42 answered by a successful
// bindResponse at 44).
func TestLDAPAndSMBFlows(t *testing.T) {
	r := sharedCapture(t, "ms-prot-od-netcaps/MS-ADOD_Example2_18_WS2019v2004_X64_Win10v2004_X64_Domain_ManageAccessControlOnDirectoryObjects.pcapng")
	cases := []struct {
		service, spn string
		auth, accept int
		negotiate    flow.Status
	}{
		{"cifs", "cifs/dc.contoso.com", 16, 18, flow.StatusOK},
		{"ldap", "ldap/dc.contoso.com", 42, 44, flow.StatusNotApplicable},
	}
	for _, c := range cases {
		var got *flow.Flow
		for i := range r.Flows {
			if r.Flows[i].Service == c.service && r.Flows[i].SPN == c.spn {
				got = &r.Flows[i]
				break
			}
		}
		if got == nil {
			t.Errorf("no %s flow for %s", c.service, c.spn)
			continue
		}
		if got.Outcome != flow.OutcomeKerberosOK {
			t.Errorf("%s: outcome %s", c.spn, got.Outcome)
		}
		if s := got.Step(flow.StepAnonymousRequest); s.Status != c.negotiate {
			t.Errorf("%s: step 3 %s", c.spn, s.Status)
		}
		if s := got.Step(flow.StepTicketRequest); s.Status != flow.StatusSkipped {
			t.Errorf("%s: step 5 %s, want skipped (ticket from cache)", c.spn, s.Status)
		}
		if s := got.Step(flow.StepAuthenticatedRequest); s.Status != flow.StatusOK || len(s.Frames) != 1 || s.Frames[0] != c.auth {
			t.Errorf("%s: step 7 %s %v, want ok [%d]", c.spn, s.Status, s.Frames, c.auth)
		}
		if s := got.Step(flow.StepAcceptance); s.Status != flow.StatusOK || len(s.Frames) != 1 || s.Frames[0] != c.accept {
			t.Errorf("%s: step 8 %s %v, want ok [%d]", c.spn, s.Status, s.Frames, c.accept)
		}
	}
}

// TestRepeatedSMBLogons: Wireshark's sample of SMB2 logons to a Windows 10
// share (arkime wireshark-smb-on-windows10.pcap; tshark shows NTLM
// SESSION_SETUPs refused with STATUS_LOGON_FAILURE at frames 46, 56, 66,
// 76 and 88, as "user" and "Tim Tester", then one accepted at frame 100 as
// "Willi Wireshark"). The refusals make one flow, the logon that worked
// another: the success is not hidden behind the first failure.
func TestRepeatedSMBLogons(t *testing.T) {
	r := sharedCapture(t, "arkime/wireshark-smb-on-windows10.pcap")
	var got []string
	for i := range r.Flows {
		fl := &r.Flows[i]
		if fl.Service != "cifs" {
			continue
		}
		acc := fl.Step(flow.StepAcceptance)
		got = append(got, fmt.Sprintf("%s %s %v", fl.User, acc.Status, acc.Frames))
	}
	want := []string{
		"user@DESKTOP-2AEFM7G failed [46]",
		"Willi Wireshark@DESKTOP-2AEFM7G ok [100]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cifs flows (user, acceptance):\n got %q\nwant %q", got, want)
	}
}

// TestNoTicketReasonSMB: Suricata's Zerologon sample reaches a share by IP
// address (tshark: SMB2 SESSION_SETUPs with NTLMSSP to 172.16.5.58, no
// TGS-REQ at all). Why no ticket was asked for is said in the terms of a
// share path, not of a URL.
func TestNoTicketReasonSMB(t *testing.T) {
	r := sharedCapture(t, "suricata-verify/dcerpc_zerologon__input.pcap")
	n := 0
	for _, fd := range r.Findings {
		if fd.ID != "KRB_NO_TICKET_REQUEST" {
			continue
		}
		n++
		if !strings.Contains(fd.Summary, `reached the share by IP address (\\172.16.5.58\...)`) || strings.Contains(fd.Summary, "URL") {
			t.Errorf("KRB_NO_TICKET_REQUEST: %q", fd.Summary)
		}
	}
	if n == 0 {
		t.Error("no KRB_NO_TICKET_REQUEST finding")
	}
}

// TestSecondLogonOtherName: Microsoft's sample of unjoining a domain
// member (MS-ADOD example 1.4) shows two SMB2 logons to the DC from one
// client: the machine's, with a cached ticket for cifs/PDC.contoso.com
// (SESSION_SETUP frame 10), then the Administrator's, who asks for a TGT
// (frames 34-44) and a ticket for cifs/PDC (52/56) and presents it in
// frame 71 (tshark: AP-REQs with those SNames). Both logons succeed, but
// with tickets for two names of the server they are two flows, and the
// second has its whole chain instead of being hidden in the first with
// its tickets left over as a ticket-only flow.
func TestSecondLogonOtherName(t *testing.T) {
	r := sharedCapture(t, "ms-prot-od-netcaps/MS-ADOD_Example1_4_Win2016_X64_Win2016_X64_Domain_UnjoiningADomainMember.cap")
	var got []string
	for i := range r.Flows {
		f := &r.Flows[i]
		got = append(got, fmt.Sprintf("%s %s %s user=%q tgs=%v ap=%v", f.Service, f.SPN, f.Outcome, f.User,
			f.Step(flow.StepTicketReply).Frames, f.Step(flow.StepAuthenticatedRequest).Frames))
	}
	want := []string{
		`cifs cifs/PDC.contoso.com kerberos_ok user="" tgs=[] ap=[10]`,
		`cifs cifs/PDC kerberos_ok user="Administrator@CONTOSO.COM" tgs=[56] ap=[71]`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flows:\n got %q\nwant %q", got, want)
	}
}

// TestPasswordChangeLogon: Microsoft's sample of changing a user's
// password (MS-ADOD example 2.4) is a SAMR session over SMB2 after one
// Kerberos logon to the DC (tshark: SESSION_SETUP frame 8 with an AP-REQ,
// realm CONTOSO.COM, sname cifs/DC.contoso.com, etype 18; frame 10 the
// response, NT status 0, negResult accept-completed), with no DNS and no
// KDC exchange in the capture. One flow, Kerberos that worked with a
// ticket from the client's cache, and nothing else to report.
func TestPasswordChangeLogon(t *testing.T) {
	r := sharedCapture(t, "ms-prot-od-netcaps/MS-ADOD_Example2_4_WS2019v2004_X64_Win10v2004_X64_Domain_ChangeAUserAccountsPassword.pcapng")
	var got []string
	for i := range r.Flows {
		f := &r.Flows[i]
		got = append(got, fmt.Sprintf("%s %s %s dns=%s tgs=%s ap=%v accepted=%v", f.Service, f.SPN, f.Outcome,
			f.Step(flow.StepNameResolution).Status, f.Step(flow.StepTicketReply).Status,
			f.Step(flow.StepAuthenticatedRequest).Frames, f.Step(flow.StepAcceptance).Frames))
	}
	for _, fd := range r.Findings {
		got = append(got, fmt.Sprintf("%s %v", fd.ID, fd.Frames))
	}
	want := []string{
		"cifs cifs/DC.contoso.com kerberos_ok dns=missing tgs=skipped ap=[8] accepted=[10]",
		"KRB_TICKET_FROM_CACHE [8]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flows and findings:\n got %q\nwant %q", got, want)
	}
}

// TestLocalAccountNoTicket: in two of Microsoft's samples the client opens
// a share as ENDPOINT01\Administrator (tshark: NTLMSSP AUTHENTICATE with
// domain and host name ENDPOINT01, against a CHALLENGE from CONTOSO), an
// account of the client machine, which no KDC knows: the reason it asked
// for no ticket says so first, and keeps the IP address it also used.
func TestLocalAccountNoTicket(t *testing.T) {
	for _, c := range []struct {
		path string
		want []string
	}{
		{"ms-prot-od-netcaps/MS-FASOD_Example2_Win2019v2004_X64_Win10v2004_X64_Domain.pcapng",
			[]string{`logged on with ENDPOINT01\Administrator, an account of the client machine itself`}},
		{"ms-prot-od-netcaps/MS-ADOD_Example1_4_WS2019v2004_X64_Win10v2004_X64_Domain_UnjoiningADomainMember.pcapng",
			[]string{`logged on with ENDPOINT01\Administrator, an account of the client machine itself`,
				`besides, the client reached the share by IP address (\\192.168.0.1\...)`}},
	} {
		r := sharedCapture(t, c.path)
		n := 0
		for _, fd := range r.Findings {
			if fd.ID != "KRB_NO_TICKET_REQUEST" && fd.ID != "HTTP_NTLM_FALLBACK" {
				continue
			}
			n++
			for _, w := range c.want {
				if !strings.Contains(fd.Summary, w) {
					t.Errorf("%s: %s: %q lacks %q", filepath.Base(c.path), fd.ID, fd.Summary, w)
				}
			}
		}
		if n != 2 {
			t.Errorf("%s: %d KRB_NO_TICKET_REQUEST and HTTP_NTLM_FALLBACK findings, want 2", filepath.Base(c.path), n)
		}
	}
}

// TestSMBTransportRace: Zeek's smb2-zero-byte-error-ioctl sample shows a
// Windows client opening TCP 445 and 139 of a server at once (tshark: SYN
// to 445 in frame 1 and 9, answered; SYN to 139 in frame 4, reset in frame
// 6, 2 ms before the second 445 SYN). The refused 139 is the losing half
// of that race, not a failed connection: no TCP_CONNECT_FAILED, one flow.
func TestSMBTransportRace(t *testing.T) {
	r := sharedCapture(t, "zeek/smb2-zero-byte-error-ioctl.pcapng")
	for _, fd := range r.Findings {
		if fd.ID == "TCP_CONNECT_FAILED" {
			t.Errorf("TCP_CONNECT_FAILED: %s", fd.Summary)
		}
	}
	if len(r.Flows) != 1 || r.Flows[0].Step(flow.StepConnect).Status != flow.StatusOK {
		t.Errorf("%d flows, want the one over 445", len(r.Flows))
	}
}
