package bounce

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/search/spanish"
)

// MaxPasteBytes is the largest text Classify reads; callers refuse larger
// pastes with a clear message rather than cut them silently.
const MaxPasteBytes = 1 << 20

// Kind says what a pasted text is.
type Kind string

// Kinds of paste.
const (
	KindBounce    Kind = "bounce"    // a delivery failure or delay
	KindAutoReply Kind = "autoreply" // an out-of-office or other automatic reply
	KindFeedback  Kind = "feedback"  // an abuse (ARF) report
	KindDelivered Kind = "delivered" // a successful delivery notification
	KindNone      Kind = "none"      // an ordinary message or unrelated text
)

// Diagnosis is what Classify makes of a paste.
type Diagnosis struct {
	Kind       Kind
	Recipients []Verdict
	// Omitted counts the failed recipients beyond the first 100, which are
	// not judged one by one: a paste of thousands of them must stay fast.
	Omitted int
	// Sender is the address the bounce was returned to (its To header, or
	// the returned message's From), "" when the paste does not say: the
	// customer's own, whose domain's SPF, DKIM and DMARC can be checked.
	Sender string
}

// IsBounce reports whether the paste is a bounce with at least one failure.
func (d Diagnosis) IsBounce() bool { return d.Kind == KindBounce }

// Verdict is the diagnosis for one failed recipient.
type Verdict struct {
	Address    string // "" when the paste names none
	ReplyCode  string // "550"
	Status     string // "5.1.1"
	Reason     string // Sisimai reason
	Temporary  bool   // the sending server will retry
	RemoteHost string
	RemoteIP   string
	Article    *knowledge.Article
	Confidence float64 // 0 to 1
	Evidence   []string
	Phrase     string // the wording that decided the reason, as matched (folded)
	Details    Details
	Advice     []string // Spanish sentences tailored to this failure
	AdviceKeys []string // the advice.toml keys of Advice, in order

	// dialog: the wording that decided is a mail program's own error
	// message (a client_error rule), quoted by the customer.
	dialog bool
}

// Details are the specifics of a failure the advice uses.
type Details struct {
	Command    string // SMTP stage of the rejection: CONNECT, HELO, MAIL, RCPT, DATA
	Blocklist  string // "Spamhaus ZEN"
	ListedIP   string
	TypoDomain string // "gmial.com"
	Suggestion string // "gmail.com"
	SizeLimit  string // "10 MB"
	RateLimit  string // "ours" (the provider's E451) or "remote" (the receiving server's, ratelimited)
	AuthCheck  string // SPF, DKIM or DMARC
	FromDSN    bool   // read from a machine-readable delivery status
	// SaysPermanent: the text calls the failure permanent ("failed
	// permanently", "permanent fatal errors", "error permanente").
	SaysPermanent bool
}

// Classify reads a pasted bounce (a whole message, the visible part of a
// non-delivery report, a mail client's error dialog or one SMTP line) and
// returns a verdict per failed recipient. It is deterministic and safe for
// concurrent use; texts longer than MaxPasteBytes are read only up to it.
func (c *Reader) Classify(text string) Diagnosis {
	if len(text) > MaxPasteBytes {
		text = text[:MaxPasteBytes]
	}
	return c.classify(text, 0)
}

func (c *Reader) classify(text string, depth int) Diagnosis {
	m := parseMessage(text)
	body := m.body()

	subject := strings.ToLower(m.header.get("subject"))
	// Complaints and unsubscribe requests (ARF reports, Apple Mail's
	// one-tap unsubscribe) are feedback about a delivered message.
	if m.report == "feedback-report" || hasLinePrefix(body, "Feedback-Type:") ||
		hasPrefixAny(subject, c.words.feedbackSubjects) || m.header.get("x-apple-unsubscribe") != "" {
		return Diagnosis{Kind: KindFeedback}
	}

	dsn := m.deliveryStatus(body)
	// An SES notification is one line of JSON that names every address of
	// the message (bounced, delivered, in its headers): its list of bounced
	// recipients is the whole story, and the line is no one's evidence.
	fromSES := false
	if len(dsn) == 0 {
		switch kind, recipients := parseSES(body); kind {
		case "Complaint":
			return Diagnosis{Kind: KindFeedback}
		case "Delivery":
			return Diagnosis{Kind: KindDelivered}
		case "Bounce":
			dsn, fromSES = recipients, len(recipients) > 0
		}
	}
	failed := dsn[:0:0]
	delivered := 0
	for _, d := range dsn {
		switch {
		case d.action == "delivered" || d.action == "relayed" || d.action == "expanded" || strings.HasPrefix(d.status, "2."):
			delivered++
		default:
			failed = append(failed, d)
		}
	}
	if len(dsn) > 0 && len(failed) == 0 && delivered > 0 {
		return Diagnosis{Kind: KindDelivered}
	}
	if len(failed) == 0 && c.isAutoReply(m, body) {
		return Diagnosis{Kind: KindAutoReply}
	}

	var findings []finding
	omitted := 0
	if len(failed) > 0 {
		byAddress := make(map[string]int)
		var textFindings []finding
		if !fromSES {
			textFindings, _ = c.words.extractFromText(body, m.senders())
		}
		for _, f := range textFindings {
			byAddress[f.address] = len(byAddress)
		}
		if len(failed) > maxRecipients {
			omitted = len(failed) - maxRecipients
			failed = failed[:maxRecipients]
		}
		for _, d := range failed {
			f := finding{address: d.finalRecipient, action: d.action, status: d.status, remote: d.remoteMTA, fromDSN: true}
			if f.address == "" {
				f.address = d.origRecipient
			}
			if d.diagnostic != "" {
				f.dsnDiag = clipLine(d.diagnostic)
				f.diag = append(f.diag, f.dsnDiag)
			}
			f.localProgram = d.diagType == "x-unix"
			// The text may name the recipient by any of the DSN's addresses
			// for it: the one written (Original-Recipient), the final one,
			// or what an alias expanded to. It is one recipient.
			names := [...]string{f.address, d.origRecipient, d.aliasRecipient}
			for _, a := range names {
				if j, ok := byAddress[a]; ok && a != "" {
					f.diag = append(f.diag, textFindings[j].diag...)
					break
				}
			}
			findings = append(findings, f)
			for _, a := range names {
				delete(byAddress, a)
			}
		}
		// Recipients the text names but the delivery report leaves out
		// failed too (some MTAs report only one recipient in the DSN part).
		for _, f := range textFindings {
			if _, left := byAddress[f.address]; left && c.hasEvidence(f.diag) {
				findings = append(findings, f)
			}
		}
	} else {
		findings, omitted = c.words.extractFromText(body, m.senders())
		// Exim and Gmail name the failed recipients in a header, which is
		// more reliable than guessing from the text.
		if failedHeader := m.header.get("x-failed-recipients"); failedHeader != "" {
			findings = fromFailedHeader(failedHeader, findings)
		}
	}

	// Lines to fall back on when a recipient's own lines say nothing: those
	// with codes, or else the start of the text.
	global := errorLines(body)
	if len(global) == 0 {
		global = firstLines(body, 30)
	}
	if len(findings) == 0 {
		findings = []finding{{diag: global, address: m.onlyOriginalRecipient()}}
	}

	var out []Verdict
	var judged []finding // the finding of each verdict of out
	notice := body
	if len(notice) > 8<<10 {
		notice = notice[:8<<10]
	}
	for _, f := range findings {
		f.notice = notice
		// A recipient's own lines may lack the code (or everything): borrow
		// the paste's error lines, unless they belong to other recipients.
		if !c.hasEvidence(f.diag) || (!hasCodeLine(withoutStatusField(f.diag)) && len(findings) == 1) {
			own := len(f.diag)
			f.diag = appendNew(f.diag, global)
			f.borrowed = len(f.diag) - own
		}
		v, ok := c.judge(f, m, nil)
		if !ok {
			continue
		}
		out = append(out, v)
		judged = append(judged, f)
	}
	// A notice that only says delivery failed, with the real bounce
	// attached (a gateway forwarding it): the attached one says why.
	if depth == 0 && len(out) > 0 && allVague(out) {
		for _, a := range m.attached {
			if d := c.classify(a, depth+1); d.Kind == KindBounce && !allVague(d.Recipients) {
				return d
			}
		}
	}
	if len(out) == 0 || !c.looksLikeBounce(m, body, out, len(failed) > 0) {
		// A bounce forwarded as an attachment: read the attached message.
		if depth == 0 {
			for _, a := range m.attached {
				if d := c.classify(a, depth+1); d.Kind == KindBounce {
					return d
				}
			}
		}
		return Diagnosis{Kind: KindNone}
	}
	// A list holding a message for its moderator quotes no server reply.
	if len(failed) == 0 && !quotesReply(out) && c.isHeldForModeration(body) {
		return Diagnosis{Kind: KindNone}
	}
	// The last step of the diagnosis, once the paste is known to be a
	// bounce and no attached bounce explains it better: a reason still
	// unclear is the one of the article the search finds for the reply.
	if c.search != nil {
		for i, v := range out {
			if v.Reason != "onhold" && v.Reason != "undefined" {
				continue
			}
			if a := c.searchReply(judged[i].diag); a != nil {
				if w, ok := c.judge(judged[i], m, a); ok {
					out[i] = w
				}
			}
		}
	}
	return Diagnosis{Kind: KindBounce, Recipients: out, Omitted: omitted, Sender: m.sender()}
}

// onlyOriginalRecipient is the one address the returned message was sent
// to, when the bounce names no recipient itself (Verizon's "No valid
// recipients for this MM" quotes only the message); "" when it went to
// several, or was not returned.
func (m *message) onlyOriginalRecipient() string {
	var found []string
	for _, field := range []string{"to", "cc"} {
		v := m.original.get(field)
		for _, loc := range findEmails(nil, v) {
			found = append(found, strings.ToLower(v[loc[0]:loc[1]]))
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

// hasLinePrefix reports whether a line of s starts with prefix. It looks
// for the prefix, not for every line end.
func hasLinePrefix(s, prefix string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], prefix)
		if i < 0 {
			return false
		}
		if i += from; i == 0 || s[i-1] == '\n' {
			return true
		}
		from = i + 1
	}
}

// sender is the address a bounce was returned to: the bounce's To, else
// the From or Return-Path of the returned message.
func (m *message) sender() string {
	for _, v := range []string{m.header.get("to"), m.original.get("from"), m.original.get("return-path")} {
		var buf [4][2]int
		if locs := findEmails(buf[:0], v); len(locs) > 0 {
			return strings.ToLower(v[locs[0][0]:locs[0][1]])
		}
	}
	return ""
}

// quotesReply reports whether a verdict has a server's reply or status code.
func quotesReply(vs []Verdict) bool {
	for _, v := range vs {
		if v.ReplyCode != "" || v.Status != "" {
			return true
		}
	}
	return false
}

// allVague reports whether no verdict names a cause or a code.
func allVague(vs []Verdict) bool {
	for _, v := range vs {
		if (v.Reason != "onhold" && v.Reason != "undefined") || v.ReplyCode != "" || v.Status != "" {
			return false
		}
	}
	return true
}

// body joins the human-readable parts, without the copy of the original
// message. HTML parts are used only when there is no plain text.
func (m *message) body() string {
	parts := m.text
	if len(parts) == 0 {
		parts = m.html
	}
	size := 0
	for _, p := range parts {
		size += min(len(p), maxBodyBytes) + 2
	}
	var b strings.Builder
	b.Grow(min(size, 2*maxBodyBytes+2)) // one allocation for the parts
	for _, p := range parts {
		if len(p) > maxBodyBytes {
			p = p[:maxBodyBytes]
		}
		b.WriteString(trimOriginal(p))
		b.WriteString("\n\n")
		if b.Len() > maxBodyBytes {
			break
		}
	}
	out := b.String()
	if strings.Contains(out, "\u00a0") {
		// Webmail pastes and HTML parts bring non-breaking spaces.
		out = strings.ReplaceAll(out, "\u00a0", " ")
	}
	return out
}

// maxBodyBytes bounds the text read for the explanation of a bounce: it is
// at the start, and the rest of a huge paste (an attachment pasted along)
// must not make the answer slow.
const maxBodyBytes = 128 << 10

// senders returns the addresses that sent the failed message: a bounce is
// addressed to them, so they are never its failed recipients.
func (m *message) senders() map[string]bool {
	out := make(map[string]bool)
	for _, v := range []string{m.header.get("to"), m.original.get("from"), m.original.get("return-path"), m.original.get("sender")} {
		var buf [8][2]int
		for _, loc := range findEmails(buf[:0], v) {
			out[strings.ToLower(v[loc[0]:loc[1]])] = true
		}
	}
	return out
}

// deliveryStatus returns the DSN recipient blocks: from the
// message/delivery-status parts, or from DSN fields pasted as text.
func (m *message) deliveryStatus(body string) []dsnRecipient {
	var out []dsnRecipient
	for _, s := range m.status {
		out = append(out, parseDSN(s)...)
	}
	if len(out) == 0 && (strings.Contains(body, "Final-Recipient:") || strings.Contains(body, "Diagnostic-Code:")) {
		out = parseDSN(body)
	}
	return out
}

// fromFailedHeader puts the recipients of an X-Failed-Recipients header
// first, with the lines found for them in the text.
func fromFailedHeader(header string, found []finding) []finding {
	byAddress := make(map[string]finding)
	for _, f := range found {
		byAddress[f.address] = f
	}
	var out []finding
	for _, a := range addressRe.FindAllString(header, 16) {
		a = strings.ToLower(a)
		f, ok := byAddress[a]
		if !ok {
			f = finding{address: a}
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return found
	}
	return out
}

// firstLines returns the first n lines of s that are not mail headers
// (a pasted Authentication-Results line says "dkim=pass", not an error).
func firstLines(s string, n int) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if len(out) == n {
			break
		}
		// A question is the customer's own ("¿es que el dominio no
		// existe?"): no server asks one.
		if isHeaderLine(l) || asksQuestion(l) {
			continue
		}
		out = append(out, clipLine(l))
	}
	return out
}

// hasCodeLine reports whether a line carries a reply or status code.
func hasCodeLine(ls []string) bool {
	for _, l := range ls {
		if findReply(l) != "" || findStatus(l) != "" {
			return true
		}
	}
	return false
}

// withoutStatusField drops the DSN "Status:" lines: a bare status code
// says how a delivery ended, not why, and a lone recipient's explanation is
// then in the reply lines elsewhere in the text.
func withoutStatusField(ls []string) []string {
	out := ls[:0:0]
	for _, l := range ls {
		if !strings.HasPrefix(l, "Status:") {
			out = append(out, l)
		}
	}
	return out
}

// appendNew appends the lines of more that are not in ls yet.
func appendNew(ls, more []string) []string {
	seen := make(map[string]bool, len(ls))
	for _, l := range ls {
		seen[l] = true
	}
	for _, l := range more {
		if !seen[l] {
			seen[l] = true
			ls = append(ls, l)
		}
	}
	return ls
}

// hasEvidence reports whether lines hold a code or a known phrase.
func (c *Reader) hasEvidence(ls []string) bool {
	if hasCodeLine(ls) {
		return true
	}
	strong, weak := c.rules.scan(spanish.Fold(strings.Join(ls, "\n")), "")
	return strong.rule >= 0 || weak.rule >= 0
}

var (
	sizeRe = regexp.MustCompile(`(?i)(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)\s*(bytes|byte|kb|kib|mb|mib|megabytes|kilobytes|megas|k|m)\b`)
)

// judge turns a finding into a verdict. It reports false when the lines
// say nothing about a failure.
//
// With found (the article the knowledge base's search finds for the
// server's reply), a reason still unclear after the rules, the codes and
// the heuristics is found's.
func (c *Reader) judge(f finding, m *message, found *knowledge.Article) (Verdict, bool) {
	text := joinContinuations(strings.Join(f.diag, "\n"))
	// Phrases may be wrapped over two lines; matching on spaces keeps the
	// offsets, so the line of a match can still be found.
	folded := spanish.Fold(text)
	// Where the recipient's own lines end and the borrowed ones begin.
	ownEnd := len(folded)
	if f.borrowed > 0 {
		n := len(f.diag) - f.borrowed
		if n == 0 {
			ownEnd = 0
		}
		for i := 0; i < len(folded) && n > 0; i++ {
			if folded[i] == '\n' {
				if n--; n == 0 {
					ownEnd = i
					break
				}
			}
		}
	}
	folded = strings.ReplaceAll(folded, "\n", " ")
	v := Verdict{Address: f.address}
	v.Details.FromDSN = f.fromDSN

	// The code in the server's reply as the DSN quotes it (Diagnostic-Code)
	// wins; then the DSN Status field, unless it is one of the generic values
	// reporting MTAs fill in (X.0.0, 5.1.0, 4.4.7 for any delay) or of
	// another class than a code in the text.
	v.Status = f.status
	if quoted := findStatus(f.dsnDiag); quoted != "" {
		v.Status = quoted
	} else if inText := findStatus(text); inText != "" {
		if v.Status == "" || c.rules.genericStatus[v.Status] || v.Status[0] != inText[0] {
			v.Status = inText
		}
	}
	v.ReplyCode = remoteReply(text)
	if strings.HasPrefix(v.Status, "2.") {
		v.Status = ""
	}

	// Rules read what the server said, not the addresses it quoted nor
	// the wordings that only look like a cause ([ignore]).
	said := c.rules.blankIgnored(blankAddresses(folded))
	v.Details.Command = c.rules.findCommand(said)

	// The documented order (rules.toml's header, FORMATO.md): the wording
	// of the cause; the enhanced status code, through the articles; the
	// wording before the recipients; a specific reply code, through the
	// articles; generic wording; a status code that only names its subject
	// (X.Y.0); the SMTP stage and the delivery report; the knowledge
	// base's search over the server's reply. Each step decides the reason
	// and the article together, so the article shown is the one that
	// explains the reason.
	var art *knowledge.Article
	statusArt := c.statusArticle(v.Status)
	subjectOnly := statusArt != nil && strings.HasSuffix(v.Status, ".0")
	// A delay notice says how long the message has waited ("could not be
	// delivered for 4 hours"): that is no cause; the cause, if any, is in
	// the rest of its words.
	skip := ""
	if f.action == "delayed" {
		skip = c.rules.delayedReason
	}
	strongM, weakM := c.rules.scan(said, skip)
	r, at, end := c.rules.ruleOf(strongM)
	// The recipient's own lines outrank those borrowed from elsewhere in
	// the paste (a quoted subject, a disclaimer): their wording first, then
	// the recipient's own status code, then the borrowed wording.
	if r != nil && at >= ownEnd {
		if mine, a, e := c.rules.matchExcept(said[:ownEnd], false, skip); mine != nil {
			r, at, end = mine, a, e
		} else if statusArt != nil && !subjectOnly && f.status == v.Status {
			r, at, end = nil, -1, -1
		}
	}
	if r == nil && (statusArt == nil || subjectOnly) && len(f.context) > 0 {
		// What the text says before the recipients, if the recipient's own
		// lines have no specific wording.
		if cr, _, _ := c.rules.match(c.rules.blankIgnored(blankAddresses(spanish.Fold(strings.Join(f.context, " ")))), false); cr != nil {
			r = cr
		}
	}
	switch {
	case r != nil:
		v.Reason = r.reason
		v.Details.AuthCheck = r.check
	case statusArt != nil && !subjectOnly:
		v.Reason, art = statusArt.Reason, statusArt
	default:
		if a := c.replyArticle(v.ReplyCode); a != nil {
			v.Reason, art = a.Reason, a
			break
		}
		r, at, end = c.rules.ruleOf(weakM)
		switch {
		case r != nil && (r.reason != "onhold" || statusArt == nil):
			v.Reason = r.reason
		case statusArt != nil:
			r, at, end = nil, -1, -1
			v.Reason, art = statusArt.Reason, statusArt
		case v.Details.Command == "MAIL":
			v.Reason = c.rules.mailReason
		case f.action == "delayed":
			v.Reason = c.rules.delayedReason
		case v.ReplyCode != "" && (v.ReplyCode[0] == '4' || v.ReplyCode[0] == '5'):
			v.Reason = "onhold"
		case v.Status != "" || (f.fromDSN && f.action == "failed"):
			v.Reason = "undefined"
		default:
			return v, false
		}
	}
	decided := v.Reason

	// The SMTP stage and the delivery report break ties: they override
	// what no strong rule said, and their reasons are data ([stage] and
	// [dsn] in rules.toml, whose comments, like FORMATO.md, tell when each
	// applies).
	//
	// Refused at MAIL FROM, the problem is the sender's address or domain:
	// words about an unknown user or host are about the sender there.
	// A status code that speaks of something else (X.3.4, the size a
	// server checks at MAIL FROM's SIZE=) keeps its meaning: only the
	// address (X.1.x) and policy (X.7.x) subjects can be the sender's.
	if v.Details.Command == "MAIL" && (r == nil || r.weak || v.Reason == "userunknown" || v.Reason == "hostunknown" || v.Reason == "filtered") &&
		v.Reason != "blocked" && v.Reason != "norelaying" && (r != nil || art == nil || art != statusArt || senderSubject(v.Status)) &&
		!(v.Reason == "userunknown" && replyNames(f.diag, f.address)) {
		v.Reason = c.rules.mailReason
	}
	// A local delivery program (procmail, a pipe) failed, whatever it said.
	if f.localProgram && (r == nil || r.weak) {
		v.Reason = c.rules.localProgramReason
	}
	// Refused on connecting, before any mail was offered: the server is
	// blocking the sending client.
	if v.Details.Command == "CONNECT" && (r == nil || r.weak) && v.Reason != "expired" {
		v.Reason = c.rules.connectReason
	}
	// A delay notice that states no cause (no wording, no specific status
	// code) is a message still waiting; one that does keeps its cause.
	if f.action == "delayed" && (r == nil || r.weak) && (art == nil || art != statusArt || subjectOnly || c.rules.genericStatus[v.Status]) {
		v.Reason = c.rules.delayedReason
	}
	// Still no cause: the article the knowledge base's search finds for the
	// server's reply, the way a customer would find it on the site.
	if (v.Reason == "onhold" || v.Reason == "undefined") && found != nil {
		v.Reason, art = found.Reason, found
		decided = v.Reason
	}
	if v.Reason != decided {
		art = nil
	}

	v.Temporary = f.action == "delayed" || strings.HasPrefix(v.Status, "4.") ||
		(v.Status == "" && strings.HasPrefix(v.ReplyCode, "4")) ||
		(v.Status == "" && v.ReplyCode == "" && r != nil && r.clientError)
	// Whether the notice says the server keeps trying ([persistence]
	// retry): the recipient's lines first, then the notice's start.
	retrying := func() bool {
		return containsAny(folded, c.words.retry...) || containsAny(spanish.Fold(f.notice), c.words.retry...)
	}
	switch {
	case v.Reason == "expired" && f.action != "delayed":
		// Given up, unless the notice says it keeps trying (and no
		// permanent code says otherwise).
		v.Temporary = (v.Temporary || v.Status == "" && v.ReplyCode == "") && retrying()
	case !v.Temporary && v.Status == "" && v.ReplyCode == "" && !f.fromDSN:
		// No code says it: the words do ("se seguirá intentando").
		v.Temporary = retrying()
	}

	v.RemoteHost, v.RemoteIP = c.words.remoteOf(f.remote, folded)
	if r != nil && r.clientError {
		// A mail program's dialog names the customer's own outgoing
		// server ("no se pudo encontrar el host smtp.example.com"), not
		// the recipient's.
		v.RemoteHost, v.RemoteIP = "", ""
	}
	// A wording that is the customer's program's setting when their own
	// server says it, and a matter between two servers when the bounce
	// names the receiving server that said it.
	if r != nil && r.betweenServers != "" && v.Reason == r.reason && (v.RemoteHost != "" || v.RemoteIP != "") {
		v.Reason, art = r.betweenServers, nil
	}
	// The customer's own program's error window that names no receiving
	// server: a TLS wording is about the program's connection to its own
	// outgoing server, not one between two servers.
	if r != nil && r.inDialog != "" && v.Reason == r.reason && v.RemoteHost == "" && v.RemoteIP == "" && m.header == nil &&
		containsAny(spanish.Fold(f.notice), c.words.dialogMarkers...) {
		v.Reason, art = r.inDialog, nil
		if r.inDialogArticle != "" {
			art, _ = c.kb.Article(r.inDialogArticle)
		}
	}
	// A passing refusal in a notice that says the message expired: it
	// expired.
	if r != nil && r.whenExpired != "" && v.Reason == r.reason && f.action != "delayed" && c.rules.expiry.any(folded) {
		v.Reason, art = r.whenExpired, nil
	}
	// The recipient's code can say whose limit a wording is about.
	if _, detail, ok := strings.Cut(v.Status, "."); r != nil && ok && v.Reason == r.reason && r.byStatus[detail] != "" {
		v.Reason, art = r.byStatus[detail], nil
	}
	v.Details.SaysPermanent = containsAny(folded, c.words.permanent...)
	c.details(&v, folded)
	v.Article = art
	if v.Article == nil {
		byRule := r
		if r != nil && r.reason != v.Reason {
			byRule = nil // a tie-breaker changed the reason: the rule's article explains another
		}
		v.Article = c.article(v, byRule)
	}
	v.Evidence = evidence(f.diag, folded, at, end)
	if at >= 0 && end <= len(folded) {
		v.Phrase = folded[at:end]
	}
	for i, e := range v.Evidence {
		v.Evidence[i] = strings.ToValidUTF8(e, "\uFFFD")
	}
	v.Address = strings.ToValidUTF8(v.Address, "")
	v.Confidence = confidence(v, r != nil)
	v.dialog = r != nil && r.clientError
	v.Advice, v.AdviceKeys = c.adviseFor(v)
	return v, true
}

// statusArticle returns the article an enhanced status code means by
// itself: the one whose short link it is, or the other class's (4.2.2 reads
// as 5.2.2). The articles' code lists are the one table of what codes mean;
// a code they leave to the generic article says nothing here.
func (c *Reader) statusArticle(status string) *knowledge.Article {
	if status == "" {
		return nil
	}
	a, ok := c.kb.Canonical(status)
	if !ok {
		other := []byte(status)
		if other[0] == '4' {
			other[0] = '5'
		} else {
			other[0] = '4'
		}
		a, ok = c.kb.Canonical(string(other))
	}
	if !ok || !explainsFailure(a) {
		return nil
	}
	return a
}

// replyArticle returns the article a reply code means by itself: the one
// whose short link it is, unless servers send the code for any failure
// ([reply] generic in rules.toml: 550, 554).
func (c *Reader) replyArticle(reply string) *knowledge.Article {
	if reply == "" || c.rules.genericReply[reply] {
		return nil
	}
	a, ok := c.kb.Canonical(reply)
	if !ok || !explainsFailure(a) {
		return nil
	}
	return a
}

// explainsFailure reports whether an article names a cause of failure:
// not the generic "unspecified error" nor the success codes.
func explainsFailure(a *knowledge.Article) bool {
	return a.Reason != "undefined" && a.Reason != "onhold" && a.Reason != "delivered"
}

// maxSearchLines bounds the lines of a reply given to the search.
const maxSearchLines = 3

// searchReply asks the knowledge base's search about the server's reply in
// a recipient's lines (those with a code, or else the first), without the
// addresses, host names and numbers that only identify this message. It
// returns the first article found if it names a cause.
func (c *Reader) searchReply(diag []string) *knowledge.Article {
	var picked []string
	for _, l := range diag {
		if len(picked) == maxSearchLines {
			break
		}
		if mayHoldCode(l) && (findReply(l) != "" || findStatus(l) != "") {
			picked = append(picked, l)
		}
	}
	if len(picked) == 0 && len(diag) > 0 {
		picked = diag[:1]
	}
	q := searchQuery(strings.Join(picked, " "))
	if !c.mayQuote(q) {
		return nil
	}
	for _, res := range c.search.Search(q, 1) {
		if explainsFailure(res.Article) && quotesArticle(res.Article, q) {
			return res.Article
		}
	}
	return nil
}

// quotedWords is how many words in a row a reply must share with an
// article's title, aliases or examples for the search's answer to stand:
// fewer, and the search's best guess for a reply it does not know would
// decide.
const quotedWords = 4

// quotesArticle reports whether q has quotedWords words in a row of a's
// title, one of its aliases or one of its example lines, compared as the
// search compares them (folded, punctuation aside; numbers, which are
// codes, do not count as words).
func quotesArticle(a *knowledge.Article, q string) bool {
	query := spanish.Phrase(words(q))
	for _, text := range quotableTexts(a) {
		ws := words(text)
		for i := 0; i+quotedWords <= len(ws); i++ {
			if strings.Contains(query, spanish.Phrase(ws[i:i+quotedWords])) {
				return true
			}
		}
	}
	return false
}

// words are the tokens of s that are not numbers.
func words(s string) []spanish.Token {
	toks := spanish.Tokenize(s)
	out := toks[:0]
	for _, t := range toks {
		if strings.Trim(t.Word, "0123456789") != "" {
			out = append(out, t)
		}
	}
	return out
}

// quotableTexts are the texts of an article a reply may quote.
func quotableTexts(a *knowledge.Article) []string {
	return append(append([]string{a.Title}, a.Aliases...), a.Examples()...)
}

// quotedRuns returns every run of quotedWords words of the quotableTexts
// of the articles that name a cause, as spanish.Phrase writes it.
func quotedRuns(articles []*knowledge.Article) map[string]bool {
	runs := make(map[string]bool)
	for _, a := range articles {
		if !explainsFailure(a) {
			continue
		}
		for _, text := range quotableTexts(a) {
			eachRun(words(text), func(run string) bool {
				runs[run] = true
				return true
			})
		}
	}
	return runs
}

// eachRun calls fn with every run of quotedWords words of ws, as
// spanish.Phrase writes it, until fn returns false. The runs are slices of
// one phrase of all the words, not a string made for each.
func eachRun(ws []spanish.Token, fn func(run string) bool) {
	if len(ws) < quotedWords {
		return
	}
	all := spanish.Phrase(ws)
	// at[i] is where word i starts in all, after its space.
	at := make([]int, len(ws)+1)
	at[0] = 1
	for i, w := range ws {
		at[i+1] = at[i] + len(w.Word) + 1
	}
	for i := 0; i+quotedWords <= len(ws); i++ {
		if !fn(all[at[i]-1 : at[i+quotedWords]]) {
			return
		}
	}
}

// mayQuote reports whether q has a run of quotedWords words that some
// article has: the cheap test before asking the search.
func (c *Reader) mayQuote(q string) bool {
	ws := words(q)
	if len(ws) < quotedWords {
		return false
	}
	runs := c.quoted()
	found := false
	eachRun(ws, func(run string) bool {
		found = runs[run]
		return !found
	})
	return found
}

// maxQueryBytes is what searchQuery keeps of a reply: the search reads no
// more either.
const maxQueryBytes = 512

// searchQuery keeps the words of a reply: it drops addresses, host names,
// IP addresses, URLs and queue identifiers (any word with '@', '/', ':',
// '=' or a dot between letters or digits, or a long mix of letters and
// digits), which no article contains and which would only dilute the
// search. Reply and status codes stay.
func searchQuery(line string) string {
	var b strings.Builder
	for w := range strings.FieldsSeq(line) {
		if b.Len() >= maxQueryBytes {
			break
		}
		t := strings.Trim(w, "<>()[]'\",;")
		if t == "" || strings.ContainsAny(t, "@/:=#") {
			continue
		}
		if findStatus(t) == "" && strings.Contains(strings.Trim(t, "."), ".") {
			continue
		}
		if len(t) > 12 && strings.ContainsAny(t, "0123456789") {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

// remoteReply returns the reply code of the receiving server: the first
// code of the text, unless Sendmail quotes the server's after its own
// ("554 <ana@example.org>... 550 Host unknown").
func remoteReply(text string) string {
	first := findReply(text)
	if !strings.Contains(text, "... ") {
		return first
	}
	for l := range strings.SplitSeq(text, "\n") {
		head, rest, ok := strings.Cut(strings.TrimSpace(l), "... ")
		if own := findReply(head); !ok || own != first || !strings.HasPrefix(head, own) || len(rest) < 4 {
			continue
		}
		if inner := findReply(rest[:4]); inner != "" && inner[0] >= '4' {
			return inner
		}
		return first
	}
	return first
}

var multilineRe = regexp.MustCompile(`^([245]\d\d)[ -](?:[245]\.\d{1,3}\.\d{1,3} )?`)

// joinContinuations removes the code that starts each continuation line of
// a multi-line reply ("550-5.7.1 ..." then "550 5.7.1 ..."), so a sentence
// the server wrapped reads whole. The first line keeps its code.
func joinContinuations(s string) string {
	if !hasMultilineCode(s) {
		return s
	}
	ls := strings.Split(s, "\n")
	prev := ""
	for i, l := range ls {
		var m []string
		if len(l) > 3 && l[0] >= '2' && l[0] <= '5' {
			m = multilineRe.FindStringSubmatch(l)
		}
		if m != nil && prev == m[1] {
			ls[i] = l[len(m[0]):]
		}
		prev = ""
		if m != nil && len(l) > 3 && l[3] == '-' {
			prev = m[1]
		}
	}
	s = strings.Join(ls, "\n")
	// Folded into one line (a DSN Diagnostic-Code), the continuation codes
	// sit inside the text: keep the first, drop the rest.
	if m := findInlineContinuation(s); m != "" {
		code := strings.TrimSpace(m)
		if first := strings.Index(s, code); first >= 0 {
			rest := s[first+len(code):]
			rest = strings.ReplaceAll(rest, " "+code+" ", " ")
			rest = strings.ReplaceAll(rest, " "+code[:3]+" "+code[4:]+" ", " ")
			s = s[:first+len(code)] + rest
		}
	}
	return s
}

// hasMultilineCode is the cheap test for "NNN-" (a reply code followed by
// a dash), which every multi-line reply has.
func hasMultilineCode(s string) bool {
	for i := 3; i < len(s); i++ {
		if s[i] == '-' && isDigitByte(s[i-1]) && isDigitByte(s[i-2]) && s[i-3] >= '2' && s[i-3] <= '5' {
			return true
		}
	}
	return false
}

var inlineContinuationRe = regexp.MustCompile(`^[245]\d\d-[245]\.\d{1,3}\.\d{1,3} `)

// findInlineContinuation returns the first "550-5.7.1 " in s. A match is
// at most 14 bytes and starts with a code and a dash: the expression is
// only tried where one is, not at every byte of a long text.
func findInlineContinuation(s string) string {
	for i := 3; i+2 < len(s); i++ {
		if s[i] == '-' && s[i-3] >= '2' && s[i-3] <= '5' && isDigitByte(s[i-2]) && isDigitByte(s[i-1]) &&
			s[i+1] >= '2' && s[i+1] <= '5' && s[i+2] == '.' {
			if m := inlineContinuationRe.FindString(s[i-3 : min(len(s), i-3+14)]); m != "" {
				return m
			}
		}
	}
	return ""
}

// remoteOf finds the remote server's name and IP: the DSN's Remote-MTA, or
// the name after one of the [remote] markers of phrases.toml in lower, a
// text already in lower case (folded).
func (w *wording) remoteOf(remoteMTA, lower string) (host, ip string) {
	if remoteMTA != "" {
		host = strings.Trim(strings.Fields(remoteMTA + " ")[0], "[]().")
		if mayHoldIPv4(host) && ipv4Re.MatchString(host) {
			host, ip = "", host
		}
	}
	for _, marker := range w.remoteMarkers {
		from := 0
		for {
			i := strings.Index(lower[from:], marker)
			if i < 0 {
				break
			}
			i += from + len(marker)
			from = i
			h, rest := hostToken(strings.TrimLeft(lower[i:], " \t"))
			if h == "" {
				continue
			}
			if host == "" {
				host = h
			}
			if ip == "" {
				ip = bracketedIP(rest)
			}
			return host, ip
		}
	}
	return host, ip
}

// hostToken reads a host name at the start of s: labels of letters, digits
// and hyphens with at least one dot, ending in letters.
func hostToken(s string) (string, string) {
	j := 0
	for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9' || s[j] == '-' || s[j] == '.') {
		j++
	}
	h := strings.TrimSuffix(s[:j], ".")
	if !strings.Contains(h, ".") || mayHoldIPv4(h) && ipv4Re.MatchString(h) {
		return "", s
	}
	last := h[strings.LastIndexByte(h, '.')+1:]
	for k := 0; k < len(last); k++ {
		if last[k] < 'a' || last[k] > 'z' {
			return "", s
		}
	}
	return h, s[j:]
}

// bracketedIP reads "[192.0.2.1]" or "(192.0.2.1)" after optional spaces.
func bracketedIP(s string) string {
	s = strings.TrimLeft(s, " ")
	if s == "" || (s[0] != '[' && s[0] != '(') {
		return ""
	}
	end := strings.IndexAny(s, "])")
	if end < 0 {
		return ""
	}
	c := strings.TrimPrefix(s[1:end], "ipv6:")
	if mayHoldIPv4(c) && ipv4Re.FindString(c) == c || strings.Count(c, ":") >= 2 {
		return c
	}
	return ""
}

// details fills the specifics the advice uses.
func (c *Reader) details(v *Verdict, folded string) {
	// The lists of IP addresses (a content refusal may name Spamhaus's
	// domain list, which says nothing of the sending IP).
	if v.Reason == "blocked" || v.Reason == "badreputation" {
		for _, b := range c.words.blocklists {
			if strings.Contains(folded, b.key) {
				v.Details.Blocklist = b.name
				break
			}
		}
		if v.Details.Blocklist != "" {
			// The listed IP is the first one the text names that is not
			// the receiving server's.
			for _, ip := range ipv4Re.FindAllString(folded, 8) {
				if ip != v.RemoteIP {
					v.Details.ListedIP = ip
					break
				}
			}
		}
	}
	if domain := domainOf(v.Address); domain != "" && (v.Reason == "hostunknown" || v.Reason == "userunknown" || v.Reason == "notaccept" || v.Reason == "networkerror") {
		if s := c.suggestDomain(domain); s != "" {
			v.Details.TypoDomain, v.Details.Suggestion = domain, s
		}
	}
	if v.Reason == "mesgtoobig" || v.Reason == "exceedlimit" {
		if m := sizeRe.FindStringSubmatch(folded); m != nil {
			v.Details.SizeLimit = humanSize(m[1], m[2])
		}
	}
	// Whose sending limit: the provider's own (E451), or the receiving
	// server's limit on the sending host (ratelimited). The limit of the
	// customer's account elsewhere, or of the recipient's mailbox, is told
	// by [[advice]], which knows the article.
	switch {
	case (v.Reason == "speeding" || v.Reason == "ratelimited") && containsAny(folded, c.words.rateOurs...):
		v.Details.RateLimit = "ours"
	case v.Reason == "ratelimited":
		v.Details.RateLimit = "remote"
	}
}

func domainOf(addr string) string {
	_, d, ok := strings.Cut(addr, "@")
	if !ok {
		return ""
	}
	return strings.ToLower(d)
}

// suggestDomain returns the popular domain a mistyped one most likely
// meant, or "".
func (c *Reader) suggestDomain(domain string) string {
	best, bestD := "", 3
	counts := letterCounts(domain)
	for i, d := range c.domains {
		if d == domain {
			return ""
		}
		if len(d)-len(domain) > 2 || len(domain)-len(d) > 2 {
			continue
		}
		// Each edit changes the letter counts by at most 2: domains whose
		// counts differ by more than 4 are more than 2 edits away.
		if countsApart(counts, c.domainCounts[i]) > 4 {
			continue
		}
		if dist := spanish.EditDistance(domain, d); dist < bestD && dist <= max(1, len(d)/5) {
			best, bestD = d, dist
		}
	}
	return best
}

// letterCounts counts the letters a to z of s, and the other bytes last.
func letterCounts(s string) (n [27]uint8) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			n[c-'a']++
		} else {
			n[26]++
		}
	}
	return n
}

// countsApart is the sum of the differences between two letterCounts.
func countsApart(a, b [27]uint8) int {
	d := 0
	for i := range a {
		if a[i] > b[i] {
			d += int(a[i] - b[i])
		} else {
			d += int(b[i] - a[i])
		}
	}
	return d
}

// humanSize writes a size in the customer's units.
func humanSize(n, unit string) string {
	n = strings.ReplaceAll(n, ",", ".")
	switch u := strings.ToLower(unit); u {
	case "bytes", "byte":
		digits := strings.ReplaceAll(n, ".", "")
		var b float64
		fmt.Sscanf(digits, "%g", &b)
		switch {
		case b >= 1<<20:
			return fmt.Sprintf("%.0f MB", b/(1<<20))
		case b >= 1<<10:
			return fmt.Sprintf("%.0f KB", b/(1<<10))
		default:
			return digits + " bytes"
		}
	case "kb", "kib", "k", "kilobytes":
		return n + " KB"
	default:
		return n + " MB"
	}
}

// article picks the article for a verdict: the rule's, then the one the
// codes lead to when it explains the same reason, then the reason's.
func (c *Reader) article(v Verdict, r *rule) *knowledge.Article {
	if r != nil && r.article != "" {
		a, _ := c.kb.Article(r.article)
		return a
	}
	if a, ok := c.kb.Resolve(strings.TrimSpace(v.ReplyCode + " " + v.Status)); ok && a.Reason == v.Reason {
		return a
	}
	a, _ := c.kb.Article(c.rules.reasonArticle[v.Reason])
	return a
}

// evidence returns the lines that led to the verdict: the one with the
// matched phrase, and those with codes, at most three.
func evidence(diag []string, folded string, at, end int) []string {
	var out []string
	seen := make(map[string]bool)
	add := func(l string) {
		if l = strings.TrimSpace(l); l != "" && !seen[l] && len(out) < 3 {
			seen[l] = true
			if len(l) > 400 {
				l = l[:400] + "…"
			}
			out = append(out, l)
		}
	}
	if at >= 0 {
		all := splitLines(diag)
		// folded keeps the lines' lengths for ASCII text; find the line by
		// counting the separators before the match.
		line := strings.Count(folded[:at], "\n")
		if line == 0 {
			// the folded text had its newlines turned to spaces: walk the
			// original lines instead
			n := 0
			for i, l := range all {
				if n+len(l) >= at {
					line = i
					break
				}
				n += len(l) + 1
			}
		}
		if line < len(all) {
			add(all[line])
		}
	}
	for _, l := range diag {
		if len(out) == 3 {
			break
		}
		if mayHoldCode(l) && (findReply(l) != "" || findStatus(l) != "") {
			add(l)
		}
	}
	if len(out) == 0 && len(diag) > 0 {
		add(diag[0])
	}
	return out
}

// splitLines is strings.Split(strings.Join(ls, "\n"), "\n"): ls itself
// when no line holds a newline, as is usual, without copying them all.
func splitLines(ls []string) []string {
	if len(ls) == 0 {
		return []string{""}
	}
	for _, l := range ls {
		if strings.Contains(l, "\n") {
			return strings.Split(strings.Join(ls, "\n"), "\n")
		}
	}
	return ls
}

// confidence grades how sure the verdict is.
func confidence(v Verdict, phrase bool) float64 {
	switch {
	case phrase && (v.Status != "" || v.ReplyCode != ""):
		return 0.95
	case phrase:
		return 0.8
	case v.Status != "" && v.Reason != "undefined":
		return 0.6
	case v.ReplyCode != "":
		return 0.35
	default:
		return 0.2
	}
}

func (c *Reader) isAutoReply(m *message, body string) bool {
	// Delivery reports are sent "auto-replied" too (Postfix, Microsoft).
	if c.words.fromMTA(m.header.get("from")) || c.words.bounceSubject(strings.ToLower(m.header.get("subject"))) {
		return false
	}
	auto := strings.ToLower(m.header.get("auto-submitted"))
	if strings.HasPrefix(auto, "auto-replied") || m.header.get("x-autoreply") != "" || m.header.get("x-autorespond") != "" ||
		strings.Contains(strings.ToLower(m.header.get("precedence")), "auto_reply") {
		return true
	}
	subject := strings.ToLower(m.header.get("subject"))
	if hasPrefixAny(subject, c.words.autoReplySubjects) {
		return true
	}
	if m.header == nil {
		lb := strings.ToLower(body)
		for _, s := range c.words.autoReplyBody {
			if strings.Contains(lb, s) && !replyInTextRe.MatchString(body) {
				return true
			}
		}
	}
	return false
}

// isHeldForModeration reports whether the text is a mailing list telling
// the sender their message waits for the moderator ([held] in rules.toml).
func (c *Reader) isHeldForModeration(body string) bool {
	head := body
	if len(head) > 4<<10 {
		head = head[:4<<10]
	}
	return c.rules.heldMatcher.any(spanish.Fold(head))
}

// onlyQuotedEvidence reports whether every evidence line is quoted from an
// earlier message (starts with ">").
func onlyQuotedEvidence(vs []Verdict) bool {
	for _, v := range vs {
		for _, e := range v.Evidence {
			if !strings.HasPrefix(e, ">") {
				return false
			}
		}
	}
	return true
}

// bounceSubject reports whether a (lower-cased) subject is a delivery
// report's.
func (w *wording) bounceSubject(subject string) bool {
	return containsAny(subject, w.bounceSubjects...)
}

// subjectLabels start a subject line a customer copied with the notice
// ("Asunto: Delivery Status Notification (Delay)").
var subjectLabels = []string{"subject:", "asunto:", "assunto:", "oggetto:", "objet:", "betreff:", "onderwerp:", "assumpte:"}

// pastedBounceSubject reports whether a paste without a header copies a
// delivery report's subject as a line of its own, near the start: the
// notice's title, which says what it is as a header would.
func (w *wording) pastedBounceSubject(body string) bool {
	n := 0
	for l := range strings.SplitSeq(body, "\n") {
		if n++; n > 40 {
			break
		}
		l = strings.ToLower(strings.TrimSpace(l))
		if len(l) > 120 {
			continue
		}
		for _, label := range subjectLabels {
			if rest, ok := strings.CutPrefix(l, label); ok {
				l = strings.TrimSpace(rest)
				break
			}
		}
		if hasPrefixAny(l, w.bounceSubjects) {
			return true
		}
	}
	return false
}

// fromMTA reports whether a From field is a mail system's, the sender of
// delivery reports.
func (w *wording) fromMTA(from string) bool {
	return containsAny(strings.ToLower(from), w.mtaSenders...)
}

// fromAutomated reports whether a From field is a program's (a mail
// system, a no-reply sender, a mailing list) rather than a person's.
func (w *wording) fromAutomated(from string) bool {
	return w.fromMTA(from) || containsAny(strings.ToLower(from), w.automatedSenders...)
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func hasPrefixAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// replyNames reports whether a server's reply among the lines names the
// address after its code ("550 5.1.1 Mailbox <ana@example.com> does not
// exist"): an unknown user it names is that recipient, whatever the stage.
func replyNames(lines []string, address string) bool {
	if address == "" {
		return false
	}
	for _, l := range lines {
		code := findReply(l)
		if code == "" {
			continue
		}
		if i := strings.Index(l, code); i >= 0 && strings.Contains(strings.ToLower(l[i:]), address) {
			return true
		}
	}
	return false
}

// senderSubject reports whether an enhanced status code's subject can be
// about the sender's address at MAIL FROM: addressing (X.1.x) or
// security and policy (X.7.x).
func senderSubject(status string) bool {
	_, rest, _ := strings.Cut(status, ".")
	return strings.HasPrefix(rest, "1.") || strings.HasPrefix(rest, "7.")
}

// quotesReplyCode reports whether a verdict has a server's three-digit
// reply code.
func quotesReplyCode(vs []Verdict) bool {
	for _, v := range vs {
		if v.ReplyCode != "" {
			return true
		}
	}
	return false
}

// decidedByWording reports whether a rule's wording decided a verdict.
func decidedByWording(vs []Verdict) bool {
	for _, v := range vs {
		if v.Phrase != "" {
			return true
		}
	}
	return false
}

// anyDialog reports whether a verdict comes from a mail program's dialog.
func anyDialog(vs []Verdict) bool {
	for _, v := range vs {
		if v.dialog {
			return true
		}
	}
	return false
}

// asksQuestionIn reports whether any line of a text asks a question.
func asksQuestionIn(text string) bool {
	for l := range strings.SplitSeq(text, "\n") {
		if asksQuestion(l) {
			return true
		}
	}
	return false
}

// asksQuestion reports whether a line has a question mark outside a link
// ("https://support.google.com/mail/?p=..." asks nothing).
func asksQuestion(l string) bool {
	if !strings.ContainsAny(l, "?¿") {
		return false
	}
	for w := range strings.FieldsSeq(l) {
		if strings.ContainsAny(w, "?¿") && !strings.Contains(w, "/") {
			return true
		}
	}
	return false
}

// smtpLineRe finds an SMTP reply as servers print it: a code at the start
// of a line or after a colon, quote or "said", not a number in prose
// ("un pedido de 550 unidades").
var smtpLineRe = regexp.MustCompile(`(?im)(?:^[\s>'"(\[#<]*|[:'"(\[#]\s*|said:?\s+|returned\s+'?)E?[245][0-5]\d(?:[\s\-]|$)`)

// looksLikeBounce decides whether the paste reports a failure at all.
func (c *Reader) looksLikeBounce(m *message, body string, vs []Verdict, dsnFailed bool) bool {
	if dsnFailed || m.header.get("x-failed-recipients") != "" {
		return true
	}
	subject := strings.ToLower(m.header.get("subject"))
	from := strings.ToLower(m.header.get("from"))
	if c.words.bounceSubject(subject) || m.header == nil && c.words.pastedBounceSubject(body) {
		return true
	}
	mailerDaemon := c.words.fromMTA(from)
	// A provider's notice about the account itself ("your mailbox is 95%
	// full") may quote the bounce senders will get; it is a warning, not
	// one.
	if !mailerDaemon && containsAny(subject, c.words.noticeSubjects...) {
		return false
	}
	// A mailing (a newsletter, a list's post) that talks about bounces is
	// not one: delivery reports carry no list headers of their own, only
	// those a list adds when it passes a mail system's report on.
	if (m.header.get("list-unsubscribe") != "" || m.header.get("list-id") != "") && !mailerDaemon {
		return false
	}
	// A message a person or a company wrote (it has a From that is not a
	// program's) is a bounce only if it quotes a server's reply: words
	// alone ("your mailbox is full") are what phishing says too.
	personal := from != "" && !c.words.fromAutomated(from)
	// A reply in a conversation that only quotes an old error ("> 550
	// ...") is about something else.
	if personal && strings.HasPrefix(subject, "re:") && onlyQuotedEvidence(vs) {
		return false
	}
	// Words of an error report, looked for only when a verdict needs them.
	signals := -1
	hasSignals := func() bool {
		if signals < 0 {
			head := body
			if len(head) > 8<<10 {
				head = head[:8<<10]
			}
			lb := spanish.Fold(head)
			signals = 0
			for _, s := range c.words.bounceSignals {
				if strings.Contains(lb, s) {
					signals++
					break
				}
			}
		}
		return signals > 0
	}
	codeLine := false
	for _, v := range vs {
		if v.ReplyCode != "" && smtpLineRe.MatchString(strings.Join(v.Evidence, "\n")) {
			codeLine = true
			break // one is enough
		}
	}
	// A customer's question that names a code but quotes nothing a server
	// or a mail program said ("me dicen que les llega rebotado con un error
	// 5.7.26, ¿qué significa?": no reply, no dialog, no wording of a report)
	// asks about an error; it does not report one. The search answers it.
	if m.header == nil && !codeLine && !quotesReplyCode(vs) && !anyDialog(vs) && !decidedByWording(vs) && asksQuestionIn(body) {
		return false
	}
	for _, v := range vs {
		strongCode := (v.ReplyCode != "" && v.ReplyCode[0] != '2' && codeLine) || (v.Status != "" && v.Status[0] != '2')
		if strongCode && (mailerDaemon || hasSignals() || atMostLines(body, 3)) {
			return true
		}
		// Words said in a question ("¿es verdad que el error 550 es una
		// lista negra?"), with no server reply or status code around
		// them, ask about errors; they do not report one. A mail
		// program's dialog is quoted words, not the customer's.
		if m.header == nil && !codeLine && v.Status == "" && !v.dialog && v.Phrase != "" && len(v.Evidence) > 0 &&
			asksQuestion(v.Evidence[0]) {
			continue
		}
		if v.Confidence >= 0.8 && !personal && (mailerDaemon || hasSignals() || atMostLines(body, 15)) {
			return true
		}
	}
	return false
}
