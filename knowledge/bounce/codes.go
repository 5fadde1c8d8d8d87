package bounce

import (
	"strconv"
	"strings"
)

// validReplyCodes are the reply codes SMTP defines (RFC 5321, 3207, 4954,
// 7504). Servers print others ("541", "542"), but a number outside this
// list is more often part of something else than a reply code.
var validReplyCodes = toSet(`211 214 220 221 235 250 251 252 334 354 421 422 432 450 451 452 453 454 455 458
459 500 501 502 503 504 521 523 524 525 530 533 534 535 538 550 551 552 553 554 555 556`)

// findReply returns the reply code of an error text: the first valid 4xx or
// 5xx code, else the first valid code of any class. A code stands where
// servers print one (after a space, quote, colon, bracket or "E") and is
// followed by a space, dash, colon or end, not by more digits or ",50".
func findReply(text string) string {
	first := ""
	for i := 0; i+3 <= len(text); i++ {
		c := text[i]
		if c < '2' || c > '5' {
			continue
		}
		if i > 0 && !replyLeadByte(text[i-1]) {
			continue
		}
		if !isDigitByte(text[i+1]) || !isDigitByte(text[i+2]) {
			continue
		}
		if i+3 < len(text) {
			switch n := text[i+3]; {
			case n == ' ' || n == '\t' || n == '\n' || n == '\r' || n == '-' || n == ';' || n == ':' || n == ')' || n == ']':
			case n == ',' && (i+4 >= len(text) || text[i+4] == ' ' || text[i+4] == '\n' || text[i+4] == '\r' || text[i+4] == '\t'):
			default:
				continue
			}
		}
		code := text[i : i+3]
		if !validReplyCodes[code] || isPrice(text[i+3:]) {
			continue
		}
		if c == '4' || c == '5' {
			return code
		}
		if first == "" {
			first = code
		}
	}
	return first
}

func replyLeadByte(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', '\'', '"', '(', ':', ';', '[', '<', '>', '=', '#', 'E':
		return true
	}
	return false
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

func isAlnumByte(b byte) bool {
	return isDigitByte(b) || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// isPrice reports whether what follows a number makes it an amount of
// money ("550 €", "550€", "550 euros"), not a reply code.
func isPrice(after string) bool {
	after = strings.TrimLeft(after, " ")
	return strings.HasPrefix(after, "€") || strings.HasPrefix(after, "$") ||
		len(after) >= 3 && strings.EqualFold(after[:3], "eur")
}

// versionWords precede a version number, not a status code.
var versionWords = []string{"firmware", "version", "versión", "release", "build", "modelo", "model"}

// isVersionOf reports whether before ends with a word that makes the
// number after it a version ("firmware 4.2.1", "versión 5.1.1").
func isVersionOf(before string) bool {
	before = strings.TrimRight(before, " :")
	start := strings.LastIndexAny(before, " \t\n(") + 1
	word := before[start:]
	for _, w := range versionWords {
		if strings.EqualFold(word, w) {
			return true
		}
	}
	return false
}

// findStatus returns the enhanced status code of an error text. The code
// printed right after a reply code ("550 5.7.1", "550-'5.7.1") is the one
// the server meant; version strings such as "mta-5.5.0-3" are skipped.
func findStatus(text string) string {
	var first, afterReply string
	for i := 0; i+5 <= len(text); i++ {
		c := text[i]
		if c != '4' && c != '5' || text[i+1] != '.' {
			continue
		}
		if i > 0 {
			if p := text[i-1]; isDigitByte(p) || p == '.' || p >= 'a' && p <= 'z' || p >= 'A' && p <= 'Z' {
				continue
			}
			if text[i-1] == '-' && (i < 2 || !isDigitByte(text[i-2])) {
				continue
			}
		}
		subject := text[i+2]
		if subject < '0' || subject > '7' || text[i+3] != '.' {
			continue
		}
		j := i + 4
		for j < len(text) && j < i+7 && isDigitByte(text[j]) {
			j++
		}
		if j == i+4 || (j < len(text) && (isDigitByte(text[j]) || text[j] == '.' && j+1 < len(text) && isDigitByte(text[j+1]))) {
			continue
		}
		if j+1 < len(text) && text[j] == '-' && isAlnumByte(text[j+1]) {
			continue // a product code ("5.1.1-CB")
		}
		if isVersionOf(text[:i]) {
			continue // "firmware 4.2.1"
		}
		code := text[i:i+3] + "." + trimZeros(text[i+4:j])
		if first == "" {
			first = code
		}
		before := strings.TrimRight(text[max(0, i-6):i], " -'\"")
		if afterReply == "" && len(before) >= 3 && validReplyCodes[before[len(before)-3:]] {
			afterReply = code
		}
	}
	if afterReply != "" {
		return afterReply
	}
	return first
}

func trimZeros(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil {
		return s
	}
	return strconv.Itoa(n)
}

func toSet(words string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}
