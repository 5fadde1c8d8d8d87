package analytics

import (
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// MaskVersion numbers the masking rules. When they change, stored
// queries, lines and comments are masked again (store.DB.Remask), so data
// kept before a rule existed follows it too.
const MaskVersion = 2

const masked = "***"

var (
	maskAddressRe = regexp.MustCompile(`[^\s<>()\[\]@"',;:]+@[^\s<>()\[\]@"',;:.]+(?:\.[^\s<>()\[\]@"',;:.]+)*`)
	// Addresses written out so that filters miss them: "ana(at)example.com",
	// "ana [at] example [dot] com", "ana arroba example punto com", and
	// "ana at example.com" (a bare "at" only before a dotted domain, so
	// English prose keeps its "at").
	// Compiled on first use: its letter classes take a millisecond, which
	// every start of the binary (rebote classify too) would pay.
	maskSpelledRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)[\pL\pN._%+-]+(?:` +
			`\s*[(\[{<]\s*(?:at|arroba|@)\s*[)\]}>]\s*|\s+arroba\s+)` + `[\pL\pN-]+(?:` + spelledDot + `[\pL\pN-]+)*` +
			`|[\pL\pN._%+-]+\s+at\s+[\pL\pN-]+(?:` + spelledDot + `[\pL\pN-]+)+`)
	})
	maskIPv4Re = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)
	// IPv6 candidates: two colons at least, "::" forms, an IPv4 tail
	// (::ffff:192.0.2.1) and a zone (fe80::1%eth0); ipv6 decides.
	maskIPv6Re = regexp.MustCompile(`(?i)(?:[0-9a-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4})(?:%[0-9a-z._-]+)?`)
	maskHostRe = regexp.MustCompile(`(?i)\b(?:[a-z0-9](?:[a-z0-9_-]{0,62})?\.)+[a-z]{2,63}\b`)
	clockRe    = regexp.MustCompile(`^\d{1,2}:\d{2}(?::\d{2})?$`)
)

const spelledDot = `(?:\s*[(\[{<]\s*(?:dot|punto)\s*[)\]}>]\s*|\s+(?:dot|punto)\s+|\.)`

// maskIPv6 masks an IPv6 candidate that is an address (netip parses it)
// or looks like one: hex letters or "::", which a clock time never has.
func maskIPv6(s string) string {
	if _, err := netip.ParseAddr(s); err == nil {
		return masked
	}
	if clockRe.MatchString(s) || !strings.ContainsAny(strings.ToLower(s), "abcdef") && !strings.Contains(s, "::") {
		return s
	}
	return masked
}

// maskAddresses masks e-mail addresses, written-out ones included, and
// IPv6 and IPv4 addresses, in that order (an IPv4-mapped IPv6 address
// goes whole). s is on one line (oneLine). Each expression runs only when
// s has the characters it needs: searches are masked on every request.
func maskAddresses(s string) string {
	if strings.Contains(s, "@") {
		s = maskAddressRe.ReplaceAllString(s, "***@***")
	}
	if mayBeSpelled(s) {
		s = maskSpelledRe().ReplaceAllString(s, "***@***")
	}
	if strings.Count(s, ":") >= 2 {
		s = maskIPv6Re.ReplaceAllStringFunc(s, maskIPv6)
	}
	if strings.Count(s, ".") >= 3 {
		s = maskIPv4Re.ReplaceAllString(s, masked)
	}
	return s
}

// mayBeSpelled reports whether s may hold a written-out address: "at" or
// "arroba" as a word or in brackets, or a bracketed "@".
func mayBeSpelled(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i] | 0x20; {
		case c == 'a' && i+1 < len(s) && s[i+1]|0x20 == 't':
			if i > 0 && strings.IndexByte(" ([{<", s[i-1]) >= 0 {
				return true
			}
		case c == 'a' && i+6 <= len(s) && strings.EqualFold(s[i:i+6], "arroba"):
			return true
		case s[i] == '@':
			return true
		}
	}
	return false
}

// maskHosts masks host names, except two-part abbreviations such as
// "p.ej" whose first part is a single letter.
func maskHosts(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return maskHostRe.ReplaceAllStringFunc(s, func(h string) string {
		if first, rest, _ := strings.Cut(h, "."); len(first) == 1 && !strings.Contains(rest, ".") {
			return h
		}
		return masked
	})
}

// oneLine makes s valid UTF-8 on one line: control characters (C0, DEL,
// C1), line and paragraph separators and bidirectional overrides become
// spaces, and runs of spaces one.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
			'\u202a' <= r && r <= '\u202e' || '\u2066' <= r && r <= '\u2069'
	}), " ")
}

// MaskLine returns an SMTP line fit to keep: e-mail addresses become
// ***@***, IP addresses and host names ***, so staff can improve the rules
// from it without learning who wrote to whom. Codes such as 5.1.1 stay.
// The result is one line, cut to MaxLineLen.
func MaskLine(line string) string {
	return truncate(maskHosts(maskAddresses(oneLine(line))), MaxLineLen)
}

// MaskQuery is a search as analytics keeps it: lower case, single spaces,
// with any e-mail or IP address a customer typed masked. Host names stay:
// "gmial.com" is what staff need to see.
func MaskQuery(q string) string {
	return truncate(maskAddresses(strings.ToLower(oneLine(q))), MaxQueryLen)
}

// MaskComment is a vote's comment as analytics keeps it: one line, with
// e-mail addresses (written-out ones too), IP addresses and host names
// masked, cut to MaxCommentLen. The form asks for no personal data; this
// keeps what people type anyway out of the database, the dashboard and
// the CSV files.
func MaskComment(c string) string {
	return truncate(maskHosts(maskAddresses(oneLine(c))), MaxCommentLen)
}
