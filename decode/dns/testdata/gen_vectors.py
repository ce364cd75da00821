#!/usr/bin/env python3
"""Extract DNS messages and tshark's reading of them into a test-vector file.

Usage (from the captures directory): dns_extract.py FILE[:CAP]... > vectors.txt
Runs: tshark -r F -o tcp.desegment_tcp_streams:TRUE -Y dns -T json -x
The hex is "dns_raw": for DNS over TCP it starts with the 2-byte length.
"""
import json, subprocess, sys, re, os

def get(node, key):
    if not isinstance(node, list):
        return None
    for k, v in node:
        if k == key:
            return v
    return None

def getall(node, key):
    return [v for k, v in node if k == key] if isinstance(node, list) else []

def walk(node, out):
    if isinstance(node, list) and node and all(isinstance(x, tuple) for x in node):
        keys = [k for k, _ in node]
        if "dns" in keys and "dns_raw" in keys:
            for a, b in zip(getall(node, "dns"), getall(node, "dns_raw")):
                out.append((a, b))
        for _, v in node:
            walk(v, out)
    elif isinstance(node, list):
        for v in node:
            walk(v, out)

def name(s):
    return "" if s in (None, "<Root>") else s

def rrdata(t, rr):
    g = lambda k: get(rr, k)
    if t == 1: return g("dns.a")
    if t == 28: return g("dns.aaaa")
    if t == 5: return name(g("dns.cname"))
    if t == 12: return name(g("dns.ptr.domain_name"))
    if t == 2: return name(g("dns.ns"))
    if t == 33: return "%s %s %s %s" % (g("dns.srv.priority"), g("dns.srv.weight"), g("dns.srv.port"), name(g("dns.srv.target")))
    if t == 6: return "%s %s %s" % (name(g("dns.soa.mname")), name(g("dns.soa.rname")), g("dns.soa.serial_number"))
    if t == 15: return "%s %s" % (g("dns.mx.preference"), name(g("dns.mx.mail_exchange")))
    if t == 16: return " ".join(getall(rr, "dns.txt"))
    return ""

# RFC 2136 UPDATE messages reuse the four sections as Zone, Prerequisites,
# Updates and Additional.
SECTIONS = [("Queries", "q"), ("Zone", "q"), ("Answers", "an"), ("Prerequisites", "an"),
            ("Authoritative nameservers", "ns"), ("Updates", "ns"), ("Additional records", "ar")]

def rrname(rr):
    n = get(rr, "dns.resp.name")
    if n is None and get(rr, "dns.srv.name") is not None:
        n = ".".join(x for x in (get(rr, "dns.srv.service"), get(rr, "dns.srv.proto"), get(rr, "dns.srv.name")) if x)
    return name(n)

def summary(d):
    r = []
    tcp_len = get(d, "dns.length")
    r.append(("id", get(d, "dns.id")))
    ft = get(d, "dns.flags_tree")
    f = lambda k: get(ft, "dns.flags." + k) or "0"
    r.append(("flags", "qr=%s opcode=%s aa=%s tc=%s rd=%s rcode=%s" % (f("response"), f("opcode"), f("authoritative"), f("truncated"), f("recdesired"), f("rcode"))))
    c = lambda a, b: get(d, "dns.count." + a) or get(d, "dns.count." + b)
    r.append(("counts", " ".join((c("queries", "zones"), c("answers", "prerequisites"), c("auth_rr", "updates"), c("add_rr", "add_rr")))))
    for sec, tag in SECTIONS:
        for s in getall(d, sec):
            for label, rr in s:
                if tag == "q":
                    r.append((tag, "%s %s" % (name(get(rr, "dns.qry.name")) or "-", get(rr, "dns.qry.type"))))
                    continue
                t = int(get(rr, "dns.resp.type"))
                ttl = get(rr, "dns.resp.ttl") if t != 41 else "-"
                r.append((tag, "%s %d %s %s" % (rrname(rr) or "-", t, ttl, rrdata(t, rr))))
    return r

def main():
    seen = set()
    for f in sys.argv[1:]:
        cap = 8
        if ":" in f:
            f, cap = f.split(":"); cap = int(cap)
        p = subprocess.run(["tshark", "-r", f, "-o", "tcp.desegment_tcp_streams:TRUE", "-Y", "dns", "-T", "json", "-x"], capture_output=True, text=True)
        data = json.loads(p.stdout, object_pairs_hook=lambda x: x)
        n = 0
        for pkt in data:
            layers = get(get(pkt, "_source"), "layers")
            num = get(get(layers, "frame"), "frame.number")
            tcp = get(layers, "tcp") is not None
            out = []
            walk(pkt, out)
            for i, (d, raw) in enumerate(out):
                if n >= cap or raw[0] in seen:
                    continue
                seen.add(raw[0]); n += 1
                print("# %s frame %s (tshark 4.0.17 -T json -x: dns_raw; expectations from dns.* fields)" % (f, num))
                print("vector %s_%s%s" % (re.sub(r"[^A-Za-z0-9]+", "_", os.path.basename(f).split(".")[0])[:40], num, "_%d" % i if len(out) > 1 else ""))
                print("hex " + raw[0])
                if tcp: print("tcp 1")
                for k, v in summary(d):
                    print("%s %s" % (k, v))
                print()

main()
