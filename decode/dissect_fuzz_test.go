package decode_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode"
	ct "github.com/kerbtrace/kerbtrace/decode/capture/capturetest"
)

// fuzzLabSeeds are the lab captures small enough to seed FuzzDissect.
var fuzzLabSeeds = []string{
	"success.pcap", "success.pcapng", "ntlm-fallback.pcap", "stale-key.pcap",
	"kdc-tcp-split.pcap", "ipv6.pcap", "cached-ticket.pcap", "dns-nxdomain.pcap", "smb-success.pcap",
}

// FuzzDissect feeds arbitrary bytes to the whole pipeline as a capture
// file. Nothing may panic (capture.Read turns a panic while handling a
// packet into an "internal error" warning, which checkResult rejects),
// and the Result must be well formed: sorted by (Capture, Frame), every
// Parent an earlier message of the same frame.
func FuzzDissect(f *testing.F) {
	for _, name := range fuzzLabSeeds {
		f.Add(readLab(f, name))
	}
	for _, c := range synthCases() {
		f.Add(pcapOf(c.build(f)...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := decode.NewDissector()
		_ = d.Add("fuzz", bytes.NewReader(b)) // not a capture: an error, and an empty result
		if err := checkResult(d.Result()); err != nil {
			t.Fatal(err)
		}
	})
}

// Payload placements of FuzzDissectPayload.
const (
	placeHTTPRequest  = iota // the client's bytes on port 80, then a real 401
	placeHTTPResponse        // a real GET, then the server's bytes
	placeToken               // base64 in Authorization and in WWW-Authenticate: Negotiate
	placeKerberos            // one record over TCP 88 (record mark added) and a UDP 88 datagram
	placeTCP88               // raw bytes on TCP 88 (the fuzzer writes the record marks), then a real record
	placeDNS                 // a UDP 53 datagram and a TCP 53 message (length added)
	placeUnknownPort         // both directions of a connection on an unknown port (sniffing)
	placeAfterGap            // the client's bytes on port 80 with bytes lost in the middle, then a real GET
	placeCount
)

// payloadCapture builds a capture whose frames have valid Ethernet, IP and
// TCP/UDP headers and carry data where place says, split in two segments
// at cut, so that the fuzzer reaches the framing and the decoders.
func payloadCapture(t testing.TB, place uint8, cut uint16, data []byte) []byte {
	at := int(cut) % (len(data) + 1)
	c := newSynthConn(synCli, synWeb)
	hs := c.handshake()
	switch place % placeCount {
	case placeHTTPRequest:
		return pcapOf(flat(hs, c.sendSplit(true, data, at), c.send(false, successBytes(t, frame401)))...)
	case placeHTTPResponse:
		return pcapOf(flat(hs, c.send(true, successBytes(t, frameGET)), c.sendSplit(false, data, at))...)
	case placeToken:
		tok := base64.StdEncoding.EncodeToString(data)
		req := "GET / HTTP/1.1\r\nHost: www.kerbtrace.test\r\nAuthorization: Negotiate " + tok + "\r\n\r\n"
		resp := "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate " + tok + "\r\nContent-Length: 0\r\n\r\n"
		return pcapOf(flat(hs, c.send(true, []byte(req)), c.send(false, []byte(resp)))...)
	case placeKerberos:
		k := newSynthConn(synCli, synKDC)
		return pcapOf(flat(k.handshake(), k.send(true, successBytes(t, frameASReq)),
			k.sendSplit(false, record(data), min(at, len(data)+4)),
			ct.Ethernet(ct.UDP(synKDC, "192.0.2.101:50001", data)))...)
	case placeTCP88:
		k := newSynthConn(synCli, synKDC)
		return pcapOf(flat(k.handshake(), k.sendSplit(true, data, at),
			k.send(true, record(successBytes(t, frameTGSReq))))...)
	case placeDNS:
		k := newSynthConn(synCli, synDNS)
		return pcapOf(flat(ct.Ethernet(ct.UDP(synDNS, "192.0.2.101:50001", data)),
			k.handshake(), k.sendSplit(false, dnsTCP(data), min(at, len(data)+2)))...)
	case placeUnknownPort:
		k := newSynthConn(synCli, "192.0.2.20:8081")
		return pcapOf(flat(k.handshake(), k.sendSplit(true, data, at), k.send(false, data))...)
	default: // placeAfterGap
		first := c.send(true, data[:at])
		c.lose(true, 10)
		return pcapOf(flat(hs, first, c.send(true, cat(data[at:], successBytes(t, frameGET))),
			c.send(false, nil), c.send(false, successBytes(t, frame401)))...)
	}
}

// FuzzDissectPayload mutates only the payload bytes of a capture whose
// headers stay valid, placed as HTTP heads, authentication tokens,
// Kerberos records, DNS messages or unknown traffic (see payloadCapture),
// so that the fuzzer exercises the dissector's framing and every decoder
// behind it. The properties are those of FuzzDissect.
func FuzzDissectPayload(f *testing.F) {
	token := func(frame int, prefix string) []byte {
		h := successBytes(f, frame)
		i := bytes.Index(h, []byte(prefix))
		j := bytes.Index(h[i:], []byte("\r\n"))
		b, err := base64.StdEncoding.DecodeString(string(h[i+len(prefix) : i+j]))
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	seeds := []struct {
		place uint8
		data  []byte
	}{
		{placeHTTPRequest, successBytes(f, frameGETNeg)},
		{placeHTTPRequest, cat(successBytes(f, frameGET), successBytes(f, frameGETNeg))},
		{placeHTTPResponse, successBytes(f, frame401)},
		{placeHTTPResponse, cat(successBytes(f, frame200), successBytes(f, frame401))},
		{placeHTTPResponse, []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nHTTP/1.1 401 x\r\n\r\n")},
		{placeToken, token(frameGETNeg, "Authorization: Negotiate ")},
		{placeToken, token(frame200, "WWW-Authenticate: Negotiate ")},
		{placeKerberos, successBytes(f, frameASReq)},
		{placeKerberos, successBytes(f, frameASRep)},
		{placeKerberos, successBytes(f, frameTGSReq)},
		{placeKerberos, successBytes(f, frameTGSRep)},
		{placeKerberos, successBytes(f, 10)}, // KRB-ERROR PREAUTH_REQUIRED
		{placeTCP88, cat(record(successBytes(f, frameASReq)), record(successBytes(f, frameTGSReq)))},
		{placeDNS, successBytes(f, frameDNSQuery)},
		{placeDNS, successBytes(f, frameDNSResponse)},
		{placeUnknownPort, successBytes(f, frameGETNeg)},
		{placeAfterGap, cat(successBytes(f, frameGETNeg), successBytes(f, frameGET))},
	}
	for _, s := range seeds {
		f.Add(s.place, uint16(len(s.data)/2), s.data)
	}
	// NTLM tokens of ntlm-fallback.pcap (NEGOTIATE, CHALLENGE, AUTHENTICATE
	// inside SPNEGO at frames 60-62).
	r := dissectLab(f, "ntlm-fallback.pcap")
	for _, m := range r.All() {
		if m.HTTP() == nil {
			continue
		}
		tokens := [][]byte{}
		if a := m.HTTP().Authorization; a != nil {
			tokens = append(tokens, a.Token)
		}
		for _, c := range m.HTTP().WWWAuthenticate {
			tokens = append(tokens, c.Token)
		}
		for _, tok := range tokens {
			if len(tok) > 0 {
				f.Add(uint8(placeToken), uint16(0), bytes.Clone(tok))
			}
		}
	}
	f.Fuzz(func(t *testing.T, place uint8, cut uint16, data []byte) {
		d := decode.NewDissector()
		if err := d.Add("fuzz", bytes.NewReader(payloadCapture(t, place, cut, data))); err != nil {
			t.Fatal(err)
		}
		r := d.Result()
		if err := checkResult(r); err != nil {
			t.Fatal(err)
		}
		switch place % placeCount {
		case placeKerberos:
			sameOverUDPAndTCP(t, r, 88)
		case placeDNS:
			// A zero length prefix is no message on TCP (dns.SplitTCP),
			// while an empty datagram is a cut one.
			if len(data) > 0 && len(data) <= 0xffff {
				sameOverUDPAndTCP(t, r, 53)
			}
		}
	})
}

// sameOverUDPAndTCP checks that the messages sent from port over UDP and
// over TCP, the same bytes framed two ways, were decoded alike.
func sameOverUDPAndTCP(t *testing.T, r *decode.Result, port uint16) {
	got := map[decode.Transport][]string{}
	for i := range r.Len() {
		m := new(r.Message(i))
		if m.Src.Port() == port && m.Parent < 0 {
			got[m.Transport] = append(got[m.Transport], fmt.Sprintf("%s truncated=%v err=%q", m.Kind, m.Truncated, m.Err))
		}
	}
	if !slices.Equal(got[decode.TransportUDP], got[decode.TransportTCP]) {
		t.Errorf("port %d: over UDP %q, over TCP %q", port, got[decode.TransportUDP], got[decode.TransportTCP])
	}
}
