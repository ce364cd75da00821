package smb2

import "fmt"

// Command is an SMB2 command code (MS-SMB2 2.2.1.2).
type Command uint16

// The SMB2 commands.
const (
	CmdNegotiate      Command = 0x00
	CmdSessionSetup   Command = 0x01
	CmdLogoff         Command = 0x02
	CmdTreeConnect    Command = 0x03
	CmdTreeDisconnect Command = 0x04
	CmdCreate         Command = 0x05
	CmdClose          Command = 0x06
	CmdFlush          Command = 0x07
	CmdRead           Command = 0x08
	CmdWrite          Command = 0x09
	CmdLock           Command = 0x0A
	CmdIoctl          Command = 0x0B
	CmdCancel         Command = 0x0C
	CmdEcho           Command = 0x0D
	CmdQueryDirectory Command = 0x0E
	CmdChangeNotify   Command = 0x0F
	CmdQueryInfo      Command = 0x10
	CmdSetInfo        Command = 0x11
	CmdOplockBreak    Command = 0x12
	CmdServerToClient Command = 0x13
)

var commandNames = [...]string{
	"NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT",
	"CREATE", "CLOSE", "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL",
	"ECHO", "QUERY_DIRECTORY", "CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO",
	"OPLOCK_BREAK", "SERVER_TO_CLIENT_NOTIFICATION",
}

// String returns the command name as MS-SMB2 spells it without the SMB2_
// prefix ("SESSION_SETUP") or "0x%04x" for unknown codes.
func (c Command) String() string {
	if int(c) < len(commandNames) {
		return commandNames[c]
	}
	return fmt.Sprintf("0x%04x", uint16(c))
}

// Status is the NTSTATUS (MS-ERREF 2.3) of an SMB2 response header.
type Status uint32

// The status codes that matter when a session setup or tree connect fails.
const (
	StatusSuccess                Status = 0x00000000
	StatusPending                Status = 0x00000103
	StatusBufferOverflow         Status = 0x80000005
	StatusNoMoreFiles            Status = 0x80000006
	StatusInvalidParameter       Status = 0xC000000D
	StatusMoreProcessingRequired Status = 0xC0000016
	StatusAccessDenied           Status = 0xC0000022
	StatusNoLogonServers         Status = 0xC000005E
	StatusNoSuchLogonSession     Status = 0xC000005F
	StatusNoSuchUser             Status = 0xC0000064
	StatusWrongPassword          Status = 0xC000006A
	StatusLogonFailure           Status = 0xC000006D
	StatusAccountRestriction     Status = 0xC000006E
	StatusPasswordExpired        Status = 0xC0000071
	StatusAccountDisabled        Status = 0xC0000072
	StatusBadTokenType           Status = 0xC00000A8
	StatusNotSupported           Status = 0xC00000BB
	StatusBadNetworkName         Status = 0xC00000CC
	StatusTimeDifferenceAtDC     Status = 0xC0000133
	StatusAccountExpired         Status = 0xC0000193
	StatusUserSessionDeleted     Status = 0xC0000203
	StatusPasswordMustChange     Status = 0xC0000224
	StatusAccountLockedOut       Status = 0xC0000234
	StatusKDCUnknownEtype        Status = 0xC00002FD
	StatusNetworkSessionExpired  Status = 0xC000035C
)

// statusNames spells the codes as MS-ERREF 2.3.1 does.
var statusNames = map[Status]string{
	StatusSuccess:                "STATUS_SUCCESS",
	StatusPending:                "STATUS_PENDING",
	0x0000010C:                   "STATUS_NOTIFY_ENUM_DIR",
	StatusBufferOverflow:         "STATUS_BUFFER_OVERFLOW",
	StatusNoMoreFiles:            "STATUS_NO_MORE_FILES",
	0x8000002D:                   "STATUS_STOPPED_ON_SYMLINK",
	0xC0000003:                   "STATUS_INVALID_INFO_CLASS",
	0xC0000008:                   "STATUS_INVALID_HANDLE",
	StatusInvalidParameter:       "STATUS_INVALID_PARAMETER",
	0xC000000F:                   "STATUS_NO_SUCH_FILE",
	0xC0000010:                   "STATUS_INVALID_DEVICE_REQUEST",
	0xC0000011:                   "STATUS_END_OF_FILE",
	StatusMoreProcessingRequired: "STATUS_MORE_PROCESSING_REQUIRED",
	StatusAccessDenied:           "STATUS_ACCESS_DENIED",
	0xC0000023:                   "STATUS_BUFFER_TOO_SMALL",
	0xC0000033:                   "STATUS_OBJECT_NAME_INVALID",
	0xC0000034:                   "STATUS_OBJECT_NAME_NOT_FOUND",
	0xC0000035:                   "STATUS_OBJECT_NAME_COLLISION",
	0xC000003A:                   "STATUS_OBJECT_PATH_NOT_FOUND",
	0xC0000043:                   "STATUS_SHARING_VIOLATION",
	0xC0000056:                   "STATUS_DELETE_PENDING",
	StatusNoLogonServers:         "STATUS_NO_LOGON_SERVERS",
	StatusNoSuchLogonSession:     "STATUS_NO_SUCH_LOGON_SESSION",
	StatusNoSuchUser:             "STATUS_NO_SUCH_USER",
	StatusWrongPassword:          "STATUS_WRONG_PASSWORD",
	0xC000006C:                   "STATUS_PASSWORD_RESTRICTION",
	StatusLogonFailure:           "STATUS_LOGON_FAILURE",
	StatusAccountRestriction:     "STATUS_ACCOUNT_RESTRICTION",
	0xC000006F:                   "STATUS_INVALID_LOGON_HOURS",
	0xC0000070:                   "STATUS_INVALID_WORKSTATION",
	StatusPasswordExpired:        "STATUS_PASSWORD_EXPIRED",
	StatusAccountDisabled:        "STATUS_ACCOUNT_DISABLED",
	0xC000009A:                   "STATUS_INSUFFICIENT_RESOURCES",
	StatusBadTokenType:           "STATUS_BAD_TOKEN_TYPE",
	0xC00000B5:                   "STATUS_IO_TIMEOUT",
	0xC00000BA:                   "STATUS_FILE_IS_A_DIRECTORY",
	StatusNotSupported:           "STATUS_NOT_SUPPORTED",
	0xC00000BE:                   "STATUS_BAD_NETWORK_PATH",
	0xC00000C9:                   "STATUS_NETWORK_NAME_DELETED",
	0xC00000CA:                   "STATUS_NETWORK_ACCESS_DENIED",
	StatusBadNetworkName:         "STATUS_BAD_NETWORK_NAME",
	0xC00000D0:                   "STATUS_REQUEST_NOT_ACCEPTED",
	0xC00000DF:                   "STATUS_NO_SUCH_DOMAIN",
	0xC0000103:                   "STATUS_NOT_A_DIRECTORY",
	0xC0000120:                   "STATUS_CANCELLED",
	0xC0000128:                   "STATUS_FILE_CLOSED",
	StatusTimeDifferenceAtDC:     "STATUS_TIME_DIFFERENCE_AT_DC",
	0xC000015B:                   "STATUS_LOGON_TYPE_NOT_GRANTED",
	0xC000018B:                   "STATUS_NO_TRUST_SAM_ACCOUNT",
	0xC000018C:                   "STATUS_TRUSTED_DOMAIN_FAILURE",
	0xC000018D:                   "STATUS_TRUSTED_RELATIONSHIP_FAILURE",
	StatusAccountExpired:         "STATUS_ACCOUNT_EXPIRED",
	0xC0000199:                   "STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT",
	StatusUserSessionDeleted:     "STATUS_USER_SESSION_DELETED",
	StatusPasswordMustChange:     "STATUS_PASSWORD_MUST_CHANGE",
	0xC0000225:                   "STATUS_NOT_FOUND",
	StatusAccountLockedOut:       "STATUS_ACCOUNT_LOCKED_OUT",
	0xC0000257:                   "STATUS_PATH_NOT_COVERED",
	0xC00002FA:                   "STATUS_SMARTCARD_LOGON_REQUIRED",
	0xC00002FB:                   "STATUS_KDC_INVALID_REQUEST",
	0xC00002FC:                   "STATUS_KDC_UNABLE_TO_REFER",
	StatusKDCUnknownEtype:        "STATUS_KDC_UNKNOWN_ETYPE",
	0xC0000320:                   "STATUS_PKINIT_FAILURE",
	StatusNetworkSessionExpired:  "STATUS_NETWORK_SESSION_EXPIRED",
	0xC0000388:                   "STATUS_DOWNGRADE_DETECTED",
	0xC0000413:                   "STATUS_AUTHENTICATION_FIREWALL_FAILED",
	0xC000A000:                   "STATUS_INVALID_SIGNATURE",
}

// String returns the status name ("STATUS_LOGON_FAILURE") or the value as
// "0x%08x".
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("0x%08x", uint32(s))
}

// IsError reports whether s has the error severity (the two top bits set,
// MS-ERREF 2.3). STATUS_MORE_PROCESSING_REQUIRED is one, although it only
// means "next leg" in a SESSION_SETUP response.
func (s Status) IsError() bool { return s>>30 == 3 }

// Session flags of a SESSION_SETUP response (MS-SMB2 2.2.6).
const (
	SessionFlagIsGuest     = 0x0001
	SessionFlagIsNull      = 0x0002
	SessionFlagEncryptData = 0x0004
)

// Message is one SMB2 message of a (possibly compounded) NBSS payload. The
// body fields are filled for the commands named in their comments and are
// zero otherwise.
type Message struct {
	Command   Command
	Response  bool   // SMB2_FLAGS_SERVER_TO_REDIR
	Status    Status // responses only; 0 in requests (ChannelSequence in SMB 3.x)
	MessageID uint64
	SessionID uint64
	TreeID    uint32 // sync header only; 0 in async messages
	Signed    bool   // SMB2_FLAGS_SIGNED

	// Dialect is the DialectRevision of a NEGOTIATE response: 0x0202,
	// 0x0210, 0x0300, 0x0302, 0x0311 or 0x02FF (SMB2 wildcard).
	Dialect uint16
	// SecurityBlob is the security buffer of a NEGOTIATE response or a
	// SESSION_SETUP request or response: the GSS-API / SPNEGO token (or a
	// raw NTLMSSP message). It is a sub-slice of the input, possibly
	// partial when Truncated is set.
	SecurityBlob []byte
	// SessionFlags are the SESSION_SETUP response flags (SessionFlag*).
	SessionFlags uint16
	// TreePath is the share path of a TREE_CONNECT request, such as
	// \\fs.kerbtrace.test\share.
	TreePath string

	// Truncated reports that the input ended inside this message: the
	// fields lying in the bytes present are filled.
	Truncated bool
}

// DialectName returns the name of m.Dialect ("SMB 3.1.1"), "" when no
// dialect is set, or "0x%04x" for unknown values.
func (m *Message) DialectName() string { return DialectName(m.Dialect) }

// DialectName names an SMB2 dialect revision: "SMB 2.0.2", "SMB 2.1",
// "SMB 3.0", "SMB 3.0.2", "SMB 3.1.1", "SMB 2.???" (0x02FF), "" for 0, or
// "0x%04x".
func DialectName(d uint16) string {
	switch d {
	case 0:
		return ""
	case 0x0202:
		return "SMB 2.0.2"
	case 0x0210:
		return "SMB 2.1"
	case 0x0300:
		return "SMB 3.0"
	case 0x0302:
		return "SMB 3.0.2"
	case 0x0311:
		return "SMB 3.1.1"
	case 0x02FF:
		return "SMB 2.???"
	}
	return fmt.Sprintf("0x%04x", d)
}
