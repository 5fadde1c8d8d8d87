package bounce

import (
	"bytes"
	"strings"
)

// blankAddresses returns folded text with the email addresses, and the
// recipient that sendmail echoes before "..." ("|/usr/bin/procmail"...
// Service unavailable), replaced by spaces of the same length. A server
// quotes the address it refused, and words in it ("spam@", "blocked-user@",
// a delivery program's path) are not what the server said about it.
func blankAddresses(folded string) string {
	const maxQuotedRecipient = 256
	quoted := strings.Index(folded, "\"...")
	if strings.IndexByte(folded, '@') < 0 && quoted < 0 {
		return folded
	}
	b := []byte(folded)
	var locs [8][2]int
	for _, loc := range findEmails(locs[:0], folded) {
		for j := loc[0]; j < loc[1]; j++ {
			b[j] = ' '
		}
	}
	for quoted >= 0 {
		// The closing quote of a quoted recipient: blank back to its
		// opening quote, looked for only as far as a recipient goes (a
		// paste full of quotes must stay linear).
		from := max(0, quoted-maxQuotedRecipient)
		if open := bytes.LastIndexByte(b[from:quoted], '"'); open >= 0 {
			open += from
			for j := open; j <= quoted; j++ {
				b[j] = ' '
			}
		}
		next := strings.Index(folded[quoted+1:], "\"...")
		if next < 0 {
			break
		}
		quoted += 1 + next
	}
	return string(b)
}
