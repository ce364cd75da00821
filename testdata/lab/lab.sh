#!/usr/bin/env bash
# kerbtrace lab: real MIT Kerberos / Apache mod_auth_gssapi / curl / dnsmasq in Linux network
# namespaces, each scenario captured with tcpdump on the lab's bridge.
#
#   lab.sh up                         build namespaces, KDC database, start dc (KDC + DNS) and www
#   lab.sh down                       stop everything the lab started, remove namespaces and state
#   lab.sh run [--out DIR] SCENARIO.. fresh capture per scenario into DIR (default testdata/captures)
#   lab.sh all [--out DIR]            run every scenario
#   lab.sh list                       list scenarios
#   lab.sh keys                       (re)write the lab keytabs in keys/ from keys/passwords.tsv
#   lab.sh frames FILE                the Kerberos/DNS/HTTP frames of a capture, as tshark shows them
#   lab.sh describe [DIR]             markdown key-frame listing of every capture (captures/README.md)
#   lab.sh versions                   versions of the software the captures were made with
#
# Addresses: 192.0.2.0/24 and 2001:db8:1::/64 only, on bridge br0 inside netns kt-sw; no default
# route anywhere and nothing is bridged to the root namespace. See README.md.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LAB_DIR/../.." && pwd)
CONF=$LAB_DIR/conf
KEYS=$LAB_DIR/keys
STATE=${KT_STATE:-/tmp/kerbtrace-lab}
REALM=KERBTRACE.TEST
DOMAIN=kerbtrace.test
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1

HOSTS=(dc www fs client1 client2 client6)
declare -A IP4=([dc]=192.0.2.10 [www]=192.0.2.20 [fs]=192.0.2.30 [client1]=192.0.2.101 [client2]=192.0.2.102)
declare -A IP6=([dc]=2001:db8:1::10 [www]=2001:db8:1::20 [fs]=2001:db8:1::30 [client6]=2001:db8:1::106)
declare -A MAC=([dc]=02:00:00:00:00:10 [www]=02:00:00:00:00:20 [fs]=02:00:00:00:00:30
	[client1]=02:00:00:00:01:01 [client2]=02:00:00:00:01:02 [client6]=02:00:00:00:01:06)

# Scenarios in the order `all` runs them. Each is a function sc_<name with _ for ->.
SCENARIOS=(
	success preemptive spn-missing stale-key wrong-key dns-nxdomain
	cname-canonical cname-noncanonical cname-fallback
	skew-client skew-client-timesync skew-client-tgs skew-server skew-server-behind
	wrong-password unknown-user locked-account disabled-account expired-password expired-account
	etype-nosupp kdc-tcp-split kdc-udp-too-big no-negotiate two-clients ipv6 ntlm-fallback
	cached-ticket forbidden header-too-long smb-success smb-rejected rc4-service
)
# Captures also written as pcapng and as Network Monitor 2.x (.cap).
MULTIFORMAT=(success spn-missing stale-key ntlm-fallback smb-success)

log() { printf '[lab] %s\n' "$*" >&2; }
die() {
	printf '[lab] ERROR: %s\n' "$*" >&2
	exit 1
}

# nsx HOST CMD... : run CMD inside the host's namespace (kt-HOST).
nsx() {
	local h=$1
	shift
	ip netns exec "kt-$h" "$@"
}

have_ns() { [[ -e /run/netns/kt-$1 ]]; }

# ---------------------------------------------------------------- processes (by PID only)

PIDS=$STATE/pids

# start_daemon NAME HOST CMD... : start CMD in the background inside kt-HOST, keep its PID.
# `ip netns exec` and `env` exec the command, so $! is the daemon's own PID.
start_daemon() {
	local name=$1 host=$2
	shift 2
	mkdir -p "$PIDS" "$STATE/logs"
	ip netns exec "kt-$host" "$@" </dev/null >>"$STATE/logs/$name.out" 2>&1 &
	echo $! >"$PIDS/$name"
	disown $! 2>/dev/null || true
}

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# stop_pid PID : TERM, wait up to 5 s, then KILL. Only PIDs this lab recorded are passed here.
stop_pid() {
	local pid=$1
	pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		pid_alive "$pid" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	sleep 0.1
}

stop_daemon() {
	local f=$PIDS/$1
	[[ -f $f ]] || return 0
	stop_pid "$(cat "$f")"
	rm -f "$f"
}

# wait_port HOST PROTO PORT : wait until something listens in kt-HOST.
wait_port() {
	local host=$1 proto=$2 port=$3
	for _ in $(seq 100); do
		if nsx "$host" ss -Hln"${proto:0:1}" "sport = :$port" | grep -q .; then return 0; fi
		sleep 0.05
	done
	die "nothing listens on $proto/$port in kt-$host (see $STATE/logs)"
}

# ---------------------------------------------------------------- templates

# render TEMPLATE OUT VAR=VALUE... : replace @VAR@ in TEMPLATE.
render() {
	local in=$1 out=$2 kv k v
	shift 2
	cp "$in" "$out.tmp"
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		K="@$k@" V="$v" perl -0pi -e 's/\Q$ENV{K}\E/$ENV{V}/g' "$out.tmp"
	done
	mv "$out.tmp" "$out"
}

# ---------------------------------------------------------------- network

net_up() {
	local h
	log "network: netns kt-sw (bridge br0) + ${HOSTS[*]}"
	ip netns add kt-sw
	nsx sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	nsx sw ip link set lo up
	nsx sw ip link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	nsx sw ip link set br0 up
	for h in "${HOSTS[@]}"; do
		ip netns add "kt-$h"
		# Set before the interface exists so eth0 inherits: no RS, no DAD, no link-local.
		nsx "$h" sysctl -qw \
			net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 \
			net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.dad_transmits=0 net.ipv6.conf.all.dad_transmits=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.all.addr_gen_mode=1
		if [[ -z ${IP6[$h]:-} ]]; then
			nsx "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		fi
		ip link add eth0 netns "kt-$h" address "${MAC[$h]}" type veth peer name "p-$h" netns kt-sw
		nsx "$h" ethtool -K eth0 tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
		nsx sw ethtool -K "p-$h" tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
		nsx sw ip link set "p-$h" master br0 up
		nsx "$h" ip link set lo up
		[[ -z ${IP4[$h]:-} ]] || nsx "$h" ip addr add "${IP4[$h]}/24" dev eth0
		[[ -z ${IP6[$h]:-} ]] || nsx "$h" ip -6 addr add "${IP6[$h]}/64" dev eth0 nodad
		if [[ $h == www ]]; then
			# second site on the web server: noprinc.kerbtrace.test, no HTTP/ principal
			nsx www ip addr add 192.0.2.21/24 dev eth0
			nsx www ip -6 addr add 2001:db8:1::21/64 dev eth0 nodad
		fi
		nsx "$h" ip link set eth0 up
		mkdir -p "/etc/netns/kt-$h"
		if [[ -n ${IP4[$h]:-} ]]; then
			echo "nameserver ${IP4[dc]}" >"/etc/netns/kt-$h/resolv.conf"
		else
			echo "nameserver ${IP6[dc]}" >"/etc/netns/kt-$h/resolv.conf"
		fi
		# like a real machine, each host knows its own name locally (smbd looks it up)
		printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\t%s.%s %s\n' \
			"${IP4[$h]:-${IP6[$h]}}" "$h" "$DOMAIN" "$h" >"/etc/netns/kt-$h/hosts"
	done
	# let the bridge ports reach forwarding state and MLD reports of new v6 addresses pass
	# before any capture starts
	sleep 2
}

net_down() {
	local h ns pid
	for ns in kt-sw "${HOSTS[@]/#/kt-}"; do
		[[ -e /run/netns/$ns ]] || continue
		# processes still inside one of the lab's namespaces were started by the lab
		for pid in $(ip netns pids "$ns" 2>/dev/null); do stop_pid "$pid"; done
		ip netns del "$ns" 2>/dev/null || true
	done
	for h in "${HOSTS[@]}"; do rm -rf "/etc/netns/kt-$h"; done
	rmdir /etc/netns 2>/dev/null || true
}

# ---------------------------------------------------------------- keys

# keytab_write FILE PRINCIPAL KVNO PASSWORD [ENCTYPES] : the AES keys, or the given ones
keytab_write() {
	local file=$1 princ=$2 kvno=$3 pw=$4 etypes=${5:-aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96} e cmds=""
	rm -f "$file"
	for e in $etypes; do
		cmds+="addent -password -p $princ -k $kvno -e $e"$'\n'"$pw"$'\n'
	done
	printf '%swkt %s\nquit\n' "$cmds" "$file" | KRB5_CONFIG=$STATE/krb5-server.conf ktutil >/dev/null
}

# pw PRINCIPAL [KVNO] : password from keys/passwords.tsv
pw() {
	awk -F'\t' -v p="$1" -v k="${2:-1}" '!/^#/ && $1==p && $2==k {print $3; exit}' "$KEYS/passwords.tsv"
}

cmd_keys() {
	local www=HTTP/www.$DOMAIN@$REALM
	mkdir -p "$STATE"
	render "$CONF/krb5-server.conf.in" "$STATE/krb5-server.conf"
	keytab_write "$KEYS/http-www.good.keytab" "$www" 2 "$(pw "$www" 2)"
	keytab_write "$KEYS/http-www.stale.keytab" "$www" 1 "$(pw "$www" 1)"
	keytab_write "$KEYS/http-www.wrong.keytab" "$www" 2 \
		"$(awk -F'\t' '$4 ~ /^WRONG key/ {print $3}' "$KEYS/passwords.tsv")"
	keytab_write "$KEYS/krbtgt.keytab" "krbtgt/$REALM@$REALM" 2 "$(pw "krbtgt/$REALM@$REALM" 2)"
	keytab_write "$KEYS/cifs-fs.good.keytab" "cifs/fs.$DOMAIN@$REALM" 1 "$(pw "cifs/fs.$DOMAIN@$REALM" 1)"
	keytab_write "$KEYS/cifs-fs.wrong.keytab" "cifs/fs.$DOMAIN@$REALM" 1 \
		"$(awk -F'\t' '$4 ~ /^WRONG cifs/ {print $3}' "$KEYS/passwords.tsv")"
	keytab_rc4
	log "keytabs written to $KEYS"
}

# keytab_rc4 : rc4-service's web server keytab, the www keys (kvno 2) and the rc4-hmac-only
# HTTP/rc4 key (kvno 1)
keytab_rc4() {
	keytab_write "$STATE/rc4.keytab" "HTTP/rc4.$DOMAIN@$REALM" 1 "$(pw "HTTP/rc4.$DOMAIN@$REALM" 1)" rc4-hmac
	rm -f "$KEYS/http-www-rc4.keytab"
	printf 'rkt %s\nrkt %s\nwkt %s\nquit\n' "$KEYS/http-www.good.keytab" "$STATE/rc4.keytab" "$KEYS/http-www-rc4.keytab" |
		KRB5_CONFIG=$STATE/krb5-server.conf ktutil >/dev/null
	rm -f "$STATE/rc4.keytab"
}

# ---------------------------------------------------------------- dc: KDC + DNS

kadm() { nsx dc env KRB5_CONFIG="$STATE/krb5-server.conf" KRB5_KDC_PROFILE="$STATE/kdc.conf" kadmin.local -q "$1" >>"$STATE/logs/kadmin.local.out" 2>&1; }

kdc_init() {
	local u www=HTTP/www.$DOMAIN@$REALM
	log "dc: KDC database for $REALM in $STATE/kdc"
	mkdir -p "$STATE/kdc" "$STATE/logs"
	render "$CONF/krb5-server.conf.in" "$STATE/krb5-server.conf"
	render "$CONF/kdc.conf.in" "$STATE/kdc.conf" STATE="$STATE" DGRAM=4096
	echo "*/admin@$REALM *" >"$STATE/kdc/kadm5.acl"
	nsx dc env KRB5_CONFIG="$STATE/krb5-server.conf" KRB5_KDC_PROFILE="$STATE/kdc.conf" \
		kdb5_util create -s -r "$REALM" -P "$(pw "K/M@$REALM")" >"$STATE/logs/kdb5_util.out" 2>&1
	kadm "cpw -pw $(pw "krbtgt/$REALM@$REALM" 2) krbtgt/$REALM"
	kadm "addpol -maxfailure 3 -failurecountinterval 0 -lockoutduration 0 lockout"
	for u in alice bob carol dave erin frank; do
		kadm "addprinc -pw $(pw "$u@$REALM") $u"
	done
	kadm "modprinc -policy lockout carol"
	kadm 'modprinc -pwexpire "2020-01-01 00:00:00 UTC" dave'
	kadm "modprinc -allow_tix erin"
	kadm 'modprinc -expire "2020-01-01 00:00:00 UTC" frank'
	kadm "addprinc -pw $(pw "$www" 1) HTTP/www.$DOMAIN"
	kadm "cpw -pw $(pw "$www" 2) HTTP/www.$DOMAIN"
	# MIT 1.20 puts a PAC in every ticket; Samba in standalone mode refuses tickets with a PAC
	# (NT_STATUS_BAD_TOKEN_TYPE), so the cifs service gets tickets without authorization data
	kadm "addprinc -pw $(pw "cifs/fs.$DOMAIN@$REALM" 1) +no_auth_data_required cifs/fs.$DOMAIN"
	# rc4-service: a service with an rc4-hmac key only (tickets and session keys in etype 23)
	kadm "addprinc -e rc4-hmac:normal -pw $(pw "HTTP/rc4.$DOMAIN@$REALM" 1) HTTP/rc4.$DOMAIN"
	[[ -f $KEYS/http-www.good.keytab && -f $KEYS/cifs-fs.good.keytab ]] || cmd_keys
	[[ -f $KEYS/http-www-rc4.keytab ]] || keytab_rc4
	# the keytabs in keys/ must hold the keys the KDC now has (deterministic from passwords)
	nsx dc env KRB5_CONFIG="$STATE/krb5-server.conf" KRB5_KDC_PROFILE="$STATE/kdc.conf" \
		kadmin.local -q "getprinc HTTP/www.$DOMAIN" 2>/dev/null | grep -q 'vno 2, aes256' ||
		die "HTTP/www has not kvno 2 in the KDC"
}

kdc_start() {
	local dgram=${1:-4096}
	stop_daemon krb5kdc
	render "$CONF/kdc.conf.in" "$STATE/kdc.conf" STATE="$STATE" DGRAM="$dgram"
	start_daemon krb5kdc dc env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		KRB5_CONFIG="$STATE/krb5-server.conf" KRB5_KDC_PROFILE="$STATE/kdc.conf" \
		krb5kdc -n -r "$REALM" -P "$STATE/kdc/krb5kdc.pid"
	wait_port dc udp 88
	wait_port dc tcp 88
	echo "$dgram" >"$STATE/kdc.dgram"
}

dns_start() {
	stop_daemon dnsmasq
	render "$CONF/dnsmasq.conf.in" "$STATE/dnsmasq.conf" STATE="$STATE"
	start_daemon dnsmasq dc dnsmasq -k -C "$STATE/dnsmasq.conf" --pid-file="$STATE/dnsmasq.pid"
	wait_port dc udp 53
}

# ---------------------------------------------------------------- www: Apache + mod_auth_gssapi

# www_start KEYTAB MECHS [FAKETIME] : (re)start Apache unless it already runs with these settings.
www_start() {
	local keytab=$1 mechs=$2 ft=${3:-} want gssconf=$CONF/gss-mech-none.conf
	want="$keytab|$mechs|$ft"
	if [[ -f $STATE/www.settings && $(cat "$STATE/www.settings") == "$want" ]] &&
		pid_alive "$(cat "$PIDS/apache2" 2>/dev/null)"; then
		return 0
	fi
	stop_daemon apache2
	mkdir -p "$STATE/www/run" "$STATE/www/htdocs/private" "$STATE/www/keytab"
	echo "hello from www.$DOMAIN" >"$STATE/www/htdocs/index.html"
	echo "private page" >"$STATE/www/htdocs/private/index.html"
	# Apache children run as www-data: give them a private copy of the keytab
	cp "$keytab" "$STATE/www/keytab/http.keytab"
	chown -R www-data:www-data "$STATE/www/keytab"
	chmod 0400 "$STATE/www/keytab/http.keytab"
	chmod 0755 "$STATE" "$STATE/www" "$STATE/www/htdocs" "$STATE/www/htdocs/private"
	mkdir -p "$STATE/www/rcache" && chown www-data:www-data "$STATE/www/rcache"
	[[ $mechs == *ntlmssp* ]] && gssconf=$CONF/gss-mech-ntlmssp.conf
	local store="GssapiCredStore keytab:$STATE/www/keytab/http.keytab"
	[[ $mechs != *ntlmssp* ]] || store="# no GssapiCredStore: KRB5_KTNAME (gss-ntlmssp crashes with a cred store)"
	render "$CONF/httpd.conf.in" "$STATE/httpd.conf" STATE="$STATE" CREDSTORE="$store" MECHS="$mechs"
	local -a envv=(PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C
		KRB5_CONFIG="$STATE/krb5-server.conf" KRB5RCACHEDIR="$STATE/www/rcache"
		KRB5_KTNAME="FILE:$STATE/www/keytab/http.keytab"
		GSS_MECH_CONFIG="$gssconf" NTLM_USER_FILE="$KEYS/ntlm_user_file"
		KRB5_TRACE="$STATE/logs/httpd-krb5-trace.log")
	[[ -z $ft ]] || envv+=(LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$ft" DONT_FAKE_MONOTONIC=1)
	touch "$STATE/logs/httpd-krb5-trace.log" && chown www-data "$STATE/logs/httpd-krb5-trace.log"
	start_daemon apache2 www unshare --uts sh -c 'hostname www; exec "$@"' sh \
		env -i "${envv[@]}" apache2 -f "$STATE/httpd.conf" -D FOREGROUND
	wait_port www tcp 80
	echo "$want" >"$STATE/www.settings"
}

www_default() { www_start "$KEYS/http-www.good.keytab" krb5; }

# ---------------------------------------------------------------- fs: Samba smbd (optional)

have_samba() { command -v smbd >/dev/null 2>&1 && command -v smbclient >/dev/null 2>&1; }

# smb_start KEYTAB : (re)start smbd on fs with KEYTAB as its dedicated keytab.
# Not --no-process-group: smbd signals its whole process group when it stops, so it must
# have a group of its own (else it would take lab.sh and its caller with it).
smb_start() {
	local keytab=$1
	have_samba || die "samba is not installed (apt-get install -y samba smbclient)"
	if [[ -f $STATE/fs.settings && $(cat "$STATE/fs.settings") == "$keytab" ]] &&
		pid_alive "$(cat "$PIDS/smbd" 2>/dev/null)"; then
		return 0
	fi
	stop_daemon smbd
	mkdir -p "$STATE"/fs/{private,lock,state,cache,run,ncalrpc,share}
	chmod 0755 "$STATE/fs" "$STATE/fs/share"
	echo "hello from fs.$DOMAIN" >"$STATE/fs/share/readme.txt"
	cp "$keytab" "$STATE/fs/cifs.keytab"
	chmod 0600 "$STATE/fs/cifs.keytab"
	# Kerberos users have no local account on fs: map every one of them to www-data
	# (without PAC and winbind, smbd looks the user up as "KERBTRACE.TEST\\alice")
	printf '!www-data = *\n' >"$STATE/fs/users.map"
	render "$CONF/smb.conf.in" "$STATE/smb.conf" STATE="$STATE" KEYTAB="$STATE/fs/cifs.keytab"
	start_daemon smbd fs unshare --uts sh -c 'hostname fs; exec "$@"' sh env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C KRB5_CONFIG="$STATE/krb5-server.conf" \
		KRB5RCACHEDIR="$STATE/fs/cache" \
		smbd --foreground --debug-stdout -s "$STATE/smb.conf"
	wait_port fs tcp 445
	echo "$keytab" >"$STATE/fs.settings"
}

# ---------------------------------------------------------------- up / down

is_up() { [[ -f $STATE/up ]] && have_ns sw && pid_alive "$(cat "$PIDS/krb5kdc" 2>/dev/null)"; }

cmd_up() {
	if is_up; then
		log "lab already up ($STATE)"
		return 0
	fi
	cmd_down quiet
	mkdir -p "$STATE/logs" "$PIDS"
	chmod 0755 "$STATE"
	net_up
	kdc_init
	dns_start
	kdc_start 4096
	www_default
	date -u +%FT%TZ >"$STATE/up"
	log "lab up: dc ${IP4[dc]} www ${IP4[www]} fs ${IP4[fs]} client1 ${IP4[client1]} client2 ${IP4[client2]} client6 ${IP6[client6]}"
}

cmd_down() {
	local f
	if [[ -d $PIDS ]]; then
		for f in "$PIDS"/*; do
			[[ -f $f ]] || continue
			stop_pid "$(cat "$f")"
			rm -f "$f"
		done
	fi
	net_down
	rm -rf "$STATE"
	[[ ${1:-} == quiet ]] || log "lab down"
}

# ---------------------------------------------------------------- clients

SCN_DIR=""  # per-scenario scratch: ccaches, krb5.conf, logs

# client_conf NAME [CANON] [UDPLIMIT] [TIMESYNC] [ENCTYPES] : write $SCN_DIR/NAME.krb5.conf
client_conf() {
	render "$CONF/krb5-client.conf.in" "$SCN_DIR/$1.krb5.conf" \
		CANON="${2:-true}" UDPLIMIT="${3:-1465}" TIMESYNC="${4:-1}" ENCTYPES="${5:-}"
}

# Per-call client settings (reset by reset_client_opts before each scenario)
reset_client_opts() {
	C_CONF=default  # which $SCN_DIR/<C_CONF>.krb5.conf
	C_FAKETIME=""   # libfaketime offset for this process
	C_NTLM=""       # non-empty: enable gss-ntlmssp with keys/ntlm_user_file
}

# on HOST TAG CMD... : run CMD as a client program on HOST with the scenario's Kerberos env;
# stdout/stderr go to $SCN_DIR/TAG.log. Its own hostname (UTS ns), its own ccache per host.
on() {
	local host=$1 tag=$2
	shift 2
	local -a envv=(PATH=/usr/bin:/bin:/usr/sbin:/sbin LANG=C HOME="$SCN_DIR/home-$host"
		KRB5_CONFIG="$SCN_DIR/$C_CONF.krb5.conf" KRB5CCNAME="FILE:$SCN_DIR/ccache-$host"
		KRB5_TRACE="$SCN_DIR/$tag.krb5trace")
	if [[ -n $C_NTLM ]]; then
		envv+=(GSS_MECH_CONFIG="$CONF/gss-mech-ntlmssp.conf" NTLM_USER_FILE="$KEYS/ntlm_user_file")
	else
		envv+=(GSS_MECH_CONFIG="$CONF/gss-mech-none.conf")
	fi
	[[ -z $C_FAKETIME ]] || envv+=(LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$C_FAKETIME")
	mkdir -p "$SCN_DIR/home-$host"
	echo "+ [$host] $*" >>"$SCN_DIR/commands.txt"
	nsx "$host" unshare --uts sh -c 'hostname "$0"; exec "$@"' "$host" env -i "${envv[@]}" "$@" \
		>>"$SCN_DIR/$tag.log" 2>&1 </dev/null
}

# kinit_as HOST USER [PASSWORD] : kinit USER; password defaults to the user's real one
kinit_as() {
	local host=$1 user=$2 pass=${3-}
	[[ -n $pass ]] || pass=$(pw "$user@$REALM")
	local -a envv=(PATH=/usr/bin:/bin LANG=C HOME="$SCN_DIR/home-$host"
		KRB5_CONFIG="$SCN_DIR/$C_CONF.krb5.conf" KRB5CCNAME="FILE:$SCN_DIR/ccache-$host"
		KRB5_TRACE="$SCN_DIR/kinit-$host-$user.krb5trace")
	[[ -z $C_FAKETIME ]] || envv+=(LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$C_FAKETIME")
	mkdir -p "$SCN_DIR/home-$host"
	echo "+ [$host] kinit $user@$REALM" >>"$SCN_DIR/commands.txt"
	printf '%s\n' "$pass" | nsx "$host" unshare --uts sh -c 'hostname "$0"; exec "$@"' "$host" \
		env -i "${envv[@]}" kinit "$user@$REALM" >>"$SCN_DIR/kinit-$host-$user.log" 2>&1
}

# curl_get HOST URL [CURL OPTIONS...] : one HTTP GET with curl
curl_get() {
	local host=$1 url=$2
	shift 2
	on "$host" "curl-$host" curl -sS -v -o /dev/null -w 'HTTP %{http_code}\n' "$@" "$url"
}

# browse HOST URL : like a browser: anonymous GET first, Negotiate (SPNEGO) only after a 401.
# curl --anyauth picks Negotiate from the 401 (it was built with GSS-API). Note that
# `curl --negotiate` alone does NOT wait for a 401: it sends the token on the first request.
browse() { curl_get "$1" "$2" --anyauth -u :; }

# ---------------------------------------------------------------- capture

CAP_PID=""
CAP_FILE=""

capture_start() {
	local name=$1 h
	mkdir -p "$STATE/cap"
	CAP_FILE=$STATE/cap/$name.pcap
	rm -f "$CAP_FILE" "$STATE/cap/$name.err"
	# cold neighbour caches: ARP/ND is part of every capture
	for h in "${HOSTS[@]}"; do nsx "$h" ip neigh flush all 2>/dev/null || true; done
	ip netns exec kt-sw tcpdump -i br0 -s 0 -U --immediate-mode -n -Z root -w "$CAP_FILE" \
		</dev/null >/dev/null 2>"$STATE/cap/$name.err" &
	CAP_PID=$!
	for _ in $(seq 100); do
		grep -q 'listening on br0' "$STATE/cap/$name.err" 2>/dev/null && break
		pid_alive "$CAP_PID" || die "tcpdump failed: $(cat "$STATE/cap/$name.err")"
		sleep 0.05
	done
	grep -q 'listening on br0' "$STATE/cap/$name.err" || die "tcpdump not capturing"
	sleep 0.2
}

capture_stop() {
	[[ -n $CAP_PID ]] || return 0
	sleep 0.5 # trailing ACK/FIN
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	CAP_PID=""
}

# ---------------------------------------------------------------- checks

CHECK_FAILED=0
# expect FILTER [MIN] [MAX] : tshark display FILTER must match MIN..MAX frames of the capture
expect() {
	local filter=$1 min=${2:-1} max=${3:-1000000} n
	n=$(tshark -r "$CAP_FILE" -o tcp.desegment_tcp_streams:TRUE -Y "$filter" -T fields -e frame.number 2>/dev/null | wc -l)
	if ((n < min || n > max)); then
		log "CHECK FAILED [$SCN]: '$filter' matched $n frames (want $min..$max)"
		CHECK_FAILED=1
	else
		echo "ok  $n x $filter" >>"$SCN_DIR/checks.txt"
	fi
}
expect_none() { expect "$1" 0 0; }

# ---------------------------------------------------------------- scenarios
# Each scenario function runs with the capture already started, a fresh empty ccache per host,
# cold DNS (dnsmasq has no cache) and default settings (good keytab, krb5 only, MIT defaults);
# expect lines after it are checked against its capture.

WWW=http://www.$DOMAIN/

sc_success() {
	kinit_as client1 alice
	browse client1 "$WWW"
}
ck_success() {
	expect 'kerberos.error_code == 25' 1 1
	expect 'kerberos.msg_type == 11' 1 1
	expect 'kerberos.msg_type == 12 && kerberos.SNameString == "HTTP"' 1 1
	expect 'kerberos.msg_type == 13' 1 1
	expect 'http.response.code == 401' 1 1
	expect 'http.authorization && kerberos.msg_type == 14' 1 1
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
	expect 'dns.qry.name == "www.kerbtrace.test"' 2
}

sc_preemptive() {
	kinit_as client1 alice
	# curl --negotiate (without --anyauth) sends the SPNEGO token with the first request
	curl_get client1 "$WWW" --negotiate -u :
}
ck_preemptive() {
	expect 'kerberos.msg_type == 13' 1 1
	expect 'http.response.code == 401' 0 0
	expect 'http.request && http.authorization && kerberos.msg_type == 14' 1 1
	expect 'http.request && !http.authorization' 0 0
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
}

sc_spn_missing() {
	kinit_as client1 alice
	browse client1 "http://noprinc.$DOMAIN/"
}
ck_spn_missing() {
	expect 'kerberos.error_code == 7 && kerberos.SNameString == "noprinc.kerbtrace.test"' 1
	expect 'http.response.code == 401' 1
	expect 'http.authorization' 0 0
	expect 'http.response.code == 200' 0 0
}

pre_stale_key() { www_start "$KEYS/http-www.stale.keytab" krb5; }
sc_stale_key() {
	kinit_as client1 alice
	browse client1 "$WWW"
}
ck_stale_key() {
	expect 'kerberos.msg_type == 13' 1 1
	expect 'http.authorization && kerberos.msg_type == 14' 1
	expect 'http.response.code == 401' 2
	expect 'http.response.code == 200' 0 0
}

pre_wrong_key() { www_start "$KEYS/http-www.wrong.keytab" krb5; }
sc_wrong_key() {
	kinit_as client1 alice
	browse client1 "$WWW"
}
ck_wrong_key() { ck_stale_key; }

sc_dns_nxdomain() {
	kinit_as client1 alice
	browse client1 "http://nosuch.$DOMAIN/" || true
}
ck_dns_nxdomain() {
	expect 'dns.flags.rcode == 3 && dns.qry.name == "nosuch.kerbtrace.test"' 1
	expect 'http' 0 0
	expect 'kerberos.msg_type == 12' 0 0
}

sc_cname_canonical() {
	kinit_as client1 alice
	browse client1 "http://intranet.$DOMAIN/"
}
ck_cname_canonical() {
	expect 'dns.resp.type == 5 && dns.qry.name == "intranet.kerbtrace.test"' 1
	expect 'kerberos.msg_type == 12 && kerberos.SNameString == "www.kerbtrace.test"' 1 1
	expect 'kerberos.msg_type == 13' 1 1
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
}

sc_cname_noncanonical() {
	client_conf default false
	kinit_as client1 alice
	browse client1 "http://intranet.$DOMAIN/"
}
ck_cname_noncanonical() {
	expect 'dns.resp.type == 5' 1
	expect 'kerberos.msg_type == 12 && kerberos.SNameString == "intranet.kerbtrace.test"' 1
	expect 'kerberos.error_code == 7' 1
	expect 'kerberos.msg_type == 12 && kerberos.SNameString == "www.kerbtrace.test"' 0 0
	expect 'http.authorization' 0 0
}

sc_cname_fallback() {
	client_conf default fallback
	kinit_as client1 alice
	browse client1 "http://intranet.$DOMAIN/"
}
ck_cname_fallback() {
	expect 'kerberos.msg_type == 12 && kerberos.SNameString == "intranet.kerbtrace.test"' 1
	expect 'kerberos.error_code == 7' 1
	expect 'kerberos.msg_type == 12 && kerberos.SNameString == "www.kerbtrace.test"' 1
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
}

sc_skew_client() {
	client_conf default true 1465 0
	C_FAKETIME=+10m
	kinit_as client1 alice || true
	browse client1 "$WWW"
}
ck_skew_client() {
	expect 'kerberos.error_code == 37' 1
	expect 'kerberos.msg_type == 11' 0 0
	expect 'http.authorization' 0 0
}

sc_skew_client_timesync() {
	C_FAKETIME=+10m
	kinit_as client1 alice
	browse client1 "$WWW"
}
ck_skew_client_timesync() {
	expect 'kerberos.error_code == 37' 0 0
	expect 'kerberos.msg_type == 11' 1 1
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
}

sc_skew_client_tgs() {
	client_conf default true 1465 0
	kinit_as client1 alice
	C_FAKETIME=+10m
	browse client1 "$WWW"
}
ck_skew_client_tgs() {
	expect 'kerberos.msg_type == 11' 1 1
	expect 'kerberos.msg_type == 12' 1
	expect 'kerberos.error_code == 37' 1
	expect 'http.authorization' 0 0
}

pre_skew_server() { www_start "$KEYS/http-www.good.keytab" krb5 +10m; }
sc_skew_server() {
	kinit_as client1 alice
	browse client1 "$WWW"
}
ck_skew_server() {
	expect 'kerberos.msg_type == 13' 1 1
	expect 'http.authorization && kerberos.msg_type == 14' 1
	expect 'http.response.code == 401' 2
	expect 'http.response.code == 200' 0 0
}

pre_skew_server_behind() { www_start "$KEYS/http-www.good.keytab" krb5 -10m; }
sc_skew_server_behind() {
	kinit_as client1 alice
	browse client1 "$WWW"
}
ck_skew_server_behind() { ck_skew_server; }

sc_wrong_password() {
	kinit_as client1 alice 'not-the-password' || true
	browse client1 "$WWW"
}
ck_wrong_password() {
	expect 'kerberos.error_code == 24' 1
	expect 'kerberos.msg_type == 11' 0 0
	expect 'http.authorization' 0 0
}

sc_unknown_user() {
	kinit_as client1 mallory 'whatever' || true
	browse client1 "$WWW"
}
ck_unknown_user() {
	expect 'kerberos.error_code == 6 && kerberos.CNameString == "mallory"' 1
	expect 'kerberos.msg_type == 11' 0 0
}

pre_locked_account() {
	# lock carol (policy lockout, maxfailure 3) before the capture starts
	kadm "modprinc -unlock carol"
	# MIT resets the failure count while last_failed <= the admin unlock time (1 s resolution)
	sleep 1.1
	for _ in 1 2 3; do kinit_as client2 carol 'bad-password' || true; done
	rm -f "$SCN_DIR/ccache-client2"
}
sc_locked_account() {
	kinit_as client1 carol || true
	browse client1 "$WWW"
}
ck_locked_account() {
	expect 'kerberos.error_code == 18' 1
	expect 'kerberos.msg_type == 11' 0 0
}

sc_disabled_account() {
	kinit_as client1 erin || true
	browse client1 "$WWW"
}
ck_disabled_account() {
	expect 'kerberos.msg_type == 30 && kerberos.CNameString == "erin"' 1
	expect 'kerberos.msg_type == 11' 0 0
}

sc_expired_password() {
	kinit_as client1 dave || true
	browse client1 "$WWW"
}
ck_expired_password() {
	expect 'kerberos.error_code == 23' 1
	expect 'http.authorization' 0 0
}

sc_expired_account() {
	kinit_as client1 frank || true
	browse client1 "$WWW"
}
ck_expired_account() {
	expect 'kerberos.error_code == 1' 1
	expect 'kerberos.msg_type == 11' 0 0
}

sc_etype_nosupp() {
	client_conf default true 1465 1 \
		"    permitted_enctypes = camellia256-cts-cmac camellia128-cts-cmac"
	kinit_as client1 alice || true
	browse client1 "$WWW"
}
ck_etype_nosupp() {
	expect 'kerberos.error_code == 14' 1
	expect 'kerberos.msg_type == 11' 0 0
}

pre_kdc_tcp_split() {
	nsx client1 ip link set eth0 mtu 576
	nsx sw ip link set p-client1 mtu 576
}
sc_kdc_tcp_split() {
	client_conf default true 1
	kinit_as client1 alice
	browse client1 "$WWW"
}
post_kdc_tcp_split() {
	nsx client1 ip link set eth0 mtu 1500
	nsx sw ip link set p-client1 mtu 1500
}
ck_kdc_tcp_split() {
	expect 'udp.port == 88' 0 0
	expect 'tcp.port == 88 && kerberos.msg_type == 11' 1 1
	expect 'tcp.port == 88 && kerberos.msg_type == 13' 1 1
	expect 'tcp.port == 88 && kerberos && tcp.segment' 3
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
}

pre_kdc_udp_too_big() { kdc_start 400; }  # MIT default 4096
sc_kdc_udp_too_big() {
	kinit_as client1 alice
	browse client1 "$WWW"
}
post_kdc_udp_too_big() { kdc_start 4096; }
ck_kdc_udp_too_big() {
	expect 'udp && kerberos.error_code == 52' 2
	expect 'tcp && kerberos.msg_type == 11' 1 1
	expect 'tcp && kerberos.msg_type == 13' 1 1
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
}

sc_no_negotiate() {
	kinit_as client1 alice
	curl_get client1 "$WWW"
}
ck_no_negotiate() {
	expect 'http.response.code == 401' 1 1
	expect 'http.authorization' 0 0
	expect 'kerberos.msg_type == 12' 0 0
}

sc_two_clients() {
	(
		kinit_as client1 alice
		sleep 0.3
		browse client1 "$WWW"
	) &
	local p1=$!
	(
		sleep 0.15
		kinit_as client2 bob 'not-the-password' || true
		sleep 0.3
		browse client2 "$WWW"
	) &
	local p2=$!
	wait "$p1"
	wait "$p2"
}
ck_two_clients() {
	expect 'ip.src == 192.0.2.101 && kerberos.msg_type == 12' 1 1
	expect 'ip.dst == 192.0.2.102 && kerberos.error_code == 24' 1
	expect 'ip.dst == 192.0.2.101 && http.response.code == 200' 1 1
	expect 'ip.dst == 192.0.2.102 && http.response.code == 401' 1
	expect 'ip.src == 192.0.2.102 && http.authorization' 0 0
}

sc_ipv6() {
	kinit_as client6 alice
	browse client6 "$WWW"
}
ck_ipv6() {
	expect 'ip' 0 0
	expect 'dns.qry.type == 28 && dns.qry.name == "www.kerbtrace.test"' 1
	expect 'kerberos.msg_type == 13' 1 1
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
}

pre_ntlm_fallback() { www_start "$KEYS/http-www.good.keytab" "krb5 ntlmssp"; }
sc_ntlm_fallback() {
	C_NTLM=1
	kinit_as client1 alice
	browse client1 "http://noprinc.$DOMAIN/"
}
ck_ntlm_fallback() {
	expect 'kerberos.error_code == 7' 1
	expect 'ntlmssp.messagetype == 1' 1 1
	expect 'ntlmssp.messagetype == 2' 1 1
	expect 'ntlmssp.messagetype == 3' 1 1
	expect 'http.response.code == 200' 1 1
}

pre_cached_ticket() {
	# ticket for HTTP/www obtained before the capture (like a browser tab opened earlier)
	kinit_as client1 alice
	on client1 kvno-client1 kvno "HTTP/www.$DOMAIN@$REALM"
}
sc_cached_ticket() { browse client1 "$WWW"; }
ck_cached_ticket() {
	expect 'kerberos.msg_type == 12' 0 0
	expect 'kerberos.msg_type == 10' 0 0
	expect 'http.authorization && kerberos.msg_type == 14' 1 1
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
}

sc_forbidden() {
	kinit_as client1 alice
	browse client1 "${WWW}private/"
}
ck_forbidden() {
	expect 'http.authorization && kerberos.msg_type == 14' 1 1
	expect 'http.response.code == 403' 1 1
}

sc_header_too_long() {
	kinit_as client1 alice
	browse client1 "http://www.$DOMAIN:8080/"
}
ck_header_too_long() {
	expect 'kerberos.msg_type == 13' 1 1
	expect 'http.response.code == 401' 1 1
	expect 'http.response.code == 400' 1 1
}

# smbclient_ls HOST : list //fs.kerbtrace.test/share with Kerberos only (like `dir \\\\fs\\share`)
smbclient_ls() {
	local host=$1
	mkdir -p "$SCN_DIR/samba"
	render "$CONF/smb-client.conf.in" "$SCN_DIR/smb-client.conf" DIR="$SCN_DIR"
	on "$host" "smbclient-$host" smbclient -s "$SCN_DIR/smb-client.conf" "//fs.$DOMAIN/share" \
		--use-kerberos=required -c 'ls'
}

# rc4-service: HTTP/rc4 (a name of www) has only an rc4-hmac key: ticket, session key,
# authenticator and AP-REP are all rc4-hmac; Apache's keytab holds it beside the www keys.
pre_rc4_service() { www_start "$KEYS/http-www-rc4.keytab" krb5; }
sc_rc4_service() {
	kinit_as client1 alice
	browse client1 "http://rc4.$DOMAIN/"
}
ck_rc4_service() {
	expect 'kerberos.msg_type == 12 && kerberos.SNameString == "rc4.kerbtrace.test"' 1 1
	expect 'kerberos.msg_type == 13 && kerberos.etype == 23' 1 1
	expect 'http.authorization && kerberos.msg_type == 14 && kerberos.etype == 23' 1 1
	expect 'http.response.code == 200 && kerberos.msg_type == 15' 1 1
}

pre_smb_success() { smb_start "$KEYS/cifs-fs.good.keytab"; }
sc_smb_success() {
	kinit_as client1 alice
	smbclient_ls client1
}
ck_smb_success() {
	expect 'kerberos.msg_type == 12 && kerberos.SNameString == "cifs"' 1
	expect 'kerberos.msg_type == 13' 1 1
	expect 'smb2.cmd == 1 && kerberos.msg_type == 14' 1 1
	expect 'smb2.cmd == 1 && smb2.nt_status == 0 && kerberos.msg_type == 15' 1 1
	expect 'smb2.cmd == 3 && smb2.nt_status == 0' 1
}

pre_smb_rejected() { smb_start "$KEYS/cifs-fs.wrong.keytab"; }
sc_smb_rejected() {
	kinit_as client1 alice
	smbclient_ls client1 || true
}
ck_smb_rejected() {
	expect 'kerberos.msg_type == 13' 1
	expect 'smb2.cmd == 1 && kerberos.msg_type == 14' 1
	expect 'smb2.cmd == 1 && smb2.nt_status != 0 && smb2.nt_status != 0xc0000016' 1
	expect 'smb2.cmd == 3' 0 0
}

# ---------------------------------------------------------------- run

scenario_fn() { echo "sc_${1//-/_}"; }
has_fn() { declare -F "$1" >/dev/null; }

run_one() {
	local name=$1 out=$2 fn
	SCN=$name
	fn=$(scenario_fn "$name")
	has_fn "$fn" || die "unknown scenario '$name' (lab.sh list)"
	SCN_DIR=$STATE/scn/$name
	rm -rf "$SCN_DIR"
	mkdir -p "$SCN_DIR"
	chmod 0755 "$SCN_DIR"
	reset_client_opts
	client_conf default
	www_default
	[[ $(cat "$STATE/kdc.dgram") == 4096 ]] || kdc_start 4096
	if has_fn "pre_${fn#sc_}"; then "pre_${fn#sc_}"; fi
	# fresh ccaches for the capture (pre_ steps may have used some)
	[[ $name == cached-ticket ]] || rm -f "$SCN_DIR"/ccache-*
	log "scenario $name"
	capture_start "$name"
	local rc=0
	"$fn" || rc=$?
	capture_stop
	if has_fn "post_${fn#sc_}"; then "post_${fn#sc_}"; fi
	((rc == 0)) || log "scenario $name: client step exited $rc (see $SCN_DIR)"
	: >"$SCN_DIR/checks.txt"
	if has_fn "ck_${fn#sc_}"; then "ck_${fn#sc_}"; fi
	mkdir -p "$out"
	cp "$CAP_FILE" "$out/$name.pcap"
	if [[ " ${MULTIFORMAT[*]} " == *" $name "* ]]; then
		editcap -F pcapng "$CAP_FILE" "$out/$name.pcapng"
		editcap -F netmon2 "$CAP_FILE" "$out/$name.cap"
	fi
	log "  -> $out/$name.pcap ($(capinfos -c -M "$CAP_FILE" | awk '/Number of packets/ {print $NF}') frames)"
}

LAB_BROUGHT_UP=0
on_exit() {
	local rc=$?
	if [[ -n $CAP_PID ]]; then
		kill -INT "$CAP_PID" 2>/dev/null || true
		wait "$CAP_PID" 2>/dev/null || true
	fi
	if ((LAB_BROUGHT_UP)) && [[ ${KT_KEEP:-0} != 1 ]]; then cmd_down quiet; fi
	exit "$rc"
}

cmd_run() {
	local out=$REPO_DIR/testdata/captures name
	local -a names=()
	while (($#)); do
		case $1 in
		--out)
			out=$2
			shift 2
			;;
		--out=*)
			out=${1#--out=}
			shift
			;;
		-*) die "unknown option $1" ;;
		*)
			names+=("$1")
			shift
			;;
		esac
	done
	((${#names[@]})) || die "usage: lab.sh run [--out DIR] SCENARIO..."
	for name in "${names[@]}"; do has_fn "$(scenario_fn "$name")" || die "unknown scenario '$name'"; done
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	trap on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if ! is_up; then
		LAB_BROUGHT_UP=1
		cmd_up
	fi
	for name in "${names[@]}"; do run_one "$name" "$out"; done
	if ((CHECK_FAILED)); then die "some capture checks failed"; fi
	log "all checks passed (${names[*]})"
}

cmd_frames() {
	tshark -r "$1" -o tcp.desegment_tcp_streams:TRUE -Y 'kerberos || dns || http || ntlmssp' \
		-T fields -E separator=' ' -e frame.number -e _ws.col.Source -e _ws.col.Destination \
		-e _ws.col.Protocol -e _ws.col.Info
}

need_root() { [[ $(id -u) == 0 ]] || die "run as root (network namespaces)"; }

# Debian 12 packages the lab needs (README.md); checked before anything starts.
APT_PACKAGES="iproute2 ethtool tcpdump tshark wireshark-common krb5-kdc krb5-admin-server krb5-user \
apache2 libapache2-mod-auth-gssapi curl dnsmasq-base libfaketime gss-ntlmssp"
check_deps() {
	local b missing=()
	for b in ip ethtool tcpdump tshark editcap capinfos krb5kdc kdb5_util kadmin.local kinit ktutil kvno \
		apache2 curl dnsmasq unshare hostname perl ss; do
		command -v "$b" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$b" >/dev/null 2>&1 ||
			missing+=("$b")
	done
	[[ -f $FAKETIME_LIB ]] || missing+=("$FAKETIME_LIB")
	[[ -f /usr/lib/apache2/modules/mod_auth_gssapi.so ]] || missing+=(mod_auth_gssapi.so)
	[[ -f /usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so ]] || missing+=(gssntlmssp.so)
	((${#missing[@]} == 0)) && return 0
	die "missing: ${missing[*]}; install with: apt-get install -y $APT_PACKAGES"
}

# describe DIR : markdown listing of the key frames of every capture in DIR (for README.md).
# DNS lookups of the KDC itself (SRV _kerberos*, A/AAAA dc) are left out of the listing.
cmd_describe() {
	local dir=${1:-$REPO_DIR/testdata/captures} f name
	for f in "$dir"/*.pcap; do
		name=$(basename "$f" .pcap)
		printf '\n### %s\n\n' "$name"
		printf '`%s` — %s frames, %s; sha256 `%s`\n\n' "$name.pcap" \
			"$(capinfos -c -M "$f" 2>/dev/null | awk '/Number of packets/ {print $NF}')" \
			"$(capinfos -u -M "$f" 2>/dev/null | awk -F': *' '/Capture duration/ {print $2}')" \
			"$(sha256sum "$f" | cut -c1-16)…"
		printf '```\n'
		tshark -r "$f" -o tcp.desegment_tcp_streams:TRUE \
			-Y '(kerberos || http || ntlmssp || smb2.cmd <= 3 || dns) && !(dns.qry.name matches "^_kerberos" || dns.qry.name == "dc.kerbtrace.test")' \
			-T fields -E separator='|' -E aggregator=',' -e frame.number -e _ws.col.Source \
			-e _ws.col.Destination -e _ws.col.Protocol -e _ws.col.Info -e kerberos.msg_type \
			-e kerberos.SNameString -e kerberos.CNameString -e http.www_authenticate \
			-e http.authorization -e kerberos.error_code 2>/dev/null |
			awk -F'|' -f "$LAB_DIR/conf/describe.awk"
		printf '```\n'
	done
}

cmd_versions() {
	dpkg-query -W -f='${Package} ${Version}\n' krb5-kdc krb5-admin-server krb5-user libkrb5-3 \
		libgssapi-krb5-2 apache2-bin libapache2-mod-auth-gssapi curl dnsmasq-base gss-ntlmssp \
		libfaketime samba smbclient tcpdump libpcap0.8 iproute2 tshark 2>/dev/null
	apache2 -v 2>/dev/null | head -1
	curl --version | head -1
	uname -sr
}

main() {
	local cmd=${1:-}
	shift || true
	case $cmd in
	up)
		need_root
		check_deps
		trap 'rc=$?; ((rc == 0)) || [[ ${KT_KEEP:-0} == 1 ]] || cmd_down quiet; exit $rc' EXIT
		cmd_up
		;;
	down)
		need_root
		cmd_down
		;;
	run)
		need_root
		check_deps
		cmd_run "$@"
		;;
	all)
		need_root
		check_deps
		local -a todo=()
		for name in "${SCENARIOS[@]}"; do
			if [[ $name == smb-* ]] && ! have_samba; then
				log "skipping $name: samba/smbclient not installed"
				continue
			fi
			todo+=("$name")
		done
		cmd_run "$@" "${todo[@]}"
		;;
	list) printf '%s\n' "${SCENARIOS[@]}" ;;
	describe) cmd_describe "$@" ;;
	versions) cmd_versions ;;
	_call) "$@" ;; # debugging: run one internal function, e.g. lab.sh _call smb_start FILE
	keys) cmd_keys ;;
	frames) cmd_frames "$1" ;;
	*)
		sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
		[[ -n $cmd ]] && exit 2
		;;
	esac
}

main "$@"
