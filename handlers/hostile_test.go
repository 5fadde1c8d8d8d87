package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/servinetwork/rebote/staff"
)

const evil = `"><script>alert(1)</script><img src=x onerror=alert(2)>`

// inert fails the test when a page carries the hostile markup as markup.
func inert(t *testing.T, what string, res response) {
	t.Helper()
	if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, "<img src=x") {
		t.Errorf("%s: markup echoed unescaped (status %d)", what, res.status)
	}
	if res.doc != nil {
		for _, s := range find(res.doc, byTag("script")) {
			if attr(s, "src") == "" {
				t.Errorf("%s: inline script in page: %q", what, text(s))
			}
		}
	}
	if !utf8.ValidString(res.body) {
		t.Errorf("%s: answer is not valid UTF-8", what)
	}
}

// Hostile text in every field a visitor controls comes back inert, on the
// public pages, the JSON API and the staff dashboard alike.
func TestHostileFieldsAreInert(t *testing.T) {
	ts, d := newServerWithDB(t)
	ctx := context.Background()
	accounts := staff.New(d.db)
	if err := accounts.Add(ctx, "ana", "una clave bastante larga"); err != nil {
		t.Fatal(err)
	}
	q := url.QueryEscape(evil)
	for what, res := range map[string]response{
		"search":          get(t, ts, "/buscar?q="+q),
		"paste prefill":   get(t, ts, "/diagnostico?texto="+q+"&origen="+q),
		"paste":           postForm(t, ts, "/diagnostico", url.Values{"texto": {"550 5.1.1 <" + evil + "@example.com> " + evil}, "origen": {evil}}),
		"short link":      get(t, ts, "/e/"+url.PathEscape(evil)),
		"article":         get(t, ts, "/errores/"+url.PathEscape(evil)),
		"thanks":          get(t, ts, "/valorar/gracias?util=no&motivo=blocked&origen="+q),
		"sign-in":         postForm(t, ts, "/staff/entrar", url.Values{"nombre": {evil}, "clave": {"x"}, "siguiente": {evil}}),
		"sign-in form":    get(t, ts, "/staff/entrar?siguiente="+q),
		"suggest":         get(t, ts, "/api/v1/suggest?q="+q),
		"search API":      get(t, ts, "/api/v1/search?q="+q),
		"language":        get(t, ts, "/?lang="+q),
		"vote":            postForm(t, ts, "/valorar", url.Values{"articulo": {"buzon-lleno"}, "util": {"no"}, "comentario": {evil}, "origen": {evil}}),
		"vote bad reason": postForm(t, ts, "/valorar", url.Values{"motivo": {evil}, "util": {"no"}}),
	} {
		inert(t, what, res)
	}

	// The staff dashboard shows the visitors' comments and searches: inert too.
	get(t, ts, "/buscar?q="+url.QueryEscape("zz "+evil))
	d.flush(t)
	c := staffClient(t)
	signIn(t, c, ts.URL, "ana", "una clave bastante larga")
	res, body := getWith(t, c, ts.URL+"/staff?dias=7")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "&lt;script&gt;alert(1)") {
		t.Fatalf("dashboard: %d, or the hostile comment is not shown escaped", res.StatusCode)
	}
	inert(t, "dashboard", response{status: res.StatusCode, body: body})
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	ts := newServer(t)
	huge := strings.Repeat("550 5.1.1 User unknown\n", 50000) // 1.1 MiB
	for _, tt := range []struct {
		path, contentType, body string
		status                  int
	}{
		{"/diagnostico", "application/x-www-form-urlencoded", "texto=" + url.QueryEscape(huge), http.StatusRequestEntityTooLarge},
		{"/api/v1/classify", "text/plain", huge, http.StatusRequestEntityTooLarge},
		{"/valorar", "application/x-www-form-urlencoded", "articulo=buzon-lleno&util=si&comentario=" + strings.Repeat("a", 20000), http.StatusBadRequest},
		{"/staff/entrar", "application/x-www-form-urlencoded", "nombre=ana&clave=" + strings.Repeat("a", 20000), http.StatusBadRequest},
	} {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+tt.path, strings.NewReader(tt.body))
		req.Header.Set("Content-Type", tt.contentType)
		res := do(t, req)
		if res.status != tt.status {
			t.Errorf("POST %s with %d bytes: %d, want %d", tt.path, len(tt.body), res.status, tt.status)
		}
		if strings.HasPrefix(res.header.Get("Content-Type"), "text/html") && !strings.Contains(res.body, "lang=\"es\"") {
			t.Errorf("POST %s: refusal is not a Spanish page", tt.path)
		}
	}
}

func TestMalformedUTF8(t *testing.T) {
	ts := newServer(t)
	bad := "550 5.1.1 \xff\xfe\xc3\x28 usuario \xed\xa0\x80 desconocido"
	for what, res := range map[string]response{
		"search":  get(t, ts, "/buscar?q="+url.QueryEscape(bad)),
		"paste":   postForm(t, ts, "/diagnostico", url.Values{"texto": {bad}}),
		"suggest": get(t, ts, "/api/v1/suggest?q="+url.QueryEscape(bad)),
	} {
		if res.status >= 500 {
			t.Errorf("%s: status %d", what, res.status)
		}
		inert(t, what, res)
	}
}

func TestStaticFilesStayInside(t *testing.T) {
	ts := newServer(t)
	for _, p := range []string{"/static/../go.mod", "/static/%2e%2e/go.mod", "/static/..%2fgo.mod", "/static/", "/static/./../handlers/routes.go"} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+p, nil)
		req.URL.Opaque = p // send the path as written, not cleaned by the client
		res := do(t, req)
		if res.status == http.StatusOK || strings.Contains(res.body, "module github.com") || strings.Contains(res.body, "package handlers") {
			t.Errorf("GET %s: %d, leaks a file or a listing", p, res.status)
		}
	}
}

// Searches full of SQL syntax are just text: counted as searches, and the
// database is intact.
func TestSQLMetacharactersInSearches(t *testing.T) {
	ts, d := newServerWithDB(t)
	queries := []string{`'; DROP TABLE event; --`, `" OR 1=1 --`, `buzón'); DELETE FROM daily; --`, `%_\`}
	for _, q := range queries {
		if res := get(t, ts, "/buscar?q="+url.QueryEscape(q)); res.status != http.StatusOK {
			t.Errorf("search %q: %d", q, res.status)
		}
	}
	d.flush(t)
	n, err := d.db.CountEvents(context.Background(), "search")
	if err != nil || n != int64(len(queries)) {
		t.Errorf("%d searches stored (%v), want %d and the tables intact", n, err, len(queries))
	}
}
