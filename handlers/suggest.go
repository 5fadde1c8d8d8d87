package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/locales"
)

// maxSuggestRunes bounds the ticket text the suggest API reads: a subject
// and the start of a description say enough, and it is called on every
// (debounced) keystroke.
const maxSuggestRunes = 4000

// suggestResponse is the body of GET /api/v1/suggest.
type suggestResponse struct {
	Articles []suggestedArticle `json:"articles"`
	// Topics are the questions the text asks that are not delivery
	// errors (the webmail password, an invoice, a domain to renew), each
	// with the provider's page that deals with it.
	Topics    []apiTopic        `json:"topics"`
	Diagnosis *suggestDiagnosis `json:"diagnosis"`
	// DiagnosisURL opens the full diagnosis with the text pre-filled, or
	// the empty paste box when the text is too long for a link.
	DiagnosisURL string `json:"diagnosis_url"`
	// Labels are the widget's texts in the requested language (?lang=).
	Labels suggestLabels `json:"labels"`
}

type suggestedArticle struct {
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Summary string `json:"summary"`
}

// suggestDiagnosis is the classifier's verdict when the text holds an
// SMTP error.
type suggestDiagnosis struct {
	Reason    string `json:"reason"`
	Status    string `json:"status"`
	ReplyCode string `json:"reply_code"`
	Temporary bool   `json:"temporary"`
	Article   string `json:"article"`
	Title     string `json:"title"`
	URL       string `json:"url"`
}

type suggestLabels struct {
	Title     string `json:"title"`
	Diagnosis string `json:"diagnosis"`
	Full      string `json:"full"`
	Close     string `json:"close"`
	NewTab    string `json:"new_tab"` // added to the links' names: they open a new tab
	Topic     string `json:"topic"`   // heads a topic: "No es un error de correo:"
}

// maxPrefillBytes keeps the diagnosis link short enough for any browser.
const maxPrefillBytes = 1500

// handleAPISuggest handles "GET /api/v1/suggest?q=TEXT" for ticket forms:
// the 3 articles that best match what the customer is typing and, when
// the text holds an SMTP error, the classifier's verdict. It records
// nothing: it runs on every keystroke.
func (s *Server) handleAPISuggest(w http.ResponseWriter, r *http.Request) error {
	text := clip(strings.ToValidUTF8(r.URL.Query().Get("q"), ""), maxSuggestRunes)
	ctx := r.Context()
	resp := suggestResponse{
		Articles: []suggestedArticle{},
		Topics:   []apiTopic{},
		Labels: suggestLabels{
			Title: locales.T(ctx, "WidgetTitle"), Diagnosis: locales.T(ctx, "WidgetDiagnosis"),
			Full: locales.T(ctx, "WidgetFull"), Close: locales.T(ctx, "WidgetClose"), NewTab: locales.T(ctx, "WidgetNewTab"),
			Topic: locales.T(ctx, "TopicLabel"),
		},
	}
	q := url.Values{"origen": {"ticket"}}
	if len(text) <= maxPrefillBytes {
		q.Set("texto", text)
	}
	resp.DiagnosisURL = s.absURL(r, "/diagnostico?"+q.Encode())
	if strings.TrimSpace(text) == "" {
		s.writeJSON(w, r, http.StatusOK, resp)
		return nil
	}
	seen := make(map[string]bool)
	add := func(a *knowledge.Article) {
		if a == nil || seen[a.Slug] || len(resp.Articles) >= 3 {
			return
		}
		seen[a.Slug] = true
		resp.Articles = append(resp.Articles, suggestedArticle{
			Slug: a.Slug, Title: a.Title, Summary: a.SummaryText(),
			URL: s.absURL(r, "/errores/"+a.Slug+"?origen=ticket"),
		})
	}
	if firstCodeLine(text) != "" {
		if d := s.reader.Classify(text); d.IsBounce() && len(d.Recipients) > 0 && d.Recipients[0].Article != nil {
			v := d.Recipients[0]
			resp.Diagnosis = &suggestDiagnosis{
				Reason: v.Reason, Status: v.Status, ReplyCode: v.ReplyCode, Temporary: v.Temporary,
				Article: v.Article.Slug, Title: v.Article.Title, URL: s.absURL(r, "/errores/"+v.Article.Slug+"?origen=ticket"),
			}
			add(v.Article)
		}
	}
	for _, res := range s.suggest(text) {
		add(res.Article)
	}
	// A text that quotes an SMTP error is about a delivery error, whatever
	// else it mentions ("the invoice I sent bounced"): no topic then.
	if resp.Diagnosis == nil {
		resp.Topics = apiTopics(s.index.Topics(text))
	}
	s.writeJSON(w, r, http.StatusOK, resp)
	return nil
}
