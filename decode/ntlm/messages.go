package ntlm

import (
	"strconv"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// negotiate decodes a NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1):
//
//	0 Signature[8] 8 MessageType 12 NegotiateFlags 16 DomainNameFields[8]
//	24 WorkstationFields[8] 32 Version[8] 40 Payload
//
// DomainName and WorkstationName are always OEM text (2.2.1.1). They are
// read whenever their buffer is non-empty, even without the
// NTLMSSP_NEGOTIATE_OEM_*_SUPPLIED flags, to show what was on the wire.
func (p *parser) negotiate() {
	f, ok := p.u32("negotiate.NegotiateFlags", 12)
	if !ok {
		return
	}
	p.m.Flags = Flags(f)
	// Early clients (Win9x, some SASL/HTTP libraries) send only the 16-byte
	// prefix; that is a complete message, not a truncated one.
	if len(p.b) == 16 {
		return
	}
	dom, ok1 := p.readSecBuf("negotiate.DomainNameFields", 16)
	ws, ok2 := p.readSecBuf("negotiate.WorkstationFields", 24)
	if !ok1 || !ok2 {
		return
	}
	p.version(32, p.dataStart(dom, ws))
	p.m.Domain = trimNUL(oemString(p.data(dom)))
	p.m.Workstation = trimNUL(oemString(p.data(ws)))
}

// challenge decodes a CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2):
//
//	0 Signature[8] 8 MessageType 12 TargetNameFields[8] 20 NegotiateFlags
//	24 ServerChallenge[8] 32 Reserved[8] 40 TargetInfoFields[8]
//	48 Version[8] 56 Payload
//
// Old servers end the header at 32 or 40 bytes; the fields after
// ServerChallenge are read only when the payload starts after them.
func (p *parser) challenge() {
	tn, ok := p.readSecBuf("challenge.TargetNameFields", 12)
	if !ok {
		return
	}
	f, ok := p.u32("challenge.NegotiateFlags", 20)
	if !ok {
		return
	}
	p.m.Flags = Flags(f)
	sc, _, err := wire.Bytes(p.b, 24, 8)
	if err != nil {
		p.fail("challenge.ServerChallenge", 24, err)
		return
	}
	p.m.ServerChallenge = hexString(sc)
	p.m.TargetName = p.text(tn)
	if p.dataStart(tn) < 48 {
		return
	}
	ti, ok := p.readSecBuf("challenge.TargetInfoFields", 40)
	if !ok {
		return
	}
	p.version(48, p.dataStart(tn, ti))
	if ti.len == 0 {
		return
	}
	pairs, err := parseAVPairs(p.present(ti), ti.off)
	p.m.TargetInfo = pairs
	p.data(ti) // records truncation first, if the buffer is cut
	if err != nil {
		p.fail("challenge.TargetInfo", ti.off, err)
	}
}

// authenticate decodes an AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3):
//
//	0 Signature[8] 8 MessageType 12 LmChallengeResponseFields[8]
//	20 NtChallengeResponseFields[8] 28 DomainNameFields[8]
//	36 UserNameFields[8] 44 WorkstationFields[8]
//	52 EncryptedRandomSessionKeyFields[8] 60 NegotiateFlags 64 Version[8]
//	72 MIC[16] 88 Payload
//
// Old clients end the header at 52 bytes (no session key, no flags) or at
// 64 (no Version/MIC); later fields are read only when the payload starts
// after them.
func (p *parser) authenticate() {
	var bufs [5]secBuf
	names := [5]string{"authenticate.LmChallengeResponseFields", "authenticate.NtChallengeResponseFields",
		"authenticate.DomainNameFields", "authenticate.UserNameFields", "authenticate.WorkstationFields"}
	for i := range bufs {
		sb, ok := p.readSecBuf(names[i], 12+8*i)
		if !ok {
			return
		}
		bufs[i] = sb
	}
	lm, nt, dom, user, ws := bufs[0], bufs[1], bufs[2], bufs[3], bufs[4]
	p.m.LMResponseLen, p.m.NTResponseLen = lm.len, nt.len
	p.m.NTLMVersion = ntlmVersion(lm.len, nt.len, user.len)
	start := p.dataStart(bufs[:]...)
	if start >= 64 {
		if !p.authFlags(start) {
			return
		}
	}
	p.m.Domain = p.text(dom)
	p.m.User = p.text(user)
	p.m.Workstation = p.text(ws)
	p.data(lm)
	p.clientChallenge(nt)
}

// authFlags reads EncryptedRandomSessionKeyFields, NegotiateFlags and
// Version of an AUTHENTICATE_MESSAGE whose header is long enough to hold
// them (start is where the payload begins).
func (p *parser) authFlags(start int) bool {
	sk, ok := p.readSecBuf("authenticate.EncryptedRandomSessionKeyFields", 52)
	if !ok {
		return false
	}
	p.m.SessionKeyLen = sk.len
	f, ok := p.u32("authenticate.NegotiateFlags", 60)
	if !ok {
		return false
	}
	p.m.Flags = Flags(f)
	if sk.len > 0 && sk.off < start {
		start = sk.off
	}
	p.version(64, start)
	p.data(sk)
	return true
}

// ntlmVersion classifies an AUTHENTICATE response by its lengths
// (MS-NLMP 3.3.1 and 3.3.2: an NTLMv1 NT response is exactly 24 bytes, an
// NTLMv2 one is a 16-byte NTProofStr plus the client challenge; an anonymous
// AUTHENTICATE has an empty NT response and user name, 3.2.5.1.2).
func ntlmVersion(lmLen, ntLen, userLen int) string {
	switch {
	case ntLen > 24:
		return "v2"
	case ntLen == 24:
		return "v1"
	case ntLen == 0 && userLen == 0:
		return "anonymous"
	case ntLen == 0 && lmLen > 0:
		return "lm"
	}
	return ""
}

// ntlmv2AVOffset is where the AV pairs start inside an NTLMv2 response:
// NTProofStr[16], then NTLMv2_CLIENT_CHALLENGE's RespType, HiRespType,
// Reserved1[2], Reserved2[4], TimeStamp[8], ChallengeFromClient[8],
// Reserved3[4] (MS-NLMP 2.2.2.7, 2.2.2.8).
const ntlmv2AVOffset = 16 + 28

// clientChallenge records a cut NT response and decodes the AV pairs of
// the NTLMv2 client challenge from the bytes present. The response itself is
// never kept.
func (p *parser) clientChallenge(nt secBuf) {
	p.data(nt)
	if nt.len <= 24 {
		return
	}
	d := p.present(nt)
	// RespType and HiRespType are both 1 (2.2.2.7); anything else is not an
	// NTLMv2 client challenge we know how to read.
	if len(d) < ntlmv2AVOffset || d[16] != 1 || d[17] != 1 {
		return
	}
	pairs, err := parseAVPairs(d[ntlmv2AVOffset:], nt.off+ntlmv2AVOffset)
	p.m.ClientTargetInfo = pairs
	if err != nil {
		p.fail("authenticate.NtChallengeResponse.AvPairs", nt.off+ntlmv2AVOffset, err)
	}
	if v, ok := p.m.ClientAV(MsvAvFlags); ok && len(v) == 10 {
		f, err := strconv.ParseUint(v[2:], 16, 32)
		p.m.HasMIC = err == nil && f&AvFlagMICPresent != 0
	}
}
