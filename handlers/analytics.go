package handlers

import (
	"iter"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/web"
)

// visitSource tells where a visitor came from: the origen parameter that
// Rebote's own links and the ticket form add (or the one configured for
// the ticket form's links), else the Referer (read, never stored).
func (s *Server) visitSource(r *http.Request) analytics.Source {
	if r.URL.RawQuery != "" { // most visits have none: skip parsing
		q := r.URL.Query()
		if p := s.cfg.OriginParam; p != "" && p != "origen" {
			if o := q.Get(p); o != "" {
				return analytics.ParseSource(o)
			}
		}
		if o := q.Get("origen"); o != "" {
			return analytics.ParseSource(o)
		}
	}
	if r.Header.Get("Referer") == "" {
		return analytics.SourceDirect
	}
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host == "" {
		return analytics.SourceDirect
	}
	if ref.Host != r.Host {
		return analytics.SourceExternal
	}
	switch {
	case ref.Path == "/":
		return analytics.SourceHome
	case strings.HasPrefix(ref.Path, "/buscar"):
		return analytics.SourceSearch
	}
	return analytics.SourceDirect
}

// record hands an event to analytics, unless the request is a HEAD (a
// link checker or a monitor, not a visitor).
func (s *Server) record(r *http.Request, e analytics.Event) {
	if r.Method != http.MethodHead {
		if e.At.IsZero() {
			e.At = eventTime(r)
		}
		s.events.Record(e)
	}
}

// sourceParam is the origen value to carry in a form: empty for direct
// visits, which need none.
func sourceParam(src analytics.Source) string {
	if src == analytics.SourceDirect {
		return ""
	}
	return string(src)
}

// findings lists the reason and article of each recipient of a diagnosis.
func findings(d bounce.Diagnosis) []analytics.Finding {
	out := make([]analytics.Finding, 0, len(d.Recipients))
	for _, v := range d.Recipients {
		f := analytics.Finding{Reason: v.Reason}
		if v.Article != nil {
			f.Article = v.Article.Slug
		}
		out = append(out, f)
	}
	return out
}

// findingsKey names the articles of a diagnosis, for the per-client
// budget of what ranks the popular list.
func findingsKey(fs []analytics.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Article)
		b.WriteByte(' ')
	}
	return b.String()
}

// lowConfidence is the confidence under which a diagnosis is kept, masked,
// for staff to improve the rules.
const lowConfidence = 0.5

// diagnosisEvent describes a classification for analytics. Of the pasted
// text it keeps at most one SMTP line, masked, and only when the
// classifier could not read it well.
func diagnosisEvent(d bounce.Diagnosis, text string, src analytics.Source) analytics.Event {
	e := analytics.Event{
		Kind: analytics.KindDiagnosis, Source: src, Findings: findings(d),
		Bounce: d.IsBounce(), Recipients: len(d.Recipients),
	}
	unread := ""
	for i, v := range d.Recipients {
		if i == 0 || v.Confidence < e.Confidence {
			e.Confidence = v.Confidence
		}
		if unread == "" && (v.Confidence < lowConfidence || v.Reason == "undefined" || v.Reason == "onhold") && len(v.Evidence) > 0 {
			unread = v.Evidence[0]
		}
	}
	if d.Kind == bounce.KindNone {
		unread = firstCodeLine(text)
	}
	if unread != "" {
		e.Line = analytics.MaskLine(unread)
	}
	return e
}

// firstCodeLine returns the first line of text that carries an SMTP reply
// or status code: in a text the classifier could not read, the line staff
// most need to see.
func firstCodeLine(text string) string {
	for line := range codeLines(text) {
		return line
	}
	return ""
}

// codeLines yields the trimmed lines of text (the first 2000) that carry
// an SMTP reply or status code.
func codeLines(text string) iter.Seq[string] {
	return func(yield func(string) bool) {
		n := 0
		for line := range strings.Lines(text) {
			if n++; n > 2000 {
				return
			}
			if line = strings.TrimSpace(line); len(line) > 8 && !knowledge.ParseCode(line).IsZero() && !yield(line) {
				return
			}
		}
	}
}

// reasonRe is what a reason name looks like; anything else in a form is
// refused rather than stored.
var reasonRe = regexp.MustCompile(`^[a-z]{1,24}$`)

// handleVote handles "POST /valorar": the "¿Te ha ayudado?" form of an
// article or a diagnosis. It redirects to a thank-you page (so reloading
// does not vote twice).
func (s *Server) handleVote(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		if gone := readAborted(r, err); gone != nil {
			return gone
		}
		return newUserError(codeBadRequest, "BadRequestTitle", "VoteInvalidText")
	}
	subject, ok := s.voteSubject(r.PostForm)
	util := r.PostForm.Get("util")
	if !ok || (util != "si" && util != "no") {
		return newUserError(codeBadRequest, "BadRequestTitle", "VoteInvalidText")
	}
	src := analytics.ParseSource(r.PostForm.Get("origen"))
	comment := strings.TrimSpace(strings.ToValidUTF8(r.PostForm.Get("comentario"), ""))
	s.record(r, analytics.Event{
		Kind: analytics.KindVote, Source: src, Article: subject.Article,
		Findings: subject.findings(), Helpful: util == "si", Comment: clip(comment, analytics.MaxCommentLen/2),
	})
	q := url.Values{"util": {util}, "origen": {string(src)}}
	subject.addTo(q)
	http.Redirect(w, r, "/valorar/gracias?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// handleVoteThanks handles "GET /valorar/gracias": thanks, and when the
// answer was no, the way to the provider's support.
func (s *Server) handleVoteThanks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	subject, ok := s.voteSubject(q)
	if !ok {
		return errNotFound
	}
	v := web.ThanksView{Helpful: q.Get("util") == "si", SupportLink: supportLink(subject, analytics.ParseSource(q.Get("origen")))}
	if subject.Article != "" {
		v.Article, _ = s.kb.Article(subject.Article)
	}
	s.render(w, r, http.StatusOK, web.ThanksPage(s.noIndexPage(r, locales.T(r.Context(), "TitleThanks")), v))
	return nil
}

// handleSupport handles "GET /soporte": "Sigo necesitando ayuda". It
// counts the click and sends the visitor to the provider's ticket form
// with the article or the diagnosed reason, never the pasted text, so the
// agent starts with context.
func (s *Server) handleSupport(w http.ResponseWriter, r *http.Request) error {
	subject, ok := s.voteSubject(r.URL.Query())
	if !ok {
		subject = voteSubject{}
	}
	s.record(r, analytics.Event{
		Kind: analytics.KindTicket, Source: s.visitSource(r), Article: subject.Article, Findings: subject.findings(),
	})
	target, err := url.Parse(s.kb.Policy().SupportURL)
	if err != nil || (target.Scheme != "https" && target.Scheme != "http") {
		return errUnavailable
	}
	q := target.Query()
	subject.addTo(q)
	target.RawQuery = q.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
	return nil
}

// voteSubject is what a vote or a support click is about: an article, or
// a diagnosis by its reason.
type voteSubject struct {
	Article string
	Reason  string
}

// voteSubject reads articulo or motivo, accepting only existing articles
// and well-formed reasons.
func (s *Server) voteSubject(v url.Values) (voteSubject, bool) {
	if slug := v.Get("articulo"); slug != "" {
		a, ok := s.kb.Article(slug)
		if !ok {
			return voteSubject{}, false
		}
		return voteSubject{Article: a.Slug, Reason: a.Reason}, true
	}
	if reason := v.Get("motivo"); reasonRe.MatchString(reason) {
		return voteSubject{Reason: reason}, true
	}
	return voteSubject{}, false
}

func (v voteSubject) findings() []analytics.Finding {
	if v.Reason == "" {
		return nil
	}
	return []analytics.Finding{{Reason: v.Reason, Article: v.Article}}
}

func (v voteSubject) addTo(q url.Values) {
	if v.Article != "" {
		q.Set("articulo", v.Article)
	} else if v.Reason != "" {
		q.Set("motivo", v.Reason)
	}
}

// supportLink is the "Sigo necesitando ayuda" link for a subject.
func supportLink(v voteSubject, src analytics.Source) string {
	q := url.Values{}
	v.addTo(q)
	if src != analytics.SourceDirect {
		q.Set("origen", string(src))
	}
	if len(q) == 0 {
		return "/soporte"
	}
	return "/soporte?" + q.Encode()
}
