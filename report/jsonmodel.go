package report

// The JSON of each model type, member by member in the order and with the
// omitempty of its struct tags (model.go, ticket.go, framesummary.go).
// TestJSONEveryField checks them against encoding/json with every field
// set and with every field zero, so a field added to the model without a
// line here fails that test.

func (e *jsonEnc) capture(c *Capture, d int) {
	o := e.obj(d)
	o.str("file", c.File)
	o.str("format", c.Format)
	o.strs("link_types", c.LinkTypes)
	o.int("packets", int64(c.Packets))
	o.intOmit("metadata_records", int64(c.Metadata))
	o.strOmit("first", c.First)
	o.strOmit("last", c.Last)
	o.strs("warnings", c.Warnings)
	o.end()
}

// message writes a message's model form. The streamed JSON writes the
// same members straight from the decoded message (streamedMessage): a
// member added here goes there too, which TestStreamedMessagesShared and
// TestStreamedMessagesEdges check.
func (e *jsonEnc) message(m *Message, d int) {
	o := e.obj(d)
	o.int("frame", int64(m.Frame))
	o.intsOmit("frames", m.Frames)
	o.int("capture", int64(m.Capture))
	o.str("time", m.Time)
	o.str("src", m.Src)
	o.str("dst", m.Dst)
	o.str("transport", m.Transport)
	o.str("kind", m.Kind)
	o.strOmit("carrier", m.Carrier)
	o.strOmit("header", m.Header)
	e.messageBody(&o, m)
	o.boolOmit("truncated", m.Truncated)
	o.strOmit("error", m.Error)
	o.end()
}

// messageBody appends the members of a message between its header and
// its last two (truncated, error): those of its kind. The streamed JSON of
// the messages (jsonstream.go) writes the others straight from the decoded
// message.
func (e *jsonEnc) messageBody(o *jsonObj, m *Message) {
	if m.ID != nil {
		o.int("id", int64(*m.ID))
	}
	e.dnsMembers(o, m)

	o.strOmit("method", m.Method)
	o.strOmit("uri", m.URI)
	o.strOmit("host", m.Host)
	o.intOmit("status", int64(m.Status))
	o.strsOmit("www_authenticate", m.WWWAuthenticate)
	o.strOmit("authorization", m.Authorization)
	o.strOmit("token", m.Token)
	o.strOmit("raw_token", m.RawToken)

	e.krbMembers(o, m)

	o.strOmit("domain", m.Domain)
	o.strOmit("user", m.User)
	o.strOmit("workstation", m.Workstation)
	o.strOmit("version", m.NTLMVersion)
	o.strsOmit("ntlm_flags", m.NTLMFlags)
	o.strOmit("target_name", m.TargetName)
	o.strOmit("ntlm_response", m.NTLMResp)

	o.strOmit("command", m.Command)
	o.strOmit("smb_status", m.SMBStatus)
	o.strOmit("dialect", m.Dialect)
	o.strOmit("tree_path", m.TreePath)
	o.strOmit("bind_dn", m.BindDN)
	o.strOmit("auth", m.AuthMethod)
	o.strOmit("mechanism", m.Mechanism)
	o.strOmit("result_code", m.ResultCode)
	o.strOmit("diagnostic", m.Diagnostic)
	o.strOmit("filter", m.Filter)

	o.strsOmit("mech_types", m.MechTypes)
	o.strOmit("neg_state", m.NegState)
	o.strOmit("supported_mech", m.SupportedMech)
}

// dnsMembers appends the DNS members of a message after its id: those of
// its content (dns.Content), the same for every message that shares it.
func (e *jsonEnc) dnsMembers(o *jsonObj, m *Message) {
	o.strOmit("qname", m.QName)
	o.strOmit("qtype", m.QType)
	o.strOmit("rcode", m.RCode)
	if len(m.Answers) > 0 {
		o.key("answers")
		jsonArray(e, m.Answers, o.d+1, (*jsonEnc).answer)
	}
}

// krbMembers appends the Kerberos members of a message, decrypted parts
// included.
func (e *jsonEnc) krbMembers(o *jsonObj, m *Message) {
	o.strOmit("realm", m.Realm)
	o.strOmit("cname", m.CName)
	o.strOmit("sname", m.SName)
	o.strsOmit("etypes", m.Etypes)
	o.strOmit("ticket_etype", m.TicketEtype)
	o.strOmit("ticket_sname", m.TicketSName)
	o.intPtrOmit("ticket_kvno", m.TicketKvno)
	o.strsOmit("kdc_options", m.KDCOptions)
	o.strsOmit("padata", m.PAData)
	if m.ErrorCode != nil {
		o.int("error_code", int64(*m.ErrorCode))
	}
	o.strOmit("error_name", m.ErrorName)
	o.strOmit("stime", m.STime)
	o.strOmit("ctime", m.CTime)
	o.strOmit("e_text", m.EText)
	o.strOmit("nt_status", m.NTStatus)
	o.strsOmit("ap_options", m.APOptions)
	o.strOmit("enc_part_etype", m.EncEtype)

	d := o.d + 1
	if m.Ticket != nil {
		o.key("ticket")
		e.ticketInfo(m.Ticket, d)
	}
	if m.TGT != nil {
		o.key("tgt")
		e.ticketInfo(m.TGT, d)
	}
	if m.Authenticator != nil {
		o.key("authenticator")
		e.authenticatorInfo(m.Authenticator, d)
	}
	if m.EncPart != nil {
		o.key("enc_part")
		e.encPartInfo(m.EncPart, d)
	}
}

func (e *jsonEnc) answer(a *Answer, d int) {
	o := e.obj(d)
	o.str("name", a.Name)
	o.str("type", a.Type)
	o.str("data", a.Data)
	o.end()
}

func (e *jsonEnc) step(s *Step, d int) {
	o := e.obj(d)
	o.str("step", s.Step)
	o.str("status", s.Status)
	o.ints("frames", s.Frames)
	o.str("detail", s.Detail)
	o.strsOmit("refs", s.Refs)
	o.end()
}

func (e *jsonEnc) flow(f *Flow, d int) {
	o := e.obj(d)
	o.int("capture", int64(f.Capture))
	o.str("client", f.Client)
	o.strOmit("user", f.User)
	o.str("server", f.Server)
	o.str("service", f.Service)
	o.strOmit("spn", f.SPN)
	o.key("steps")
	jsonArray(e, f.Steps, d+1, (*jsonEnc).step)
	o.str("outcome", f.Outcome)
	o.strs("findings", f.Findings)
	o.end()
}

func (e *jsonEnc) finding(f *Finding, d int) {
	o := e.obj(d)
	o.str("id", f.ID)
	o.str("severity", f.Severity)
	o.strOmit("client", f.Client)
	o.strOmit("server", f.Server)
	o.strOmit("spn", f.SPN)
	o.ints("frames", f.Frames)
	o.str("summary", f.Summary)
	o.str("cause", f.Cause)
	o.str("remedy", f.Remedy)
	o.intPtrOmit("flow", f.Flow)
	o.strsOmit("refs", f.Refs)
	o.end()
}

func (e *jsonEnc) transportFrame(f *TransportFrame, d int) {
	o := e.obj(d)
	o.int("capture", int64(f.Capture))
	o.int("frame", int64(f.Frame))
	o.str("time", f.Time)
	o.str("src", f.Src)
	o.str("dst", f.Dst)
	o.str("protocol", f.Protocol)
	o.str("summary", f.Summary)
	o.end()
}

func (e *jsonEnc) keyEntry(k *KeyEntry, d int) {
	o := e.obj(d)
	o.str("principal", k.Principal)
	o.intPtrOmit("kvno", k.Kvno)
	o.str("etype", k.Etype)
	o.str("file", k.File)
	o.end()
}

func (e *jsonEnc) ticketInfo(t *TicketInfo, d int) {
	o := e.obj(d)
	o.str("etype", t.Etype)
	o.intPtrOmit("kvno", t.Kvno)
	if t.Decrypted != nil {
		o.key("decrypted")
		e.decryptedTicket(t.Decrypted, d+1)
	}
	o.strOmit("decrypt_error", t.DecryptError)
	if len(t.KeysTried) > 0 {
		o.key("keys_tried")
		jsonArray(e, t.KeysTried, d+1, (*jsonEnc).keyEntry)
	}
	if len(t.Keytab) > 0 {
		o.key("keytab")
		jsonArray(e, t.Keytab, d+1, (*jsonEnc).keyEntry)
	}
	o.end()
}

func (e *jsonEnc) decryptedTicket(t *DecryptedTicket, d int) {
	o := e.obj(d)
	o.str("client", t.Client)
	o.strs("flags", t.Flags)
	o.str("flags_value", t.FlagsValue)
	o.strOmit("authtime", t.AuthTime)
	o.strOmit("starttime", t.StartTime)
	o.strOmit("endtime", t.EndTime)
	o.strOmit("renew_till", t.RenewTill)
	o.str("session_etype", t.SessionEtype)
	o.strOmit("transited", t.Transited)
	o.strsOmit("addresses", t.Addresses)
	if t.PAC != nil {
		o.key("pac")
		e.pacInfo(t.PAC, d+1)
	}
	o.key("keytab_entry")
	if t.KeytabEntry != nil {
		e.keyEntry(t.KeytabEntry, d+1)
	} else {
		e.raw("null")
	}
	o.strOmit("error", t.Error)
	o.end()
}

func (e *jsonEnc) pacInfo(p *PACInfo, d int) {
	o := e.obj(d)
	o.strs("buffers", p.Buffers)
	if l := p.LogonInfo; l != nil {
		o.key("logon_info")
		lo := e.obj(d + 1)
		lo.str("user", l.User)
		lo.strOmit("full_name", l.FullName)
		lo.str("logon_domain", l.LogonDomain)
		lo.strOmit("logon_server", l.LogonServer)
		lo.strOmit("logon_time", l.LogonTime)
		lo.str("user_sid", l.UserSID)
		lo.str("primary_group_sid", l.PrimaryGroupSID)
		lo.strs("group_sids", l.GroupSIDs)
		lo.strsOmit("user_flags", l.UserFlags)
		lo.end()
	}
	if c := p.ClientInfo; c != nil {
		o.key("client_info")
		co := e.obj(d + 1)
		co.str("name", c.Name)
		co.strOmit("client_id", c.ClientID)
		co.end()
	}
	if u := p.UPNDNS; u != nil {
		o.key("upn_dns_info")
		uo := e.obj(d + 1)
		uo.strOmit("upn", u.UPN)
		uo.strOmit("dns_domain", u.DNSDomain)
		uo.strOmit("sam_name", u.SAMName)
		uo.strOmit("sid", u.SID)
		uo.end()
	}
	if len(p.Signatures) > 0 {
		o.key("signatures")
		jsonArray(e, p.Signatures, d+1, func(e *jsonEnc, s *PACSignature, d int) {
			so := e.obj(d)
			so.str("buffer", s.Buffer)
			so.int("checksum_type", int64(s.ChecksumType))
			so.end()
		})
	}
	o.strOmit("error", p.Error)
	o.end()
}

func (e *jsonEnc) authenticatorInfo(a *AuthenticatorInfo, d int) {
	o := e.obj(d)
	o.str("cname", a.CName)
	o.str("ctime", a.CTime)
	o.key("skew_seconds")
	e.float(a.SkewSeconds)
	o.strsOmit("checksum_flags", a.ChecksumFlags)
	o.boolOmit("delegated_tgt", a.Delegated)
	o.strOmit("subkey_etype", a.SubkeyEtype)
	o.uint32PtrOmit("seq_number", a.SeqNumber)
	o.end()
}

func (e *jsonEnc) encPartInfo(p *EncPartInfo, d int) {
	o := e.obj(d)
	o.strOmit("ctime", p.CTime)
	o.strOmit("subkey_etype", p.SubkeyEtype)
	o.uint32PtrOmit("seq_number", p.SeqNumber)
	o.strOmit("session_etype", p.SessionEtype)
	o.strOmit("server", p.Server)
	o.strsOmit("flags", p.Flags)
	o.strOmit("authtime", p.AuthTime)
	o.strOmit("endtime", p.EndTime)
	o.strOmit("renew_till", p.RenewTill)
	o.intOmit("key_usage", int64(p.KeyUsage))
	o.boolOmit("fast", p.FAST)
	if p.KeyEntry != nil {
		o.key("key_entry")
		e.keyEntry(p.KeyEntry, d+1)
	}
	o.end()
}
