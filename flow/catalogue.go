package flow

import "slices"

// entry is a catalogue row of spec/findings.md: default severity and the
// cause and remedy text every finding with that id carries.
type entry struct {
	sev    Severity
	cause  string
	remedy string
}

// catalogueNum numbers the catalogue's ids (in sorted order), for the
// analysis's de-duplication keys: two bytes where the id took sixteen.
var catalogueNum = func() map[string]uint16 {
	ids := make([]string, 0, len(catalogue))
	for id := range catalogue {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	num := make(map[string]uint16, len(ids))
	for i, id := range ids {
		num[id] = uint16(i)
	}
	return num
}()

// catalogue holds every finding id kerbtrace may report. Ids never change
// meaning once released.
var catalogue = map[string]entry{
	// Name resolution
	"DNS_NXDOMAIN": {SeverityError,
		"The name is not registered in DNS, or the client appended the wrong DNS suffix.",
		"Check the A/AAAA record and the client's suffix search list: Resolve-DnsName <name>; ipconfig /all; nslookup <name> <dns-server>."},
	"DNS_SERVER_FAILURE": {SeverityError,
		"The DNS server could not answer (SERVFAIL/REFUSED): broken forwarders, zone not loaded, or the client may not query it.",
		"Check the DNS server's forwarders and zone, and its event log: Resolve-DnsName <name> -Server <dns-server>."},
	"DNS_NO_RESPONSE": {SeverityError,
		"The DNS server did not answer: unreachable, or UDP/TCP 53 blocked.",
		"Test connectivity to the DNS server and port 53: Test-NetConnection <dns-server> -Port 53; check the client's DNS server list."},
	"DNS_CNAME_ALIAS": {SeverityWarning,
		"The host name is a CNAME alias. Kerberos clients build the SPN from the name they resolved to (canonicalisation) or from the alias, and only one of them has an SPN.",
		"Register the SPN for the name the client asks for (setspn -S HTTP/<name> <account>), or publish the alias as an A record instead of a CNAME."},
	"DNS_KDC_LOCATOR_FAILED": {SeverityError,
		"The client could not locate a KDC: the _kerberos/_ldap SRV records are missing or the client queries the wrong DNS server.",
		"Check the DC SRV records (nltest /dsgetdc:<domain>; Resolve-DnsName _kerberos._tcp.<domain> -Type SRV) and the client's DNS server setting."},
	// Connectivity
	"TCP_CONNECT_FAILED": {SeverityError,
		"The service is down or the port is blocked: the SYN was answered by a reset or not at all.",
		"Test-NetConnection <server> -Port <port>; check the service and any firewall between client and server."},
	"KDC_UNREACHABLE": {SeverityError,
		"The KDC did not answer a Kerberos request: firewall on port 88, a wrong or dead KDC.",
		"Test-NetConnection <dc> -Port 88; nltest /dsgetdc:<domain> /kdc; check firewalls for UDP and TCP 88."},
	"KDC_TCP_FALLBACK": {SeverityInfo,
		"The reply did not fit in a UDP datagram (KRB_ERR_RESPONSE_TOO_BIG) and the client retried over TCP. This is normal for large tickets.",
		"Nothing to do unless the TCP retry fails; many group memberships make tickets large."},
	"KDC_TCP_BLOCKED": {SeverityError,
		"TCP port 88 is blocked between client and KDC: the UDP reply was too big and the TCP retry never got through.",
		"Open TCP 88 to the domain controllers: Test-NetConnection <dc> -Port 88."},
	// HTTP negotiation
	"HTTP_NEGOTIATE_NOT_OFFERED": {SeverityError,
		"The server's 401 does not offer Negotiate: Windows Authentication's provider list lacks Negotiate (only NTLM, Basic, ...).",
		"Enable the Negotiate provider (IIS: Windows Authentication > Providers: Negotiate first, then NTLM)."},
	"HTTP_CLIENT_DID_NOT_AUTHENTICATE": {SeverityError,
		"The server asked for Negotiate and the client never answered with credentials: browser policy refused to send them (site not in the Local intranet or Trusted sites zone, automatic logon disabled), or the user cancelled a prompt.",
		"Add the site to the Local intranet zone (or AuthServerAllowlist for Edge/Chrome) and check the automatic logon setting; then klist get HTTP/<host>."},
	"HTTP_NTLM_FALLBACK": {SeverityWarning,
		"The client answered Negotiate with NTLM because it could not get a Kerberos ticket.",
		"See the reason given in the summary; klist get <spn> on the client shows the Kerberos error."},
	"SERVICE_REJECTED_TICKET": {SeverityError,
		"The service could not accept the ticket: the SPN is registered on another account than the one the service runs as (or twice), the service key is stale (password or keytab changed), or IIS kernel-mode authentication decrypts with the machine account while the SPN is on a user account.",
		"setspn -Q <spn> (which account owns it), setspn -X (duplicates); compare with the service's identity; refresh the keytab (kvno); IIS: useAppPoolCredentials=true or disable kernel-mode auth; then klist purge and retry."},
	"HTTP_FORBIDDEN_AFTER_AUTH": {SeverityWarning,
		"The user was authenticated (Kerberos worked) but is not authorized: 403.",
		"Check the site's authorization rules and file ACLs for the user; this is not a Kerberos problem."},
	"HTTP_NO_MUTUAL_AUTH": {SeverityInfo,
		"The server accepted the request without returning an AP-REP in WWW-Authenticate (no mutual authentication token). Normal for some servers.",
		"Nothing to do unless the client requires mutual authentication."},
	"HTTP_AUTH_LOOP": {SeverityError,
		"The server keeps answering 401 to authenticated requests: repeated rejection, often a proxy or load balancer that breaks connection-based authentication.",
		"Check for proxies or load balancers between client and server (keep-alive, connection pinning) and the server's security log."},
	"HTTP_HEADER_TOO_LONG": {SeverityError,
		"The Authorization: Negotiate header is larger than the server accepts (token bloat from many group memberships).",
		"Raise HTTP.sys MaxFieldLength/MaxRequestBytes (or the proxy's header limit), or reduce the user's group memberships."},
	// Kerberos errors
	"KRB_S_PRINCIPAL_UNKNOWN": {SeverityError,
		"No account holds the requested SPN: not registered, or registered for another host name or port (a CNAME, a short name, a port in the SPN).",
		"setspn -Q <spn>; register it on the service's account: setspn -S <spn> <account>; make the client use the name the SPN is registered for."},
	"KRB_C_PRINCIPAL_UNKNOWN": {SeverityError,
		"The user name is unknown in the realm: a typo, a wrong realm or UPN suffix, or an account not yet replicated.",
		"Check the user name, realm and UPN suffix; check replication to the DC that answered."},
	"KRB_PREAUTH_FAILED": {SeverityError,
		"Wrong password (or a stale cached credential); repeated failures lock the account.",
		"Check the password and where the credential comes from (saved credentials, services, mapped drives); watch for lockouts (event 4771)."},
	"KRB_CLIENT_REVOKED": {SeverityError,
		"The account is disabled, locked out or expired.",
		"Check the account status: Get-ADUser <user> -Properties Enabled,LockedOut,AccountExpirationDate; unlock or enable it."},
	"KRB_KEY_EXPIRED": {SeverityError,
		"The user's password has expired.",
		"The user must change the password."},
	"KRB_NAME_EXP": {SeverityError,
		"The client's or service's account entry has expired.",
		"Check the account expiry date of the principal named in the error."},
	"KRB_ETYPE_NOSUPP": {SeverityError,
		"No encryption type is common to the client's request, the KDC's policy and the account's keys (AES keys missing, RC4 disabled, keytab without AES).",
		"Compare the requested etypes with msDS-SupportedEncryptionTypes of the account; reset the account's password to create AES keys; align the \"Configure encryption types allowed for Kerberos\" policy."},
	"KRB_SKEW": {SeverityError,
		"The clocks of the client and the KDC or service differ by more than the allowed skew (5 minutes by default).",
		"Synchronise time: w32tm /query /status, w32tm /resync /rediscover (or chrony/ntpd); compare with the offset measured here."},
	"KRB_AP_MODIFIED": {SeverityError,
		"The service could not decrypt the ticket with its key: duplicate SPN, SPN on the wrong account, stale keytab or service password.",
		"setspn -X; check which account owns the SPN and that the service runs as it; compare key versions (kvno); klist purge and retry."},
	"KRB_TKT_EXPIRED": {SeverityWarning,
		"The ticket has expired and was not renewed.",
		"Usually the client renews by itself; check clocks and ticket lifetimes if it does not."},
	"KRB_BADOPTION": {SeverityError,
		"The KDC refused a requested option, often delegation that is not allowed (constrained delegation target not listed, user marked sensitive).",
		"Check the constrained/resource-based delegation settings of the front-end and back-end accounts."},
	"KRB_WRONG_REALM": {SeverityWarning,
		"The request went to the wrong realm (a referral, or DNS or realm mapping pointing elsewhere).",
		"Check the realm mapping (domain_realm, DNS suffixes) and trusts."},
	"KRB_POLICY": {SeverityError,
		"A KDC policy refused the request: logon hours, workstation restrictions, smart card required, or a disabled principal.",
		"Review the account's restrictions and the domain policy."},
	"KRB_PRINCIPAL_NOT_UNIQUE": {SeverityError,
		"The SPN is registered on more than one account.",
		"setspn -X to find the duplicates; setspn -D <spn> <wrong-account>."},
	"KRB_AP_NOT_US": {SeverityError,
		"The ticket was for another server: DNS or a load balancer sent the client to a host that does not own the SPN.",
		"Check name resolution and which host received the request; register the SPN on the account all nodes share."},
	"KRB_AP_REPEAT": {SeverityError,
		"The service saw the same authenticator twice: a proxy or load balancer replaying requests.",
		"Check proxies and load balancers between client and service."},
	"KRB_AP_BADKEYVER": {SeverityError,
		"The service lacks the key version the ticket was encrypted with: stale keytab or replication delay after a password change.",
		"Refresh the keytab (ktpass/kvno) or wait for replication; compare the ticket's kvno with the service's."},
	"KRB_ERROR_IN_NEGOTIATE": {SeverityError,
		"The server rejected the AP-REQ and said why in its WWW-Authenticate: Negotiate token.",
		"Act on the Kerberos error named in the summary."},
	"KRB_ERROR_OTHER": {SeverityError,
		"The KDC or service answered with a Kerberos error.",
		"Look up the error code named in the summary (RFC 4120 7.5.9, MS-KILE)."},
	"KRB_PREAUTH_REQUIRED": {SeverityInfo,
		"The KDC asked for pre-authentication (KDC_ERR_PREAUTH_REQUIRED): the normal first round of an AS exchange.",
		"Nothing to do when a pre-authenticated AS-REQ follows."},
	"KRB_NO_TICKET_REQUEST": {SeverityError,
		"The server offered Negotiate, but the client never asked the KDC for a ticket for the service: URL by IP address or short name, site not in the intranet zone, or no TGT (no logon to the domain).",
		"On the client: klist (is there a TGT?), klist get <spn>; use the fully qualified name, not an IP address or a short name; check the zone settings."},
	"KRB_TICKET_FROM_CACHE": {SeverityInfo,
		"The client presented a ticket it already had: the TGS exchange happened before the capture started.",
		"To capture the whole flow: klist purge (and ipconfig /flushdns) on the client before reproducing."},
	"KRB_SPN_HOST_MISMATCH": {SeverityWarning,
		"The SPN the client asked for names another host than the one it browsed (a CNAME target, an IP address, or a port).",
		"Register the SPN for the name users browse, or make the client canonicalise consistently (dns_canonicalize_hostname, browser CNAME/port settings)."},
	"KRB_WEAK_ETYPE": {SeverityWarning,
		"The ticket or session key uses RC4-HMAC or DES: the account lacks AES keys or msDS-SupportedEncryptionTypes excludes AES.",
		"Set msDS-SupportedEncryptionTypes to include AES and reset the account's password to create AES keys."},
	// Capture quality
	"CAPTURE_TRUNCATED": {SeverityWarning,
		"Frames were cut by the capture's snaplen, or the file ends in the middle of a record.",
		"Capture again with the full frame size (tcpdump -s 0, pktmon --pkt-size 0, netsh trace default); decoded fields are still shown."},
	"CAPTURE_STARTED_MID_FLOW": {SeverityInfo,
		"The first packets of a connection are not in the capture: capturing started after the client connected.",
		"Start the capture before reproducing: klist purge and ipconfig /flushdns on the client, then browse."},
	"CAPTURE_PACKET_LOSS": {SeverityWarning,
		"TCP sequence space has holes that never fill: the capture dropped packets.",
		"Capture again with a larger buffer or on a less loaded machine; capture on both ends."},
	"CAPTURE_ONE_DIRECTION": {SeverityWarning,
		"The capture holds one direction of a connection only: asymmetric routing, a mirror port that copies one direction, or a capture filter on one address.",
		"Capture on both ends at once (client and server), or mirror both directions; then give both files: kerbtrace analyze client.pcapng server.pcapng."},
	"CAPTURE_MERGED": {SeverityInfo,
		"Captures taken on different machines show the same conversation: kerbtrace merged them into one timeline and corrected the clock offset between them.",
		"Nothing to do; frames are cited as FILE#FRAME in the report's refs."},
	"CAPTURE_NO_AUTH_TRAFFIC": {SeverityWarning,
		"The capture holds no DNS, HTTP authentication or Kerberos traffic at all.",
		"Check the capture interface and filter; capture on the client while reproducing (klist purge first)."},
}

// IDs returns every finding id of the catalogue, sorted.
func IDs() []string {
	ids := make([]string, 0, len(catalogue))
	for id := range catalogue {
		ids = append(ids, id)
	}
	sortStrings(ids)
	return ids
}
