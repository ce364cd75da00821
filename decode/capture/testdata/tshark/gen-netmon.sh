#!/bin/sh
# Regenerates the tshark listings the Network Monitor tests compare against.
# Run from this directory with the shared captures at ../../../../../shared/captures
# (TShark 4.0.17 wrote the committed files). The columns of gen.sh, then
# frame.len and frame.protocols. TZ=UTC: Network Monitor 2.0-2.2 files store
# their start time as a local time, which Wireshark reads in the local zone
# and kerbtrace in UTC.
set -e
export TZ=UTC
list() {
	tshark -r "$1" -o tcp.desegment_tcp_streams:FALSE -T fields -E occurrence=f \
		-e frame.number -e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
		-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport -e icmp.type -e icmpv6.type \
		-e tcp.seq_raw -e tcp.len -e tcp.flags -e frame.len -e frame.protocols 2>/dev/null || true
}
# Synthetic files written by TestWriteNetmonTestdata.
for f in ../netmon/*.cap; do
	list "$f" >"netmon_$(basename "$f").tsv"
done
# Every Network Monitor file of the shared captures.
caps=../../../../../shared/captures
mkdir -p netmon
for f in "$caps"/ms-prot-od-netcaps/*.cap; do
	list "$f" | gzip -9n >"netmon/$(basename "$f").tsv.gz"
done
