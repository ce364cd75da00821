#!/usr/bin/env python3
"""Extract NTLMSSP blobs and tshark's reading of them into a test-vector file.

Usage: ntlm_extract.py CAPTURES_DIR FILE... > vectors.txt
Runs: tshark -r F -o tcp.desegment_tcp_streams:TRUE -Y ntlmssp -T json -x
"""
import json, subprocess, sys, datetime, re, os

def pairs(p):
    return p  # keep duplicates as list of pairs

def walk(node, out):
    if isinstance(node, list) and node and all(isinstance(x, tuple) for x in node):
        keys = [k for k, _ in node]
        if "ntlmssp" in keys and "ntlmssp_raw" in keys:
            nt = [v for k, v in node if k == "ntlmssp"]
            raw = [v for k, v in node if k == "ntlmssp_raw"]
            for a, b in zip(nt, raw):
                out.append((a, b))
        for _, v in node:
            walk(v, out)
    elif isinstance(node, list):
        for v in node:
            walk(v, out)

def get(node, key):
    if not isinstance(node, list):
        return None
    for k, v in node:
        if k == key:
            return v
    return None

def find_all(node, pred, out):
    if isinstance(node, list) and node and all(isinstance(x, tuple) for x in node):
        for k, v in node:
            if pred(k):
                out.append((k, v))
            find_all(v, pred, out)
    return out

def ts(s):
    # "Mar 10, 2025 09:15:19.974828700 UTC"
    m = re.match(r"(\w+ +\d+, \d+ \d+:\d+:\d+)\.(\d+) UTC", s)
    if not m:
        return s
    d = datetime.datetime.strptime(m.group(1), "%b %d, %Y %H:%M:%S")
    frac = m.group(2).rstrip("0")
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "Z"

AVNAMES = {1: "nb_computer_name", 2: "nb_domain_name", 3: "dns_computer_name", 4: "dns_domain_name",
           5: "dns_tree_name", 7: "timestamp", 9: "target_name", 6: "flags"}

def avlist(tree, prefix):
    items = []
    for k, v in tree:
        if not k.startswith("Attribute: "):
            continue
        t = int(get(v, prefix + ".item.type"), 16)
        if t == 0:
            continue
        val = None
        for kk, vv in v:
            if kk.endswith(".item.type") or kk.endswith(".item.length"):
                continue
            val = vv
        if t == 7 and val:
            val = ts(val)
        if t == 6 and val:
            val = "0x%08x" % int(val, 16)
        elif t not in (1, 2, 3, 4, 5, 7, 9):
            n = int(get(v, prefix + ".item.length"))
            val = "present (%d bytes)" % n
        if isinstance(val, list):
            val = None
        items.append("%d=%s" % (t, val if val is not None else "?"))
    return items

def nullify(s):
    return "" if s in (None, "NULL") else s

def summary(nt):
    r = {}
    r["type"] = str(int(get(nt, "ntlmssp.messagetype"), 16))
    fl = get(nt, "ntlmssp.negotiateflags")
    if fl:
        r["flags"] = "0x%08x" % int(fl, 16)
    v = get(nt, "ntlmssp.version")
    if v:
        r["version"] = "%s.%s.%s (NTLM rev %s)" % (get(v, "ntlmssp.version.major"), get(v, "ntlmssp.version.minor"),
                                                  get(v, "ntlmssp.version.build_number"), get(v, "ntlmssp.version.ntlm_current_revision"))
    t = r["type"]
    if t == "1":
        for key, name in (("ntlmssp.negotiate.domain", "domain"), ("ntlmssp.negotiate.callingworkstation", "workstation")):
            x = get(nt, key)
            if x is not None:
                r[name] = nullify(x)
    elif t == "2":
        x = get(nt, "ntlmssp.challenge.target_name")
        if x is not None:
            r["target"] = nullify(x)
        c = get(nt, "ntlmssp.ntlmserverchallenge")
        if c:
            r["challenge"] = c.replace(":", "")
        ti = get(nt, "ntlmssp.challenge.target_info")
        if ti:
            r["targetinfo"] = ",".join(avlist(ti, "ntlmssp.challenge.target_info"))
    elif t == "3":
        for key, name in (("ntlmssp.auth.domain", "domain"), ("ntlmssp.auth.username", "user"), ("ntlmssp.auth.hostname", "workstation")):
            x = get(nt, key)
            if x is not None:
                r[name] = nullify(x)
        for key, name in (("ntlmssp.auth.lmresponse_tree", "lmlen"), ("ntlmssp.auth.ntresponse_tree", "ntlen")):
            x = get(nt, key)
            r[name] = get(x, "ntlmssp.blob.length") if x is not None else "0"
        nr = get(nt, "ntlmssp.auth.ntresponse_tree")
        if nr:
            v2 = get(nr, "ntlmssp.ntlmv2_response_tree")
            if v2:
                r["clientinfo"] = ",".join(avlist(v2, "ntlmssp.ntlmv2_response"))
        sk = get(nt, "ntlmssp.auth.sesskey_tree")
        if sk:
            r["sesskeylen"] = get(sk, "ntlmssp.blob.length")
    return r

ORDER = ["type", "flags", "version", "domain", "workstation", "user", "target", "challenge", "targetinfo", "lmlen", "ntlen", "clientinfo", "sesskeylen"]

def main():
    base = sys.argv[1]
    seen = set()
    for f in sys.argv[2:]:
        cap = 3
        if ":" in f:
            f, cap = f.split(":")
            cap = int(cap)
        p = subprocess.run(["tshark", "-r", os.path.join(base, f), "-o", "tcp.desegment_tcp_streams:TRUE", "-Y", "ntlmssp", "-T", "json", "-x"],
                           capture_output=True, text=True)
        data = json.loads(p.stdout, object_pairs_hook=lambda x: x)
        per = {}
        for pkt in data:
            frame = get(get(get(pkt, "_source"), "layers"), "frame")
            num = get(frame, "frame.number")
            out = []
            walk(pkt, out)
            for nt, raw in out:
                hexs = raw[0]
                if hexs in seen:
                    continue
                s = summary(nt)
                if per.get(s["type"], 0) >= cap:
                    continue
                per[s["type"]] = per.get(s["type"], 0) + 1
                seen.add(hexs)
                print("# %s frame %s (tshark 4.0.17 -T json -x: ntlmssp_raw; expectations from ntlmssp.* fields)" % (f, num))
                print("vector %s_%s" % (re.sub(r"[^A-Za-z0-9]+", "_", os.path.basename(f).split(".")[0])[:40], num))
                print("hex " + hexs)
                for k in ORDER:
                    if k in s:
                        print("%s %s" % (k, s[k]))
                print()

main()
