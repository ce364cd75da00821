package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
	"github.com/kerbtrace/kerbtrace/decode/dns"
	"github.com/kerbtrace/kerbtrace/decode/krb"
)

// tsharkRows runs tshark as the bench does on the capture at path and
// returns its rows by frame number, each a map of field to value.
func tsharkRows(t *testing.T, path string) map[int]map[string]string {
	t.Helper()
	args := tsharkArgs(path)
	out, err := exec.Command("tshark", args...).Output()
	if err != nil {
		t.Fatalf("tshark %s: %v", strings.Join(args, " "), err)
	}
	rows := map[int]map[string]string{}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) != len(tsharkFields) {
			t.Fatalf("tshark row of %d columns, want %d: %q", len(cols), len(tsharkFields), line)
		}
		row := map[string]string{}
		for i, f := range tsharkFields {
			row[f] = cols[i]
		}
		frame, err := strconv.Atoi(row["frame.number"])
		if err != nil {
			t.Fatalf("tshark row without a frame number: %q", line)
		}
		rows[frame] = row
	}
	return rows
}

// hasItem reports whether the comma-joined list holds want as a run of
// consecutive items (a principal's name strings, an etype list).
func hasItem(list string, want ...string) bool {
	return strings.Contains(","+list+",", ","+strings.Join(want, ",")+",")
}

// TestTsharkFields checks that the fields the bench has tshark extract
// are the values kerbtrace reports, message by message, on a capture the
// bench replays from the lab captures: the comparison is of the same
// output, not of a subset (the SPN under kerberos.sname_string, once in
// the list, is the number of name strings, not the names).
func TestTsharkFields(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("no tshark")
	}
	data := synthCapture(t, capturetest.Synth{Copies: 80})
	path := filepath.Join(t.TempDir(), "auth.pcap")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	d := decode.NewDissector()
	if err := d.Add(path, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	res := d.Result()
	rows := tsharkRows(t, path)

	checked := map[decode.Kind]int{}
	for i := range res.Len() {
		m := res.Message(i)
		if m.Carrier != decode.CarrierNone {
			continue // inside HTTP, SMB2 or LDAP: the carrier's frame is checked
		}
		row, ok := rows[m.Frame]
		if !ok {
			switch m.Kind {
			case decode.KindDNSQuery, decode.KindDNSResponse, decode.KindHTTPRequest, decode.KindASReq, decode.KindTGSReq, decode.KindKRBError:
				t.Errorf("frame %d (%s): no tshark row", m.Frame, m.Kind)
			}
			continue
		}
		var bad []string
		want := func(field string, ok bool) {
			if !ok {
				bad = append(bad, fmt.Sprintf("%s=%q", field, row[field]))
			}
		}
		port := "udp"
		if m.Transport == decode.TransportTCP {
			port = "tcp"
		}
		want("ip.src", row["ip.src"] == m.Src.Addr().String() || row["ipv6.src"] == m.Src.Addr().String())
		want("ip.dst", row["ip.dst"] == m.Dst.Addr().String() || row["ipv6.dst"] == m.Dst.Addr().String())
		want(port+".srcport", row[port+".srcport"] == strconv.Itoa(int(m.Src.Port())))
		want(port+".dstport", row[port+".dstport"] == strconv.Itoa(int(m.Dst.Port())))
		want("frame.time_epoch", strings.HasPrefix(row["frame.time_epoch"], strconv.FormatInt(m.Time.Unix(), 10)+"."))
		switch m.Kind {
		case decode.KindDNSQuery, decode.KindDNSResponse:
			id, c := res.DNS(i)
			want("dns.id", row["dns.id"] == fmt.Sprintf("0x%04x", id))
			q := c.Questions[0]
			want("dns.qry.name", row["dns.qry.name"] == q.Name)
			want("dns.qry.type", row["dns.qry.type"] == strconv.Itoa(int(q.Type)))
			if c.Response {
				want("dns.flags.rcode", row["dns.flags.rcode"] == strconv.Itoa(int(c.RCode)))
				for _, a := range c.Answers {
					if a.Type == dns.TypeSRV {
						// tshark splits an SRV record's owner in three.
						want("dns.srv.name", a.Name == row["dns.srv.service"]+"."+row["dns.srv.proto"]+"."+row["dns.srv.name"])
						continue
					}
					want("dns.resp.name", hasItem(row["dns.resp.name"], a.Name))
					want("dns.resp.type", hasItem(row["dns.resp.type"], strconv.Itoa(int(a.Type))))
				}
			}
		case decode.KindHTTPRequest:
			h := res.HTTP(i)
			want("http.request.method", row["http.request.method"] == h.Method)
			want("http.request.uri", row["http.request.uri"] == h.URI)
			want("http.host", row["http.host"] == h.Host)
		case decode.KindASReq, decode.KindTGSReq, decode.KindKRBError:
			k := res.Krb(i)
			want("kerberos.msg_type", hasItem(row["kerberos.msg_type"], strconv.Itoa(int(k.Type))))
			want("kerberos.realm", hasItem(row["kerberos.realm"], k.Realm))
			want("kerberos.SNameString", hasItem(row["kerberos.SNameString"], k.SName.Components...))
			if len(k.CName.Components) > 0 {
				want("kerberos.CNameString", hasItem(row["kerberos.CNameString"], k.CName.Components...))
			}
			if k.Type == krb.MsgKRBError {
				e := k.ErrorFields()
				want("kerberos.error_code", row["kerberos.error_code"] == strconv.Itoa(int(e.ErrorCode)))
				want("kerberos.e_text", row["kerberos.e_text"] == e.EText)
				want("kerberos.stime", strings.Contains(row["kerberos.stime"], e.STime.Time().Format("15:04:05")))
				break
			}
			b := k.ReqFields()
			var etypes []string
			for _, e := range b.Etypes {
				etypes = append(etypes, strconv.Itoa(int(e)))
			}
			want("kerberos.ENCTYPE", row["kerberos.ENCTYPE"] == strings.Join(etypes, ","))
			for _, p := range k.PAData {
				want("kerberos.padata_type", hasItem(row["kerberos.padata_type"], strconv.Itoa(int(p))))
			}
			want("kerberos.kdc_options", row["kerberos.kdc_options"] == fmt.Sprintf("%08x", uint32(b.KDCOptions)))
		default:
			continue
		}
		checked[m.Kind]++
		if len(bad) > 0 {
			t.Errorf("frame %d (%s): tshark's fields are not what kerbtrace reports: %s", m.Frame, m.Kind, strings.Join(bad, " "))
		}
	}
	for _, k := range []decode.Kind{decode.KindDNSQuery, decode.KindDNSResponse, decode.KindHTTPRequest, decode.KindASReq, decode.KindTGSReq, decode.KindKRBError} {
		if checked[k] == 0 {
			t.Errorf("no %s checked", k)
		}
	}
	t.Logf("messages checked against tshark's fields: %v", checked)

	// Every field yields a value somewhere: none is misspelt or dead. The
	// replayed flows are all over IPv4; the lab's IPv6 capture has the rest.
	root, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	all := slices.Collect(maps.Values(rows))
	all = slices.AppendSeq(all, maps.Values(tsharkRows(t, filepath.Join(root, "testdata", "captures", "ipv6.pcap"))))
	for _, f := range tsharkFields {
		if !slices.ContainsFunc(all, func(r map[string]string) bool { return r[f] != "" }) {
			t.Errorf("tshark gave no value for %s", f)
		}
	}
}
