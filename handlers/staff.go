package handlers

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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
			s.serveError(w, r, err)
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
		if token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); found {
			err = staff.ErrBadToken
			if s.staff != nil {
				name, err = s.staff.APIToken(r.Context(), strings.TrimSpace(token))
			}
		} else {
			name, err = s.sessionStaff(r)
		}
		if errors.Is(err, staff.ErrBadToken) || errors.Is(err, staff.ErrNoSession) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rebote"`)
			err = errUnauthorized
		}
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), staffKey{}, name)))
	})
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
// the routes; a failure says only that the name or password is wrong, and
// a database that fails is a 500, never a wrong password.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return newUserError(codeBadRequest, "BadRequestTitle", "BadEncodingText")
	}
	name := strings.TrimSpace(r.PostForm.Get("nombre"))
	next := localStaffPath(r.PostForm.Get("siguiente"))
	if s.staff == nil {
		return errUnavailable
	}
	token, err := s.staff.SignIn(r.Context(), name, r.PostForm.Get("clave"))
	if errors.Is(err, staff.ErrBadCredentials) {
		v := web.SignInView{Name: clip(name, 64), Next: next, Error: "StaffSignInFailed"}
		s.render(w, r, http.StatusUnauthorized, web.SignInPage(s.noIndexPage(r, locales.T(r.Context(), "StaffSignInTitle")), v))
		return nil
	}
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
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
// TLS, or the configured public URL is https (behind a proxy).
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.PublicURL, "https://")
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
		return err
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

// handleDashboardCSV handles "GET /staff/csv/{table}": each dashboard table
// as CSV for spreadsheets.
func (s *Server) handleDashboardCSV(w http.ResponseWriter, r *http.Request) error {
	f, days, err := period(r.URL.Query(), time.Now())
	if err != nil {
		return newUserError(codeBadRequest, "BadRequestTitle", "PeriodInvalidText")
	}
	table := r.PathValue("table")
	v, err := s.dashboard(r.Context(), f, days)
	if err != nil {
		return err
	}
	var records [][]string
	switch table {
	case "errores":
		records = append(records, []string{"reason", "article", "count", "previous_period"})
		for _, e := range v.TopErrors {
			records = append(records, []string{e.Reason, e.Article, itoa(e.Count), itoa(e.Previous)})
		}
	case "busquedas-fallidas":
		records = countRecords("query", v.Failed)
	case "no-clasificados":
		records = countRecords("line", v.Unread)
	case "soporte":
		records = countRecords("subject", v.Tickets)
	case "valoraciones":
		records = append(records, []string{"subject", "yes", "no"})
		for _, f := range v.Feedback {
			records = append(records, []string{f.Subject, itoa(f.Yes), itoa(f.No)})
		}
	case "comentarios":
		records = append(records, []string{"day", "subject", "helpful", "comment"})
		for _, c := range v.Comments {
			records = append(records, []string{c.Day, c.Subject, strconv.FormatBool(c.Helpful), c.Text})
		}
	default:
		return errNotFound
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="rebote-`+table+`-`+v.From+`-`+v.To+`.csv"`)
	cw := csv.NewWriter(w)
	for _, rec := range records {
		for i, field := range rec {
			rec[i] = csvSafe(field)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func countRecords(key string, rows []web.CountRow) [][]string {
	out := [][]string{{key, "count"}}
	for _, r := range rows {
		out = append(out, []string{r.Key, itoa(r.Count)})
	}
	return out
}

// csvSafe defuses fields a spreadsheet would run as a formula: searches
// and comments are typed by anyone.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
