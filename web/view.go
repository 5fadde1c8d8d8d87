// Package web holds Rebote's templ components: they turn view data into
// HTML and do no I/O. Interface strings come from package locales; article
// text comes from package knowledge and is escaped like any other text.
package web

import (
	"context"
	"net/url"
	"strings"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/search"
	"github.com/servinetwork/rebote/locales"
)

// Page is what the layout needs from every page.
type Page struct {
	Title        string // already translated
	Description  string
	Path         string // request path and query, for the language switch
	ProviderName string
	SupportURL   string
	AssetVersion string // appended to static URLs so caches refresh on deploy
	Query        string // the search box's current text
	BaseURL      string // the site's external base URL, for snippets to copy
	// Canonical is the path search engines should index the page under
	// (with ?lang= per language); empty for pages without one.
	Canonical string
	// SiteURL is the configured public base URL, for canonical links; when
	// empty they stay relative (never built from a request's Host, since
	// pages are cached across hosts).
	SiteURL string
	// NoIndex asks search engines not to index the page: search results,
	// answers to a paste, errors and staff pages.
	NoIndex bool
	// LangForm, on the answer to a form post, makes the language switch
	// post the form again instead of linking to an empty page.
	LangForm *LangForm
}

// LangForm is the form the language switch posts: the path, and the
// fields that bring the same answer back in the other language.
type LangForm struct {
	Action string
	Fields []FormField
}

// FormField is a hidden form field.
type FormField struct {
	Name, Value string
}

// canonicalURL is the page's address for search engines in lang ("" for
// the version that negotiates the language).
func canonicalURL(p Page, lang string) string {
	u := strings.TrimRight(p.SiteURL, "/") + p.Canonical
	if lang != "" {
		u += "?lang=" + lang
	}
	return u
}

// CategoryGroup is a category with its articles, for the index pages.
type CategoryGroup struct {
	Category knowledge.Category
	Articles []*knowledge.Article
}

// SearchItem is one search result as shown.
type SearchItem struct {
	Article *knowledge.Article
	Snippet []search.Span
}

// SearchView is the search page's data.
type SearchView struct {
	Query   string
	Results []SearchItem
	Popular []*knowledge.Article
	Topics  []knowledge.Topic // questions the query asks that are not delivery errors
	// Provider and SupportLink offer support when nothing was found.
	Provider    string
	SupportLink string
}

// langURL returns path with its lang parameter set to lang.
func langURL(path, lang string) string {
	u, err := url.Parse(path)
	if err != nil {
		return "/?lang=" + lang
	}
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.String()
}

func static(p Page, name string) string {
	return "/static/" + name + "?v=" + p.AssetVersion
}

func t(ctx context.Context, id string, data ...any) string { return locales.T(ctx, id, data...) }

func tn(ctx context.Context, id string, n int) string { return locales.TN(ctx, id, n) }

func articleURL(a *knowledge.Article) string { return "/errores/" + a.Slug }

// verdictArticleURL links a diagnosis to its article with the diagnosed
// code, so the article says whether that message will be retried.
func verdictArticleURL(c VerdictCard) string {
	code := c.Status
	if code == "" {
		code = c.ReplyCode
	}
	if code == "" {
		return articleURL(c.Article)
	}
	return articleURL(c.Article) + "?" + url.Values{"codigo": {code}}.Encode()
}

// searchResultURL links a search result to its article, telling analytics
// the visit came from this search.
func searchResultURL(a *knowledge.Article, query string) string {
	return articleURL(a) + "?" + url.Values{"origen": {"buscar"}, "q": {query}}.Encode()
}

// otherLang is the language the switch in the header offers.
func otherLang(ctx context.Context) (code, name string) {
	if locales.Lang(ctx) == "en" {
		return "es", "Español"
	}
	return "en", "English"
}

// shortCodes returns up to n codes to show beside an article's title: its
// canonical codes first, then the rest.
func shortCodes(a *knowledge.Article, n int) []string {
	seen := make(map[string]bool)
	var out []string
	for _, list := range [][]string{a.Canonical, a.Codes()} {
		for _, c := range list {
			if len(out) == n {
				return out
			}
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

func isExternal(u string) bool { return len(u) > 8 && u[:8] == "https://" }

// FeedbackView is the "¿Te ha ayudado?" box of an answer page: about an
// article, or about a diagnosis by its reason.
type FeedbackView struct {
	ID      string // the box's id, unique in the page ("valoracion")
	Nested  bool   // inside a diagnosis card, under its heading
	Article string
	Reason  string
	Source  string // where the visitor came from, carried to the vote
}

// ThanksView is the page after a vote.
type ThanksView struct {
	Helpful     bool
	Article     *knowledge.Article // the article voted on, if any
	SupportLink string             // "Sigo necesitando ayuda"
}
