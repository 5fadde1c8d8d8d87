package handlers

import (
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/web"
)

// handleDiagnosisForm handles the "GET /diagnostico" route: support-ticket
// forms link here with ?texto= to pre-fill the paste box.
func (s *Server) handleDiagnosisForm(w http.ResponseWriter, r *http.Request) error {
	texto := strings.ToValidUTF8(r.URL.Query().Get("texto"), "")
	if len(texto) > bounce.MaxPasteBytes {
		return newUserError(codeTooLarge, "BadRequestTitle", "TooLargeText")
	}
	p := s.page(r, locales.T(r.Context(), "TitleDiagnosis"))
	s.render(w, r, http.StatusOK, web.DiagnosisPage(p, web.DiagnosisView{Text: texto, Source: sourceParam(s.visitSource(r))}))
	return nil
}

// handleDiagnosis handles the "POST /diagnostico" route: the form field
// texto is classified and each failed recipient shown with its advice.
// The text is never stored or logged.
func (s *Server) handleDiagnosis(w http.ResponseWriter, r *http.Request) error {
	texto, err := readPaste(w, r)
	if err != nil {
		return err
	}
	d := s.reader.Classify(texto)
	src := analytics.ParseSource(r.PostForm.Get("origen"))
	e := diagnosisEvent(d, texto, src)
	if len(e.Findings) > 0 {
		e.Popular = s.counts(s.popularBudget, r, findingsKey(e.Findings))
	}
	s.record(r, e)
	subject := voteSubject{Reason: string(d.Kind)}
	if len(d.Recipients) > 0 {
		subject.Reason = d.Recipients[0].Reason
	}
	v := web.DiagnosisView{
		Text: texto, Kind: string(d.Kind), Source: sourceParam(src),
		Feedback:    web.FeedbackView{Reason: subject.Reason, Source: sourceParam(src)},
		SupportLink: supportLink(subject, src),
	}
	for _, rec := range d.Recipients {
		c := verdictCard(rec)
		c.Check = s.liveCheck(rec, d.Sender)
		v.Cards = append(v.Cards, c)
	}
	if d.Kind == bounce.KindNone {
		v.Suggestions = resultItems(s.suggest(texto))
	}
	s.render(w, r, http.StatusOK, web.DiagnosisPage(s.page(r, locales.T(r.Context(), "TitleDiagnosis")), v))
	return nil
}

// readPaste reads the texto field of a form post, refusing what cannot be
// a pasted bounce with a message that says why.
func readPaste(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, bounce.MaxPasteBytes+64<<10)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", newUserError(codeTooLarge, "BadRequestTitle", "TooLargeText")
		}
		if gone := readAborted(r, err); gone != nil {
			return "", gone
		}
		return "", newUserError(codeBadRequest, "BadRequestTitle", "BadEncodingText")
	}
	return checkPaste(r.PostForm.Get("texto"))
}

// checkPaste validates a pasted text for the form and the API alike.
func checkPaste(texto string) (string, error) {
	if len(texto) > bounce.MaxPasteBytes {
		return "", newUserError(codeTooLarge, "BadRequestTitle", "TooLargeText")
	}
	if strings.TrimSpace(texto) == "" {
		return "", newUserError(codeEmptyText, "BadRequestTitle", "EmptyPasteText")
	}
	if looksBinary(texto) {
		return "", newUserError(codeNotAText, "BadRequestTitle", "BadEncodingText")
	}
	return strings.ToValidUTF8(texto, "\uFFFD"), nil
}

// looksBinary reports whether a text is mostly not text: an image or a
// file pasted by mistake. A few stray bytes in a real bounce are fine.
func looksBinary(s string) bool {
	sample := s
	if len(sample) > 8<<10 {
		sample = sample[:8<<10]
	}
	bad, n := 0, 0
	for i := 0; i < len(sample); {
		r, size := utf8.DecodeRuneInString(sample[i:])
		i += size
		n++
		if r == utf8.RuneError && size == 1 || r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t') {
			bad++
		}
	}
	return n > 0 && bad*10 > n
}

// verdictCard converts a verdict for the page.
func verdictCard(v bounce.Verdict) web.VerdictCard {
	c := web.VerdictCard{
		Address: v.Address, Article: v.Article, Reason: v.Reason, ReplyCode: v.ReplyCode, Status: v.Status,
		Temporary: v.Temporary, RemoteHost: v.RemoteHost, RemoteIP: v.RemoteIP, Advice: v.Advice,
		Certain: v.ReplyCode != "" || v.Status != "" || v.Details.FromDSN || v.Reason == "expired",
		// What the mail program said while sending was never queued.
		Outbox:     v.Article != nil && v.Article.Persistence == knowledge.Outbox,
		Confidence: confidenceLevel(v.Confidence),
	}
	for _, line := range v.Evidence {
		c.Evidence = append(c.Evidence, search.Mark(line, v.ReplyCode, v.Status, v.Phrase, v.Address, v.Details.ListedIP))
	}
	return c
}

func confidenceLevel(c float64) string {
	switch {
	case c >= 0.8:
		return "High"
	case c >= 0.5:
		return "Medium"
	default:
		return "Low"
	}
}

// suggest finds articles for a text that is not a bounce: the lines
// carrying an SMTP code are searched one by one (they say the most), then
// the text's start.
func (s *Server) suggest(text string) []search.Result {
	var out []search.Result
	seen := make(map[string]bool)
	add := func(rs []search.Result) {
		for _, r := range rs {
			if !seen[r.Article.Slug] && len(out) < 5 {
				seen[r.Article.Slug] = true
				out = append(out, r)
			}
		}
	}
	for line := range codeLines(text) {
		if len(out) >= 5 {
			break
		}
		add(s.index.Search(line, 2))
	}
	if len(out) == 0 {
		add(s.index.Search(text, 3))
	}
	return out
}
