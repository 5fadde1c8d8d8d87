package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/search"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/web"
)

// handleHome handles the "GET /" route.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	// The most consulted errors change as customers use Rebote: the cached
	// page is per list.
	popular := s.popular()
	var variant strings.Builder
	for _, a := range popular {
		variant.WriteString(a.Slug)
		variant.WriteByte(' ')
	}
	s.renderCached(w, r, variant.String(), func() templ.Component {
		p := s.page(r, locales.T(r.Context(), "TitleHome"))
		p.Description = locales.T(r.Context(), "DescHome")
		return web.HomePage(p, popular, s.groups())
	})
	return nil
}

// handleArticleIndex handles the "GET /errores" route.
func (s *Server) handleArticleIndex(w http.ResponseWriter, r *http.Request) error {
	s.renderCached(w, r, "", func() templ.Component {
		p := s.page(r, locales.T(r.Context(), "TitleArticles"))
		p.Description = locales.T(r.Context(), "DescArticles")
		return web.ArticlesPage(p, s.groups(), s.kb.CodeIndex())
	})
	return nil
}

func (s *Server) groups() []web.CategoryGroup {
	cats := s.kb.Categories()
	groups := make([]web.CategoryGroup, 0, len(cats))
	for _, c := range cats {
		groups = append(groups, web.CategoryGroup{Category: c, Articles: s.kb.InCategory(c.Slug)})
	}
	return groups
}

// handleArticle handles the "GET /errores/{slug}" route.
func (s *Server) handleArticle(w http.ResponseWriter, r *http.Request) error {
	a, ok := s.kb.Article(r.PathValue("slug"))
	if !ok {
		return newUserError(codeNotFound, "NotFoundTitle", "ArticleNotFoundText")
	}
	cat, _ := s.kb.Category(a.Category)
	src := s.visitSource(r)
	e := analytics.Event{Kind: analytics.KindView, Source: src, Article: a.Slug, Findings: s.articleFindings(a)}
	if src == analytics.SourceSearch {
		e.Query = analytics.MaskQuery(r.URL.Query().Get("q"))
		// An article opened from a search ranks the home page's list (a
		// plain page view does not).
		e.Popular = s.counts(s.popularBudget, r, a.Slug)
	}
	s.record(r, e)
	// The page depends on where the visitor came from (its feedback form
	// and support link carry it), besides the URL and language.
	s.renderCached(w, r, string(src), func() templ.Component {
		subject := voteSubject{Article: a.Slug, Reason: a.Reason}
		v := web.ArticleView{
			Article: a, Category: cat,
			Feedback:    web.FeedbackView{Article: a.Slug, Source: sourceParam(src)},
			SupportLink: supportLink(subject, src),
		}
		v.Persistence, v.Code = a.PersistenceFor(visitorCode(r))
		for _, slug := range a.Related {
			if rel, ok := s.kb.Article(slug); ok {
				v.Related = append(v.Related, rel)
			}
		}
		p := s.page(r, a.Title)
		p.Description = a.SummaryText()
		return web.ArticlePage(p, v)
	})
	return nil
}

// visitorCode is the code the visitor came with, which decides the
// article's "¿Se arregla solo?" line: the short link's (codigo=), else a
// code in the search that led here (q=). Anything else is ignored.
func visitorCode(r *http.Request) string {
	q := r.URL.Query()
	for _, c := range []string{q.Get(codeParam), q.Get("q")} {
		if c = clip(c, 80); !knowledge.ParseCode(c).IsZero() {
			return c
		}
	}
	return ""
}

// codeParam carries the code of a short link, or of a diagnosis, to the
// article.
const codeParam = "codigo"

// handleShortLink handles the "GET /e/{code}" route: the short links
// support staff paste into tickets (/e/550, /e/5.7.1, /e/550-5.7.26). It
// redirects to the code's article, keeping the query string (origen=ticket)
// for analytics and adding the code, which says whether the message will be
// retried.
func (s *Server) handleShortLink(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	a, ok := s.kb.Resolve(code)
	if !ok {
		return newUserError(codeNotFound, "NotFoundTitle", "CodeNotFoundText", "Code", clip(code, 40))
	}
	target := "/errores/" + a.Slug
	q := r.URL.Query()
	if q.Get(codeParam) == "" {
		q.Set(codeParam, clip(code, 40))
	}
	target += "?" + q.Encode()
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// handleSearch handles the "GET /buscar" route.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	q := cleanQuery(r.URL.Query().Get("q"))
	key := s.pageKey(r, "search")
	page, ok := s.pages.get(key, time.Now())
	if !ok {
		v := web.SearchView{
			Query: q, Popular: s.kb.Popular(), Results: resultItems(s.index.Search(q, 10)), Topics: s.index.Topics(q),
			Provider: s.kb.Policy().ProviderName, SupportLink: supportLink(voteSubject{}, analytics.SourceSearch),
		}
		title := locales.T(r.Context(), "TitleSearch")
		if q != "" {
			title = locales.T(r.Context(), "TitleSearchFor", "Query", clip(q, 60))
		}
		p := s.noIndexPage(r, title)
		p.Description = locales.T(r.Context(), "DescSearch")
		p.Query = q
		body, err := renderBytes(r.Context(), web.SearchPage(p, v))
		if err != nil {
			return err
		}
		page = s.pages.put(key, body, len(v.Results), time.Now())
	}
	// Results fetched as the customer types (rebote.js) are not counted:
	// every keystroke would be a search. A search counts when submitted,
	// and an opened result counts as a view carrying its query. One
	// client's search counts once an hour, and only its first
	// searchesPerClientHour distinct ones: no client can fill the tables.
	if nq := analytics.MaskQuery(q); nq != "" && r.Header.Get("X-Rebote-Live") != "1" &&
		s.counts(s.searchBudget, r, nq) {
		s.record(r, analytics.Event{Kind: analytics.KindSearch, Source: s.visitSource(r), Query: nq, Results: page.meta})
	}
	s.writeCached(w, r, key, page)
	return nil
}

// handlePrivacy handles the "GET /privacidad" route.
func (s *Server) handlePrivacy(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, locales.T(r.Context(), "TitlePrivacy"))
	p.Description = locales.T(r.Context(), "DescPrivacy")
	s.render(w, r, http.StatusOK, web.PrivacyPage(p, s.cfg.retentionDays()))
	return nil
}

// maxQueryRunes bounds what we echo back and search for.
const maxQueryRunes = 300

// cleanQuery makes a search query safe to process and show: valid UTF-8,
// no control characters, single spaces, bounded length. A trailing space
// is kept: it tells search the last word is complete.
func cleanQuery(q string) string {
	q = strings.ToValidUTF8(q, "")
	trailing := strings.HasSuffix(q, " ")
	q = strings.Join(strings.FieldsFunc(q, func(r rune) bool {
		return r < 0x20 || r == 0x7f || r == ' ' || r == '\u00a0'
	}), " ")
	q = clip(q, maxQueryRunes)
	if trailing && q != "" {
		q += " "
	}
	return q
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// absURL returns the absolute URL of a path on this site.
func (s *Server) absURL(r *http.Request, path string) string {
	base := s.cfg.PublicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = (&url.URL{Scheme: scheme, Host: r.Host}).String()
	}
	return strings.TrimRight(base, "/") + path
}

// resultItems converts search results for the web components.
func resultItems(rs []search.Result) []web.SearchItem {
	items := make([]web.SearchItem, len(rs))
	for i, r := range rs {
		items[i] = web.SearchItem{Article: r.Article, Snippet: r.Snippet}
	}
	return items
}

// handleDemoTicket handles "GET /demo/ticket": a sample ticket form with
// the widget. Its form sends nothing anywhere.
func (s *Server) handleDemoTicket(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, locales.T(r.Context(), "TitleDemo"))
	p.Description = locales.T(r.Context(), "DescDemo")
	s.render(w, r, http.StatusOK, web.DemoTicketPage(p, r.URL.Query().Get("enviado") == "1"))
	return nil
}

// articleFindings is the finding an article view records: built once per
// article and shared (events only read it), as views are the most
// frequent event.
func (s *Server) articleFindings(a *knowledge.Article) []analytics.Finding {
	s.findingsOnce.Do(func() {
		s.findings = make(map[string][]analytics.Finding, len(s.kb.Articles()))
		for _, art := range s.kb.Articles() {
			s.findings[art.Slug] = []analytics.Finding{{Reason: art.Reason, Article: art.Slug}}
		}
	})
	if f, ok := s.findings[a.Slug]; ok {
		return f
	}
	return []analytics.Finding{{Reason: a.Reason, Article: a.Slug}}
}
