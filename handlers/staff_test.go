package handlers_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/staff"
)

func newStaffServer(t *testing.T) (*httptest.Server, testDB) { return newServerWithDB(t) }

// readCSV parses a CSV download: UTF-8 with a byte order mark, fields
// separated by sep.
func readCSV(t *testing.T, body string, sep rune) [][]string {
	t.Helper()
	text, ok := strings.CutPrefix(body, "\uFEFF")
	if !ok {
		t.Errorf("CSV does not start with a UTF-8 byte order mark: %q", body[:min(len(body), 20)])
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return records
}

// staffClient is a browser-like client with its own cookies that does not
// follow redirects, so tests see them.
func staffClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func signIn(t *testing.T, c *http.Client, base, name, password string) *http.Response {
	t.Helper()
	res, err := c.PostForm(base+"/staff/entrar", url.Values{"nombre": {name}, "clave": {password}, "siguiente": {"/staff?dias=7"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func getWith(t *testing.T, c *http.Client, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func TestStaffPagesNeedASession(t *testing.T) {
	ts, _ := newStaffServer(t)
	c := staffClient(t)
	for _, p := range []string{"/staff", "/staff/csv/errores"} {
		res, _ := getWith(t, c, ts.URL+p)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/entrar") {
			t.Errorf("GET %s without a session: %d %s, want a redirect to sign in", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	// A forged cookie is no session.
	u, _ := url.Parse(ts.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "rebote_staff", Value: "forged-value"}})
	if res, _ := getWith(t, c, ts.URL+"/staff"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("forged cookie: status %d, want a redirect to sign in", res.StatusCode)
	}
	for _, h := range [][]string{nil, {"Authorization", "Bearer rbt_forged"}, {"Authorization", "Basic YW5hOng="}} {
		res, body := getWith(t, c, ts.URL+"/api/v1/stats/top-errors", h...)
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"code":"unauthorized"`) {
			t.Errorf("stats API with %v: %d %s", h, res.StatusCode, body)
		}
	}
}

func TestStaffSignInDashboardAndSignOut(t *testing.T) {
	ts, d := newStaffServer(t)
	ctx := context.Background()
	accounts := staff.New(d.db)
	if err := accounts.Add(ctx, "ana", "una clave bastante larga"); err != nil {
		t.Fatal(err)
	}
	// Some traffic to show: two diagnoses and a failed search.
	for range 2 {
		postForm(t, ts, "/diagnostico", url.Values{"texto": {"550 5.1.1 <pepe@example.com>: Recipient address rejected: User unknown"}, "origen": {"ticket"}})
	}
	get(t, ts, "/buscar?q=zzqx+qwvv")
	get(t, ts, "/buscar?q="+url.QueryEscape("=HYPERLINK(\"x\")"))
	d.flush(t)

	c := staffClient(t)
	if res := signIn(t, c, ts.URL, "ana", "contraseña equivocada"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d, want 401", res.StatusCode)
	}
	res := signIn(t, c, ts.URL, "ana", "una clave bastante larga")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff?dias=7" {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "rebote_staff" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v: want HttpOnly and SameSite=Strict", cookie)
	}

	res, body := getWith(t, c, ts.URL+"/staff?dias=7&origen=ticket")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", res.StatusCode)
	}
	for _, want := range []string{"ana", "direccion-no-existe", "La dirección del destinatario no existe", "<svg"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard from the ticket form lacks %q", want)
		}
	}
	res, body = getWith(t, c, ts.URL+"/staff?dias=30&origen=all")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard, 30 days: %d", res.StatusCode)
	}
	if !strings.Contains(body, "zzqx qwvv") {
		t.Errorf("dashboard lacks the failed search")
	}
	if res, _ := getWith(t, c, ts.URL+"/staff?dias=abc"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("invalid period: %d, want 400", res.StatusCode)
	}

	// Every table downloads as CSV; a search that looks like a formula is
	// defused.
	res, body = getWith(t, c, ts.URL+"/staff/csv/busquedas-fallidas?dias=30&origen=all")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	records := readCSV(t, body, ';')
	if len(records) < 3 || records[0][0] != "Búsqueda" {
		t.Fatalf("CSV records %v", records)
	}
	for _, rec := range records {
		if strings.HasPrefix(rec[0], "=") {
			t.Errorf("CSV field %q would run as a formula", rec[0])
		}
	}
	for _, table := range []string{"errores", "no-clasificados", "valoraciones", "comentarios", "soporte"} {
		if res, _ := getWith(t, c, ts.URL+"/staff/csv/"+table); res.StatusCode != http.StatusOK {
			t.Errorf("CSV %s: %d", table, res.StatusCode)
		}
	}

	// The stats API with a bearer token.
	_, token, err := accounts.NewAPIToken(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	res, body = getWith(t, http.DefaultClient, ts.URL+"/api/v1/stats/top-errors?days=7&source=ticket", "Authorization", "Bearer "+token)
	var top struct {
		Items []struct {
			Reason, Article string
			Count           int
		}
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &top) != nil || len(top.Items) != 1 ||
		top.Items[0].Reason != "userunknown" || top.Items[0].Count != 2 {
		t.Errorf("top-errors: %d %s", res.StatusCode, body)
	}
	res, body = getWith(t, http.DefaultClient, ts.URL+"/api/v1/stats/failed-searches?days=7", "Authorization", "Bearer "+token)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"query":"zzqx qwvv","count":1`) {
		t.Errorf("failed-searches: %d %s", res.StatusCode, body)
	}
	for _, p := range []string{"unclassified", "feedback"} {
		if res, body := getWith(t, http.DefaultClient, ts.URL+"/api/v1/stats/"+p, "Authorization", "Bearer "+token); res.StatusCode != http.StatusOK || !strings.Contains(body, `"items"`) {
			t.Errorf("%s: %d %s", p, res.StatusCode, body)
		}
	}
	if res, body := getWith(t, http.DefaultClient, ts.URL+"/api/v1/stats/top-errors?days=0", "Authorization", "Bearer "+token); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"code":"bad_request"`) {
		t.Errorf("days=0: %d %s, want 400", res.StatusCode, body)
	}
	if res, body := getWith(t, http.DefaultClient, ts.URL+"/api/v1/stats/nope", "Authorization", "Bearer "+token); res.StatusCode != http.StatusNotFound || !strings.Contains(body, `"code":"not_found"`) {
		t.Errorf("unknown statistic: %d %s, want a JSON 404", res.StatusCode, body)
	}

	// Signing out ends the session for good, even for a copied cookie.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/staff/salir", nil)
	if res, err := c.Do(req); err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %v %v", res, err)
	}
	stolen := staffClient(t)
	u, _ := url.Parse(ts.URL)
	stolen.Jar.SetCookies(u, []*http.Cookie{{Name: "rebote_staff", Value: cookie.Value}})
	if res, _ := getWith(t, stolen, ts.URL+"/staff"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("old session cookie after sign-out: %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	ts, _ := newStaffServer(t)
	c := staffClient(t)
	limited := false
	for i := 0; i < 15; i++ {
		if res := signIn(t, c, ts.URL, "ana", "mal"); res.StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("15 sign-in attempts in a row were never refused")
	}
}

// The home page's most consulted errors follow what customers consult:
// diagnoses and articles opened from a search, from several clients.
func TestHomePopularFollowsTraffic(t *testing.T) {
	ts, d := newServerWithConfig(t, handlers.Config{PopularRefresh: 20 * time.Millisecond, RateLimit: 60, BehindProxy: true})
	const slug = "bucle-de-correo" // not in the editors' list
	for i := range 3 {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/errores/"+slug+"?origen=buscar&q=bucle", nil)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
		do(t, req)
	}
	d.flush(t)
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		res := get(t, ts, "/")
		if strings.Contains(res.body, `href="/errores/`+slug+`"`) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("home page never listed %s among the most consulted", slug)
}
