// Package knowledge is Rebote's Spanish knowledge base of mail delivery
// errors: the articles (Markdown with TOML front matter, embedded in the
// binary; see FORMATO.md), their categories, the provider's policy values
// they show, SMTP reply and enhanced status codes, and the lookup of an
// article by code behind the short links /e/{code}.
//
// Two packages below it build on the articles: knowledge/search (full-text
// search, with its Spanish analysis in knowledge/search/spanish) and
// knowledge/bounce (reading a pasted bounce). All three are pure libraries:
// no I/O beyond the file system they are given, no HTTP, no SQL, no logging.
package knowledge

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Persistence says what happens to a message after an error: whether the
// sending server tries again, gave up, or never had it.
type Persistence string

// Persistence values. An article's own value describes its codes as a whole;
// PersistenceFor narrows it to the code a visitor came with.
const (
	Temporary Persistence = "temporary" // 4xx: the sending server retries
	Permanent Persistence = "permanent" // 5xx: the message came back for good
	Either    Persistence = "either"    // the article covers both classes: the code decides
	// Outbox is an error the customer's own mail program shows while
	// sending (E451, 454, 432, a host it cannot find): nothing was queued,
	// nobody retries, and the message is still in the Outbox.
	Outbox Persistence = "outbox"
	// NotAnError is for replies that report success or ask for the next
	// step (2xx, 3xx).
	NotAnError Persistence = "none"
)

// PersistenceFor returns what happens to a message that got code (any form
// ParseCode reads: "4.7.25", "550 5.1.1", "TS03") and led to this article:
// a code of class 4 is retried, one of class 5 is final. Articles about errors shown while sending, about
// success replies, and provider tags the article explains keep the
// article's own value, as does a text without a code. The reply code
// decides before the status code: it is what the sending server acts on,
// and Microsoft's final "550 4.4.7 QUEUE.Expired" is not retried. The
// second result is the code as it should be shown ("421 4.7.27"), or ""
// when no code decided.
func (a *Article) PersistenceFor(code string) (Persistence, string) {
	if a.Persistence == Outbox || a.Persistence == NotAnError {
		return a.Persistence, ""
	}
	q := ParseCode(code)
	if q.Provider != "" && a.Covers(q.Provider) && a.Persistence != Either {
		return a.Persistence, q.String()
	}
	for _, c := range []string{q.Reply, q.Status} {
		switch {
		case c == "":
		case c[0] == '4':
			return Temporary, q.String()
		case c[0] == '5':
			return Permanent, q.String()
		}
	}
	return a.Persistence, ""
}

// Actor says who must act to fix an error.
type Actor string

// Actor values, as written in the articles' front matter.
const (
	ActorSender            Actor = "tu"                     // the customer who sent the message
	ActorRecipient         Actor = "destinatario"           // the person the message was for
	ActorRecipientProvider Actor = "proveedor-destinatario" // the recipient's mail provider
	ActorOurProvider       Actor = "tu-proveedor"           // the hosting provider (us)
	ActorNobody            Actor = "nadie"                  // it fixes itself
)

// SectionExamples is the title of the last section of every article: real
// SMTP lines, which search indexes as a field of their own.
const SectionExamples = "Ejemplos de mensajes reales"

// sectionTitles are the sections every article has, in order, with their
// exact Spanish titles.
var sectionTitles = []string{
	"Qué significa",
	"Por qué ocurre",
	"Qué puedes hacer",
	"Si administras el dominio o el servidor",
	"Cuándo contactar con soporte",
	SectionExamples,
}

// SectionTitles returns the titles of the sections every article has, in
// order.
func SectionTitles() []string { return slices.Clone(sectionTitles) }

// Article is one error explained for customers.
type Article struct {
	Slug          string
	Title         string
	ReplyCodes    []string // "550"
	StatusCodes   []string // "5.1.1", or a range "5.7.606-5.7.649"
	ProviderCodes []string // "RP-001", "E451"
	Canonical     []string // codes whose short link /e/CODE lands here
	Reason        string   // Sisimai reason, e.g. "userunknown"
	Category      string
	Persistence   Persistence
	// PersistenceNote says why Persistence departs from the codes' classes
	// (a 4xx reply a provider never lets through, say); shown beside it.
	PersistenceNote string
	Who             Actor
	Aliases         []string
	Related         []string
	Summary         []Inline
	Sections        []Section

	summaryText string // Summary as plain text, for search and snippets
	// foldedAliases are the Aliases as search compares them (foldAlias).
	foldedAliases []string
}

// Codes returns every code the article covers, reply codes first.
func (a *Article) Codes() []string {
	codes := make([]string, 0, len(a.ReplyCodes)+len(a.StatusCodes)+len(a.ProviderCodes))
	codes = append(codes, a.ReplyCodes...)
	codes = append(codes, a.StatusCodes...)
	return append(codes, a.ProviderCodes...)
}

// SummaryText returns the summary paragraph as plain text.
func (a *Article) SummaryText() string { return a.summaryText }

// Examples returns the SMTP lines of the "Ejemplos de mensajes reales"
// section, one per line.
func (a *Article) Examples() []string {
	var lines []string
	for _, s := range a.Sections {
		if s.Title != SectionExamples {
			continue
		}
		for _, b := range s.Blocks {
			if b.Kind == BlockCode {
				for _, l := range strings.Split(b.Code, "\n") {
					if l = strings.TrimSpace(l); l != "" {
						lines = append(lines, l)
					}
				}
			}
		}
	}
	return lines
}

// Section is a titled part of an article.
type Section struct {
	Title  string
	Blocks []Block
}

// BlockKind says how a block is laid out.
type BlockKind int

// Block kinds of the Markdown subset articles use.
const (
	BlockParagraph BlockKind = iota
	BlockHeading             // "### " subheading inside a section
	BlockList                // "- " items
	BlockSteps               // "1. " items
	BlockCode                // fenced ``` block
)

// Block is a paragraph, subheading, list or code block.
type Block struct {
	Kind    BlockKind
	Inlines []Inline   // paragraph and heading text
	Items   [][]Inline // list and steps items
	Code    string     // code block text
}

// InlineKind says how a run of text is shown.
type InlineKind int

// Inline kinds.
const (
	InlineText InlineKind = iota
	InlineStrong
	InlineCode
	InlineLink
)

// Inline is a run of text inside a block.
type Inline struct {
	Kind InlineKind
	Text string
	URL  string // for InlineLink: "/errores/slug" or an https URL
}

// Category groups articles on the index page.
type Category struct {
	Slug        string
	Title       string
	Description string
}

// Policy holds the provider's own values that articles show. The zero value
// is not useful; start from DefaultPolicy.
type Policy struct {
	ProviderName         string
	MessagesPerHour      int
	RecipientsPerMessage int
	SMTPHost             string
	SupportURL           string
	// Where customers deal with what is not a delivery error (the
	// not-an-error topics): changing or recovering the mail password, the
	// invoices, renewing a domain.
	MailAccountsURL string
	BillingURL      string
	DomainsURL      string
}

// DefaultPolicy returns the values of the provider's help page.
func DefaultPolicy() Policy {
	return Policy{
		ProviderName:         "ServiNetwork",
		MessagesPerHour:      300,
		RecipientsPerMessage: 300,
		SMTPHost:             "smtp.servinetwork.com",
		SupportURL:           "https://www.servinetwork.com/soporte",
		MailAccountsURL:      "https://www.servinetwork.com/area-cliente/correo",
		BillingURL:           "https://www.servinetwork.com/area-cliente/facturas",
		DomainsURL:           "https://www.servinetwork.com/area-cliente/dominios",
	}
}

// Vars maps the placeholders that articles and the bounce reader's advice
// write as {{name}} to the policy values. It is the one list of them.
func (p Policy) Vars() map[string]string {
	return map[string]string{
		"proveedor":                 p.ProviderName,
		"mensajes_por_hora":         fmt.Sprint(p.MessagesPerHour),
		"destinatarios_por_mensaje": fmt.Sprint(p.RecipientsPerMessage),
		"servidor_smtp":             p.SMTPHost,
		"url_soporte":               p.SupportURL,
		"url_contrasena":            p.MailAccountsURL,
		"url_facturas":              p.BillingURL,
		"url_dominios":              p.DomainsURL,
	}
}

// KB is the loaded knowledge base. It is immutable and safe for concurrent use.
type KB struct {
	articles   []*Article // sorted by title
	bySlug     map[string]*Article
	categories []Category
	popular    []*Article
	topics     []Topic
	codes      codeIndex
	policy     Policy
}

// Articles returns every article, sorted by title.
func (kb *KB) Articles() []*Article { return kb.articles }

// Article returns the article with the given slug.
func (kb *KB) Article(slug string) (*Article, bool) {
	a, ok := kb.bySlug[slug]
	return a, ok
}

// Popular returns the articles support staff list as the most common
// errors, in their order. Analytics may later rank them by real traffic.
func (kb *KB) Popular() []*Article { return kb.popular }

// Categories returns the categories in display order.
func (kb *KB) Categories() []Category { return kb.categories }

// Category returns the category with the given slug.
func (kb *KB) Category(slug string) (Category, bool) {
	for _, c := range kb.categories {
		if c.Slug == slug {
			return c, true
		}
	}
	return Category{}, false
}

// InCategory returns the articles of a category, sorted by title.
func (kb *KB) InCategory(slug string) []*Article {
	var out []*Article
	for _, a := range kb.articles {
		if a.Category == slug {
			out = append(out, a)
		}
	}
	return out
}

// Policy returns the provider values the articles were rendered with.
func (kb *KB) Policy() Policy { return kb.policy }

// CodeEntry is one code of the code index with the article it leads to.
type CodeEntry struct {
	Code    string
	Article *Article
}

// CodeIndex returns every canonical code with its article, reply codes first,
// then enhanced status codes, then provider tags, each in natural order.
func (kb *KB) CodeIndex() []CodeEntry {
	entries := make([]CodeEntry, 0, len(kb.codes.canonical))
	for code, a := range kb.codes.canonical {
		entries = append(entries, CodeEntry{Code: code, Article: a})
	}
	sort.Slice(entries, func(i, j int) bool { return codeLess(entries[i].Code, entries[j].Code) })
	return entries
}

// codeLess orders reply codes, then status codes, then tags; numbers
// numerically so 5.7.9 comes before 5.7.10.
func codeLess(a, b string) bool {
	ka, kb := codeKind(a), codeKind(b)
	if ka != kb {
		return ka < kb
	}
	pa, pb := strings.FieldsFunc(a, isCodeSep), strings.FieldsFunc(b, isCodeSep)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		if isDigits(pa[i]) && isDigits(pb[i]) && len(pa[i]) != len(pb[i]) {
			return len(pa[i]) < len(pb[i])
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

func isCodeSep(r rune) bool { return r == '.' || r == '-' }

func codeKind(c string) int {
	switch {
	case isReplyCode(c):
		return 0
	case strings.Count(c, ".") >= 2:
		return 1
	default:
		return 2
	}
}
