package knowledge

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// files holds the articles, categories and not-an-error topics compiled
// into the binary.
//
//go:embed articles/*.md categories.toml topics.toml
var files embed.FS

// Load parses the embedded knowledge base, fills in the provider's policy
// values and builds the code index.
func Load(p Policy) (*KB, error) { return LoadFS(files, p) }

// frontMatter is the TOML header of an article file.
type frontMatter struct {
	Slug          string   `toml:"slug"`
	Title         string   `toml:"title"`
	ReplyCodes    []string `toml:"reply_codes"`
	StatusCodes   []string `toml:"status_codes"`
	ProviderCodes []string `toml:"provider_codes"`
	Canonical     []string `toml:"canonical"`
	Reason        string   `toml:"reason"`
	Category      string   `toml:"category"`
	Persistence   string   `toml:"persistence"`
	// PersistenceNote explains a persistence the codes' classes do not
	// give (see validate).
	PersistenceNote string   `toml:"persistence_note"`
	Who             string   `toml:"who"`
	Aliases         []string `toml:"aliases"`
	Related         []string `toml:"related"`
}

// LoadFS is Load over any file system laid out like the embedded one: articles/*.md,
// categories.toml and topics.toml. It reports every problem it finds, not just the first,
// so whoever edits the articles can fix them in one go.
func LoadFS(fsys fs.FS, p Policy) (*KB, error) {
	kb := &KB{bySlug: make(map[string]*Article), policy: p}

	var catFile struct {
		Popular  []string   `toml:"popular"`
		Category []Category `toml:"category"`
	}
	raw, err := fs.ReadFile(fsys, "categories.toml")
	if err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	if _, err := toml.Decode(string(raw), &catFile); err != nil {
		return nil, fmt.Errorf("knowledge: categories.toml: %w", err)
	}
	kb.categories = catFile.Category
	popular := catFile.Popular

	names, err := fs.Glob(fsys, "articles/*.md")
	if err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("knowledge: no articles found")
	}
	// The files are read in order (an fs.FS need not be safe for
	// concurrent use) and parsed on every core: parsing is most of the
	// time a command like "rebote classify" takes to start.
	type parsed struct {
		raw string
		a   *Article
		err error
	}
	docs := make([]parsed, len(names))
	for i, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		docs[i] = parsed{raw: string(raw), err: err}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(docs)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(docs); i = int(next.Add(1) - 1) {
				if f := &docs[i]; f.err == nil {
					if f.a, f.err = parseArticle(path.Base(names[i]), f.raw, p); f.err != nil {
						f.err = fmt.Errorf("%s: %w", names[i], f.err)
					}
				}
			}
		})
	}
	wg.Wait()
	var errs []error
	for i, name := range names {
		a, err := docs[i].a, docs[i].err
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := kb.bySlug[a.Slug]; dup {
			errs = append(errs, fmt.Errorf("%s: slug %q used twice", name, a.Slug))
			continue
		}
		kb.bySlug[a.Slug] = a
		kb.articles = append(kb.articles, a)
	}
	// Titles in Spanish dictionary order: case and accents only break ties.
	spanish := collate.New(language.Spanish, collate.Loose)
	sort.SliceStable(kb.articles, func(i, j int) bool {
		return spanish.CompareString(kb.articles[i].Title, kb.articles[j].Title) < 0
	})
	errs = append(errs, kb.validate()...)
	topics, topicErrs := loadTopics(fsys, p.Vars())
	kb.topics = topics
	errs = append(errs, topicErrs...)
	for _, slug := range popular {
		a, ok := kb.bySlug[slug]
		if !ok {
			errs = append(errs, fmt.Errorf("categories.toml: popular article %q does not exist", slug))
			continue
		}
		kb.popular = append(kb.popular, a)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("knowledge: %w", errors.Join(errs...))
	}
	kb.codes = buildCodeIndex(kb.articles)
	return kb, nil
}

var placeholderRe = regexp.MustCompile(`\{\{\s*([a-z_]+)\s*\}\}`)

// parseArticle reads one article file.
func parseArticle(file, raw string, p Policy) (*Article, error) {
	raw = strings.ReplaceAll(strings.TrimPrefix(raw, "\ufeff"), "\r\n", "\n")
	if !strings.HasPrefix(raw, "+++\n") {
		return nil, errors.New("the file must start with a +++ line (TOML front matter)")
	}
	head, body, ok := strings.Cut(raw[4:], "\n+++\n")
	if !ok {
		return nil, errors.New("the front matter is never closed with a +++ line")
	}
	bodyLine := strings.Count(head, "\n") + 4

	// Placeholders are replaced before parsing, so a policy value shows up
	// in titles, aliases, search and snippets alike.
	values := p.Vars()
	var unknown []string
	fill := func(s string) string {
		if !strings.Contains(s, "{{") {
			return s // most of an article has none: no expression to run
		}
		return placeholderRe.ReplaceAllStringFunc(s, func(m string) string {
			name := placeholderRe.FindStringSubmatch(m)[1]
			if v, ok := values[name]; ok {
				return v
			}
			unknown = append(unknown, m)
			return m
		})
	}

	var fm frontMatter
	md, err := toml.Decode(fill(head), &fm)
	if err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return nil, fmt.Errorf("front matter: unknown field %q", extra[0].String())
	}
	summary, sections, err := parseBody(fill(body), bodyLine)
	if err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown placeholder %s (see FORMATO.md)", unknown[0])
	}
	if want := strings.TrimSuffix(file, ".md"); fm.Slug != want {
		return nil, fmt.Errorf("slug %q does not match the file name %q", fm.Slug, want)
	}
	a := &Article{
		Slug:            fm.Slug,
		Title:           strings.TrimSpace(fm.Title),
		ReplyCodes:      fm.ReplyCodes,
		StatusCodes:     fm.StatusCodes,
		ProviderCodes:   upperAll(fm.ProviderCodes),
		Canonical:       fm.Canonical,
		Reason:          fm.Reason,
		Category:        fm.Category,
		Persistence:     Persistence(fm.Persistence),
		PersistenceNote: strings.TrimSpace(fm.PersistenceNote),
		Who:             Actor(fm.Who),
		Aliases:         fm.Aliases,
		Related:         fm.Related,
		Summary:         summary,
		Sections:        sections,
	}
	a.summaryText = PlainText(summary)
	// Folded here, on every core, for validate's check across articles.
	a.foldedAliases = make([]string, len(a.Aliases))
	for i, al := range a.Aliases {
		a.foldedAliases[i] = foldAlias(al)
	}
	return a, nil
}

func upperAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(strings.TrimSpace(s))
	}
	return out
}

// reasons lists the Sisimai reasons an article may carry.
var reasons = toSet(`userunknown mailboxfull hostunknown blocked spamdetected norelaying securityerror
authfailure requireptr ratelimited speeding toomanyconn exceedlimit mesgtoobig expired networkerror
systemerror systemfull syntaxerror policyviolation rejected filtered suspend hasmoved virusdetected
contenterror notaccept onhold vacation badreputation failedstarttls undefined delivered`)

// IsReason reports whether r is a reason of the Sisimai taxonomy, the one
// articles and the bounce reader use ("userunknown", "blocked", ...).
func IsReason(r string) bool { return reasons[r] }

func toSet(words string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// validate checks what a single file cannot: fields, sections, links and
// codes across the whole base.
func (kb *KB) validate() []error {
	var errs []error
	cats := make(map[string]bool)
	for _, c := range kb.categories {
		if c.Slug == "" || c.Title == "" || c.Description == "" {
			errs = append(errs, fmt.Errorf("categories.toml: category %q needs slug, title and description", c.Slug))
		}
		cats[c.Slug] = true
	}
	canonical := make(map[string]string)
	type aliasOf struct{ slug, alias string }
	aliases := make(map[string]aliasOf) // folded alias -> where it is
	for _, a := range kb.articles {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("articles/%s.md: %s", a.Slug, fmt.Sprintf(format, args...)))
		}
		if a.Title == "" {
			bad("title is empty")
		}
		if len(a.ReplyCodes)+len(a.StatusCodes)+len(a.ProviderCodes) == 0 && len(a.Aliases) == 0 {
			bad("needs codes or aliases so it can be found")
		}
		if len(a.Aliases) == 0 {
			bad("aliases is empty")
		}
		if !reasons[a.Reason] {
			bad("reason %q is not a Sisimai reason", a.Reason)
		}
		if !cats[a.Category] {
			bad("category %q is not in categories.toml", a.Category)
		}
		switch a.Persistence {
		case Temporary, Permanent, Either, Outbox, NotAnError:
			if msg := a.persistenceMismatch(); msg != "" && a.PersistenceNote == "" {
				bad("persistence %q %s; fix it or say why in persistence_note", a.Persistence, msg)
			}
		default:
			bad("persistence %q must be temporary, permanent, either, outbox or none", a.Persistence)
		}
		switch a.Who {
		case ActorSender, ActorRecipient, ActorRecipientProvider, ActorOurProvider, ActorNobody:
		default:
			bad("who %q must be tu, destinatario, proveedor-destinatario, tu-proveedor or nadie", a.Who)
		}
		for _, c := range a.ReplyCodes {
			if !isReplyCode(c) {
				bad("reply code %q is not three digits", c)
			}
		}
		for _, c := range a.StatusCodes {
			if _, ok := parseStatus(c); !ok {
				bad("status code %q is not X.Y.Z or a range X.Y.Z-X.Y.W", c)
			}
		}
		for _, c := range a.Canonical {
			if !a.Covers(c) {
				bad("canonical code %q is not among its reply, status or provider codes", c)
			}
			if other, dup := canonical[c]; dup {
				bad("canonical code %q is also canonical in %s", c, other)
			}
			canonical[c] = a.Slug
		}
		for i, al := range a.Aliases {
			// An alias decides an article in search; one that two articles
			// claim sends some customers to the wrong one.
			f := a.foldedAliases[i]
			if other, dup := aliases[f]; dup && other.slug != a.Slug {
				bad("alias %q is also an alias of %s (%q)", al, other.slug, other.alias)
			}
			aliases[f] = aliasOf{a.Slug, al}
		}
		if a.summaryText == "" {
			bad("the summary paragraph is missing")
		}
		errs = append(errs, a.validateSections(bad)...)
		for _, r := range a.Related {
			if _, ok := kb.bySlug[r]; !ok || r == a.Slug {
				bad("related article %q does not exist", r)
			}
		}
		a.eachLink(func(text, url string) {
			if slug, ok := strings.CutPrefix(url, "/errores/"); ok {
				target, exists := kb.bySlug[slug]
				if !exists {
					bad("link to missing article %s", url)
				} else if text != target.Title {
					// Customers recognise an article by its title: the
					// link says exactly where it goes.
					bad("link text %q to %s must be that article's title %q", text, url, target.Title)
				}
			} else if !strings.HasPrefix(url, "https://") {
				bad("link %q must be /errores/slug or https://", url)
			}
		})
	}
	return errs
}

func (a *Article) validateSections(bad func(string, ...any)) []error {
	if len(a.Sections) != len(sectionTitles) {
		got := make([]string, len(a.Sections))
		for i, s := range a.Sections {
			got[i] = s.Title
		}
		bad("sections are %q, want %q", got, sectionTitles)
		return nil
	}
	for i, s := range a.Sections {
		if s.Title != sectionTitles[i] {
			bad("section %d is %q, want %q", i+1, s.Title, sectionTitles[i])
		}
		if len(s.Blocks) == 0 {
			bad("section %q is empty", s.Title)
		}
	}
	for _, i := range []int{2, 3} {
		if !hasBlock(a.Sections[i], BlockSteps) {
			bad("section %q needs a numbered list", sectionTitles[i])
		}
	}
	if !hasBlock(a.Sections[5], BlockCode) {
		bad("section %q needs a ``` block with example lines", SectionExamples)
	}
	return nil
}

func hasBlock(s Section, kind BlockKind) bool {
	for _, b := range s.Blocks {
		if b.Kind == kind {
			return true
		}
	}
	return false
}

// eachLink calls fn with the text and URL of every link in the article.
func (a *Article) eachLink(fn func(text, url string)) {
	visit := func(ins []Inline) {
		for _, in := range ins {
			if in.Kind == InlineLink {
				fn(in.Text, in.URL)
			}
		}
	}
	visit(a.Summary)
	for _, s := range a.Sections {
		for _, b := range s.Blocks {
			visit(b.Inlines)
			for _, item := range b.Items {
				visit(item)
			}
		}
	}
}

// Covers reports whether the article lists code, exactly or within a range.
func (a *Article) Covers(code string) bool {
	code = strings.ToUpper(code)
	for _, c := range a.ReplyCodes {
		if c == code {
			return true
		}
	}
	for _, c := range a.ProviderCodes {
		if c == code {
			return true
		}
	}
	for _, c := range a.StatusCodes {
		if c == code {
			return true
		}
		// Only a range ("5.7.606-5.7.649") needs parsing; the search asks
		// this of every article on every query with a code.
		if !strings.Contains(c, "-") || strings.Contains(code, "-") {
			continue
		}
		if r, ok := parseStatus(c); ok && r.contains(code) {
			return true
		}
	}
	return false
}

// persistenceMismatch says how an article's persistence contradicts the
// classes of its codes, or returns "": a permanent article listing 4xx
// codes would tell a visitor with one of them that nothing will be
// retried, and the reverse.
func (a *Article) persistenceMismatch() string {
	classes := make(map[byte]bool)
	for _, c := range append(slices.Clone(a.ReplyCodes), a.StatusCodes...) {
		if c != "" {
			classes[c[0]] = true
		}
	}
	switch a.Persistence {
	case Permanent:
		if classes['4'] {
			return "lists 4xx codes, which are retried"
		}
	case Temporary:
		if classes['5'] {
			return "lists 5xx codes, which are final"
		}
	case Either:
		if !classes['4'] || !classes['5'] {
			return "does not list both 4xx and 5xx codes"
		}
	case NotAnError:
		if classes['4'] || classes['5'] {
			return "lists error codes"
		}
	}
	return ""
}

// foldAlias reduces an alias to what search compares: its words, without
// case, accents, quotes or punctuation.
func foldAlias(s string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case r == '\'' || r == '’':
			// "isn't" and "isn’t" are one word
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}
