package bounce

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/search/spanish"
)

// rules is the classifier's data, read from rules.toml.
type rules struct {
	list          []rule
	reasonArticle map[string]string
	// genericReply are the reply codes servers send for any failure
	// (550, 554): their articles say nothing about this one.
	genericReply  map[string]bool
	domains       []string // popular mail domains, for typo suggestions
	ignore        []phrase // wordings that look like a cause but are not ("spam folder")
	ignoreMatcher *phraseMatcher
	held          []phrase // a list holding a message for its moderator: not a bounce
	heldMatcher   *phraseMatcher
	// stages finds the [stage] phrases; stageOf is the SMTP command of each.
	stages  *phraseMatcher
	stageOf []string
	// mailReason and connectReason are the reasons of a refusal at MAIL
	// FROM and on connecting, when no strong rule decided.
	mailReason, connectReason string
	// delayedReason and localProgramReason are those of a DSN's delay and
	// of a failed local delivery program ([dsn]).
	delayedReason, localProgramReason string
	genericStatus                     map[string]bool // DSN Status values that say less than the reply
	expiry                            *phraseMatcher  // a notice saying the message expired in the queue ([dsn] expiry)
	advice                            []adviceChoice  // in file order: the first that fits says the reason's sentence
	// matcher finds the rules' phrases and, in the same pass, the needles:
	// the phrases from firstNeedle on are those, in order.
	matcher     *phraseMatcher
	firstNeedle int32
	// needles are the distinct literals of the expressions: many share
	// one ("ofr", "aup"), and a text is searched for each only once.
	needles []string
}

type rule struct {
	index   int
	reason  string
	article string
	check   string // SPF, DKIM or DMARC
	weak    bool   // generic wording: yields to a specific status code
	// clientError: the wording is the customer's own mail program or
	// connection failing, not a server's reply; the message stays in the
	// outbox, so without a code the failure is temporary.
	clientError bool
	// betweenServers is the reason when the bounce names the receiving
	// server that said the wording: it is then about two servers, not the
	// customer's mail program ("" when the wording means one thing).
	betweenServers string
	// byStatus is the reason for an enhanced status code's subject and
	// detail ("2.3"): the same wording with a mailbox code means the
	// recipient's own limit (RFC 3463's X.2.3) rather than the server's.
	byStatus map[string]string
	// whenExpired is the reason when the notice says the message expired
	// in the queue: a wording that is only ever a passing refusal (a
	// greylist) is then the history of the retries, not the cause.
	whenExpired string
	// inDialog and inDialogArticle are the reason and article when the
	// paste is the customer's own mail program's error window ([dialog]
	// in phrases.toml) and names no receiving server: a TLS wording is
	// then about the program's connection to its own outgoing server.
	inDialog, inDialogArticle string
	phrases                   []phrase
	regexes                   []guardedRegexp
}

// statusDetailRe is the subject and detail of an enhanced status code,
// the part a rule's by_status names.
var statusDetailRe = regexp.MustCompile(`^\d{1,3}\.\d{1,3}$`)

// adviceChoice is an [[advice]] entry: the advice.toml sentence that
// explains a reason, for one article only or when the bounce gives a value.
type adviceChoice struct {
	reason, article string
	needs           string // a verdict value that must be known ("direccion"), or ""
	sentence        string
}

// guardedRegexp is a rule expression with a literal it cannot match
// without; the cheap strings.Contains test spares most regexp runs.
type guardedRegexp struct {
	re     *regexp.Regexp
	needle int // index in rules.needles, or -1 when the expression has none
	// lead returns re without the \b it starts with, when a literal word
	// follows (`\bofr...`), or nil: Go's regexp then jumps from one
	// occurrence of the literal to the next, while with the \b first it
	// tries every position of the text. find checks the \b itself. It is
	// compiled on first use: most texts need few of them.
	lead func() *regexp.Regexp
}

// newGuardedRegexp compiles a rule expression (flags included).
func newGuardedRegexp(expr string, needle int) (guardedRegexp, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return guardedRegexp{}, err
	}
	return guardedRegexp{re: re, needle: needle, lead: sync.OnceValue(func() *regexp.Regexp { return leadOf(expr) })}, nil
}

// leadOf returns the lead of an expression, or nil. The lead is the text
// after the \b (printing the parsed expression instead costs more than
// compiling it). Only a literal matched as written makes one: Go's regexp
// does not jump by a (?i) literal.
func leadOf(expr string) *regexp.Regexp {
	rest, ok := strings.CutPrefix(expr, `\b`)
	if !ok {
		return nil
	}
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || parsed.Op != syntax.OpConcat || len(parsed.Sub) < 2 || parsed.Sub[0].Op != syntax.OpWordBoundary ||
		parsed.Sub[1].Op != syntax.OpLiteral || parsed.Sub[1].Flags&syntax.FoldCase != 0 || hasLineStart(parsed) {
		return nil
	}
	lead, err := regexp.Compile(rest)
	if err != nil {
		return nil
	}
	// Only a literal prefix that starts with a word byte makes the \b at
	// a match's start a test of the byte before it.
	if prefix, _ := lead.LiteralPrefix(); prefix == "" || !isREWordByte(prefix[0]) {
		return nil
	}
	return lead
}

// hasLineStart reports whether an expression has a ^ or \A, which would
// match at the start of the text find hands the lead.
func hasLineStart(re *syntax.Regexp) bool {
	if re.Op == syntax.OpBeginLine || re.Op == syntax.OpBeginText {
		return true
	}
	for _, sub := range re.Sub {
		if hasLineStart(sub) {
			return true
		}
	}
	return false
}

// maxLeadRetries bounds how many matches of the lead find rejects for
// their \b before it asks re: a text full of "xofr416" stays linear.
const maxLeadRetries = 4

// find is re.FindStringIndex(text).
func (g guardedRegexp) find(text string) []int {
	lead := g.lead()
	if lead == nil {
		return g.re.FindStringIndex(text)
	}
	from := 0
	for range maxLeadRetries {
		loc := lead.FindStringIndex(text[from:])
		if loc == nil {
			return nil
		}
		start, end := from+loc[0], from+loc[1]
		// The literal starts with a word byte: \b holds before it when the
		// byte before is not one (or there is none).
		if start == 0 || !isREWordByte(text[start-1]) {
			return []int{start, end}
		}
		from = start + 1
	}
	return g.re.FindStringIndex(text)
}

// isREWordByte reports whether b is a word character for \b in Go's
// regexp: ASCII letters, digits and '_' (a byte of a multi-byte rune is
// not one).
func isREWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

// needleID returns the index of a literal in rs.needles, adding it if new;
// -1 for none.
func (rs *rules) needleID(literal string) int {
	if literal == "" {
		return -1
	}
	if i := slices.Index(rs.needles, literal); i >= 0 {
		return i
	}
	rs.needles = append(rs.needles, literal)
	return len(rs.needles) - 1
}

// requiredLiteral returns the longest run of plain lower-case letters and
// spaces outside any group or class of a rule expression: text the
// expression cannot match without.
func requiredLiteral(expr string) string {
	best, cur := "", strings.Builder{}
	depth := 0
	flush := func() {
		if t := strings.TrimSpace(cur.String()); len(t) > len(best) {
			best = t
		}
		cur.Reset()
	}
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\':
			flush()
			i++
		case c == '(' || c == '[':
			flush()
			depth++
		case c == ')' || c == ']':
			flush()
			depth--
		case depth == 0 && (c >= 'a' && c <= 'z' || c == ' '):
			cur.WriteByte(c)
		case c == '?' || c == '*' || c == '{':
			// The atom before a quantifier is optional.
			if t := cur.String(); t != "" {
				cur.Reset()
				cur.WriteString(t[:len(t)-1])
			}
			flush()
			if c == '{' {
				for i < len(expr) && expr[i] != '}' {
					i++
				}
			}
		case c == '|' && depth == 0:
			return "" // alternatives: no single literal is required
		default:
			flush()
		}
	}
	flush()
	return best
}

// phrase is a folded pattern; prefix phrases may end inside a word, and
// anywhere phrases (the expressions' needles) are found inside words too.
type phrase struct {
	text     string
	prefix   bool
	anywhere bool
}

// phraseList is a section of rules.toml that is only a list of phrases.
type phraseList struct {
	Match []string `toml:"match"`
}

// decidingList is a list of phrases with the reason it decides.
type decidingList struct {
	Reason string   `toml:"reason"`
	Match  []string `toml:"match"`
}

func loadRules(raw string, kb Articles) (*rules, error) {
	var file struct {
		Reasons map[string]string `toml:"reasons"`
		Reply   struct {
			Generic []string `toml:"generic"`
		} `toml:"reply"`
		Typos struct {
			Domains []string `toml:"domains"`
		} `toml:"typos"`
		Stage struct {
			RCPT    phraseList   `toml:"rcpt"`
			Mail    decidingList `toml:"mail"`
			Data    phraseList   `toml:"data"`
			HELO    phraseList   `toml:"helo"`
			Connect decidingList `toml:"connect"`
		} `toml:"stage"`
		DSN struct {
			Delayed       string   `toml:"delayed"`
			LocalProgram  string   `toml:"local_program"`
			GenericStatus []string `toml:"generic_status"`
			Expiry        []string `toml:"expiry"`
		} `toml:"dsn"`
		Ignore phraseList `toml:"ignore"`
		Held   phraseList `toml:"held"`
		Rule   []struct {
			Reason      string            `toml:"reason"`
			Article     string            `toml:"article"`
			Check       string            `toml:"check"`
			Weak        bool              `toml:"weak"`
			ClientError bool              `toml:"client_error"`
			Between     string            `toml:"between_servers"`
			ByStatus    map[string]string `toml:"by_status"`
			WhenExpired string            `toml:"when_expired"`
			InDialog    string            `toml:"in_dialog"`
			InDialogArt string            `toml:"in_dialog_article"`
			Match       []string          `toml:"match"`
			Regex       []string          `toml:"regex"`
		} `toml:"rule"`
		Advice []struct {
			Reason   string `toml:"reason"`
			Article  string `toml:"article"`
			Needs    string `toml:"needs"`
			Sentence string `toml:"sentence"`
		} `toml:"advice"`
	}
	md, err := toml.Decode(raw, &file)
	if err != nil {
		return nil, fmt.Errorf("rules.toml: %w", err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return nil, fmt.Errorf("rules.toml: unknown field %q", extra[0].String())
	}
	rs := &rules{reasonArticle: file.Reasons, genericReply: make(map[string]bool)}
	for _, code := range file.Reply.Generic {
		if q := knowledge.ParseCode(code); q.Reply != code || q.Status != "" || q.Provider != "" {
			return nil, fmt.Errorf("rules.toml: [reply] generic: %q is not a reply code like 550", code)
		}
		if rs.genericReply[code] {
			return nil, fmt.Errorf("rules.toml: [reply] generic: %q appears twice", code)
		}
		rs.genericReply[code] = true
	}
	for _, d := range file.Typos.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if slices.Contains(rs.domains, d) {
			return nil, fmt.Errorf("rules.toml: [typos] domain %q appears twice", d)
		}
		rs.domains = append(rs.domains, d)
	}
	for reason, slug := range file.Reasons {
		if !knowledge.IsReason(reason) && reason != "mailererror" && reason != "notcompliantrfc" {
			return nil, fmt.Errorf("rules.toml: [reasons] %q is not a Sisimai reason", reason)
		}
		if _, ok := kb.Article(slug); !ok {
			return nil, fmt.Errorf("rules.toml: [reasons] %s: article %q does not exist", reason, slug)
		}
	}
	// The reasons the reader gives by itself, after the rules.
	for _, d := range []struct {
		name   string
		reason string
		out    *string
	}{
		{"[stage.mail] reason", file.Stage.Mail.Reason, &rs.mailReason},
		{"[stage.connect] reason", file.Stage.Connect.Reason, &rs.connectReason},
		{"[dsn] delayed", file.DSN.Delayed, &rs.delayedReason},
		{"[dsn] local_program", file.DSN.LocalProgram, &rs.localProgramReason},
	} {
		if d.reason == "" {
			return nil, fmt.Errorf("rules.toml: %s is missing", d.name)
		}
		if _, ok := file.Reasons[d.reason]; !ok {
			return nil, fmt.Errorf("rules.toml: %s: reason %q has no article in [reasons]", d.name, d.reason)
		}
		*d.out = d.reason
	}
	expiry, err := phrases(file.DSN.Expiry)
	if err != nil {
		return nil, fmt.Errorf("rules.toml: [dsn] expiry: %w", err)
	}
	if rs.expiry, err = newPhraseMatcher(expiry, nil); err != nil {
		return nil, fmt.Errorf("rules.toml: [dsn] expiry: %w", err)
	}
	rs.genericStatus = make(map[string]bool)
	for _, code := range file.DSN.GenericStatus {
		if norm, ok := knowledge.NormalizeStatus(code); !ok || norm != code {
			return nil, fmt.Errorf("rules.toml: [dsn] generic_status: %q is not a status code like 5.0.0", code)
		}
		if rs.genericStatus[code] {
			return nil, fmt.Errorf("rules.toml: [dsn] generic_status: %q appears twice", code)
		}
		rs.genericStatus[code] = true
	}
	if err := rs.loadStages([]stageList{
		{"RCPT", file.Stage.RCPT.Match}, {"MAIL", file.Stage.Mail.Match}, {"DATA", file.Stage.Data.Match},
		{"HELO", file.Stage.HELO.Match}, {"CONNECT", file.Stage.Connect.Match},
	}); err != nil {
		return nil, err
	}
	// A phrase or expression in two rules is dead in the later one (the
	// first rule that matches wins), or a sign that the two rules disagree.
	phraseRule := make(map[string]int)
	regexRule := make(map[string]int)
	for i, r := range file.Rule {
		if _, ok := file.Reasons[r.Reason]; !ok {
			return nil, fmt.Errorf("rules.toml: rule %d: reason %q has no article in [reasons]", i+1, r.Reason)
		}
		if r.Article != "" {
			if _, ok := kb.Article(r.Article); !ok {
				return nil, fmt.Errorf("rules.toml: rule %d: article %q does not exist", i+1, r.Article)
			}
		}
		if len(r.Match)+len(r.Regex) == 0 {
			return nil, fmt.Errorf("rules.toml: rule %d (%s) has no match or regex", i+1, r.Reason)
		}
		if _, ok := file.Reasons[r.InDialog]; r.InDialog != "" && !ok {
			return nil, fmt.Errorf("rules.toml: rule %d: in_dialog reason %q has no article in [reasons]", i+1, r.InDialog)
		}
		if _, ok := kb.Article(r.InDialogArt); r.InDialogArt != "" && (!ok || r.InDialog == "") {
			return nil, fmt.Errorf("rules.toml: rule %d: in_dialog_article %q does not exist or has no in_dialog", i+1, r.InDialogArt)
		}
		if _, ok := file.Reasons[r.WhenExpired]; r.WhenExpired != "" && !ok {
			return nil, fmt.Errorf("rules.toml: rule %d: when_expired reason %q has no article in [reasons]", i+1, r.WhenExpired)
		}
		if _, ok := file.Reasons[r.Between]; r.Between != "" && !ok {
			return nil, fmt.Errorf("rules.toml: rule %d: between_servers reason %q has no article in [reasons]", i+1, r.Between)
		}
		for code, reason := range r.ByStatus {
			if _, ok := file.Reasons[reason]; !ok || !statusDetailRe.MatchString(code) {
				return nil, fmt.Errorf("rules.toml: rule %d: by_status %q = %q: want a subject and detail (\"2.3\") and a reason of [reasons]", i+1, code, reason)
			}
		}
		out := rule{index: i, reason: r.Reason, article: r.Article, check: r.Check, weak: r.Weak, clientError: r.ClientError, betweenServers: r.Between, byStatus: r.ByStatus, whenExpired: r.WhenExpired, inDialog: r.InDialog, inDialogArticle: r.InDialogArt}
		if out.phrases, err = phrases(r.Match); err != nil {
			return nil, fmt.Errorf("rules.toml: rule %d (%s): %w", i+1, r.Reason, err)
		}
		for _, p := range out.phrases {
			if j, ok := phraseRule[p.key()]; ok {
				return nil, fmt.Errorf("rules.toml: rule %d (%s): phrase %q is already in rule %d (%s)",
					i+1, r.Reason, p.key(), j+1, file.Rule[j].Reason)
			}
			phraseRule[p.key()] = i
		}
		for _, re := range r.Regex {
			if j, ok := regexRule[re]; ok {
				return nil, fmt.Errorf("rules.toml: rule %d (%s): expression %q is already in rule %d (%s)",
					i+1, r.Reason, re, j+1, file.Rule[j].Reason)
			}
			regexRule[re] = i
			// Texts are folded to lower case before matching; only an
			// expression with capitals (\S, \D, or a literal) needs (?i),
			// which makes matching slower.
			flags := ""
			if re != strings.ToLower(re) {
				flags = "(?i)"
			}
			g, err := newGuardedRegexp(flags+re, rs.needleID(requiredLiteral(re)))
			if err != nil {
				return nil, fmt.Errorf("rules.toml: rule %d (%s): %w", i+1, r.Reason, err)
			}
			out.regexes = append(out.regexes, g)
		}
		rs.list = append(rs.list, out)
	}
	if rs.ignore, err = phrases(file.Ignore.Match); err != nil {
		return nil, fmt.Errorf("rules.toml: [ignore]: %w", err)
	}
	if len(rs.ignore) > 0 {
		if rs.ignoreMatcher, err = newPhraseMatcher(rs.ignore, nil); err != nil {
			return nil, fmt.Errorf("rules.toml: [ignore]: %w", err)
		}
	}
	if rs.held, err = phrases(file.Held.Match); err != nil {
		return nil, fmt.Errorf("rules.toml: [held]: %w", err)
	}
	if rs.heldMatcher, err = newPhraseMatcher(rs.held, nil); err != nil {
		return nil, fmt.Errorf("rules.toml: [held]: %w", err)
	}
	var all []phrase
	var owner []int32
	for i, r := range rs.list {
		for _, p := range r.phrases {
			all = append(all, p)
			owner = append(owner, int32(i))
		}
	}
	rs.firstNeedle = int32(len(all))
	for _, n := range rs.needles {
		all = append(all, phrase{text: n, anywhere: true})
		owner = append(owner, -1)
	}
	if rs.matcher, err = newPhraseMatcher(all, owner); err != nil {
		return nil, fmt.Errorf("rules.toml: rules: %w", err)
	}
	for i, a := range file.Advice {
		at := fmt.Sprintf("[[advice]] %d (%s)", i+1, a.Reason)
		if _, ok := file.Reasons[a.Reason]; !ok {
			return nil, fmt.Errorf("rules.toml: %s: reason %q has no article in [reasons]", at, a.Reason)
		}
		if a.Article != "" {
			if _, ok := kb.Article(a.Article); !ok {
				return nil, fmt.Errorf("rules.toml: %s: article %q does not exist", at, a.Article)
			}
		}
		if a.Needs != "" && !verdictVars[a.Needs] {
			return nil, fmt.Errorf("rules.toml: %s: needs %q, which is not a value of the bounce", at, a.Needs)
		}
		if a.Sentence == "" {
			return nil, fmt.Errorf("rules.toml: %s has no sentence", at)
		}
		c := adviceChoice{reason: a.Reason, article: a.Article, needs: a.Needs, sentence: a.Sentence}
		for j, e := range rs.advice {
			if e.reason == c.reason && (e.article == "" || e.article == c.article) && (e.needs == "" || e.needs == c.needs) {
				return nil, fmt.Errorf("rules.toml: %s is never used: entry %d comes first and fits every verdict it fits", at, j+1)
			}
		}
		rs.advice = append(rs.advice, c)
	}
	return rs, nil
}

// sentenceFor returns the advice.toml key of the sentence that explains a
// verdict's reason: that of the first [[advice]] entry that fits, or "".
func (rs *rules) sentenceFor(v Verdict, vars *adviceVars) string {
	for _, a := range rs.advice {
		if a.reason == v.Reason && (a.article == "" || v.Article != nil && v.Article.Slug == a.article) &&
			(a.needs == "" || vars.get(a.needs) != "") {
			return a.sentence
		}
	}
	return ""
}

// stageList is the [stage] phrases of one SMTP command.
type stageList struct {
	command string
	match   []string
}

// loadStages compiles the [stage] phrases into one matcher. They are
// plain substrings, word boundaries or not ("after data" is in "after
// database" too): they are long enough not to need them.
func (rs *rules) loadStages(lists []stageList) error {
	var all []phrase
	seen := make(map[string]string)
	for _, l := range lists {
		section := "[stage." + strings.ToLower(l.command) + "]"
		ps, err := phrases(l.match)
		if err != nil {
			return fmt.Errorf("rules.toml: %s: %w", section, err)
		}
		for _, p := range ps {
			if other, ok := seen[p.text]; ok {
				return fmt.Errorf("rules.toml: %s: phrase %q is already in %s", section, p.text, other)
			}
			seen[p.text] = section
			all = append(all, p)
			rs.stageOf = append(rs.stageOf, l.command)
		}
	}
	if len(all) == 0 {
		return fmt.Errorf("rules.toml: [stage] has no phrases")
	}
	var err error
	if rs.stages, err = newPhraseMatcher(all, nil); err != nil {
		return fmt.Errorf("rules.toml: [stage]: %w", err)
	}
	return nil
}

// findCommand returns the SMTP stage a rejection happened at, when the
// (folded) text says: the stage whose phrase comes first.
func (rs *rules) findCommand(folded string) string {
	id, _ := rs.stages.leftmost(folded)
	if id < 0 {
		return ""
	}
	return rs.stageOf[id]
}

// key is the phrase as written, folded: what makes two phrases the same.
func (p phrase) key() string {
	if p.prefix {
		return p.text + "*"
	}
	return p.text
}

// phrases folds a list of rules.toml; a phrase written twice (after
// folding: "dirección" and "direccion" are one) is an error.
func phrases(list []string) ([]phrase, error) {
	out := make([]phrase, 0, len(list))
	seen := make(map[string]bool, len(list))
	for _, m := range list {
		p := phrase{text: spanish.Fold(strings.TrimSpace(m))}
		if strings.HasSuffix(p.text, "*") {
			p.text, p.prefix = strings.TrimSuffix(p.text, "*"), true
		}
		if p.text == "" {
			return nil, fmt.Errorf("empty phrase")
		}
		if seen[p.key()] {
			return nil, fmt.Errorf("phrase %q appears twice", p.key())
		}
		seen[p.key()] = true
		out = append(out, p)
	}
	return out, nil
}

// blankIgnored returns folded text with the [ignore] phrases replaced by
// spaces of the same length, so no rule reads them.
func (rs *rules) blankIgnored(text string) string {
	if rs.ignoreMatcher == nil {
		return text
	}
	var b []byte
	rs.ignoreMatcher.each(text, func(id int32, start int) bool {
		if b == nil {
			b = []byte(text)
		}
		for j := start; j < start+len(rs.ignore[id].text); j++ {
			b[j] = ' '
		}
		return true
	})
	if b == nil {
		return text
	}
	return string(b)
}

// any reports whether text holds one of the phrases, at word boundaries,
// in one pass.
func (m *phraseMatcher) any(text string) bool {
	found := false
	m.each(text, func(int32, int) bool {
		found = true
		return false
	})
	return found
}

// match returns the first rule of the given strength (in file order) with
// a phrase or expression in text (already folded), and where it matched.
func (rs *rules) match(text string, weak bool) (*rule, int, int) {
	return rs.matchExcept(text, weak, "")
}

// matchExcept is match ignoring the rules of one reason ("" for none).
func (rs *rules) matchExcept(text string, weak bool, skip string) (*rule, int, int) {
	strong, weakM := rs.scan(text, skip)
	if weak {
		return rs.ruleOf(weakM)
	}
	return rs.ruleOf(strong)
}

// ruleOf returns the rule of a match and where it matched; nil, -1, -1
// for none.
func (rs *rules) ruleOf(m ruleMatch) (*rule, int, int) {
	if m.rule < 0 {
		return nil, -1, -1
	}
	return &rs.list[m.rule], m.start, m.end
}

// ruleMatch is the best match of one strength: the lowest rule index.
type ruleMatch struct {
	rule, start, end int
}

// scan finds, in one pass over text, the first strong and the first weak
// rule that match, leaving out the rules whose reason is skip.
func (rs *rules) scan(text, skip string) (strong, weak ruleMatch) {
	strong, weak = ruleMatch{rule: -1}, ruleMatch{rule: -1}
	// found[i]: needle i is in text.
	var small [64]bool
	found := small[:]
	if len(rs.needles) > len(small) {
		found = make([]bool, len(rs.needles))
	}
	better := func(m *ruleMatch, rule, start, end int) {
		if skip != "" && rs.list[rule].reason == skip {
			return
		}
		if m.rule < 0 || rule < m.rule || (rule == m.rule && start < m.start) {
			*m = ruleMatch{rule, start, end}
		}
	}
	rs.matcher.each(text, func(id int32, start int) bool {
		if id >= rs.firstNeedle {
			found[id-rs.firstNeedle] = true
			return true
		}
		r := int(rs.matcher.rule[id])
		end := start + len(rs.matcher.phrases[id].text)
		if rs.list[r].weak {
			better(&weak, r, start, end)
		} else {
			better(&strong, r, start, end)
		}
		return true
	})
	for i := range rs.list {
		r := &rs.list[i]
		target := &strong
		if r.weak {
			target = &weak
		}
		if target.rule >= 0 && target.rule < i {
			continue
		}
		for _, g := range r.regexes {
			if g.needle >= 0 && !found[g.needle] {
				continue
			}
			if loc := g.find(text); loc != nil {
				better(target, i, loc[0], loc[1])
				break
			}
		}
	}
	return strong, weak
}

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}
