// Package flow rebuilds each client's authentication sequence from decoded
// messages and checks it against the expected flow of spec/flow.md: eight
// steps per (client, target service), an outcome, and findings from the
// catalogue of spec/findings.md with frame numbers as evidence.
//
// It knows nothing of output formats (package report renders its Result) and
// nothing of packets (package decode produced its input).
package flow

import (
	"net/netip"
	"strconv"
)

// StepID names one of the eight steps of the expected flow. It is a small
// number (a flow holds eight steps, a big capture tens of thousands of
// flows); String gives its name in the report ("name_resolution").
type StepID uint8

// The eight steps, in order (spec/flow.md).
const (
	StepNameResolution StepID = iota + 1
	StepConnect
	StepAnonymousRequest
	StepChallenge
	StepTicketRequest
	StepTicketReply
	StepAuthenticatedRequest
	StepAcceptance
)

var stepNames = [...]string{"", "name_resolution", "connect", "anonymous_request", "challenge",
	"ticket_request", "ticket_reply", "authenticated_request", "acceptance"}

// String returns the step's name in the report ("ticket_request"), "" for
// the zero StepID.
func (id StepID) String() string {
	if int(id) < len(stepNames) {
		return stepNames[id]
	}
	return "step(" + strconv.Itoa(int(id)) + ")"
}

// Steps lists the step ids in flow order.
var Steps = [8]StepID{
	StepNameResolution, StepConnect, StepAnonymousRequest, StepChallenge,
	StepTicketRequest, StepTicketReply, StepAuthenticatedRequest, StepAcceptance,
}

// Status is how a step went; String gives its name in the report ("ok").
type Status uint8

// Step statuses.
const (
	StatusOK Status = iota + 1
	StatusFailed
	StatusMissing
	StatusSkipped
	StatusNotApplicable
)

var statusNames = [...]string{"", "ok", "failed", "missing", "skipped", "not_applicable"}

// String returns the status's name in the report ("not_applicable"), ""
// for the zero Status.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Outcome is how a whole flow ended.
type Outcome string

// Flow outcomes.
const (
	OutcomeKerberosOK   Outcome = "kerberos_ok"
	OutcomeNTLMFallback Outcome = "ntlm_fallback"
	OutcomeFailed       Outcome = "failed"
	OutcomeIncomplete   Outcome = "incomplete"
)

// Severity orders findings.
type Severity int

// Severities, most severe last so that comparisons read naturally.
const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityError
)

var severityNames = [...]string{"info", "warning", "error"}

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	if int(s) < len(severityNames) && s >= 0 {
		return severityNames[s]
	}
	return "unknown"
}

// ParseSeverity maps a name to a Severity.
func ParseSeverity(name string) (Severity, bool) {
	for i, n := range severityNames {
		if n == name {
			return Severity(i), true
		}
	}
	return 0, false
}

// Step is one step of a flow as the capture shows it.
type Step struct {
	ID     StepID
	Status Status
	Frames []int
	Detail string
}

// Flow is one client's attempt to authenticate to one service.
type Flow struct {
	Capture int
	Client  netip.Addr
	User    string // name@REALM, when any message names it
	Server  string // host name as the client used it, else its address
	Service string // "http", "cifs", "ldap", "krbtgt", ...
	SPN     string
	Steps   [8]Step
	// StepRefs name the frames of each step (in the order of Steps) as
	// "file#frame", in timeline order, when several captures were merged
	// (Frames alone are ambiguous then); else nil. They are apart from
	// the steps, which a big capture holds hundreds of thousands of: Refs
	// gives a step's.
	StepRefs [][]string
	Outcome  Outcome
	Findings []string // ids, in the order of Result.Findings
	Messages []int    // indices into the decode.Result messages of this flow
	first    int      // first frame, for ordering
}

// ServiceAccount is the Service of a flow whose ticket names an account (a
// principal of one component, such as a machine's own MACHINE$) rather
// than a service on a host; its Server is then that account name.
const ServiceAccount = "account"

// Step returns the step with the given id.
func (f *Flow) Step(id StepID) *Step {
	if i := int(id) - 1; i >= 0 && i < len(f.Steps) && f.Steps[i].ID == id {
		return &f.Steps[i] // where newFlow puts it
	}
	for i := range f.Steps {
		if f.Steps[i].ID == id {
			return &f.Steps[i]
		}
	}
	return nil
}

// Refs returns the "file#frame" names of the frames of f.Steps[i] when
// several captures were merged, else nil (StepRefs).
func (f *Flow) Refs(i int) []string {
	if i < 0 || i >= len(f.StepRefs) {
		return nil
	}
	return f.StepRefs[i]
}

// Finding is one diagnosis with its evidence.
type Finding struct {
	ID       string
	Severity Severity
	Client   string
	Server   string
	SPN      string
	Frames   []int
	Summary  string
	Cause    string
	Remedy   string
	Refs     []string // frames as "file#frame" when several captures were merged, else nil
	flow     int      // index of the flow it belongs to, -1 for capture-wide findings
}

// Result is the analysis of a set of captures.
type Result struct {
	Flows    []Flow
	Findings []Finding
}
