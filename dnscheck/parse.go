package dnscheck

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// SyntaxError is what is wrong in an SPF, DKIM or DMARC record.
type SyntaxError struct {
	Kind string // one of syntaxKinds
	Term string // the offending term, as written
}

// syntaxKinds are the kinds of SyntaxError, each explained in
// messages.toml [sintaxis].
var syntaxKinds = []string{"version", "unknown", "missing_domain", "bad_ip", "bad_cidr", "duplicate", "bad_domain",
	"bad_tag", "bad_policy", "missing_policy", "bad_key"}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("dnscheck: record syntax: %s %q", e.Kind, e.Term)
}

// SPFTerm is one mechanism or modifier of an SPF record.
type SPFTerm struct {
	// Qualifier is '+', '-', '~' or '?' for a mechanism ('+' when not
	// written), 0 for a modifier.
	Qualifier byte
	Name      string // lower case: all, include, a, mx, ptr, ip4, ip6, exists, or a modifier's name
	Value     string // what follows ':' or '=' (and a /cidr), as written
	Modifier  bool
}

// String writes the term back as in a record.
func (t SPFTerm) String() string {
	if t.Modifier {
		return t.Name + "=" + t.Value
	}
	q := ""
	if t.Qualifier != '+' {
		q = string(t.Qualifier)
	}
	switch {
	case t.Value == "":
		return q + t.Name
	case t.Value[0] == '/':
		return q + t.Name + t.Value
	}
	return q + t.Name + ":" + t.Value
}

// Lookups is how many DNS queries the term costs towards the limit of 10
// (RFC 7208 section 4.6.4).
func (t SPFTerm) Lookups() int {
	switch t.Name {
	case "include", "a", "mx", "ptr", "exists":
		if !t.Modifier {
			return 1
		}
	case "redirect":
		if t.Modifier {
			return 1
		}
	}
	return 0
}

// SPF is a parsed SPF record.
type SPF struct {
	Terms []SPFTerm
}

// String writes the record.
func (s SPF) String() string {
	var b strings.Builder
	b.WriteString("v=spf1")
	for _, t := range s.Terms {
		b.WriteByte(' ')
		b.WriteString(t.String())
	}
	return b.String()
}

// All returns the qualifier of the record's all mechanism, 0 if it has
// none.
func (s SPF) All() byte {
	for _, t := range s.Terms {
		if !t.Modifier && t.Name == "all" {
			return t.Qualifier
		}
	}
	return 0
}

// Modifier returns the value of a modifier, "" when absent.
func (s SPF) Modifier(name string) string {
	for _, t := range s.Terms {
		if t.Modifier && t.Name == name {
			return t.Value
		}
	}
	return ""
}

// isSPF reports whether a TXT record is an SPF record: "v=spf1" followed
// by a space or nothing (RFC 7208 section 4.5).
func isSPF(txt string) bool {
	return len(txt) >= 6 && strings.EqualFold(txt[:6], "v=spf1") && (len(txt) == 6 || txt[6] == ' ')
}

// ParseSPF parses an SPF record (RFC 7208 section 12). The error is a
// *SyntaxError for the first term that is wrong.
func ParseSPF(record string) (SPF, error) {
	s, errs := parseSPF(record)
	if len(errs) > 0 {
		return s, errs[0]
	}
	return s, nil
}

// parseSPF parses leniently: terms in error are left out and reported,
// so a corrected record can keep the rest.
func parseSPF(record string) (SPF, []error) {
	var s SPF
	if !isSPF(record) {
		return s, []error{&SyntaxError{Kind: "version", Term: firstWord(record)}}
	}
	var errs []error
	seen := make(map[string]bool)
	for _, word := range strings.Fields(record[6:]) {
		t, err := parseSPFTerm(word)
		if err == nil && t.Modifier && (t.Name == "redirect" || t.Name == "exp") {
			if seen[t.Name] {
				err = &SyntaxError{Kind: "duplicate", Term: word}
			}
			seen[t.Name] = true
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Terms = append(s.Terms, t)
	}
	return s, errs
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	if len(f[0]) > 40 {
		return f[0][:40]
	}
	return f[0]
}

func parseSPFTerm(word string) (SPFTerm, error) {
	bad := func(kind string) (SPFTerm, error) { return SPFTerm{}, &SyntaxError{Kind: kind, Term: word} }
	// A modifier is name=value, its name a letter then letters, digits,
	// '-', '_' or '.'.
	if i := strings.IndexByte(word, '='); i > 0 && !strings.ContainsAny(word[:i], ":/") {
		name := strings.ToLower(word[:i])
		if !isModifierName(name) {
			return bad("unknown")
		}
		t := SPFTerm{Name: name, Value: word[i+1:], Modifier: true}
		if (name == "redirect" || name == "exp") && !validDomainSpec(t.Value) {
			return bad("missing_domain")
		}
		return t, nil
	}
	t := SPFTerm{Qualifier: '+'}
	switch word[0] {
	case '+', '-', '~', '?':
		t.Qualifier = word[0]
		word = word[1:]
	}
	if word == "" {
		return bad("unknown")
	}
	name, value := word, ""
	if i := strings.IndexAny(word, ":/"); i >= 0 {
		name, value = word[:i], word[i:]
	}
	t.Name = strings.ToLower(name)
	switch t.Name {
	case "all":
		if value != "" {
			return bad("unknown")
		}
	case "include", "exists":
		if !strings.HasPrefix(value, ":") || !validDomainSpec(value[1:]) {
			return bad("missing_domain")
		}
		t.Value = value[1:]
	case "a", "mx", "ptr":
		domain, cidr := value, ""
		if i := strings.IndexByte(value, '/'); i >= 0 {
			domain, cidr = value[:i], value[i:]
		}
		if domain != "" {
			if !strings.HasPrefix(domain, ":") || !validDomainSpec(domain[1:]) {
				return bad("missing_domain")
			}
		}
		if cidr != "" && (t.Name == "ptr" || !validDualCIDR(cidr)) {
			return bad("bad_cidr")
		}
		t.Value = strings.TrimPrefix(domain, ":") + cidr
		if domain == "" {
			t.Value = cidr
		}
	case "ip4", "ip6":
		if !strings.HasPrefix(value, ":") {
			return bad("bad_ip")
		}
		addr, bits, hasBits := strings.Cut(value[1:], "/")
		ip, err := netip.ParseAddr(addr)
		if err != nil || ip.Zone() != "" || (t.Name == "ip4") != ip.Is4() {
			return bad("bad_ip")
		}
		if hasBits {
			n, err := strconv.Atoi(bits)
			if err != nil || n < 0 || n > ip.BitLen() || bits != strconv.Itoa(n) {
				return bad("bad_cidr")
			}
		}
		t.Value = value[1:]
	default:
		return bad("unknown")
	}
	return t, nil
}

func isModifierName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// validDomainSpec accepts a domain, possibly with macros (%{d}), as SPF
// allows: visible characters and at least one dot or macro.
func validDomainSpec(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return strings.Contains(s, ".") || strings.Contains(s, "%{")
}

// validDualCIDR accepts "/24", "//64" or "/24//64".
func validDualCIDR(s string) bool {
	v4, v6, dual := strings.Cut(s, "//")
	if !dual {
		v4 = s
	}
	ok := func(p string, max int) bool {
		n, err := strconv.Atoi(p)
		return err == nil && n >= 0 && n <= max && p == strconv.Itoa(n)
	}
	if v4 != "" && (!strings.HasPrefix(v4, "/") || !ok(v4[1:], 32)) {
		return false
	}
	if dual && !ok(v6, 128) {
		return false
	}
	return v4 != "" || dual
}

// hasMacro reports whether a domain spec holds a macro, which only a
// receiving server can expand.
func hasMacro(s string) bool { return strings.Contains(s, "%{") }

// tag is one tag=value of a DKIM or DMARC record.
type tag struct{ name, value string }

// parseTags parses a tag list (RFC 6376 section 3.2): "a=1; b = 2;".
// Names are lower-cased; values keep their case, with folding white
// space removed at the ends.
func parseTags(s string) ([]tag, error) {
	var out []tag
	seen := make(map[string]bool)
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || !isTagName(name) {
			return nil, &SyntaxError{Kind: "bad_tag", Term: truncateTerm(part)}
		}
		if seen[name] {
			return nil, &SyntaxError{Kind: "duplicate", Term: name}
		}
		seen[name] = true
		out = append(out, tag{name, strings.TrimSpace(value)})
	}
	return out, nil
}

func isTagName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func truncateTerm(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// DMARC is a parsed DMARC record (RFC 7489 section 6.3).
type DMARC struct {
	Policy          string   // none, quarantine or reject
	SubdomainPolicy string   // sp=, "" when absent
	RUA             []string // aggregate report addresses (mailto: URIs)
	RUF             []string
	Percent         int // pct=, 100 when absent
}

// isDMARC reports whether a TXT record is meant as DMARC: it starts with
// v=DMARC1 (receivers ignore any other TXT at _dmarc).
func isDMARC(txt string) bool {
	t := strings.Join(strings.Fields(txt), "")
	return strings.HasPrefix(t, "v=DMARC1")
}

// ParseDMARC parses a DMARC record. v=DMARC1 must come first and p= is
// required.
func ParseDMARC(record string) (DMARC, error) {
	d := DMARC{Percent: 100}
	tags, err := parseTags(record)
	if err != nil {
		return d, err
	}
	if len(tags) == 0 || tags[0].name != "v" || tags[0].value != "DMARC1" {
		return d, &SyntaxError{Kind: "version", Term: firstWord(record)}
	}
	hasPolicy := false
	for _, t := range tags[1:] {
		switch t.name {
		case "p", "sp":
			p := strings.ToLower(t.value)
			if p != "none" && p != "quarantine" && p != "reject" {
				return d, &SyntaxError{Kind: "bad_policy", Term: truncateTerm(t.value)}
			}
			if t.name == "p" {
				d.Policy, hasPolicy = p, true
			} else {
				d.SubdomainPolicy = p
			}
		case "rua", "ruf":
			var uris []string
			for u := range strings.SplitSeq(t.value, ",") {
				if u = strings.TrimSpace(u); u != "" {
					uris = append(uris, u)
				}
			}
			if t.name == "rua" {
				d.RUA = uris
			} else {
				d.RUF = uris
			}
		case "pct":
			n, err := strconv.Atoi(t.value)
			if err != nil || n < 0 || n > 100 {
				return d, &SyntaxError{Kind: "bad_tag", Term: "pct=" + truncateTerm(t.value)}
			}
			d.Percent = n
		}
	}
	if !hasPolicy {
		return d, &SyntaxError{Kind: "missing_policy"}
	}
	return d, nil
}

// String writes the record back, the tags Rebote reads only.
func (d DMARC) String() string {
	var b strings.Builder
	b.WriteString("v=DMARC1; p=" + d.Policy)
	if d.SubdomainPolicy != "" {
		b.WriteString("; sp=" + d.SubdomainPolicy)
	}
	if len(d.RUA) > 0 {
		b.WriteString("; rua=" + strings.Join(d.RUA, ","))
	}
	if len(d.RUF) > 0 {
		b.WriteString("; ruf=" + strings.Join(d.RUF, ","))
	}
	if d.Percent != 100 {
		b.WriteString("; pct=" + strconv.Itoa(d.Percent))
	}
	return b.String()
}

// DKIMKey is the part of a DKIM key record Rebote checks (RFC 6376
// section 3.6.1).
type DKIMKey struct {
	KeyType   string // k=, "rsa" when absent
	PublicKey string // p=, base64 without spaces; "" is a revoked key
}

// ParseDKIM parses a DKIM key record. v=, when present, must come first
// and be DKIM1; p= is required (it may be empty).
func ParseDKIM(record string) (DKIMKey, error) {
	k := DKIMKey{KeyType: "rsa"}
	tags, err := parseTags(record)
	if err != nil {
		return k, err
	}
	hasKey := false
	for i, t := range tags {
		switch t.name {
		case "v":
			if i != 0 || t.value != "DKIM1" {
				return k, &SyntaxError{Kind: "version", Term: "v=" + truncateTerm(t.value)}
			}
		case "k":
			k.KeyType = strings.ToLower(t.value)
		case "p":
			k.PublicKey = strings.Join(strings.Fields(t.value), "")
			hasKey = true
		}
	}
	if !hasKey {
		return k, &SyntaxError{Kind: "bad_key", Term: "p="}
	}
	return k, nil
}
