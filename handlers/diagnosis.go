package handlers

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/web"
)

// maxPasteBytes bounds a pasted bounce. A whole raw message with its
// returned original rarely exceeds a few hundred kilobytes; beyond 1 MiB it
// is an attachment pasted by mistake.
const maxPasteBytes = 1 << 20

// handleDiagnosisForm handles the "GET /diagnostico" route: support-ticket
// forms link here with ?texto= to pre-fill the paste box.
func (s *Server) handleDiagnosisForm(w http.ResponseWriter, r *http.Request) error {
	texto := strings.ToValidUTF8(r.URL.Query().Get("texto"), "")
	if len(texto) > maxPasteBytes {
		return newUserError(http.StatusRequestEntityTooLarge, "BadRequestTitle", "TooLargeText")
	}
	p := s.page(r, locales.T(r.Context(), "TitleDiagnosis"))
	s.render(w, r, http.StatusOK, web.DiagnosisPage(p, web.DiagnosisView{Text: texto}))
	return nil
}

// handleDiagnosis handles the "POST /diagnostico" route. Until the
// classifier exists it points to the articles matching the codes and
// phrases of the paste. The text is never stored or logged.
func (s *Server) handleDiagnosis(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPasteBytes+64*1024)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return newUserError(http.StatusRequestEntityTooLarge, "BadRequestTitle", "TooLargeText")
		}
		return newUserError(http.StatusBadRequest, "BadRequestTitle", "BadEncodingText")
	}
	texto := r.PostForm.Get("texto")
	if len(texto) > maxPasteBytes {
		return newUserError(http.StatusRequestEntityTooLarge, "BadRequestTitle", "TooLargeText")
	}
	if !utf8.ValidString(texto) {
		texto = strings.ToValidUTF8(texto, "\uFFFD")
	}
	if strings.TrimSpace(texto) == "" {
		return newUserError(http.StatusUnprocessableEntity, "BadRequestTitle", "EmptyPasteText")
	}
	v := web.DiagnosisView{Text: texto, Suggestions: resultItems(s.suggest(texto))}
	s.render(w, r, http.StatusOK, web.DiagnosisPage(s.page(r, locales.T(r.Context(), "TitleDiagnosis")), v))
	return nil
}

// suggest finds articles for a pasted text: the lines carrying an SMTP
// code are searched one by one (they say the most), then the text's start.
func (s *Server) suggest(text string) []knowledge.Result {
	var out []knowledge.Result
	seen := make(map[string]bool)
	add := func(rs []knowledge.Result) {
		for _, r := range rs {
			if !seen[r.Article.Slug] && len(out) < 5 {
				seen[r.Article.Slug] = true
				out = append(out, r)
			}
		}
	}
	lines := 0
	for line := range strings.Lines(text) {
		if lines++; lines > 5000 || len(out) >= 5 {
			break
		}
		if line = strings.TrimSpace(line); len(line) > 8 && !knowledge.ParseCode(line).IsZero() {
			add(s.kb.Search(line, 2))
		}
	}
	if len(out) == 0 {
		add(s.kb.Search(text, 3))
	}
	return out
}
