package ntlm

// Message is one decoded NTLM message. Which fields are filled depends on
// Type; fields that the message does not carry stay zero.
//
// When the input ends early, Parse returns the Message with Truncated set and
// every field whose bytes are present filled in.
type Message struct {
	Type      MsgType
	Flags     Flags
	Truncated bool // the input ended before a field the header announced

	// Domain and Workstation: NEGOTIATE (when supplied, OEM text) and
	// AUTHENTICATE (Unicode or OEM per NTLMSSP_NEGOTIATE_UNICODE).
	Domain, Workstation string
	// User is the AUTHENTICATE UserName ("" for anonymous).
	User string

	// TargetName is the CHALLENGE TargetName (the server's domain or
	// computer name, per NTLMSSP_TARGET_TYPE_*).
	TargetName string
	// ServerChallenge is the CHALLENGE nonce as 16 hex digits. It is a
	// public nonce, not a secret.
	ServerChallenge string
	// TargetInfo is the CHALLENGE TargetInfo AV pair list, without MsvAvEOL.
	TargetInfo []AVPair

	// Version is the sender's VERSION (2.2.2.10), nil when absent.
	Version *Version

	// LMResponseLen and NTResponseLen are the lengths of the AUTHENTICATE
	// LmChallengeResponse and NtChallengeResponse. The bytes are never kept.
	LMResponseLen, NTResponseLen int
	// NTLMVersion classifies the AUTHENTICATE response: "v2" when the NT
	// response is longer than 24 bytes, "v1" when it is exactly 24 bytes,
	// "anonymous" when the NT response and the user name are both empty,
	// "lm" when only an LM response was sent, "" otherwise.
	NTLMVersion string
	// ClientTargetInfo holds the AV pairs the client put in the
	// NTLMv2_CLIENT_CHALLENGE of its NTLMv2 response (MS-NLMP 2.2.2.7):
	// MsvAvTargetName is the SPN the client aimed at, MsvAvFlags tells
	// whether a MIC is present. Binary values appear as "present (N bytes)".
	ClientTargetInfo []AVPair
	// HasMIC reports that the client set the MIC-present bit (0x2) of
	// MsvAvFlags in ClientTargetInfo, i.e. the AUTHENTICATE carries a MIC.
	HasMIC bool
	// SessionKeyLen is the length of EncryptedRandomSessionKey (16 when
	// NTLMSSP_NEGOTIATE_KEY_EXCH was used). The key is never kept.
	SessionKeyLen int
}

// ClientAV returns the value of the first ClientTargetInfo pair with the
// given id, and whether there was one.
func (m *Message) ClientAV(id AVID) (string, bool) { return findAV(m.ClientTargetInfo, id) }

// TargetAV returns the value of the first TargetInfo pair with the given id,
// and whether there was one.
func (m *Message) TargetAV(id AVID) (string, bool) { return findAV(m.TargetInfo, id) }

func findAV(pairs []AVPair, id AVID) (string, bool) {
	for _, p := range pairs {
		if p.ID == id {
			return p.Value, true
		}
	}
	return "", false
}
