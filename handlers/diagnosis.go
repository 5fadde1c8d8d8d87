package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
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
	p.Description = locales.T(r.Context(), "DescDiagnosis")
	// A pre-filled form is someone's error message, not a page to index.
	p.NoIndex = texto != ""
	s.render(w, r, http.StatusOK, web.DiagnosisPage(p, web.DiagnosisView{Text: texto, Source: sourceParam(s.visitSource(r))}))
	return nil
}

// langSwitchField marks a diagnosis posted again by the language switch:
// the same paste, already counted.
const langSwitchField = "cambio_idioma"

// handleDiagnosis handles the "POST /diagnostico" route: the form field
// texto is classified and each failed recipient shown with its advice,
// its own "¿Te ha ayudado?" and its own ticket link. The text is never
// stored or logged.
func (s *Server) handleDiagnosis(w http.ResponseWriter, r *http.Request) error {
	texto, err := readPaste(w, r)
	if err != nil {
		return s.pasteRefused(w, r, err)
	}
	d := s.reader.Classify(texto)
	src := analytics.ParseSource(r.PostForm.Get("origen"))
	if r.PostForm.Get(langSwitchField) != "1" {
		e := diagnosisEvent(d, texto, src)
		if len(e.Findings) > 0 {
			e.Popular = s.counts(s.popularBudget, r, findingsKey(e.Findings))
		}
		s.record(r, e)
	}
	subject := voteSubject{Reason: string(d.Kind)}
	v := web.DiagnosisView{
		Kind: string(d.Kind), Source: sourceParam(src),
		Feedback:    web.FeedbackView{ID: "valoracion", Reason: subject.Reason, Source: sourceParam(src)},
		SupportLink: supportLink(subject, src),
	}
	for i, rec := range d.Recipients {
		c := verdictCard(rec, texto)
		c.Feedback = web.FeedbackView{ID: fmt.Sprintf("valoracion-%d", i+1), Nested: true, Reason: rec.Reason, Source: sourceParam(src)}
		c.SupportLink = supportLink(voteSubject{Reason: rec.Reason}, src)
		c.Check = s.liveCheck(rec, d.Sender)
		v.Cards = append(v.Cards, c)
	}
	if d.Kind == bounce.KindNone {
		v.Suggestions = resultItems(s.suggest(texto))
	}
	p := s.noIndexPage(r, locales.T(r.Context(), "TitleDiagnosis"))
	p.LangForm = &web.LangForm{Action: "/diagnostico", Fields: []web.FormField{{Name: "texto", Value: texto}, {Name: langSwitchField, Value: "1"}}}
	if v.Source != "" {
		p.LangForm.Fields = append(p.LangForm.Fields, web.FormField{Name: "origen", Value: v.Source})
	}
	s.render(w, r, http.StatusOK, web.DiagnosisPage(p, v))
	return nil
}

// pasteRefused answers a paste that cannot be read: pages get the paste
// box again with the reason beside it (and the error's status); JSON
// clients and other failures go to serveError.
func (s *Server) pasteRefused(w http.ResponseWriter, r *http.Request, err error) error {
	var ue *userError
	if !errors.As(err, &ue) || wantsJSON(r) {
		return err
	}
	ctx := r.Context()
	v := web.DiagnosisView{Error: locales.T(ctx, ue.message, ue.data...), Source: sourceParam(analytics.ParseSource(r.PostForm.Get("origen")))}
	s.render(w, r, ue.status(), web.DiagnosisPage(s.noIndexPage(r, locales.T(ctx, "TitleDiagnosis")), v))
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

// verdictCard converts a verdict for the page. text is the paste, which
// orders the evidence.
func verdictCard(v bounce.Verdict, text string) web.VerdictCard {
	c := web.VerdictCard{
		Address: v.Address, Article: v.Article, Reason: v.Reason, ReplyCode: v.ReplyCode, Status: v.Status,
		Temporary: v.Temporary, RemoteHost: v.RemoteHost, RemoteIP: v.RemoteIP, Advice: v.Advice,
		Certain: v.ReplyCode != "" || v.Status != "" || v.Details.FromDSN || v.Reason == "expired",
		// What the mail program said while sending was never queued.
		Outbox:     v.Article != nil && v.Article.Persistence == knowledge.Outbox,
		Confidence: confidenceLevel(v.Confidence),
	}
	for _, line := range evidenceLines(v.Evidence, text) {
		c.Evidence = append(c.Evidence, search.Mark(line, v.ReplyCode, v.Status, v.Phrase, v.Address, v.Details.ListedIP))
	}
	return c
}

// evidenceLines returns the evidence as a customer reads it: each line
// once, in the order it appears in the paste. A line not found verbatim
// (the reader joins wrapped lines) stays after the line before it.
func evidenceLines(lines []string, text string) []string {
	type placed struct {
		line string
		at   int
	}
	seen := make(map[string]bool, len(lines))
	out := make([]placed, 0, len(lines))
	last := -1
	for _, l := range lines {
		key := strings.Join(strings.Fields(l), " ")
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		if i := strings.Index(text, strings.TrimSpace(l)); i >= 0 {
			last = i
		}
		out = append(out, placed{l, last})
	}
	slices.SortStableFunc(out, func(a, b placed) int { return cmp.Compare(a.at, b.at) })
	res := make([]string, len(out))
	for i, p := range out {
		res[i] = p.line
	}
	return res
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
