package bounce

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	addressRe = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+'=/-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,24}`)
	ipv4Re    = regexp.MustCompile(`\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b`)
	// replyInTextRe finds a reply code where servers print one: at the start
	// of a line or after a quote, a colon, "said", "<<<", "#".
	replyInTextRe = regexp.MustCompile(`(?:^|[\s'"(:\[<>=#E])([245][0-5][0-9])(?:[\s\-;:)\]]|,(?:\s|$)|$)`)
)

// mayHoldIPv4 is the cheap test before ipv4Re: an address has a digit, a
// dot and a digit in a row, which host names and most text lack.
func mayHoldIPv4(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0; {
		if i > 0 && i+1 < len(s) && isDigitByte(s[i-1]) && isDigitByte(s[i+1]) {
			return true
		}
		next := strings.IndexByte(s[i+1:], '.')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

// finding is what the paste says about one recipient before it is judged.
type finding struct {
	address string
	action  string   // DSN Action, when there is one
	status  string   // DSN Status, when there is one
	diag    []string // the lines that describe the failure
	remote  string   // Remote-MTA
	dsnDiag string   // the DSN Diagnostic-Code, when there is one
	context []string // lines before the first recipient, consulted last
	fromDSN bool
	// localProgram: the DSN says a local delivery program failed (x-unix).
	localProgram bool
	// borrowed counts the lines at the end of diag taken from elsewhere in
	// the paste because the recipient's own lines explain nothing.
	borrowed int
	// notice is the start of the paste's text, where a notice says whether
	// the server keeps trying ([persistence] retry).
	notice string
}

// addressOccurrence is an address found in the text.
type addressOccurrence struct {
	address string
	line    int
	pos     int // byte offset in the line
	tier    int // how clearly the line presents a failed recipient: 0 to 3
}

// findAddresses lists the addresses of the text that may be recipients.
func (w *wording) findAddresses(ls []string, senders map[string]bool) []addressOccurrence {
	var out []addressOccurrence
	var locs [8][2]int
	for i, l := range ls {
		if !strings.Contains(l, "@") {
			continue
		}
		for _, loc := range findEmails(locs[:0], l) {
			addr := strings.ToLower(strings.Trim(l[loc[0]:loc[1]], ".'"))
			local, _, _ := strings.Cut(addr, "@")
			if w.notRecipients[local] || senders[addr] {
				continue
			}
			// Outlook names the account it was sending from: "'x - Enviando'".
			if hasPrefixFold(l[loc[1]:], w.sending) {
				continue
			}
			// What presents an address is just before it: reading the
			// whole line before each address of a long line would be
			// quadratic.
			// Only that part is lowered: the whole line would cost a copy
			// per line, and its offsets could differ from the line's.
			before := strings.ToLower(l[max(0, loc[0]-maxBeforeAddress):loc[0]])
			if w.isSenderContext(before) {
				continue
			}
			tier := 0
			if w.presentsRecipient(before) {
				tier = 2
				// "<addr>: error text" (Postfix, qmail, Sendmail) is the
				// clearest layout of all, also with a note in brackets
				// before the colon: Postfix's "<addr> (expanded from
				// <alias>): error text".
				rest := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l[loc[1]:]), ">"))
				if strings.HasPrefix(rest, "(") {
					if end := strings.IndexByte(rest, ')'); end > 0 {
						rest = strings.TrimSpace(rest[end+1:])
					}
				}
				if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "...") {
					tier = 3
				}
			}
			// Sendmail's transcript: "554 <addr>... reason", one per
			// recipient.
			if tier < 2 && replyThenAddress(before) && strings.HasPrefix(strings.TrimLeft(l[loc[1]:], ">"), "...") {
				tier = 2
			}
			if tier < 2 && w.afterDeliveryPhrase(before) {
				tier = 2
			}
			// A line that is only a name and the address in brackets
			// ("Pablo Rey (pablo.rey@example.com)", as Outlook lists
			// recipients) presents it too.
			if tier < 2 && namedAddressLine(before, strings.TrimSpace(l[loc[1]:])) {
				tier = 2
			}
			// A line that ends in the address and a colon heads what the
			// server said about it: "Respuesta del servidor remoto para
			// ana@example.org:", "Reply for ana@example.org:".
			if tier < 2 && strings.TrimSpace(strings.TrimLeft(l[loc[1]:], ">")) == ":" && findReply(before) == "" && !strings.Contains(before, "rcpt") {
				tier = 2
			}
			out = append(out, addressOccurrence{address: addr, line: i, pos: loc[0], tier: tier})
		}
	}
	return out
}

// hasPrefixFold reports whether s starts with one of the (lower-case)
// prefixes, ignoring case.
func hasPrefixFold(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// namedAddressLine reports whether the text around an address makes the
// line "Name (address)" or "Name <address>": words, then the bracketed
// address and nothing after it.
func namedAddressLine(before, after string) bool {
	b := strings.TrimSpace(before)
	if b == "" || (after != ")" && after != ">") {
		return false
	}
	open := b[len(b)-1]
	if (open != '(' || after != ")") && (open != '<' || after != ">") {
		return false
	}
	name := strings.TrimSpace(b[:len(b)-1])
	name = strings.Trim(name, "\"'")
	if name == "" || len(name) > 60 || strings.ContainsAny(name, ":;@()<>[]") {
		return false
	}
	return true
}

// replyThenAddress reports whether the text before an address is a reply
// code, maybe with an enhanced status code, and an opening bracket:
// "550 <", "554 5.1.1 <".
func replyThenAddress(before string) bool {
	b := strings.TrimSuffix(strings.TrimSpace(before), "<")
	code, rest, _ := strings.Cut(strings.TrimSpace(b), " ")
	if len(code) != 3 || (code[0] != '4' && code[0] != '5') || !isDigitByte(code[1]) || !isDigitByte(code[2]) {
		return false
	}
	rest = strings.TrimSpace(rest)
	return rest == "" || findStatus(rest) == rest
}

// presentsRecipient reports whether the text before an address on its line
// (lower-cased) lays it out as a recipient heading: nothing but bullets, an
// optional label ([recipients] labels) and an opening bracket or quote.
func (w *wording) presentsRecipient(before string) bool {
	b := strings.TrimLeft(before, " \t*>•·-")
	for _, l := range w.recipientLabels {
		if strings.HasPrefix(b, l) {
			b = strings.TrimSpace(b[len(l):])
			if strings.HasPrefix(b, "rfc822;") {
				b = strings.TrimSpace(b[len("rfc822;"):])
			}
			break
		}
	}
	return b == "" || b == "<" || b == "\"" || b == "'" || b == "(" || b == "["
}

// findEmails appends to out the byte ranges of the addresses in a line,
// with a scanner rather than addressRe: it runs on every line with an "@".
// Callers pass a small array's slice, so that most lines need no
// allocation.
func findEmails(out [][2]int, l string) [][2]int {
	for i := 0; i < len(l); i++ {
		if l[i] != '@' {
			continue
		}
		start := i
		for start > 0 && isLocalChar(l[start-1]) {
			start--
		}
		for start < i && strings.IndexByte(".-'=/%+", l[start]) >= 0 {
			start++
		}
		end := i + 1
		for end < len(l) && (isDomainChar(l[end])) {
			end++
		}
		for end > i+1 && (l[end-1] == '.' || l[end-1] == '-') {
			end--
		}
		if start == i || end == i+1 {
			continue
		}
		domain := l[i+1 : end]
		dot := strings.LastIndexByte(domain, '.')
		if dot <= 0 || len(domain)-dot-1 < 2 || !isLetters(domain[dot+1:]) {
			continue
		}
		out = append(out, [2]int{start, end})
		i = end
	}
	return out
}

func isLocalChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._%+'=/-", c) >= 0
}

func isDomainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
			return false
		}
	}
	return true
}

// afterDeliveryPhrase reports whether the (lower-cased) text before an
// address ends with a phrase that introduces a failed recipient in prose
// ([recipients] delivery): "wasn't delivered to X", "no se ha entregado a
// X", "the following recipients: X".
func (w *wording) afterDeliveryPhrase(before string) bool {
	b := strings.TrimRight(before, " \t<:,(\"'")
	for _, p := range w.deliveryPhrases {
		if strings.HasSuffix(b, p) {
			return true
		}
	}
	return false
}

// isSenderContext reports whether the (lower-cased) text before an address
// presents it as the sender's ([senders] contexts): a header, or the
// account a mail client names.
func (w *wording) isSenderContext(before string) bool {
	// Quotes are dropped so JSON keys ("From": "x") read like headers.
	b := strings.TrimSpace(strings.ReplaceAll(before, "\"", ""))
	if len(b) > 40 {
		b = b[len(b)-40:]
	}
	trimmed := strings.TrimRight(b, "< \t\"'")
	for _, c := range w.senderContexts {
		if strings.HasSuffix(b, c.text) || strings.HasSuffix(trimmed, c.trimmed) {
			return true
		}
	}
	return false
}

// extractFromText finds the failed recipients of a human-readable bounce
// and the lines that explain each failure.
func (w *wording) extractFromText(text string, senders map[string]bool) (found []finding, omitted int) {
	ls := strings.Split(text, "\n")
	if len(ls) > maxScanLines {
		ls = ls[:maxScanLines]
	}
	occ := w.findAddresses(ls, senders)
	// Keep the addresses laid out most clearly as failed recipients.
	best := 0
	for _, o := range occ {
		best = max(best, o.tier)
	}
	if best > 0 {
		kept := occ[:0]
		for _, o := range occ {
			if o.tier == best {
				kept = append(kept, o)
			}
		}
		occ = kept
	}
	// The lines before the first recipient sometimes say what happened to
	// all of them ("The user(s) account is disabled."): they go last, as
	// context, in every recipient's lines.
	var preamble []string
	if len(occ) > 0 {
		for i, l := range ls[:occ[0].line] {
			// Sendmail's line for a destination host, or a mail queue's
			// reason line, is about some recipients, not a statement about
			// all of them.
			// A question is the customer's, not the notice's ("¿es que el
			// dominio no existe?"): it says nothing of what happened.
			if t := strings.TrimSpace(l); t != "" && !isHeaderLine(t) && !isMessageField(t) && len(preamble) < 6 && !strings.Contains(t, " (smtp)... ") && !isQueueReason(ls, i) && !asksQuestion(t) {
				preamble = append(preamble, t)
			}
		}
	}
	var out []finding
	index := make(map[string]int)
	ends := segmentEnds(occ, len(ls))
	lastLine := make(map[string]int) // the line whose lines an address got last
	for k, o := range occ {
		// An address written twice on one line gets that line's lines
		// once: a paste repeating one address thousands of times must
		// not cost thousands of copies of its line.
		if l, ok := lastLine[o.address]; ok && l == o.line {
			continue
		}
		lastLine[o.address] = o.line
		i, known := index[o.address]
		if !known && len(out) == maxRecipients {
			omitted++
			index[o.address] = -1
			continue
		}
		if known && i < 0 {
			continue // a recipient beyond the cap, counted once
		}
		seg := segment(ls, o.line, ends[k])
		if len(seg) > 0 && len(ls[o.line]) > maxLineBytes {
			// A long line is read around this recipient's address.
			if t := strings.TrimSpace(window(ls[o.line], o.pos)); t != "" && strings.HasPrefix(strings.TrimSpace(ls[o.line]), seg[0]) {
				seg[0] = t
			}
		}
		if o.line > 0 && isQueueReason(ls, o.line-1) {
			seg = append([]string{strings.TrimSpace(ls[o.line-1])}, seg...)
		}
		if known {
			if len(out[i].diag) < maxRecipientLines {
				out[i].diag = append(out[i].diag, seg...)
			}
			continue
		}
		index[o.address] = len(out)
		out = append(out, finding{address: o.address, diag: seg, context: preamble})
	}
	return out, omitted
}

// segmentEnds returns, for each occurrence, the line where its recipient's
// lines end: the line of the first later occurrence, on a later line, of
// another address. Found in two backward passes, so that thousands of
// addresses on one line, or one address on thousands of lines, stay linear.
func segmentEnds(occ []addressOccurrence, lines int) []int {
	n := len(occ)
	nextOther := make([]int, n)    // first j >= i whose address differs from occ[i]'s
	nextLineFrom := make([]int, n) // first j > i on a later line than occ[i]
	for i := n - 1; i >= 0; i-- {
		nextOther[i], nextLineFrom[i] = n, n
		if i+1 < n {
			if occ[i+1].address != occ[i].address {
				nextOther[i] = i + 1
			} else {
				nextOther[i] = nextOther[i+1]
			}
			if occ[i+1].line > occ[i].line {
				nextLineFrom[i] = i + 1
			} else {
				nextLineFrom[i] = nextLineFrom[i+1]
			}
		}
	}
	ends := make([]int, n)
	for k := range occ {
		j := nextLineFrom[k]
		if j < n && occ[j].address == occ[k].address {
			j = nextOther[j]
		}
		ends[k] = lines
		if j < n {
			ends[k] = occ[j].line
		}
	}
	return ends
}

// maxBeforeAddress is how much of a line before an address is read to
// decide whether the line presents it as a failed recipient.
const maxBeforeAddress = 512

// The limits that keep any paste linear in time and memory: how many
// recipients are judged (the rest are counted), how many lines one
// recipient's explanation may gather, and how much of one line is read.
const (
	maxRecipients     = 100
	maxRecipientLines = 64
	maxLineBytes      = 4 << 10
)

// window returns at most maxLineBytes of a long line around byte pos: a
// little before it (the reply code that presents a recipient) and more
// after it (what the server said about it), cut on rune boundaries.
func window(s string, pos int) string {
	from := max(0, pos-maxLineBytes/4)
	to := min(len(s), from+maxLineBytes)
	for from > 0 && !utf8.RuneStart(s[from]) {
		from++
	}
	for to < len(s) && !utf8.RuneStart(s[to]) {
		to--
	}
	return s[from:to]
}

// clipLine keeps the first maxLineBytes of a line (cut on a rune
// boundary): a server's explanation is short, and a pasted attachment on
// one line must not be read in full for every recipient.
func clipLine(s string) string {
	if len(s) <= maxLineBytes {
		return s
	}
	cut := maxLineBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// maxScanLines bounds the lines read from a paste: the explanation of a
// bounce is at its start, and a huge paste must stay fast.
const maxScanLines = 4000

// segment returns the lines from start up to end that belong to one
// recipient: a blank line ends it once something was collected, and it
// holds at most a dozen lines.
func segment(ls []string, start, end int) []string {
	var seg []string
	for i := start; i < end && i < start+14; i++ {
		t := strings.TrimSpace(ls[i])
		if t == "" {
			// A blank line ends the recipient's lines once they hold more
			// than its address, or already a reply (a table row, one per
			// recipient).
			if len(seg) > 1 || len(seg) == 1 && findReply(seg[0]) != "" {
				break
			}
			continue
		}
		if strings.HasPrefix(t, ">") && quotedHeaderRe.MatchString(t) || isHeaderLine(t) {
			continue // a header of the original message, quoted or not
		}
		// Sendmail reports each destination host ("550 example.org
		// (smtp)... 550 Host unknown") before its recipients' lines: such
		// a line after the recipient's own is the next recipient's.
		// A section rule ("----- Transcript of session follows -----")
		// starts what is no longer this recipient's.
		if len(seg) > 0 && (strings.Contains(t, " (smtp)... ") || isQueueReason(ls, i) || strings.HasPrefix(t, "-----")) {
			break
		}
		seg = append(seg, clipLine(t))
	}
	return seg
}

// isQueueReason reports whether line i is a mail queue's reason, as
// Postfix's mailq prints it: in parentheses, on the line before the bare
// address it concerns.
func isQueueReason(ls []string, i int) bool {
	// mailq prints the reason at the start of the line and the address far
	// to the right; Sendmail's "(reason: ...)" is indented, under its
	// address.
	t := strings.TrimRight(ls[i], " \t\r")
	if len(t) < 3 || t[0] != '(' || (t[len(t)-1] != ')' && len(t) < 60) || i+1 >= len(ls) ||
		!strings.HasPrefix(ls[i+1], "        ") {
		return false
	}
	next := strings.TrimSpace(ls[i+1])
	var buf [4][2]int
	locs := findEmails(buf[:0], next)
	return len(locs) == 1 && locs[0][1]-locs[0][0] == len(strings.Trim(next, "<>"))
}

// isHeaderLine reports whether a line is a mail header field that says
// nothing about the failure (X-*, Received, Authentication-Results, ...).
func isHeaderLine(l string) bool {
	name, _, ok := strings.Cut(l, ":")
	if !ok || !isHeaderField(l) {
		return false
	}
	name = strings.ToLower(name)
	return (knownHeaders[name] && name != "to" && name != "from" && name != "subject") || strings.HasPrefix(name, "x-") || strings.HasPrefix(name, "arc-")
}

// messageFields are the fields a notice quotes of the message that failed
// ("Subject: Virus alert"): they describe that message, never the failure.
var messageFields = map[string]bool{
	"subject": true, "to": true, "cc": true, "from": true, "sent": true, "date": true,
	"asunto": true, "para": true, "de": true, "enviado": true, "fecha": true,
}

// isMessageField reports whether a line is one of the messageFields.
func isMessageField(l string) bool {
	name, _, ok := strings.Cut(l, ":")
	return ok && len(name) < 10 && messageFields[strings.ToLower(strings.TrimSpace(name))]
}

var quotedHeaderRe = regexp.MustCompile(`^>\s*[A-Za-z][A-Za-z0-9-]+:`)

// mayHoldCode is a cheap test that spares the regular expressions most
// lines: a reply code needs three digits in a row, a status code a digit,
// a dot and a digit.
func mayHoldCode(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			if run++; run == 3 {
				return true
			}
			if i+2 < len(s) && s[i+1] == '.' && s[i+2] >= '0' && s[i+2] <= '9' {
				return true
			}
			continue
		}
		run = 0
	}
	return false
}

// errorLines returns the lines of a text that carry an SMTP reply or an
// enhanced status code: the fallback evidence when no line is tied to a
// recipient.
func errorLines(text string) []string {
	var out []string
	n := 0
	for l := range strings.SplitSeq(text, "\n") {
		if n++; n > maxScanLines {
			break
		}
		t := strings.TrimSpace(l)
		if t == "" || len(t) > 2000 || !mayHoldCode(t) {
			continue
		}
		if findReply(t) != "" || findStatus(t) != "" {
			out = append(out, t)
		}
	}
	return out
}
