# Formats one tshark fields line (see lab.sh cmd_describe) into a key-frame line:
#   frame src -> dst proto info [sname=... cname=...] [Kerberos inside HTTP] [WWW-Authenticate schemes]
function krbname(t) {
	if (t == "10") return "AS-REQ"; if (t == "11") return "AS-REP"
	if (t == "12") return "TGS-REQ"; if (t == "13") return "TGS-REP"
	if (t == "14") return "AP-REQ"; if (t == "15") return "AP-REP"
	if (t == "30") return "KRB-ERROR"; return "krb" t
}
{
	nm = split($6, mt, ","); first = mt[1]
	n = split($7, sn, ","); spn = ""
	if (first == "12" && n >= 4) spn = sn[n-1] "/" sn[n]
	else if ((first == "13" || first == "30" || first == "10" || first == "11") && n >= 2) spn = sn[n-1] "/" sn[n]
	extra = ""
	if ($4 != "HTTP" && $4 != "SMB2" && spn != "") extra = extra " sname=" spn
	if ($8 != "" && (first == "10" || first == "11" || (first == "30" && $4 != "HTTP" && $4 != "SMB2"))) { split($8, cn, ","); extra = extra " cname=" cn[1] }
	if ($4 == "HTTP" || $4 == "SMB2") {
		if ($10 != "") { split($10, a, " "); extra = extra " [Authorization: " a[1] }
		if (nm > 0 && $6 != "") {
			k = ""; for (i = 1; i <= nm; i++) k = k (i > 1 ? "+" : "") krbname(mt[i])
			if (first == "14" && n >= 2) k = k " sname=" sn[n-1] "/" sn[n]
			extra = extra ($10 != "" ? " " : " [token: ") k
			if ($11 != "") extra = extra " error-code=" $11
		}
		if ($10 != "" || (nm > 0 && $6 != "")) extra = extra "]"
		if ($4 == "SMB2") sub(/\[token: /, "[", extra)
		if ($9 != "") {
			m = split($9, w, ","); ws = ""
			for (i = 1; i <= m; i++) { split(w[i], x, " "); ws = ws (i > 1 ? ", " : "") x[1] (x[2] != "" ? " <token>" : "") }
			extra = extra " {WWW-Authenticate: " ws "}"
		}
	}
	info = $5; gsub(/  +/, " ", info); sub(/ +$/, "", info)
	printf "%5s %-15s -> %-15s %-5s %s%s\n", $1, $2, $3, $4, info, extra
}
