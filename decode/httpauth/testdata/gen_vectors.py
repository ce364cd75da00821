#!/usr/bin/env python3
"""Extract HTTP message heads and tshark's reading of them into test vectors.

Usage (from the captures directory): http_extract.py FILE[:CAP]... > vectors.txt
Runs: tshark -r F -o tcp.desegment_tcp_streams:TRUE -Y http -T json -x
The hex is "http_raw": the head, sometimes followed by (part of) the body.
Expected challenge lines are computed here, independently of the Go code,
from the raw header values tshark reports (each value holds one challenge in
these captures; comma-joined lists are covered by the Go edge-case tests).
"""
import json, subprocess, sys, re, os, base64

def ispairs(node):
    return isinstance(node, list) and all(isinstance(x, tuple) for x in node)

def get(node, key):
    if not ispairs(node):
        return None
    for k, v in node:
        if k == key:
            return v
    return None

def getall_deep(node, key, out):
    if isinstance(node, list) and node and all(isinstance(x, tuple) for x in node):
        for k, v in node:
            if k == key:
                out.append(v)
            getall_deep(v, key, out)
    return out

CANON = {s.lower(): s for s in ("Negotiate", "NTLM", "Kerberos", "Basic", "Digest", "Bearer")}

def challenge(value, authz):
    value = value.strip()
    scheme, _, rest = value.partition(" ")
    rest = rest.strip()
    canon = CANON.get(scheme.lower(), scheme)
    if canon in ("Negotiate", "NTLM", "Kerberos"):
        if not rest:
            return canon
        tok = base64.b64decode(rest)
        return "%s tok=%d b64=%d" % (canon, len(tok), len(rest))
    if canon == "Basic" and authz:
        user, sep, pw = base64.b64decode(rest).decode("latin-1").partition(":")
        return '%s user=%s password=%s' % (canon, json.dumps(user), "<%d bytes>" % len(pw) if sep else "absent")
    if canon == "Bearer" and authz:
        return "%s b64=%d" % (canon, len(rest))
    if canon == "Digest" and authz:
        rest = re.sub(r'response="[^"]*"', lambda m: "response=<%d chars>" % (len(m.group(0)) - 11), rest)
    if rest and re.fullmatch(r"[A-Za-z0-9\-._~+/]+=*", rest):
        return "%s b64=%d" % (canon, len(rest))
    return ("%s params=%s" % (canon, rest)) if rest else canon

FIELDS = [("http.www_authenticate", "www", False), ("http.proxy_authenticate", "pwww", False),
          ("http.authorization", "auth", True), ("http.proxy_authorization", "pauth", True)]

def summary(h):
    r = []
    for k, v in h:
        if ispairs(v) and get(v, "http.request.method"):
            r.append(("req", "%s %s %s" % (get(v, "http.request.method"), get(v, "http.request.uri"), get(v, "http.request.version"))))
        if ispairs(v) and get(v, "http.response.code"):
            r.append(("resp", "%s %s %s" % (get(v, "http.response.version"), get(v, "http.response.code"), get(v, "http.response.phrase") or "")))
    if get(h, "http.host") is not None:
        r.append(("host", get(h, "http.host")))
    for key, tag, authz in FIELDS:
        for v in [v for k, v in h if k == key]:
            r.append((tag, challenge(v, authz)))
    cl = getall_deep(h, "http.content_length", [])
    r.append(("clen", cl[0] if cl else "-1"))
    te = get(h, "http.transfer_encoding")
    r.append(("chunked", "1" if te and te.strip().lower().split(",")[-1].strip() == "chunked" else "0"))
    conn = get(h, "http.connection")
    r.append(("close", "1" if conn and "close" in [x.strip().lower() for x in conn.split(",")] else "0"))
    return r

def main():
    seen = set()
    for f in sys.argv[1:]:
        cap = 6
        if ":" in f:
            f, cap = f.split(":"); cap = int(cap)
        p = subprocess.run(["tshark", "-r", f, "-o", "tcp.desegment_tcp_streams:TRUE", "-Y", "http", "-T", "json", "-x"], capture_output=True, text=True)
        data = json.loads(p.stdout, object_pairs_hook=lambda x: x)
        n = 0
        for pkt in data:
            layers = get(get(pkt, "_source"), "layers")
            num = get(get(layers, "frame"), "frame.number")
            hs = [v for k, v in layers if k == "http"]
            raws = [v for k, v in layers if k == "http_raw"]
            for i, (h, raw) in enumerate(zip(hs, raws)):
                hx = raw[0]
                if n >= cap or hx in seen or not isinstance(h, list):
                    continue
                seen.add(hx); n += 1
                print("# %s frame %s (tshark 4.0.17 -T json -x: http_raw; expectations from http.* fields)" % (f, num))
                print("vector %s_%s%s" % (re.sub(r"[^A-Za-z0-9]+", "_", os.path.basename(f).split(".")[0])[:40], num, "_%d" % i if len(hs) > 1 else ""))
                print("hex " + hx)
                # http_raw may run on into the body (tshark includes it when the
                # body is not dissected further), so the head ends at the first
                # empty line.
                m = re.search(rb"\r?\n\r?\n", bytes.fromhex(hx))
                print("headlen %d" % m.end())
                for k, v in summary(h):
                    print("%s %s" % (k, v))
                print()

main()
