package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/staff"
	"github.com/servinetwork/rebote/store"
)

// newServer starts the real router over the real knowledge base.
func newServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	ts, _ := newServerWithDB(tb)
	return ts
}

// testDB is a server's real SQLite analytics, for tests that check what
// was recorded.
type testDB struct {
	db  *store.DB
	rec *analytics.Recorder
}

// flush saves every queued event, as a shutdown would; later events are
// refused, so tests flush once, where they check.
func (d testDB) flush(tb testing.TB) {
	tb.Helper()
	if err := d.rec.Close(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// newServerWithDB starts the real router with analytics going to a fresh
// SQLite file.
func newServerWithDB(tb testing.TB) (*httptest.Server, testDB) {
	tb.Helper()
	return newServerWithConfig(tb, handlers.Config{})
}

// newServerWithConfig is newServerWithDB with a deployment configuration.
func newServerWithConfig(tb testing.TB, cfg handlers.Config) (*httptest.Server, testDB) {
	tb.Helper()
	return newServerWithLog(tb, cfg, io.Discard)
}

// newServerWithLog is newServerWithConfig logging to logOut.
func newServerWithLog(tb testing.TB, cfg handlers.Config, logOut io.Writer) (*httptest.Server, testDB) {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "rebote.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return serverOn(tb, db, cfg, logOut, nil)
}

// serverOn starts the real router over an open database, which it closes
// when the test ends; accounts nil means staff.New(db). setup, if any,
// adjusts the HTTP server before it starts.
func serverOn(tb testing.TB, db *store.DB, cfg handlers.Config, logOut io.Writer, accounts *staff.Accounts, setup ...func(*http.Server)) (*httptest.Server, testDB) {
	tb.Helper()
	log := slog.New(slog.NewTextHandler(logOut, nil))
	rec := analytics.NewRecorder(db, log, analytics.Options{})
	tb.Cleanup(func() {
		rec.Close(context.Background())
		db.Close()
	})
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		tb.Fatal(err)
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		tb.Fatal(err)
	}
	if accounts == nil {
		accounts = staff.New(db)
	}
	srv, err := handlers.New(handlers.Deps{KB: kb, Search: mustSearch(tb, kb), Bounces: mustReader(tb, kb), Bundle: bundle, Log: log, Events: rec, Stats: db, Staff: accounts}, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Routes())
	for _, f := range setup {
		f(ts.Config)
	}
	ts.Start()
	tb.Cleanup(ts.Close)
	runBackground(tb, srv)
	return ts, testDB{db: db, rec: rec}
}

// runBackground runs srv's background work, as serve does, until the test
// ends; it fails the test if Run outlives its context.
func runBackground(tb testing.TB, srv *handlers.Server) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Run(ctx)
	}()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			tb.Error("Server.Run still running 5 s after its context ended")
		}
	})
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type response struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

func do(tb testing.TB, req *http.Request) response {
	tb.Helper()
	res, err := noRedirects.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if r.doc, err = html.Parse(strings.NewReader(r.body)); err != nil {
			tb.Fatal(err)
		}
	}
	return r
}

func get(tb testing.TB, ts *httptest.Server, path string) response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return do(tb, req)
}

func postForm(tb testing.TB, ts *httptest.Server, path string, form url.Values) response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(tb, req)
}

// find returns the elements for which match is true.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func byTestID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "data-testid") == id }
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// resultSlugs returns the article slugs of a results list, in order.
func resultSlugs(doc *html.Node) []string {
	var slugs []string
	for _, list := range find(doc, byTestID("results")) {
		for _, a := range find(list, byTag("a")) {
			if s := attr(a, "data-slug"); s != "" {
				slugs = append(slugs, s)
			}
		}
	}
	return slugs
}

func TestPages(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		name, path string
		wantStatus int
		want       []string // texts the page must contain
	}{
		{"home", "/", 200, []string{"¿Por qué ha rebotado tu correo?", "Pega aquí el mensaje de error", "Errores más consultados", "La dirección del destinatario"}},
		{"index", "/errores", 200, []string{"Todos los errores de entrega de correo", "Por código", "5.7.26", "El buzón del destinatario está lleno"}},
		{"article", "/errores/buzon-lleno", 200, []string{"El buzón del destinatario está lleno", "Qué puedes hacer", "Si administras el dominio o el servidor", "El destinatario", "552 5.2.2"}},
		{"article shows policy", "/errores/limite-de-envio-por-hora", 200, []string{"300", "ServiNetwork"}},
		{"missing article", "/errores/no-existe-esto", 404, []string{"No encontramos esta página", "Errores más consultados"}},
		{"unknown route", "/wp-admin.php", 404, []string{"No encontramos esta página"}},
		{"unknown code", "/e/hola", 404, []string{"No reconocemos «hola» como un código"}},
		{"search", "/buscar?q=buzon+lleno", 200, []string{"El buzón del destinatario está lleno"}},
		{"search nothing", "/buscar?q=precio+dominio+.es", 200, []string{"No hemos encontrado nada para «precio dominio .es»", "Pega aquí el mensaje de error", "Errores más consultados"}},
		{"search empty", "/buscar", 200, []string{"Buscar un error"}},
		{"privacy", "/privacidad", 200, []string{"No guardamos el texto que pegas"}},
		{"diagnosis form prefilled", "/diagnostico?texto=452+Too+many+recipients", 200, []string{"452 Too many recipients", "Pega aquí el mensaje de error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, ts, tt.path)
			if res.status != tt.wantStatus {
				t.Fatalf("GET %s = %d, want %d", tt.path, res.status, tt.wantStatus)
			}
			page := text(res.doc)
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("GET %s: page lacks %q", tt.path, w)
				}
			}
			if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q", ct)
			}
			if res.header.Get("Content-Security-Policy") == "" || res.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("security headers missing: %v", res.header)
			}
		})
	}
}

func TestEveryArticlePageRenders(t *testing.T) {
	ts := newServer(t)
	kb, _ := knowledge.Load(knowledge.DefaultPolicy())
	for _, a := range kb.Articles() {
		res := get(t, ts, "/errores/"+a.Slug)
		if res.status != 200 {
			t.Errorf("/errores/%s = %d", a.Slug, res.status)
			continue
		}
		h1 := find(res.doc, byTag("h1"))
		if len(h1) != 1 || text(h1[0]) != a.Title {
			t.Errorf("/errores/%s: h1 is not the title %q", a.Slug, a.Title)
		}
		if strings.Contains(res.body, "{{") {
			t.Errorf("/errores/%s: unfilled placeholder", a.Slug)
		}
	}
}

func TestShortLinks(t *testing.T) {
	ts := newServer(t)
	// The code travels to the article, which says from it whether the
	// message will be retried.
	tests := []struct{ path, want string }{
		{"/e/550", "/errores/direccion-no-existe?codigo=550"},
		{"/e/5.7.1", "/errores/entrega-no-autorizada?codigo=5.7.1"},
		{"/e/550-5.7.26", "/errores/remitente-no-autenticado?codigo=550-5.7.26"},
		{"/e/E451", "/errores/limite-de-envio-por-hora?codigo=E451"},
		{"/e/552?origen=ticket", "/errores/buzon-lleno?codigo=552&origen=ticket"},
		{"/e/334", "/errores/codigos-de-exito?codigo=334"},
		{"/e/5.7.520", "/errores/reenvio-a-gmail-u-outlook?codigo=5.7.520"},
	}
	for _, tt := range tests {
		res := get(t, ts, tt.path)
		if res.status != http.StatusFound || res.header.Get("Location") != tt.want {
			t.Errorf("GET %s = %d to %q, want 302 to %q", tt.path, res.status, res.header.Get("Location"), tt.want)
		}
	}
}

func TestSearchPageResults(t *testing.T) {
	ts := newServer(t)
	tests := []struct{ q, want string }{
		{"buzon lleno", "buzon-lleno"},
		{"553 relay", "relay-no-permitido"},
		{"554 This server requires PTR for unauthenticated connections", "requiere-ptr"},
	}
	for _, tt := range tests {
		res := get(t, ts, "/buscar?q="+url.QueryEscape(tt.q))
		got := resultSlugs(res.doc)
		if len(got) == 0 || got[0] != tt.want {
			t.Errorf("/buscar?q=%q lists %v, want %s first", tt.q, got, tt.want)
		}
		if len(find(res.doc, byTag("mark"))) == 0 {
			t.Errorf("/buscar?q=%q highlights nothing", tt.q)
		}
	}
}

// TestHostileInput checks that markup typed or pasted by a visitor is shown
// as text, never run.
func TestHostileInput(t *testing.T) {
	ts := newServer(t)
	evil := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	for _, res := range []response{
		get(t, ts, "/buscar?q="+url.QueryEscape(evil)),
		get(t, ts, "/diagnostico?texto="+url.QueryEscape(evil)),
		postForm(t, ts, "/diagnostico", url.Values{"texto": {"550 5.1.1 " + evil}}),
		get(t, ts, "/e/"+url.PathEscape(evil)),
	} {
		if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, "<img src=x") {
			t.Errorf("markup echoed unescaped (status %d)", res.status)
		}
		for _, s := range find(res.doc, byTag("script")) {
			if attr(s, "src") == "" {
				t.Errorf("inline script in page: %q", text(s))
			}
		}
	}
}

func TestDiagnosis(t *testing.T) {
	ts := newServer(t)
	verdicts := func(res response) []*html.Node { return find(res.doc, byTestID("verdict")) }
	t.Run("a line with the customer's words", func(t *testing.T) {
		res := postForm(t, ts, "/diagnostico", url.Values{"texto": {"me sale esto al enviar: 452 Too many recipients"}})
		if res.status != 200 {
			t.Fatalf("status %d", res.status)
		}
		vs := verdicts(res)
		if len(vs) != 1 || attr(vs[0], "data-reason") != "toomanyconn" || attr(vs[0], "data-slug") != "demasiados-destinatarios" {
			t.Fatalf("verdicts %v", vs)
		}
		if page := text(res.doc); !strings.Contains(page, "Qué hacer") || !strings.Contains(page, "Temporal") {
			t.Errorf("card lacks advice or persistence: %s", page)
		}
		if marks := find(vs[0], byTag("mark")); len(marks) == 0 {
			t.Error("evidence not highlighted")
		}
	})
	t.Run("several recipients", func(t *testing.T) {
		bounce := "<ana@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <ana@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n" +
			"<luis@example.net>: host mx.example.net[192.0.2.2] said: 552 5.2.2 <luis@example.net>: Mailbox full (in reply to RCPT TO command)\n"
		res := postForm(t, ts, "/diagnostico", url.Values{"texto": {bounce}})
		vs := verdicts(res)
		if len(vs) != 2 || attr(vs[0], "data-reason") != "userunknown" || attr(vs[1], "data-reason") != "mailboxfull" {
			t.Fatalf("got %d verdicts", len(vs))
		}
	})
	t.Run("not a bounce", func(t *testing.T) {
		res := postForm(t, ts, "/diagnostico", url.Values{"texto": {"Hola Marta, te confirmo el pedido de 550 unidades para el martes."}})
		n := find(res.doc, byTestID("kind-notice"))
		if res.status != 200 || len(n) != 1 || attr(n[0], "data-kind") != "none" || len(verdicts(res)) != 0 {
			t.Errorf("status %d, notices %d", res.status, len(n))
		}
	})
	t.Run("empty paste", func(t *testing.T) {
		res := postForm(t, ts, "/diagnostico", url.Values{"texto": {"   "}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(text(res.doc), "No has pegado nada") {
			t.Errorf("status %d, page %q", res.status, text(res.doc))
		}
	})
	t.Run("huge paste", func(t *testing.T) {
		res := postForm(t, ts, "/diagnostico", url.Values{"texto": {strings.Repeat("x", 2<<20)}})
		if res.status != http.StatusRequestEntityTooLarge || !strings.Contains(text(res.doc), "demasiado largo") {
			t.Errorf("status %d", res.status)
		}
	})
	t.Run("binary junk", func(t *testing.T) {
		res := postForm(t, ts, "/diagnostico", url.Values{"texto": {"\x00\xff\xfe\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(text(res.doc), "caracteres que no podemos leer") {
			t.Errorf("status %d, page %q", res.status, text(res.doc))
		}
	})
	t.Run("a bounce in Latin-1 with stray bytes", func(t *testing.T) {
		res := postForm(t, ts, "/diagnostico", url.Values{"texto": {"550 5.2.2 <pepe@example.es>: el buz\xf3n est\xe1 lleno (mailbox full)"}})
		if vs := verdicts(res); res.status != 200 || len(vs) != 1 || attr(vs[0], "data-reason") != "mailboxfull" {
			t.Errorf("status %d, %d verdicts", res.status, len(vs))
		}
	})
	t.Run("GET only pre-fills", func(t *testing.T) {
		res := get(t, ts, "/diagnostico?texto="+url.QueryEscape("550 5.1.1 User unknown"))
		ta := find(res.doc, byTestID("paste-input"))
		if len(ta) != 1 || text(ta[0]) != "550 5.1.1 User unknown" || len(verdicts(res)) != 0 {
			t.Errorf("textarea not pre-filled, or classified on GET")
		}
	})
}

func TestAPIClassify(t *testing.T) {
	ts := newServer(t)
	post := func(contentType, body string) (int, ClassifyBody) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/classify", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		res := do(t, req)
		var got ClassifyBody
		_ = json.Unmarshal([]byte(res.body), &got)
		return res.status, got
	}
	status, got := post("text/plain", "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)")
	if status != 200 || !got.IsBounce || len(got.Recipients) != 1 {
		t.Fatalf("text/plain: %d %+v", status, got)
	}
	r := got.Recipients[0]
	if r.Reason != "norelaying" || r.ReplyCode != "553" || r.Status != "5.7.1" || r.Temporary ||
		!strings.HasSuffix(r.Article, "/errores/relay-no-permitido") || len(r.Evidence) == 0 || len(r.Advice) == 0 || r.Confidence <= 0.5 {
		t.Errorf("recipient %+v", r)
	}
	status, got = post("application/json", `{"text": "452 4.2.2 The email account that you tried to reach is over quota"}`)
	if status != 200 || len(got.Recipients) != 1 || got.Recipients[0].Reason != "mailboxfull" || !got.Recipients[0].Temporary {
		t.Errorf("json: %d %+v", status, got)
	}
	status, got = post("text/plain", "Hola, ¿quedamos el martes?")
	if status != 200 || got.IsBounce || got.Recipients == nil || len(got.Recipients) != 0 {
		t.Errorf("not a bounce: %d %+v", status, got)
	}
	for _, bad := range []struct {
		ct, body string
		want     int
		wantCode string
	}{
		{"application/json", `{"texto": 1`, 400, "bad_request"},
		{"image/png", "\x89PNG", 415, "unsupported_media_type"},
		{"text/plain", "", 422, "empty_text"},
		{"application/octet-stream", "", 415, "unsupported_media_type"},
		{"text/plain", "\x00\x01\x02\x03\xff\xfe", 422, "not_a_text"},
		{"text/plain", strings.Repeat("a", 2<<20), 413, "too_large"},
	} {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/classify", strings.NewReader(bad.body))
		req.Header.Set("Content-Type", bad.ct)
		res := do(t, req)
		if res.status != bad.want {
			t.Errorf("%s %.20q: %d %s, want %d", bad.ct, bad.body, res.status, res.body, bad.want)
			continue
		}
		if got := jsonError(t, res); got.Error.Code != bad.wantCode {
			t.Errorf("%s %.20q: code %q, want %q", bad.ct, bad.body, got.Error.Code, bad.wantCode)
		}
	}
}

// ClassifyBody is the API answer as a client reads it.
type ClassifyBody struct {
	IsBounce   bool `json:"is_bounce"`
	Recipients []struct {
		Address    string   `json:"address"`
		ReplyCode  string   `json:"reply_code"`
		Status     string   `json:"status"`
		Reason     string   `json:"reason"`
		Temporary  bool     `json:"temporary"`
		RemoteHost string   `json:"remote_host"`
		RemoteIP   string   `json:"remote_ip"`
		Article    string   `json:"article"`
		Confidence float64  `json:"confidence"`
		Evidence   []string `json:"evidence"`
		Advice     []string `json:"advice"`
	} `json:"recipients"`
}

func TestLanguage(t *testing.T) {
	ts := newServer(t)
	lang := func(res response) string { return attr(find(res.doc, byTag("html"))[0], "lang") }

	res := get(t, ts, "/?lang=en")
	if lang(res) != "en" || !strings.Contains(text(res.doc), "Why did your email bounce?") {
		t.Errorf("?lang=en: lang=%s", lang(res))
	}
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == "lang" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "en" {
		t.Fatalf("?lang=en did not set the lang cookie")
	}

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/errores", nil)
	req.AddCookie(cookie)
	req.Header.Set("Accept-Language", "es-ES")
	if res := do(t, req); lang(res) != "en" {
		t.Errorf("cookie en + Accept-Language es: lang=%s, want en (cookie wins)", lang(res))
	}

	req, _ = http.NewRequest(http.MethodGet, ts.URL+"/", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	if res := do(t, req); lang(res) != "en" {
		t.Errorf("Accept-Language en-GB: lang=%s", lang(res))
	}

	req, _ = http.NewRequest(http.MethodGet, ts.URL+"/", nil)
	req.Header.Set("Accept-Language", "fr-FR,de;q=0.8")
	if res := do(t, req); lang(res) != "es" {
		t.Errorf("Accept-Language fr: lang=%s, want the Spanish default", lang(res))
	}
	if res := get(t, ts, "/?lang=xx"); lang(res) != "es" {
		t.Errorf("?lang=xx: lang=%s, want es", lang(res))
	}
}

func TestAPISearch(t *testing.T) {
	ts := newServer(t)
	var body struct {
		Query   string `json:"query"`
		Results []struct {
			Slug, Title, URL, Reason, Snippet string
			Codes                             []string
			Score                             float64
		} `json:"results"`
	}
	res := get(t, ts, "/api/v1/search?q="+url.QueryEscape("mailbox full"))
	if res.status != 200 || res.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("status %d, type %s", res.status, res.header.Get("Content-Type"))
	}
	if err := json.Unmarshal([]byte(res.body), &body); err != nil {
		t.Fatal(err)
	}
	if body.Query != "mailbox full" || len(body.Results) == 0 || body.Results[0].Slug != "buzon-lleno" {
		t.Fatalf("body %+v", body)
	}
	r := body.Results[0]
	if r.URL != ts.URL+"/errores/buzon-lleno" || r.Reason != "mailboxfull" || len(r.Codes) == 0 || r.Snippet == "" || r.Score <= 0 {
		t.Errorf("result %+v", r)
	}

	res = get(t, ts, "/api/v1/search?q="+url.QueryEscape("precio dominio .es"))
	if !strings.Contains(res.body, `"results":[]`) {
		t.Errorf("unrelated query: %s, want an empty results list", res.body)
	}
}

func TestAPIArticles(t *testing.T) {
	ts := newServer(t)
	var body struct {
		Articles []struct {
			Slug, Title, URL, Reason, Category string
			Codes                              []string
			Temporary                          *bool
		} `json:"articles"`
	}
	res := get(t, ts, "/api/v1/articles")
	if err := json.Unmarshal([]byte(res.body), &body); err != nil {
		t.Fatal(err)
	}
	kb, _ := knowledge.Load(knowledge.DefaultPolicy())
	if len(body.Articles) != len(kb.Articles()) {
		t.Fatalf("%d articles, want %d", len(body.Articles), len(kb.Articles()))
	}
	for _, a := range body.Articles {
		if a.Slug == "lista-gris" && (a.Temporary == nil || !*a.Temporary) {
			t.Errorf("lista-gris temporary = %v, want true", a.Temporary)
		}
		if a.Slug == "direccion-no-existe" && (a.Temporary == nil || *a.Temporary) {
			t.Errorf("direccion-no-existe temporary = %v, want false", a.Temporary)
		}
		if a.Category == "" || a.Reason == "" || a.Title == "" || !strings.HasSuffix(a.URL, "/errores/"+a.Slug) {
			t.Errorf("incomplete %+v", a)
		}
	}
}

func TestStaticAndHealth(t *testing.T) {
	ts := newServer(t)
	for _, p := range []string{"/static/rebote.css", "/static/rebote.js", "/static/favicon.svg", "/healthz", "/readyz"} {
		if res := get(t, ts, p); res.status != 200 {
			t.Errorf("GET %s = %d", p, res.status)
		}
	}
	for _, p := range []string{"/static/", "/static/../go.mod", "/static/%2e%2e/go.mod", "/static/nope.css"} {
		if res := get(t, ts, p); res.status != 404 && res.status != 400 {
			t.Errorf("GET %s = %d, want a refusal", p, res.status)
		}
	}
	if res := get(t, ts, "/static/nope.css"); res.doc == nil || len(find(res.doc, byTestID("error-page"))) != 1 {
		t.Errorf("GET /static/nope.css: %.100q, want the 404 page", res.body)
	}
	res := get(t, ts, "/")
	for _, l := range find(res.doc, byTag("link")) {
		if attr(l, "rel") == "stylesheet" {
			if r := get(t, ts, attr(l, "href")); !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
				t.Errorf("versioned stylesheet not cacheable: %q", r.header.Get("Cache-Control"))
			}
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	ts := newServer(t)
	res := postForm(t, ts, "/errores", url.Values{})
	if res.status != http.StatusMethodNotAllowed || !strings.Contains(text(res.doc), "no admite esa operación") {
		t.Errorf("POST /errores = %d", res.status)
	}
}

func mustSearch(tb testing.TB, kb *knowledge.KB) *search.Index {
	tb.Helper()
	idx, err := search.New(kb)
	if err != nil {
		tb.Fatal(err)
	}
	return idx
}

func mustReader(tb testing.TB, kb *knowledge.KB) *bounce.Reader {
	tb.Helper()
	rd, err := bounce.New(kb)
	if err != nil {
		tb.Fatal(err)
	}
	return rd
}
