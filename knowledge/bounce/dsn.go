package bounce

import (
	"strings"

	"github.com/servinetwork/rebote/knowledge"
)

// dsnRecipient is one per-recipient block of a delivery status notification
// (RFC 3464), plus the per-message fields that apply to it.
type dsnRecipient struct {
	finalRecipient string
	origRecipient  string
	aliasRecipient string // X-Actual-Recipient: the address an alias expanded to
	action         string // failed, delayed, delivered, relayed, expanded
	status         string // 5.1.1
	remoteMTA      string
	diagnostic     string // the Diagnostic-Code text, without its "smtp;" type
	diagType       string // the Diagnostic-Code type: "smtp", or "x-unix" for a local program
	reportingMTA   string
}

// parseDSN reads the fields of a message/delivery-status part, or of DSN
// lines pasted without their MIME structure. Blocks are separated by blank
// lines; a block with a recipient field starts a new recipient.
func parseDSN(s string) []dsnRecipient {
	var out []dsnRecipient
	var perMessage dsnRecipient
	var cur *dsnRecipient
	var last *string // the field a continuation line belongs to
	var nameBuf [64]byte
	flush := func() {
		if cur != nil && (cur.finalRecipient != "" || cur.origRecipient != "" || cur.diagnostic != "" || cur.status != "") {
			if cur.reportingMTA == "" {
				cur.reportingMTA = perMessage.reportingMTA
			}
			out = append(out, *cur)
		}
		cur, last = nil, nil
	}
	for line := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && last != nil {
			*last += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isHeaderField(line) {
			last = nil
			continue
		}
		value = strings.TrimSpace(value)
		// The name is ASCII (isHeaderField) and short: lower-cased into
		// nameBuf, it is compared without a copy.
		lname := string(lowerASCII(nameBuf[:0], name))
		// A recipient field in a block that already has a recipient starts
		// the next block: some MTAs leave out the blank line between them.
		if cur != nil && (lname == "final-recipient" && cur.finalRecipient != "" ||
			lname == "original-recipient" && cur.origRecipient != "") {
			flush()
		}
		target := cur
		if target == nil {
			target = &dsnRecipient{}
		}
		switch lname {
		case "final-recipient", "x-actual-recipient":
			if lname == "x-actual-recipient" && target.finalRecipient != "" {
				target.aliasRecipient = addressOf(value)
				last = nil
				continue
			}
			target.finalRecipient = addressOf(value)
			last = &target.finalRecipient
		case "original-recipient":
			target.origRecipient = addressOf(value)
			last = &target.origRecipient
		case "action":
			target.action = strings.ToLower(strings.Fields(value + " x")[0])
			last = nil
		case "status":
			target.status = value
			last = &target.status
		case "remote-mta":
			target.remoteMTA = typedValue(value)
			last = &target.remoteMTA
		case "diagnostic-code":
			target.diagnostic = typedValue(value)
			if t, _, ok := strings.Cut(value, ";"); ok {
				target.diagType = strings.ToLower(strings.TrimSpace(t))
			}
			last = &target.diagnostic
		case "reporting-mta":
			perMessage.reportingMTA = typedValue(value)
			last = nil
			continue
		default:
			last = nil
			continue
		}
		cur = target
	}
	flush()
	for i := range out {
		raw := out[i].status
		out[i].status, _ = knowledge.NormalizeStatus(raw)
		// Some servers (NTMail) put the reply itself in the Status field
		// ("553 Exceeded maximum inbound message size"): it is then the
		// diagnostic, when there is none.
		if out[i].status == "" && out[i].diagnostic == "" && len(raw) > 4 && raw[3] == ' ' && findReply(raw[:4]) != "" {
			out[i].diagnostic = raw
		}
	}
	return out
}

// typedValue drops the type of a DSN field value ("smtp; 550 ..." ->
// "550 ...", "dns; mx.example.com" -> "mx.example.com").
func typedValue(v string) string {
	if t, rest, ok := strings.Cut(v, ";"); ok && len(t) < 16 && !strings.ContainsAny(t, " <@") {
		return strings.TrimSpace(rest)
	}
	return v
}

// addressOf returns the address in a DSN recipient value ("rfc822; a@b").
func addressOf(v string) string {
	v = typedValue(v)
	var buf [4][2]int
	if locs := findEmails(buf[:0], v); len(locs) > 0 {
		return strings.ToLower(v[locs[0][0]:locs[0][1]])
	}
	return strings.Trim(v, "<> ")
}
