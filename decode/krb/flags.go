package krb

import (
	"iter"
	"strconv"

	"github.com/jcmturner/gokrb5/v8/iana/flags"
)

// Kerberos flags are BIT STRINGs numbered from the most significant bit
// (RFC 4120 5.2.8): bit 0 is 0x80000000 of the 32-bit value.

// KDCOptions are the kdc-options of a KDC-REQ body (RFC 4120 5.4.1).
type KDCOptions uint32

// APOptions are the ap-options of an AP-REQ (RFC 4120 5.5.1).
type APOptions uint32

// TicketFlags are the flags of a ticket (RFC 4120 5.3), as klist shows
// them; they are inside the encrypted part, so decrypting code sets them.
type TicketFlags uint32

var kdcOptionNames = map[int]string{
	flags.Reserved:              "reserved",
	flags.Forwardable:           "forwardable",
	flags.Forwarded:             "forwarded",
	flags.Proxiable:             "proxiable",
	flags.Proxy:                 "proxy",
	flags.AllowPostDate:         "allow-postdate",
	flags.PostDated:             "postdated",
	flags.Renewable:             "renewable",
	flags.OptHardwareAuth:       "opt-hardware-auth",
	14:                          "cname-in-addl-tkt", // MS-SFU S4U2Proxy (constrained delegation)
	flags.Canonicalize:          "canonicalize",      // RFC 6806
	16:                          "request-anonymous", // RFC 6112
	flags.DisableTransitedCheck: "disable-transited-check",
	flags.RenewableOK:           "renewable-ok",
	flags.EncTktInSkey:          "enc-tkt-in-skey",
	flags.Renew:                 "renew",
	flags.Validate:              "validate",
}

var apOptionNames = map[int]string{
	flags.Reserved:               "reserved",
	flags.APOptionUseSessionKey:  "use-session-key",
	flags.APOptionMutualRequired: "mutual-required",
}

// ticketFlagNames uses the spellings of Windows klist.
var ticketFlagNames = map[int]string{
	flags.Reserved:               "reserved",
	flags.Forwardable:            "forwardable",
	flags.Forwarded:              "forwarded",
	flags.Proxiable:              "proxiable",
	flags.Proxy:                  "proxy",
	flags.MayPostDate:            "may_postdate",
	flags.PostDated:              "postdated",
	flags.Invalid:                "invalid",
	flags.Renewable:              "renewable",
	flags.Initial:                "initial",
	flags.PreAuthent:             "pre_authent",
	flags.HWAuthent:              "hw_authent",
	flags.TransitedPolicyChecked: "transited_policy_checked",
	flags.OKAsDelegate:           "ok_as_delegate",
	14:                           "anonymous",
	15:                           "name_canonicalize",
}

// bitNames lists the names of the set bits of v, most significant first;
// bits without a name read "bit-N".
func bitNames(v uint32, names map[int]string) []string {
	var out []string
	for i := range setBits(v) {
		out = append(out, bitName(i, names))
	}
	return out
}

// appendBitNames appends the names bitNames gives, each after sep but the
// first, without making the list.
func appendBitNames(b []byte, v uint32, names map[int]string, sep string) []byte {
	first := true
	for i := range setBits(v) {
		if !first {
			b = append(b, sep...)
		}
		first = false
		b = append(b, bitName(i, names)...)
	}
	return b
}

// setBits yields the set bits of v in RFC numbering (0 = MSB), in order.
func setBits(v uint32) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < 32; i++ {
			if v&(1<<(31-i)) != 0 && !yield(i) {
				return
			}
		}
	}
}

// bitName is the name of bit i, or "bit-N" when it has none.
func bitName(i int, names map[int]string) string {
	if s, ok := names[i]; ok {
		return s
	}
	return "bit-" + strconv.Itoa(i)
}

// Has reports whether bit i (RFC numbering, 0 = MSB) is set.
func (o KDCOptions) Has(i int) bool { return i >= 0 && i < 32 && uint32(o)&(1<<(31-i)) != 0 }

// Names returns the names of the options set ("forwardable", "renewable",
// "canonicalize", "renewable-ok", ...).
func (o KDCOptions) Names() []string { return bitNames(uint32(o), kdcOptionNames) }

// Has reports whether bit i (RFC numbering, 0 = MSB) is set.
func (o APOptions) Has(i int) bool { return i >= 0 && i < 32 && uint32(o)&(1<<(31-i)) != 0 }

// Names returns the names of the options set ("use-session-key",
// "mutual-required").
func (o APOptions) Names() []string { return bitNames(uint32(o), apOptionNames) }

// AppendNames appends the names Names gives to b, separated by sep,
// without making the list.
func (o APOptions) AppendNames(b []byte, sep string) []byte {
	return appendBitNames(b, uint32(o), apOptionNames, sep)
}

// MutualRequired reports the mutual-required option, which makes the
// server answer with an AP-REP.
func (o APOptions) MutualRequired() bool { return o.Has(flags.APOptionMutualRequired) }

// Has reports whether bit i (RFC numbering, 0 = MSB) is set.
func (f TicketFlags) Has(i int) bool { return i >= 0 && i < 32 && uint32(f)&(1<<(31-i)) != 0 }

// Names returns klist's names of the flags set ("forwardable",
// "renewable", "pre_authent", "name_canonicalize", "ok_as_delegate", ...).
func (f TicketFlags) Names() []string { return bitNames(uint32(f), ticketFlagNames) }
