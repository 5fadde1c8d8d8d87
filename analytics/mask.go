package analytics

import (
	"regexp"
	"strings"
)

var (
	maskAddressRe = regexp.MustCompile(`[^\s<>()\[\]@"',;:]+@[^\s<>()\[\]@"',;:.]+(?:\.[^\s<>()\[\]@"',;:.]+)*`)
	maskIPv4Re    = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)
	// IPv6 needs at least three groups and a letter or "::" to tell it
	// from a clock time.
	maskIPv6Re = regexp.MustCompile(`(?i)\b(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\b`)
	maskHostRe = regexp.MustCompile(`(?i)\b(?:[a-z0-9](?:[a-z0-9_-]{0,62})?\.)+[a-z]{2,63}\b`)
	clockRe    = regexp.MustCompile(`^\d{1,2}:\d{2}(?::\d{2})?$`)
)

// MaskLine returns an SMTP line fit to keep: e-mail addresses become
// ***@***, IP addresses and host names ***, so staff can improve the rules
// from it without learning who wrote to whom. Codes such as 5.1.1 stay.
// The result is one line, cut to MaxLineLen.
func MaskLine(line string) string {
	line = strings.Join(strings.Fields(strings.ToValidUTF8(line, "")), " ")
	line = maskAddressRe.ReplaceAllString(line, "***@***")
	line = maskIPv4Re.ReplaceAllString(line, "***")
	line = maskIPv6Re.ReplaceAllStringFunc(line, func(s string) string {
		if clockRe.MatchString(s) || !strings.ContainsAny(strings.ToLower(s), "abcdef") && !strings.Contains(s, "::") {
			return s
		}
		return "***"
	})
	line = maskHostRe.ReplaceAllString(line, "***")
	return truncate(line, MaxLineLen)
}

// MaskQuery is a search as analytics keeps it: lower case, single spaces,
// with any e-mail or IP address a customer typed masked. Host names stay:
// "gmial.com" is what staff need to see.
func MaskQuery(q string) string {
	q = strings.ToLower(strings.Join(strings.Fields(strings.ToValidUTF8(q, "")), " "))
	q = maskAddressRe.ReplaceAllString(q, "***@***")
	return truncate(maskIPv4Re.ReplaceAllString(q, "***"), MaxQueryLen)
}
