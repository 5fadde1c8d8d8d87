package handlers

import (
	"net/http"

	"github.com/servinetwork/rebote/knowledge"
)

// searchResponse is the body of GET /api/v1/search.
type searchResponse struct {
	Query   string         `json:"query"`
	Results []searchResult `json:"results"`
	// Topics are the not-an-error answers the query asks for (the
	// webmail password, invoices, renewing a domain).
	Topics []apiTopic `json:"topics"`
}

// apiTopic is a question that is not a delivery error, with the
// provider's page that deals with it (the search and suggest APIs).
type apiTopic struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
	Text  string `json:"text"`
	Link  string `json:"link"` // the button's text
	URL   string `json:"url"`  // the provider's page, as configured
}

func apiTopics(topics []knowledge.Topic) []apiTopic {
	out := make([]apiTopic, 0, len(topics))
	for _, t := range topics {
		out = append(out, apiTopic{Slug: t.Slug, Title: t.Title, Text: t.Text, Link: t.Link, URL: t.URL})
	}
	return out
}

type searchResult struct {
	Slug    string   `json:"slug"`
	Title   string   `json:"title"`
	URL     string   `json:"url"`
	Codes   []string `json:"codes"`
	Reason  string   `json:"reason"`
	Snippet string   `json:"snippet"`
	Score   float64  `json:"score"`
}

// handleAPISearch handles the "GET /api/v1/search" route for ticket forms
// and tools. results is an empty list, never null, when nothing matches.
func (s *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) error {
	q := cleanQuery(r.URL.Query().Get("q"))
	resp := searchResponse{Query: q, Results: []searchResult{}, Topics: apiTopics(s.index.Topics(q))}
	for _, res := range s.index.Search(q, 10) {
		a := res.Article
		resp.Results = append(resp.Results, searchResult{
			Slug:    a.Slug,
			Title:   a.Title,
			URL:     s.absURL(r, "/errores/"+a.Slug),
			Codes:   nonNil(a.Codes()),
			Reason:  a.Reason,
			Snippet: res.SnippetText(),
			Score:   float64(int(res.Score*100)) / 100,
		})
	}
	s.writeJSON(w, r, http.StatusOK, resp)
	return nil
}

// articleSummary is one entry of GET /api/v1/articles.
type articleSummary struct {
	Slug     string   `json:"slug"`
	Title    string   `json:"title"`
	URL      string   `json:"url"`
	Codes    []string `json:"codes"`
	Reason   string   `json:"reason"`
	Category string   `json:"category"`
	// Temporary is true for 4xx failures, false for 5xx, and null when the
	// article covers both, or when nothing was queued (Persistence says
	// which).
	Temporary *bool `json:"temporary"`
	// Persistence is temporary, permanent, either (the code decides),
	// outbox (the mail program did not send it) or none (not an error).
	Persistence string `json:"persistence"`
}

// handleAPIArticles handles the "GET /api/v1/articles" route.
func (s *Server) handleAPIArticles(w http.ResponseWriter, r *http.Request) error {
	list := make([]articleSummary, 0, len(s.kb.Articles()))
	for _, a := range s.kb.Articles() {
		list = append(list, articleSummary{
			Slug:        a.Slug,
			Title:       a.Title,
			URL:         s.absURL(r, "/errores/"+a.Slug),
			Codes:       nonNil(a.Codes()),
			Reason:      a.Reason,
			Category:    a.Category,
			Temporary:   temporary(a.Persistence),
			Persistence: string(a.Persistence),
		})
	}
	s.writeJSON(w, r, http.StatusOK, struct {
		Articles []articleSummary `json:"articles"`
	}{list})
	return nil
}

func temporary(p knowledge.Persistence) *bool {
	var b bool
	switch p {
	case knowledge.Temporary:
		b = true
	case knowledge.Permanent:
		b = false
	default:
		return nil
	}
	return &b
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
