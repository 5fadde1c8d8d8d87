package dnscheck

import (
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// InputError is a domain or IP refused before any query. Code says why,
// for the caller to explain in the customer's language.
type InputError struct {
	Code string // one of the Input* codes
}

// Why a domain or IP is refused.
const (
	InputEmpty      = "empty"       // nothing typed
	InputTooLong    = "too_long"    // longer than DNS allows
	InputIsIP       = "is_ip"       // an IP where a domain was expected
	InputSyntax     = "syntax"      // not a domain name
	InputNoTLD      = "no_tld"      // a single label
	InputSpecialUse = "special_use" // localhost, .local, .test, .internal...
	InputBadIP      = "bad_ip"      // not an IP address
	InputReservedIP = "reserved_ip" // private, loopback, documentation...
)

func (e *InputError) Error() string { return "dnscheck: input refused: " + e.Code }

// idnaProfile converts what customers type (mixed case, accents, a full
// stop at the end) to the ASCII form queried, refusing what no registry
// would accept.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(false), // underscores: _dmarc, _spf
)

// specialUse are the top-level names that never belong to a customer
// (RFC 6761, 6762, 7686, 8375, 9476 and ICANN's .internal); a resolver may
// answer them from a private zone, which must not leak out.
var specialUse = map[string]bool{
	"localhost": true, "local": true, "invalid": true, "test": true, "example": true,
	"onion": true, "arpa": true, "internal": true, "alt": true, "lan": true, "home": true, "corp": true,
}

// ValidDomain checks the syntax of a domain name and returns the form to
// query: lower case ASCII (IDN labels as xn--), without the final dot. It
// refuses IP addresses, single labels and special-use names.
func ValidDomain(s string) (string, error) {
	s = strings.TrimSpace(s)
	// What customers paste: an address, a URL.
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(s), "https://"); ok {
		s = rest
	} else if rest, ok := strings.CutPrefix(strings.ToLower(s), "http://"); ok {
		s = rest
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, ".")
	bad := func(code string) (string, error) { return "", &InputError{Code: code} }
	if s == "" {
		return bad(InputEmpty)
	}
	if len(s) > 253*4 {
		return bad(InputTooLong)
	}
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return bad(InputIsIP)
	}
	ascii, err := idnaProfile.ToASCII(s)
	if err != nil {
		return bad(InputSyntax)
	}
	if len(ascii) > 253 {
		return bad(InputTooLong)
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return bad(InputNoTLD)
	}
	for _, l := range labels {
		if !validLabel(l) {
			return bad(InputSyntax)
		}
	}
	tld := labels[len(labels)-1]
	if specialUse[tld] || strings.Trim(tld, "0123456789") == "" {
		return bad(InputSpecialUse)
	}
	return ascii, nil
}

// validLabel accepts a DNS label of letters, digits, hyphens (not at the
// ends) and underscores (service labels such as _spf).
func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validSelector accepts a DKIM selector: one or more DNS labels.
func validSelector(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for l := range strings.SplitSeq(strings.ToLower(s), ".") {
		if !validLabel(l) {
			return false
		}
	}
	return true
}

// unicodeName is a domain as customers write it (IDN labels decoded).
func unicodeName(ascii string) string {
	u, err := idna.ToUnicode(ascii)
	if err != nil {
		return ascii
	}
	return u
}

// reserved are the address blocks of IANA's special-purpose registries
// that are not global unicast: private, shared, documentation,
// benchmarking, reserved. Their PTR may come from a private zone of the
// resolver, and no blocklist lists them.
var reserved = func() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
		"2001:db8::/32", "2002::/16", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}()

// ValidIP parses an IP the customer typed and refuses private and reserved
// ones.
func ValidIP(s string) (netip.Addr, error) {
	s = strings.Trim(strings.TrimSpace(s), "[]")
	addr, err := netip.ParseAddr(s)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, &InputError{Code: InputBadIP}
	}
	addr = addr.Unmap()
	for _, p := range reserved {
		if p.Contains(addr) {
			return netip.Addr{}, &InputError{Code: InputReservedIP}
		}
	}
	return addr, nil
}
