package pac

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// GroupMembership is a GROUP_MEMBERSHIP (MS-PAC 2.2.2): a RID in a domain
// and its SE_GROUP_* attributes.
type GroupMembership struct {
	RID        uint32
	Attributes uint32
}

// SIDAttr is a KERB_SID_AND_ATTRIBUTES (MS-PAC 2.2.1).
type SIDAttr struct {
	SID        string
	Attributes uint32
}

// LogonInfo is the KERB_VALIDATION_INFO of the logon-information buffer
// (MS-PAC 2.5): who the user is to the service.
type LogonInfo struct {
	LogonTime, LogoffTime, KickOffTime                     time.Time
	PasswordLastSet, PasswordCanChange, PasswordMustChange time.Time
	EffectiveName, FullName, LogonScript, ProfilePath      string
	HomeDirectory, HomeDirectoryDrive                      string
	LogonCount, BadPasswordCount                           uint16
	UserID, PrimaryGroupID                                 uint32
	Groups                                                 []GroupMembership
	UserFlags                                              uint32
	LogonServer, LogonDomainName                           string
	LogonDomainSID                                         string
	UserAccountControl                                     uint32
	ExtraSIDs                                              []SIDAttr
	ResourceGroupDomainSID                                 string
	ResourceGroups                                         []GroupMembership
}

// UserSID is the logon domain SID with the user's RID.
func (l *LogonInfo) UserSID() string { return ridSID(l.LogonDomainSID, l.UserID) }

// GroupSIDs are the SIDs of the groups: the logon domain's groups, then the
// extra SIDs, then the resource groups.
func (l *LogonInfo) GroupSIDs() []string {
	out := make([]string, 0, len(l.Groups)+len(l.ExtraSIDs)+len(l.ResourceGroups))
	for _, g := range l.Groups {
		out = append(out, ridSID(l.LogonDomainSID, g.RID))
	}
	for _, s := range l.ExtraSIDs {
		out = append(out, s.SID)
	}
	for _, g := range l.ResourceGroups {
		out = append(out, ridSID(l.ResourceGroupDomainSID, g.RID))
	}
	return out
}

func ridSID(domain string, rid uint32) string {
	if domain == "" {
		return "RID " + strconv.FormatUint(uint64(rid), 10)
	}
	return domain + "-" + strconv.FormatUint(uint64(rid), 10)
}

// UserFlagNames names the user flags set (MS-PAC 2.5: LOGON_EXTRA_SIDS
// 0x20, LOGON_RESOURCE_GROUPS 0x200, and the MS-NRPC ones).
func (l *LogonInfo) UserFlagNames() []string {
	names := []struct {
		bit  uint32
		name string
	}{{0x1, "guest"}, {0x2, "no_encryption"}, {0x4, "cached_account"}, {0x8, "used_lm_password"},
		{0x20, "extra_sids"}, {0x40, "subauth_session_key"}, {0x80, "server_trust_account"},
		{0x100, "ntlmv2_enabled"}, {0x200, "resource_groups"}, {0x400, "profile_path_returned"},
		{0x800, "ntlmv2_used"}, {0x1000, "lmv2_used"}, {0x2000, "lmv2_ntlmv2_profile"}}
	var out []string
	rest := l.UserFlags
	for _, n := range names {
		if l.UserFlags&n.bit != 0 {
			out = append(out, n.name)
			rest &^= n.bit
		}
	}
	if rest != 0 {
		out = append(out, fmt.Sprintf("0x%x", rest))
	}
	return out
}

// parseLogonInfo decodes the NDR type serialisation of KERB_VALIDATION_INFO.
func parseLogonInfo(d []byte) (*LogonInfo, error) {
	hdr, _, err := wire.Bytes(d, 0, 16)
	if err != nil {
		return nil, wire.Errorf("pac", "logon_info.header", 0, err)
	}
	if hdr[0] != 1 || hdr[1] != 0x10 {
		return nil, wire.Errorf("pac", "logon_info.header", 0, fmt.Errorf("NDR version %d, data representation 0x%02x (want 1, little-endian 0x10): %w", hdr[0], hdr[1], wire.ErrUnsupported))
	}
	r := &ndr{b: d, off: 16, field: "referent"}
	if r.u32() == 0 {
		return nil, wire.Errorf("pac", "logon_info.referent", 16, fmt.Errorf("null pointer: %w", wire.ErrMalformed))
	}
	l := &LogonInfo{}
	p := r.fixed(l)
	r.deferred(l, p)
	return l, r.err
}

// ptrs are the pointers of the fixed part, whose referents follow it.
type ptrs struct {
	names                            [6]ustr // effective name .. home directory drive
	groups                           uint32
	groupCount                       uint32
	logonServer, logonDomain         ustr
	domainSID                        uint32
	sidCount                         uint32
	extraSIDs, resourceSID, resource uint32
	resourceCount                    uint32
}

// fixed reads the fixed part of KERB_VALIDATION_INFO in declaration order.
func (r *ndr) fixed(l *LogonInfo) ptrs {
	var p ptrs
	r.field = "times"
	times := []*time.Time{&l.LogonTime, &l.LogoffTime, &l.KickOffTime, &l.PasswordLastSet, &l.PasswordCanChange, &l.PasswordMustChange}
	for _, t := range times {
		*t = filetime(r.filetime())
	}
	r.field = "names"
	for i := range p.names {
		p.names[i] = r.ustr()
	}
	r.field = "counts"
	l.LogonCount, l.BadPasswordCount = r.u16(), r.u16()
	l.UserID, l.PrimaryGroupID = r.u32(), r.u32()
	p.groupCount, p.groups = r.u32(), r.u32()
	l.UserFlags = r.u32()
	r.field = "UserSessionKey"
	r.bytes(16)
	r.field = "LogonServer"
	p.logonServer, p.logonDomain = r.ustr(), r.ustr()
	p.domainSID = r.u32()
	r.field = "Reserved1"
	r.u32()
	r.u32()
	l.UserAccountControl = r.u32()
	r.u32()      // SubAuthStatus
	r.filetime() // LastSuccessfulILogon
	r.filetime() // LastFailedILogon
	r.u32()      // FailedILogonCount
	r.u32()      // Reserved3
	r.field = "ExtraSids"
	p.sidCount, p.extraSIDs = r.u32(), r.u32()
	p.resourceSID = r.u32()
	p.resourceCount, p.resource = r.u32(), r.u32()
	return p
}

// deferred reads the referents in the order of their pointers.
func (r *ndr) deferred(l *LogonInfo, p ptrs) {
	fields := []string{"EffectiveName", "FullName", "LogonScript", "ProfilePath", "HomeDirectory", "HomeDirectoryDrive"}
	dst := []*string{&l.EffectiveName, &l.FullName, &l.LogonScript, &l.ProfilePath, &l.HomeDirectory, &l.HomeDirectoryDrive}
	for i, s := range p.names {
		*dst[i] = r.deferredString(s, fields[i])
	}
	if p.groups != 0 {
		l.Groups = r.groups("GroupIds")
	}
	l.LogonServer = r.deferredString(p.logonServer, "LogonServer")
	l.LogonDomainName = r.deferredString(p.logonDomain, "LogonDomainName")
	if p.domainSID != 0 {
		l.LogonDomainSID = r.sid("LogonDomainId")
	}
	if p.extraSIDs != 0 {
		l.ExtraSIDs = r.extraSIDs()
	}
	if p.resourceSID != 0 {
		l.ResourceGroupDomainSID = r.sid("ResourceGroupDomainSid")
	}
	if p.resource != 0 {
		l.ResourceGroups = r.groups("ResourceGroupIds")
	}
}

func (r *ndr) groups(field string) []GroupMembership {
	r.field = field
	n := r.count(8)
	out := make([]GroupMembership, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, GroupMembership{RID: r.u32(), Attributes: r.u32()})
	}
	return out
}

// extraSIDs reads the KERB_SID_AND_ATTRIBUTES array, then the SIDs its
// elements point to.
func (r *ndr) extraSIDs() []SIDAttr {
	r.field = "ExtraSids"
	n := r.count(8)
	out := make([]SIDAttr, 0, n)
	ptr := make([]bool, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		ptr = append(ptr, r.u32() != 0)
		out = append(out, SIDAttr{Attributes: r.u32()})
	}
	for i := range out {
		if i < len(ptr) && ptr[i] && r.err == nil {
			out[i].SID = r.sid("ExtraSids.Sid")
		}
	}
	return out
}
