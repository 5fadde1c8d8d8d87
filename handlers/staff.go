package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/staff"
	"github.com/servinetwork/rebote/store"
	"github.com/servinetwork/rebote/web"
)

// StaffAccounts is what the staff pages need from package staff: sessions
// for people, bearer tokens for scripts. A verdict on the credentials is
// staff.ErrBadCredentials (SignIn), staff.ErrNoSession (Session) or
// staff.ErrBadToken (APIToken); any other error is a failure to check,
// answered as a server error.
type StaffAccounts interface {
	SignIn(ctx context.Context, name, password string) (token string, err error)
	Session(ctx context.Context, token string) (name string, err error)
	SignOut(ctx context.Context, token string) error
	APIToken(ctx context.Context, token string) (name string, err error)
}

// signInsPerMinute is how many sign-in attempts one client may make a
// minute.
const signInsPerMinute = 10

// sessionCookie holds a staff session token. It is HttpOnly and
// SameSite=Strict, and Secure when the site is served over TLS.
const sessionCookie = "rebote_staff"

type staffKey struct{}

// staffName returns the signed-in staff member of a request.
func staffName(ctx context.Context) string {
	name, _ := ctx.Value(staffKey{}).(string)
	return name
}

// requireStaff lets through only requests with a valid staff session;
// pages send others to the sign-in form. A session that cannot be checked
// is a server failure, not a reason to sign in again.
func (s *Server) requireStaff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		name, err := s.sessionStaff(r)
		if errors.Is(err, staff.ErrNoSession) {
			http.Redirect(w, r, "/staff/entrar?siguiente="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if err != nil {
			s.serveError(w, r, storeFailure(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), staffKey{}, name)))
	})
}

// requireStaffAPI lets through requests with a valid API token
// (Authorization: Bearer) or staff session; others get a JSON 401, and a
// token or session that cannot be checked a 500.
func (s *Server) requireStaffAPI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		var name string
		var err error
		if token, found := bearerToken(r); found {
			err = staff.ErrBadToken
			if s.staff != nil {
				name, err = s.staff.APIToken(r.Context(), token)
			}
		} else {
			name, err = s.sessionStaff(r)
		}
		if errors.Is(err, staff.ErrBadToken) || errors.Is(err, staff.ErrNoSession) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rebote"`)
			err = errUnauthorized
		}
		if err != nil {
			s.serveError(w, r, storeFailure(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), staffKey{}, name)))
	})
}

// bearerToken reads "Authorization: Bearer TOKEN"; the scheme is
// case-insensitive (RFC 9110), so "bearer" works too.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// storeFailure answers 503 for a database that cannot be written or is
// damaged (an operator must act; the client can only wait), and leaves any
// other error as it is.
func storeFailure(err error) error {
	if errors.Is(err, store.ErrUnwritable) || errors.Is(err, store.ErrCorrupt) || errors.Is(err, store.ErrFileGone) {
		return unavailable(err)
	}
	return err
}

// sessionStaff returns the staff member signed in on a request, or
// staff.ErrNoSession; any other error is a failure to check.
func (s *Server) sessionStaff(r *http.Request) (string, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || s.staff == nil {
		return "", staff.ErrNoSession
	}
	return s.staff.Session(r.Context(), c.Value)
}

// handleSignInForm handles "GET /staff/entrar".
func (s *Server) handleSignInForm(w http.ResponseWriter, r *http.Request) error {
	_, err := s.sessionStaff(r)
	if err == nil {
		http.Redirect(w, r, "/staff", http.StatusSeeOther)
		return nil
	}
	if !errors.Is(err, staff.ErrNoSession) {
		return err
	}
	v := web.SignInView{Next: localStaffPath(r.URL.Query().Get("siguiente"))}
	p := s.noIndexPage(r, locales.T(r.Context(), "StaffSignInTitle"))
	p.Description = locales.T(r.Context(), "DescStaffSignIn")
	s.render(w, r, http.StatusOK, web.SignInPage(p, v))
	return nil
}

// handleSignIn handles "POST /staff/entrar". Attempts are rate-limited in
// the routes; a failure says only that the name or password is wrong. Too
// many password checks at once (each holds 19 MiB) is a 503 to try again
// in a moment; a database that cannot be written or is damaged a 503 and
// any other failure a 500, logged, never a wrong password.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		if gone := readAborted(r, err); gone != nil {
			return gone
		}
		return newUserError(codeBadRequest, "BadRequestTitle", "BadEncodingText")
	}
	name := strings.TrimSpace(r.PostForm.Get("nombre"))
	next := localStaffPath(r.PostForm.Get("siguiente"))
	if s.staff == nil {
		return errUnavailable
	}
	token, err := s.staff.SignIn(r.Context(), name, r.PostForm.Get("clave"))
	switch {
	case errors.Is(err, staff.ErrBadCredentials):
		v := web.SignInView{Name: clip(name, 64), Next: next, Error: "StaffSignInFailed"}
		s.render(w, r, http.StatusUnauthorized, web.SignInPage(s.noIndexPage(r, locales.T(r.Context(), "StaffSignInTitle")), v))
		return nil
	case errors.Is(err, staff.ErrBusy):
		return errSignInBusy
	case err != nil:
		return storeFailure(fmt.Errorf("sign in: %w", err))
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: int(staff.SessionLifetime / time.Second),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// handleSignOut handles "POST /staff/salir".
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && s.staff != nil {
		if err := s.staff.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/staff/entrar", http.StatusSeeOther)
	return nil
}

// secure reports whether cookies must be Secure: the request came over
// TLS, or the configured public URL is https or HSTS is on (TLS ends at a
// proxy in front).
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.PublicURL, "https://") || s.cfg.HSTS
}

// localStaffPath keeps a post-sign-in destination only when it is a path
// of the dashboard, so the form cannot be used to redirect elsewhere.
func localStaffPath(p string) string {
	if (p == "/staff" || strings.HasPrefix(p, "/staff?") || strings.HasPrefix(p, "/staff/")) && !strings.ContainsAny(p, "\\\r\n") {
		return p
	}
	return "/staff"
}

// periodError says why a period cannot be shown: its message ID.
type periodError string

func (e periodError) Error() string { return "period: " + string(e) }

// period reads the dashboard's period and source: dias=7|30|90, or dias=0
// with desde/hasta (YYYY-MM-DD); origen=ticket|direct|all.
func period(q url.Values, now time.Time) (store.Filter, int, error) {
	source := q.Get("origen")
	switch source {
	case "ticket", "direct", "all":
	case "":
		source = "all"
	default:
		return store.Filter{}, 0, periodError("PeriodInvalidText")
	}
	days := 30
	if d := q.Get("dias"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 3660 {
			return store.Filter{}, 0, periodError("PeriodInvalidText")
		}
		days = n
	}
	if days > 0 {
		return store.LastDays(now, days, source), days, nil
	}
	if q.Get("desde") == "" || q.Get("hasta") == "" {
		return store.Filter{}, 0, periodError("PeriodMissingDates")
	}
	from, err1 := time.Parse(time.DateOnly, q.Get("desde"))
	to, err2 := time.Parse(time.DateOnly, q.Get("hasta"))
	switch {
	case err1 != nil || err2 != nil:
		return store.Filter{}, 0, periodError("PeriodInvalidText")
	case to.Before(from):
		return store.Filter{}, 0, periodError("PeriodReversed")
	case to.Sub(from) > 3660*24*time.Hour:
		return store.Filter{}, 0, periodError("PeriodTooLong")
	}
	return store.Filter{From: from, To: to, Source: source}, 0, nil
}

// dashboardLimit is how many rows each dashboard table shows.
const dashboardLimit = 25

// handleDashboard handles "GET /staff". A period that cannot be shown
// (an empty date, a start after the end) keeps the staff member on the
// dashboard: the last 30 days, with the reason beside the dates (400).
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	now := time.Now()
	status := http.StatusOK
	f, days, err := period(q, now)
	var perr periodError
	if errors.As(err, &perr) {
		status = http.StatusBadRequest
		source := q.Get("origen")
		if source != "ticket" && source != "direct" {
			source = "all"
		}
		f, days = store.LastDays(now, 30, source), 30
	} else if err != nil {
		return err
	}
	v, err := s.dashboard(ctx, f, days)
	if err != nil {
		return storeFailure(err)
	}
	v.Staff = staffName(ctx)
	if perr != "" {
		v.PeriodError = locales.T(ctx, string(perr))
		v.FromInput, v.ToInput = clip(q.Get("desde"), 10), clip(q.Get("hasta"), 10)
	}
	s.render(w, r, status, web.DashboardPage(s.noIndexPage(r, locales.T(ctx, "DashboardTitle")), v))
	return nil
}

func (s *Server) dashboard(ctx context.Context, f store.Filter, days int) (web.DashboardView, error) {
	v := web.DashboardView{
		Days: days, From: f.From.Format(time.DateOnly), To: f.To.Format(time.DateOnly), Source: f.Source,
		Limit:     dashboardLimit,
		EndsToday: f.To.UTC().Format(time.DateOnly) == time.Now().UTC().Format(time.DateOnly),
	}
	v.FromInput, v.ToInput = v.From, v.To
	q := url.Values{"dias": {strconv.Itoa(days)}, "origen": {f.Source}}
	if days == 0 {
		q.Set("desde", v.From)
		q.Set("hasta", v.To)
	}
	v.Query = q.Encode()

	if s.stats == nil {
		return v, errUnavailable
	}
	d, err := s.stats.Dashboard(ctx, f, dashboardLimit)
	if err != nil {
		return v, err
	}
	v.Totals, v.Previous = totalsView(d.Totals), totalsView(d.Previous)
	v.Deflection = web.Share{Part: d.FromTicket.VotesYes, Whole: d.FromTicket.VotesYes + d.FromTicket.VotesNo}
	// The store draws trends for the first rows only; the rest are read
	// here, once per reason, so every row has its line.
	trends := make(map[string][]store.DayCount)
	for _, e := range d.TopErrors {
		if len(e.Trend) > 0 {
			trends[e.Reason] = e.Trend
		}
	}
	for _, e := range d.TopErrors {
		if _, ok := trends[e.Reason]; !ok {
			if trends[e.Reason], err = s.stats.ErrorTrend(ctx, f, e.Reason); err != nil {
				return v, err
			}
		}
	}
	for _, e := range d.TopErrors {
		row := web.ErrorRow{Reason: e.Reason, Article: e.Article, Count: e.Count, Previous: e.Previous}
		if a, ok := s.kb.Article(e.Article); ok {
			row.Title, row.Linked = a.Title, true
		} else {
			row.Title = reasonLabel(ctx, e.Reason)
		}
		for _, day := range trends[e.Reason] {
			row.Trend = append(row.Trend, day.Count)
			v.TrendPeak = max(v.TrendPeak, day.Count)
		}
		v.TopErrors = append(v.TopErrors, row)
	}
	v.Failed = countRows(d.FailedSearches)
	v.Unread = countRows(d.Unclassified)
	v.Tickets = countRows(d.TicketClicks)
	for i, r := range v.Tickets {
		v.Tickets[i].Title = s.subjectTitle(ctx, r.Key)
	}
	for _, vt := range d.Feedback {
		v.Feedback = append(v.Feedback, web.VoteRow{Subject: vt.Subject, Title: s.subjectTitle(ctx, vt.Subject), Yes: vt.Yes, No: vt.No})
	}
	for _, c := range d.Comments {
		v.Comments = append(v.Comments, web.CommentRow{Day: c.At.Format(time.DateOnly), Subject: c.Subject,
			Title: s.subjectTitle(ctx, c.Subject), Helpful: c.Helpful, Text: c.Text})
	}
	return v, nil
}

func totalsView(t store.Totals) web.Totals {
	return web.Totals{
		Views: t.Views, Searches: t.Searches, FailedSearches: t.FailedSearches, Diagnoses: t.Diagnoses,
		Bounces: t.Bounces, Unread: t.Unclassified, Tickets: t.TicketClicks,
		Helpful: web.Share{Part: t.VotesYes, Whole: t.VotesYes + t.VotesNo},
	}
}

func countRows(rows []store.KeyCount) []web.CountRow {
	out := make([]web.CountRow, len(rows))
	for i, r := range rows {
		out[i] = web.CountRow{Key: r.Key, Count: r.Count}
	}
	return out
}

// title is an article's title, or its slug when it is no longer published
// (the CSV keeps what staff can look up).
func (s *Server) title(slug string) string {
	if a, ok := s.kb.Article(slug); ok {
		return a.Title
	}
	return slug
}

// subjectTitle names a vote's or a ticket click's subject for people: an
// article's title, or "Diagnóstico: " and the reason in plain words. The
// keys themselves (slugs, "diagnostico:mailboxfull") stay in the CSV and
// the API.
func (s *Server) subjectTitle(ctx context.Context, subject string) string {
	if reason, ok := strings.CutPrefix(subject, "diagnostico:"); ok {
		return locales.T(ctx, "DiagnosisSubject", "Reason", reasonLabel(ctx, reason))
	}
	if a, ok := s.kb.Article(subject); ok {
		return a.Title
	}
	return locales.T(ctx, "ArticleGone")
}

// reasonLabel names a diagnosed reason (or a kind of paste that is not a
// bounce) in the visitor's language, never by its internal name.
func reasonLabel(ctx context.Context, reason string) string {
	id := "Reason_" + reason
	if label := locales.T(ctx, id); label != id {
		return label
	}
	return locales.T(ctx, "ReasonOther")
}

// handleDashboardCSV handles "GET /staff/csv/{table}": a dashboard table
// as CSV for spreadsheets, with every row (the page shows the first
// dashboardLimit). It is written for Spanish offices: Spanish column
// headers, article titles beside the keys, "sí"/"no", UTF-8 with a byte
// order mark (so Excel reads the accents), and ";" between fields, the
// list separator of Spanish Excel; separador=coma gives ",". Every field
// is quoted and defused (csvField), whichever separator reads it.
func (s *Server) handleDashboardCSV(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, _, err := period(q, time.Now())
	if err != nil {
		return newUserError(codeBadRequest, "BadRequestTitle", "PeriodInvalidText")
	}
	sep := ";"
	switch q.Get("separador") {
	case "", "puntoycoma":
	case "coma":
		sep = ","
	default:
		return newUserError(codeBadRequest, "BadRequestTitle", "CSVSeparatorText")
	}
	table := r.PathValue("table")
	if !csvTables[table] {
		return errNotFound
	}
	if s.stats == nil {
		return errUnavailable
	}
	records, err := s.csvRecords(r.Context(), table, f)
	if err != nil {
		return storeFailure(err)
	}
	from, to := f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8; header=present")
	w.Header().Set("Content-Disposition", `attachment; filename="rebote-`+table+`-`+from+`-`+to+`.csv"`)
	var b strings.Builder
	b.WriteString("\uFEFF") // UTF-8 byte order mark: Excel then reads UTF-8
	for _, rec := range records {
		for i, field := range rec {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(csvField(field))
		}
		b.WriteString("\r\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// csvTables are the tables /staff/csv/ serves.
var csvTables = map[string]bool{
	"errores": true, "busquedas-fallidas": true, "no-clasificados": true, "soporte": true, "valoraciones": true, "comentarios": true,
}

// csvRecords returns every row of a dashboard table over f, with its
// header first.
func (s *Server) csvRecords(ctx context.Context, table string, f store.Filter) ([][]string, error) {
	counts := func(rows []store.KeyCount, header ...string) [][]string {
		out := [][]string{header}
		for _, r := range rows {
			if len(header) == 3 { // subject, title, count
				out = append(out, []string{r.Key, s.subjectTitle(ctx, r.Key), itoa(r.Count)})
			} else {
				out = append(out, []string{r.Key, itoa(r.Count)})
			}
		}
		return out
	}
	switch table {
	case "errores":
		rows, err := s.stats.TopErrorsCompared(ctx, f, store.NoLimit)
		if err != nil {
			return nil, err
		}
		out := [][]string{{"Motivo", "Artículo", "Título", "Veces", "Periodo anterior"}}
		for _, e := range rows {
			title := ""
			if e.Article != "" {
				title = s.title(e.Article)
			}
			out = append(out, []string{e.Reason, e.Article, title, itoa(e.Count), itoa(e.Previous)})
		}
		return out, nil
	case "busquedas-fallidas":
		rows, err := s.stats.FailedSearches(ctx, f, store.NoLimit)
		return counts(rows, "Búsqueda", "Veces"), err
	case "no-clasificados":
		rows, err := s.stats.Unclassified(ctx, f, store.NoLimit)
		return counts(rows, "Línea (datos tachados)", "Veces"), err
	case "soporte":
		rows, err := s.stats.TicketClicks(ctx, f, store.NoLimit)
		return counts(rows, "Asunto", "Título", "Clics"), err
	case "valoraciones":
		rows, err := s.stats.Feedback(ctx, f, store.NoLimit)
		if err != nil {
			return nil, err
		}
		out := [][]string{{"Asunto", "Título", "Sí", "No"}}
		for _, v := range rows {
			out = append(out, []string{v.Subject, s.subjectTitle(ctx, v.Subject), itoa(v.Yes), itoa(v.No)})
		}
		return out, nil
	default: // comentarios
		rows, err := s.stats.Comments(ctx, f, store.NoLimit)
		if err != nil {
			return nil, err
		}
		out := [][]string{{"Día", "Asunto", "Título", "¿Le ayudó?", "Comentario"}}
		for _, c := range rows {
			helped := "no"
			if c.Helpful {
				helped = "sí"
			}
			out = append(out, []string{c.At.Format(time.DateOnly), c.Subject, s.subjectTitle(ctx, c.Subject), helped, c.Text})
		}
		return out, nil
	}
}

// csvField makes a field safe to open in a spreadsheet, whichever
// separator reads the file (";" in Spanish Excel, "," elsewhere, or the
// wrong one of the two): searches and comments are typed by anyone.
// Invalid UTF-8 is replaced, and control characters (NUL, ESC, CR, LF,
// tab, C1, line separators, bidirectional overrides) become spaces, so
// none reaches the file raw. Every field is quoted. And wherever a cell
// could begin for some reader (the field's start, or just after a ";" or
// "," inside it, for a reader using the other separator) and the next
// visible character could start a formula (= + - @ or their full-width
// forms), an apostrophe goes in first, which spreadsheets read as "this is
// text".
func csvField(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' ||
			'\u202a' <= r && r <= '\u202e' || '\u2066' <= r && r <= '\u2069' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s) + 3)
	b.WriteByte('"')
	for len(s) > 0 {
		seg, rest := s, ""
		if i := strings.IndexAny(s, ";,"); i >= 0 {
			seg, rest = s[:i+1], s[i+1:]
		}
		if first, _ := utf8.DecodeRuneInString(strings.TrimLeft(seg, " \"\u00a0\u3000")); strings.ContainsRune("=+-@＝＋－＠", first) {
			b.WriteByte('\'')
		}
		b.WriteString(strings.ReplaceAll(seg, `"`, `""`))
		s = rest
	}
	b.WriteByte('"')
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
