#!/bin/sh
# Regenerates the tshark listings the capture tests compare against.
# Run from this directory with the shared captures at ../../../../../shared/captures
# (TShark 4.0.17 wrote the committed files). One line per record:
# frame.number, frame.time_epoch, IPv4/IPv6 addresses, TCP/UDP ports,
# ICMP types (frames with ICMP are not compared), tcp.seq_raw, tcp.len,
# tcp.flags; first occurrence of each field, IP reassembly on.
set -e
caps=../../../../../shared/captures
for f in \
	arkime/twovlan.pcap \
	arkime/krb5-udp.pcap \
	arkime/ntlm_synthetic.pcap \
	gopacket/le_test202.pcapng \
	gopacket/be_test202.pcapng \
	ms-prot-od-netcaps/MS-FASOD_Example1_Win2019v2004_X64_Win10v2004_X64_Workgroup.pcapng \
	ndpi/kerberos-login.pcap \
	pcapplusplus/nanosecs_big_endian.pcap \
	pcapplusplus/pcapng-example.pcapng \
	pcapplusplus/ldap.pcapng \
	pcapplusplus/sll.pcap \
	suricata-verify/http-auth-bearer__input.pcap \
	zeek/basic-auth-with-colon.pcap \
	zeek/gap-data-missing.pcapng \
	zeek/http-qinq-0.pcap \
	zeek/kinit.pcap \
	zeek/linux_dlt_sll2.pcap \
	; do
	out=$(echo "$f" | tr / _).tsv
	tshark -r "$caps/$f" -o tcp.desegment_tcp_streams:FALSE -T fields -E occurrence=f \
		-e frame.number -e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
		-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport -e icmp.type -e icmpv6.type \
		-e tcp.seq_raw -e tcp.len -e tcp.flags >"$out" 2>/dev/null || true
done
