package bounce

import (
	"encoding/base64"
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// message is a paste taken apart: the headers when it is a whole message,
// the human-readable text, the machine-readable delivery status (RFC 3464)
// and the headers of the returned original, kept apart so that words of the
// original message are never mistaken for the error.
type message struct {
	header   header
	text     []string // human-readable parts, decoded, in order
	html     []string // HTML parts as text, used when there is no plain text
	status   []string // message/delivery-status parts
	original header   // headers of the returned message, when attached
	attached []string // attached messages, raw: a bounce may come forwarded
	report   string   // report-type of a multipart/report ("delivery-status", "feedback-report")
}

// header is a list of header fields in order; names are lower-cased.
type header []field

type field struct{ name, value string }

func (h header) get(name string) string {
	for _, f := range h {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

// maxParts bounds the MIME tree a paste may have, so a crafted message
// cannot make parsing slow.
const maxParts = 64

// parseMessage reads a paste: a whole raw message, or any fragment of one.
// It never fails: what it cannot parse as MIME it keeps as text.
func parseMessage(raw string) *message {
	raw = normalizeNewlines(raw)
	m := &message{}
	h, body, ok := splitHeader(raw)
	if !ok {
		m.text = append(m.text, raw)
		return m
	}
	m.header = h
	parts := 0
	m.walk(h, body, 0, &parts)
	return m
}

// normalizeNewlines turns CRLF and lone CR line ends into LF, in one copy.
func normalizeNewlines(s string) string {
	i := strings.IndexByte(s, '\r')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		b.WriteByte('\n')
		s = s[i+1:]
		if s != "" && s[0] == '\n' {
			s = s[1:]
		}
		i = strings.IndexByte(s, '\r')
	}
	b.WriteString(s)
	return b.String()
}

// isHeaderField reports whether a line starts with a header field name
// ("Name:") without a regular expression: it runs on every line.
func isHeaderField(line string) bool {
	if line == "" || !(line[0] >= 'a' && line[0] <= 'z' || line[0] >= 'A' && line[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(line) && i <= 61; i++ {
		c := line[i]
		switch {
		case c == ':':
			return true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return false
}

// lowerASCII appends s lower-cased to buf: strings.ToLower for ASCII text
// (header field names are), without making a string, so that a map lookup
// or a comparison with string(buf) copies nothing.
func lowerASCII(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// knownHeaders are fields that mark the start of a real message rather than
// a line of prose that happens to contain a colon. Header names are mail
// syntax, not wording: they stay in Go, as do the MIME types and DSN fields.
var knownHeaders = toSet(`received return-path from to subject date message-id mime-version content-type
delivered-to x-failed-recipients reply-to x-mailer auto-submitted content-transfer-encoding sender
x-original-to dkim-signature authentication-results arc-seal x-ms-exchange-organization-scl`)

// looksLikeParam reports whether a line is a MIME parameter (name=value),
// as in a Content-Type folded without indentation.
func looksLikeParam(line string) bool {
	name, _, ok := strings.Cut(line, "=")
	if !ok || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '*') {
			return false
		}
	}
	return true
}

// splitHeader splits a header block from its body. It accepts the paste
// only as a message when it starts with header fields, at least one of them
// a field real messages carry.
func splitHeader(s string) (header, string, bool) {
	var h header
	// Continuation lines per kept field, joined once at the end; made only
	// when a kept field has some.
	var extra [][]string
	var nameBuf [64]byte
	known, fields := false, 0
	keep := false // whether the current field's value is used
	lastEndsParams, lastEmpty := false, false
	rest := s
	// Skip an mbox "From " line.
	if strings.HasPrefix(rest, "From ") {
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			rest = rest[i+1:]
		}
	}
	for {
		i := strings.IndexByte(rest, '\n')
		line := rest
		if i >= 0 {
			line = rest[:i]
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			if i < 0 {
				rest = ""
			} else {
				rest = rest[i+1:]
			}
			break
		}
		switch {
		case (line[0] == ' ' || line[0] == '\t' || lastEmpty && !isHeaderField(line) || lastEndsParams && looksLikeParam(line)) && fields > 0:
			// Some mailers fold without indenting: a field's value on the
			// line after its name, or a parameter list ("multipart/alternative;"
			// then "boundary=...").
			if keep {
				for len(extra) < len(h) {
					extra = append(extra, nil)
				}
				extra[len(h)-1] = append(extra[len(h)-1], trimmed)
			}
		case isHeaderField(line):
			fields++
			name, value, _ := strings.Cut(line, ":")
			// A name of a length no used field has needs no lookup: most fields
			// (Received, Authentication-Results) are passed over without one.
			lname, used := "", false
			if len(name) >= len(usedHeaderLengths) || usedHeaderLengths[len(name)] {
				lname, used = usedHeaders[name]
			}
			// The name lower-cased, when it may be a used field in another
			// spelling or may make the block known: written into nameBuf,
			// it is looked up without a copy, and copied only to be kept.
			if !used && (!known || len(name) < len(usedHeaderLengths) && usedHeaderLengths[len(name)]) {
				lower := lowerASCII(nameBuf[:0], name)
				if _, used = usedHeaders[string(lower)]; used {
					lname = string(lower)
				}
				if !known && knownHeaders[string(lower)] {
					known = true
				}
			} else if !known && knownHeaders[lname] {
				known = true
			}
			keep = used
			if keep {
				if h == nil {
					h = make(header, 0, 8) // the few fields a message has that are used
				}
				h = append(h, field{name: lname, value: strings.TrimSpace(value)})
			}
		default:
			return nil, s, false
		}
		lastEndsParams = strings.HasSuffix(trimmed, ";")
		lastEmpty = strings.HasSuffix(trimmed, ":") && isHeaderField(line)
		if i < 0 {
			rest = ""
			break
		}
		rest = rest[i+1:]
	}
	if !known || fields < 2 {
		return nil, s, false
	}
	for i := range h {
		if i < len(extra) && len(extra[i]) > 0 {
			h[i].value = h[i].value + " " + strings.Join(extra[i], " ")
		}
		h[i].value = decodeWords(h[i].value)
	}
	return h, rest, true
}

// usedHeaders are the header fields the classifier reads, by their usual
// spelling and lower-cased; other fields are skipped without copying.
var usedHeaders = func() map[string]string {
	m := make(map[string]string)
	for _, n := range []string{"Subject", "From", "To", "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted",
		"X-Autoreply", "X-Autorespond", "Precedence", "X-Failed-Recipients", "Return-Path", "Sender", "X-Apple-Unsubscribe",
		"List-Unsubscribe", "List-Id"} {
		m[n] = strings.ToLower(n)
		m[strings.ToLower(n)] = strings.ToLower(n)
	}
	m["Content-type"] = "content-type"
	m["Content-transfer-encoding"] = "content-transfer-encoding"
	// Webmail and mail programs show the header in the reader's language
	// when a message is copied: "De:", "Para:", "Asunto:".
	for shown, field := range map[string]string{"De": "from", "Para": "to", "Asunto": "subject", "Assunto": "subject", "Objet": "subject"} {
		m[shown] = field
		m[strings.ToLower(shown)] = field
	}
	return m
}()

// usedHeaderLengths marks the lengths of the used field names.
var usedHeaderLengths = func() (out [32]bool) {
	for n := range usedHeaders {
		if len(n) < len(out) {
			out[len(n)] = true
		}
	}
	return out
}()

// walk decodes one MIME entity and its children.
func (m *message) walk(h header, body string, depth int, count *int) {
	*count++
	if *count > maxParts || depth > 8 {
		return
	}
	ctype, params := parseContentType(h.get("content-type"))
	switch {
	case strings.HasPrefix(ctype, "multipart/"):
		if ctype == "multipart/report" && m.report == "" {
			m.report = strings.ToLower(contentParam(params, "report-type"))
		}
		boundary := contentParam(params, "boundary")
		parts := splitMultipart(body, boundary)
		if len(parts) == 0 {
			// The declared boundary is missing or wrong (it happens): take
			// the first delimiter-looking line of the body instead.
			if b := guessBoundary(body); b != "" {
				parts = splitMultipart(body, b)
			}
		}
		if len(parts) == 0 {
			m.text = append(m.text, body)
			return
		}
		for _, p := range parts {
			ph, pbody, ok := splitHeader(p)
			if !ok {
				// A part with no headers is text/plain (RFC 2046 5.1).
				ph, pbody = nil, strings.TrimPrefix(p, "\n")
				if hs, b, found := strings.Cut(p, "\n\n"); found && isHeaderField(strings.TrimSpace(hs)) {
					ph = parseLooseHeader(hs)
					pbody = b
				}
			}
			m.walk(ph, pbody, depth+1, count)
		}
	case ctype == "message/delivery-status" || ctype == "message/global-delivery-status":
		m.status = append(m.status, decodeBody(h, body))
	case ctype == "message/rfc822" || ctype == "message/global" || ctype == "text/rfc822-headers" || ctype == "message/rfc822-headers":
		inner := decodeBody(h, body)
		if len(m.attached) < 4 {
			m.attached = append(m.attached, inner)
		}
		if m.original == nil { // the first attached message's header only
			if oh, _, ok := splitHeader(normalizeNewlines(inner)); ok {
				m.original = oh
			} else {
				m.original = parseLooseHeader(inner)
			}
		}
	case ctype == "message/feedback-report":
		m.report = "feedback-report"
	case ctype == "text/html":
		m.html = append(m.html, htmlToText(decodeBody(h, body)))
	case ctype == "" || strings.HasPrefix(ctype, "text/"):
		m.text = append(m.text, decodeBody(h, body))
	default:
		// Attachments (images, the original as application/octet-stream) say
		// nothing about the error.
	}
}

// parseLooseHeader reads header lines without requiring a known field.
func parseLooseHeader(s string) header {
	var h header
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			break
		}
		if len(h) > 0 && (line[0] == ' ' || line[0] == '\t' ||
			strings.HasSuffix(h[len(h)-1].value, ";") && looksLikeParam(line)) {
			h[len(h)-1].value += " " + strings.TrimSpace(line)
			continue
		}
		if name, value, ok := strings.Cut(line, ":"); ok && isHeaderField(line) {
			h = append(h, field{name: strings.ToLower(name), value: strings.TrimSpace(value)})
		}
	}
	return h
}

// parseContentType returns the lower-cased media type and the rest of the
// field, its parameters, which contentParam reads. It is lenient: broken
// quoting and missing semicolons are common in bounces.
func parseContentType(v string) (ctype, params string) {
	if v == "" {
		return "", ""
	}
	ctype, params, _ = strings.Cut(v, ";")
	ctype = strings.ToLower(strings.TrimSpace(ctype))
	if i := strings.IndexAny(ctype, " \t"); i >= 0 {
		ctype = ctype[:i]
	}
	return ctype, params
}

// contentParam returns the value of a Content-Type parameter (name in
// lower case), the last one when it is given twice. Reading the few
// parameters used this way costs no map per MIME part.
func contentParam(params, name string) string {
	found := ""
	for params != "" {
		var seg string
		seg, params, _ = strings.Cut(params, ";")
		k, val, ok := strings.Cut(seg, "=")
		if !ok || strings.ToLower(strings.TrimSpace(k)) != name {
			continue
		}
		val = strings.TrimSpace(val)
		if strings.HasPrefix(val, `"`) {
			val = strings.TrimPrefix(val, `"`)
			if j := strings.IndexByte(val, '"'); j >= 0 {
				val = val[:j]
			}
		} else if j := strings.IndexAny(val, " \t"); j >= 0 {
			val = val[:j]
		}
		found = val
	}
	return found
}

var boundaryLineRe = regexp.MustCompile(`(?m)^--([A-Za-z0-9'()+_,./:=?-]{6,70})\s*$`)

// guessBoundary finds the boundary a multipart body actually uses.
func guessBoundary(body string) string {
	if m := boundaryLineRe.FindStringSubmatch(body); m != nil {
		return strings.TrimSuffix(m[1], "--")
	}
	return ""
}

// splitMultipart returns the parts between boundary lines. Unlike
// mime/multipart it tolerates a missing closing boundary and junk around it.
func splitMultipart(body, boundary string) []string {
	if boundary == "" {
		return nil
	}
	delim := "--" + boundary
	var parts []string
	// Find delimiter lines: the delimiter at the start of a line.
	pos := 0
	start := -1
	for {
		i := strings.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		i += pos
		pos = i + len(delim)
		if i > 0 && body[i-1] != '\n' {
			continue
		}
		lineEnd := strings.IndexByte(body[i:], '\n')
		if lineEnd < 0 {
			lineEnd = len(body)
		} else {
			lineEnd += i
		}
		if start >= 0 {
			end := i
			if end > start && body[end-1] == '\n' {
				end--
			}
			parts = append(parts, body[start:end])
		}
		closing := strings.HasPrefix(body[i+len(delim):], "--")
		if closing || len(parts) >= maxParts {
			return parts
		}
		start = min(lineEnd+1, len(body))
		pos = start
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

// decodeBody undoes the transfer encoding and the charset of a part.
func decodeBody(h header, body string) string {
	switch strings.ToLower(strings.TrimSpace(h.get("content-transfer-encoding"))) {
	case "base64":
		body = string(decodeBase64(body))
	case "quoted-printable":
		body = decodeQP(body)
	default:
		if utf8.ValidString(body) {
			return normalizeNewlines(body)
		}
	}
	_, params := parseContentType(h.get("content-type"))
	return normalizeNewlines(toUTF8(body, contentParam(params, "charset")))
}

// decodeQP decodes quoted-printable, keeping malformed escapes as they are
// (mime/quotedprintable stops at the first one). The bytes it decodes may
// be in any charset: toUTF8 reads them next.
func decodeQP(s string) string {
	var out strings.Builder
	out.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '=' {
			// Copy the run up to the next escape at once.
			j := strings.IndexByte(s[i:], '=')
			if j < 0 {
				j = len(s) - i
			}
			out.WriteString(s[i : i+j])
			i += j - 1
			continue
		}
		if i+1 < len(s) && s[i+1] == '\n' { // soft line break
			i++
			continue
		}
		if i+2 < len(s) && s[i+1] == '\r' && s[i+2] == '\n' {
			i += 2
			continue
		}
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		out.WriteByte(c)
	}
	return out.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	default:
		return c - '0'
	}
}

// decodeBase64 decodes base64 with line breaks and stray characters, as
// far as it can.
func decodeBase64(s string) []byte {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1] // a lone trailing character cannot be decoded
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

// toUTF8 converts text in the charsets bounces use. Latin-1 and Windows-1252
// are converted; for others (ISO-2022-JP, Shift_JIS, ...) the ASCII in them,
// where SMTP replies live, survives and the rest is dropped.
func toUTF8(b string, charset string) string {
	if utf8.ValidString(b) {
		return b
	}
	switch strings.ToLower(strings.Trim(charset, `" `)) {
	case "iso-8859-1", "latin1", "iso-8859-15", "windows-1252", "cp1252", "us-ascii", "":
		var sb strings.Builder
		sb.Grow(len(b) + len(b)/8)
		for i := 0; i < len(b); i++ {
			c := b[i]
			if c >= 0x80 && c < 0xa0 && cp1252[c-0x80] != 0 {
				sb.WriteRune(cp1252[c-0x80])
			} else {
				sb.WriteRune(rune(c))
			}
		}
		return sb.String()
	}
	return strings.ToValidUTF8(b, "")
}

// cp1252 maps the Windows-1252 bytes 0x80-0x9f that differ from Latin-1.
var cp1252 = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

var encodedWordRe = regexp.MustCompile(`=\?([^?]+)\?([bBqQ])\?([^?]*)\?=`)

// decodeWords decodes RFC 2047 encoded words in a header value.
func decodeWords(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	// One pass of the expression, with the groups of each word.
	var out strings.Builder
	last := 0
	for _, m := range encodedWordRe.FindAllStringSubmatchIndex(v, -1) {
		charset, enc, text := v[m[2]:m[3]], v[m[4]:m[5]], v[m[6]:m[7]]
		var b string
		if enc == "b" || enc == "B" {
			b = string(decodeBase64(text))
		} else {
			b = decodeQP(strings.ReplaceAll(text, "_", " "))
		}
		out.WriteString(v[last:m[0]])
		out.WriteString(toUTF8(b, charset))
		last = m[1]
	}
	if last == 0 {
		return v
	}
	out.WriteString(v[last:])
	return out.String()
}

// htmlToText keeps the words of an HTML part, one block per line, which is
// enough to read an Exchange NDR. Script and style contents are dropped.
func htmlToText(s string) string {
	var b strings.Builder
	b.Grow(len(s) / 2)
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '<' {
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				break
			}
			tag := s[i+1 : i+end]
			switch name := tagName(tag); name {
			case "script", "style", "head":
				if !strings.HasPrefix(tag, "/") {
					if closing := indexClosingTag(s[i:], name); closing >= 0 {
						i += closing
						if e := strings.IndexByte(s[i:], '>'); e >= 0 {
							i += e
						}
						continue
					}
				}
			case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table":
				b.WriteByte('\n')
				space = false
			case "td", "th":
				// Table cells side by side: keep their words apart.
				if !space {
					b.WriteByte(' ')
					space = true
				}
			}
			i += end
			continue
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		space = false
		b.WriteByte(c)
	}
	return htmlUnescape(b.String())
}

// tagName returns the name of an HTML tag (what is between < and >),
// lower-cased and without the "/" of a closing tag, when it is one of the
// short names htmlToText acts on; "" otherwise. Lower-casing only these
// few bytes spares a lower-case copy of the whole part.
func tagName(tag string) string {
	tag = strings.TrimLeftFunc(tag, unicode.IsSpace)
	if i := strings.IndexFunc(tag, unicode.IsSpace); i >= 0 {
		tag = tag[:i]
	}
	tag = strings.TrimPrefix(tag, "/")
	var buf [8]byte
	if len(tag) > len(buf) {
		return "" // longer than any name htmlToText knows
	}
	return htmlTagNames[string(lowerASCII(buf[:0], tag))]
}

// htmlTagNames are the tags htmlToText acts on, by name.
var htmlTagNames = func() map[string]string {
	m := make(map[string]string)
	for _, n := range strings.Fields("script style head br p div tr li h1 h2 h3 h4 h5 h6 table td th") {
		m[n] = n
	}
	return m
}()

// indexClosingTag returns where "</name" starts in s, in any case (name is
// lower case), or -1.
func indexClosingTag(s, name string) int {
	for at := 0; ; {
		i := strings.Index(s[at:], "</")
		if i < 0 {
			return -1
		}
		i += at
		if rest := s[i+2:]; len(rest) >= len(name) && equalLowerASCII(rest[:len(name)], name) {
			return i
		}
		at = i + 2
	}
}

// equalLowerASCII reports whether s lower-cased (ASCII letters only) is
// lower.
func equalLowerASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func htmlUnescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return html.UnescapeString(s) // named and numeric (&#64;) entities
}

// trimOriginal cuts a plain-text bounce where the copy of the returned
// message begins, so its words do not count as the error.
func trimOriginal(s string) string {
	// Markers start a line, after indentation or a quote mark: one pass
	// over the lines compares each with the markers that share its first
	// letter.
	for at := 0; at < len(s); {
		end := strings.IndexByte(s[at:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += at
		}
		raw := s[at:end]
		line := strings.TrimLeft(raw, " \t>")
		if line != "" {
			c := line[0] | 0x20 // lower case for letters; '-' stays '-'
			for _, marker := range originalMarkers {
				if marker[0] == c && len(line) >= len(marker) && strings.EqualFold(line[:len(marker)], marker) {
					if cut := at + len(raw) - len(line); cut > 0 {
						return s[:cut]
					}
				}
			}
		}
		at = end + 1
	}
	return s
}

// originalMarkers are the lines MTAs print before the copy of the returned
// message. They stay in Go, unlike the wordings of phrases.toml: they are
// the layout of a report rather than what it says, and VisiblePart, which
// has no Reader, cuts a paste with them too.
var originalMarkers = []string{
	"------ this is a copy of the message, including all the headers.",
	"--- below this line is a copy of the message.",
	"----- original message -----",
	"------- original message -------",
	"----- unsent message follows -----",
	"original message follows",
	"----- message header follows -----",
	"-----original message-----",
	"original message headers:",
	"encabezados del mensaje original:",
	"--- the header of the original message is following. ---",
	"content-type: message/rfc822",
	"content-type: text/rfc822-headers",
}

// atMostLines reports whether s has at most n non-empty lines, counting
// no further.
func atMostLines(s string, n int) bool {
	count := 0
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(l) != "" {
			if count++; count > n {
				return false
			}
		}
	}
	return true
}

// VisiblePart returns what a mail client shows of a bounce, as a customer
// would select and copy it: the human-readable text and the delivery report
// (which Thunderbird, Outlook and webmails show inline or as a text
// attachment), without the message headers or the returned original.
func VisiblePart(raw string) string {
	m := parseMessage(raw)
	if len(m.text) == 0 && len(m.html) == 0 && len(m.status) == 0 {
		return raw
	}
	var b strings.Builder
	b.WriteString(m.body())
	for _, s := range m.status {
		b.WriteString(s)
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}
