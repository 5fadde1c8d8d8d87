package knowledge

import (
	"regexp"
	"strconv"
	"strings"
)

// CodeQuery is what a customer's code-like text asks for: a three-digit reply
// code, an enhanced status code, a provider tag, or a reply and status pair
// as bounces print them ("550-5.7.26", "550 5.1.1").
type CodeQuery struct {
	Reply    string // "550"
	Status   string // "5.7.26"
	Provider string // "RP-001", "TSS04", "E451"
}

// IsZero reports whether no code was found.
func (q CodeQuery) IsZero() bool { return q.Reply == "" && q.Status == "" && q.Provider == "" }

// String returns the code as bounces print it.
func (q CodeQuery) String() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{q.Reply, q.Status, q.Provider} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

var (
	// statusRe matches an enhanced status code: class 2, 4 or 5, subject and
	// detail of up to three digits (RFC 3463 allows more; nobody sends them).
	statusRe = regexp.MustCompile(`(?:^|[^0-9A-Za-z.])([245])\.([0-7])\.(\d{1,3})(?:[^0-9.]|\.(?:[^0-9]|$)|$)`)
	// replyRe matches a reply code standing alone or glued to a status code
	// by the dash of a multi-line reply ("550-5.7.26"). The second digit of
	// a reply code is 0 to 5 (RFC 5321 4.2.1), so ports 587 and 465 are not
	// mistaken for codes.
	replyRe = regexp.MustCompile(`(?:^|[^0-9.,:/])([2345][0-5][0-9])(?:[ \-]|$|[^0-9.,:/])`)
	// providerRe matches the tags providers put in their replies: Outlook.com's
	// RP-001, SC-001, DY-001, OU-001 and its block-list tags S3150, S3140,
	// S3114 and S775, Yahoo's [TS01] to [TS03], [TSS04], [PH01] and [BL21],
	// iCloud's [CS01], and this provider's own E451.
	providerRe = regexp.MustCompile(`(?i)\b(RP-00[1-3]|SC-00[1-4]|DY-00[12]|OU-00[12]|S3150|S3140|S3114|S775|TS0[1-3]|TSS0[4-9]|TSS1[01]|PH01|BL2[13]|CS01|E451)\b`)
)

// ParseCode finds the first reply code, enhanced status code and provider tag
// in s. It accepts every form customers paste: "550", "5.7.1", "#5.7.1",
// "(#5.7.1)", "550-5.7.26", "550 5.1.1", "E451", "smtp 554", "RP-001".
func ParseCode(s string) CodeQuery {
	var q CodeQuery
	if m := providerRe.FindStringSubmatch(s); m != nil {
		q.Provider = strings.ToUpper(m[1])
	}
	if m := statusRe.FindStringSubmatch(s); m != nil {
		q.Status = m[1] + "." + trimZeros(m[2]) + "." + trimZeros(m[3])
	}
	if q.Provider == "E451" {
		// "E451" is a provider tag, not reply code 451.
		s = strings.Replace(strings.ToUpper(s), "E451", "", 1)
	}
	for _, m := range replyRe.FindAllStringSubmatch(s, -1) {
		if c := m[1]; c[0] != '3' || c == "354" {
			q.Reply = c
			break
		}
	}
	return q
}

// NormalizeStatus returns the first enhanced status code in s as bounces
// mean it, without leading zeros ("5.01.001" is 5.1.1), and false when s
// holds none.
func NormalizeStatus(s string) (string, bool) {
	m := statusRe.FindStringSubmatch(" " + s + " ")
	if m == nil {
		return "", false
	}
	return m[1] + "." + trimZeros(m[2]) + "." + trimZeros(m[3]), true
}

func trimZeros(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil {
		return s
	}
	return strconv.Itoa(n)
}

// statusRange is an inclusive range of enhanced status codes sharing class
// and subject, such as Microsoft's 5.7.606-5.7.649.
type statusRange struct {
	class, subject string
	lo, hi         int
}

// parseStatus splits "5.7.606" or "5.7.606-5.7.649" into a range. A single
// code is a range of one.
func parseStatus(s string) (statusRange, bool) {
	lo, hi, isRange := strings.Cut(s, "-")
	a := strings.Split(lo, ".")
	if len(a) != 3 || !isDigits(a[0]) || !isDigits(a[1]) || !isDigits(a[2]) || len(a[0]) != 1 {
		return statusRange{}, false
	}
	r := statusRange{class: a[0], subject: a[1]}
	r.lo, _ = strconv.Atoi(a[2])
	r.hi = r.lo
	if isRange {
		b := strings.Split(hi, ".")
		if len(b) != 3 || b[0] != a[0] || b[1] != a[1] || !isDigits(b[2]) {
			return statusRange{}, false
		}
		r.hi, _ = strconv.Atoi(b[2])
		if r.hi < r.lo {
			return statusRange{}, false
		}
	}
	return r, true
}

func (r statusRange) contains(status string) bool {
	a := strings.Split(status, ".")
	if len(a) != 3 || a[0] != r.class || a[1] != r.subject {
		return false
	}
	n, err := strconv.Atoi(a[2])
	return err == nil && n >= r.lo && n <= r.hi
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isReplyCode(s string) bool { return len(s) == 3 && isDigits(s) && s[0] >= '2' && s[0] <= '5' }
