package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/knowledge"
)

type suggestAnswer struct {
	Articles []struct {
		Slug, Title, URL string
	}
	Diagnosis *struct {
		Reason, Article, URL string
	}
	Topics []struct {
		Slug, Title, Link, URL string
	}
	DiagnosisURL string `json:"diagnosis_url"`
	Labels       struct{ Title, Topic string }
}

func suggest(t *testing.T, ts *httptest.Server, q, lang string) suggestAnswer {
	t.Helper()
	res := get(t, ts, "/api/v1/suggest?lang="+lang+"&q="+url.QueryEscape(q))
	if res.status != http.StatusOK {
		t.Fatalf("suggest %q: status %d", q, res.status)
	}
	var a suggestAnswer
	if err := json.Unmarshal([]byte(res.body), &a); err != nil {
		t.Fatalf("suggest %q: %v", q, err)
	}
	return a
}

func TestSuggestAPI(t *testing.T) {
	ts := newServer(t)
	// A ticket description with an SMTP error: the verdict and its article first.
	a := suggest(t, ts, "Hola, al enviar a un cliente me sale esto:\n550 5.1.1 <pedro@example.org>: Recipient address rejected: User unknown in virtual mailbox table", "es")
	if a.Diagnosis == nil || a.Diagnosis.Reason != "userunknown" || len(a.Articles) == 0 || a.Articles[0].Slug != "direccion-no-existe" {
		t.Errorf("suggest with an SMTP line: %+v", a)
	}
	if !strings.Contains(a.Articles[0].URL, "origen=ticket") || !strings.Contains(a.DiagnosisURL, "origen=ticket") || !strings.Contains(a.DiagnosisURL, "texto=") {
		t.Errorf("links do not carry origen=ticket and the text: %+v", a)
	}
	if len(a.Articles) > 3 || a.Labels.Title != "¿Es este tu problema?" {
		t.Errorf("want at most 3 articles and Spanish labels: %+v", a)
	}
	// Words only: articles, no verdict.
	a = suggest(t, ts, "no puedo enviar correos, dice que el buzón está lleno", "en")
	if a.Diagnosis != nil || len(a.Articles) == 0 || a.Articles[0].Slug != "buzon-lleno" || a.Labels.Title != "Is this your problem?" {
		t.Errorf("suggest with words: %+v", a)
	}
	// A question that is not a delivery error: the provider's page for it.
	a = suggest(t, ts, "Hola, he olvidado la contraseña del webmail y no puedo entrar", "es")
	if len(a.Topics) != 1 || a.Topics[0].Slug != "contrasena-del-correo" || a.Topics[0].URL != knowledge.DefaultPolicy().MailAccountsURL ||
		a.Topics[0].Link == "" || a.Labels.Topic != "No es un error de correo:" {
		t.Errorf("suggest for a forgotten password: %+v", a)
	}
	// The invoice a customer sent bounced: a delivery error, no invoice box.
	a = suggest(t, ts, "Envié la factura a un cliente y me devolvió 550 5.1.1 User unknown", "es")
	if len(a.Topics) != 0 || a.Diagnosis == nil {
		t.Errorf("suggest for a bounced invoice: %+v", a)
	}
	// Nothing typed: an empty answer, not an error.
	if a = suggest(t, ts, "", "es"); len(a.Articles) != 0 || a.Diagnosis != nil {
		t.Errorf("empty suggest: %+v", a)
	}
}

func TestCORSOnlyForConfiguredOrigins(t *testing.T) {
	ts, _ := newServerWithConfig(t, handlers.Config{CORSOrigins: []string{"https://soporte.example.com"}})
	for _, tt := range []struct {
		origin string
		allow  bool
	}{{"https://soporte.example.com", true}, {"https://evil.example", false}} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/suggest?q=buzon+lleno", nil)
		req.Header.Set("Origin", tt.origin)
		res := do(t, req)
		if got := res.header.Get("Access-Control-Allow-Origin"); (got == tt.origin) != tt.allow {
			t.Errorf("origin %s: Access-Control-Allow-Origin %q", tt.origin, got)
		}
		pre, _ := http.NewRequest(http.MethodOptions, ts.URL+"/api/v1/classify", nil)
		pre.Header.Set("Origin", tt.origin)
		pre.Header.Set("Access-Control-Request-Method", "POST")
		res = do(t, pre)
		if got := res.header.Get("Access-Control-Allow-Origin"); (got == tt.origin) != tt.allow || res.status != http.StatusNoContent {
			t.Errorf("preflight from %s: %d, allow %q", tt.origin, res.status, got)
		}
	}
	// The stats API is never offered to other sites.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/stats/top-errors", nil)
	req.Header.Set("Origin", "https://soporte.example.com")
	if res := do(t, req); res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("stats API answers with CORS headers")
	}
}

func TestRateLimitedDiagnoses(t *testing.T) {
	ts, _ := newServerWithConfig(t, handlers.Config{RateLimit: 3})
	var last response
	for i := 0; i < 4; i++ {
		last = postForm(t, ts, "/diagnostico", url.Values{"texto": {"550 5.1.1 User unknown"}})
	}
	if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "Espera un minuto") {
		t.Errorf("4th diagnosis with a limit of 3: %d", last.status)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/classify", strings.NewReader("550 5.1.1 User unknown"))
	req.Header.Set("Content-Type", "text/plain")
	for i := 0; i < 3; i++ {
		req2 := req.Clone(req.Context())
		req2.Body = http.NoBody
		do(t, req2)
	}
	res := do(t, req)
	if res.status != http.StatusTooManyRequests {
		t.Errorf("4th classify call: %d %s, want a JSON 429", res.status, res.body)
	} else if got := jsonError(t, res); got.Error.Code != "rate_limited" {
		t.Errorf("4th classify call: %+v, want code rate_limited", got.Error)
	}
	// Reading articles is never limited.
	for i := 0; i < 10; i++ {
		if res := get(t, ts, "/errores/buzon-lleno"); res.status != http.StatusOK {
			t.Fatalf("article: %d", res.status)
		}
	}
}

func TestSecurityHeadersFollowConfiguration(t *testing.T) {
	ts := newServer(t)
	res := get(t, ts, "/")
	csp := res.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'self'") || strings.Contains(csp, "unsafe-inline") || res.header.Get("Strict-Transport-Security") != "" {
		t.Errorf("default headers: CSP %q, HSTS %q", csp, res.header.Get("Strict-Transport-Security"))
	}
	ts2, _ := newServerWithConfig(t, handlers.Config{HSTS: true, FrameAncestors: []string{"https://soporte.example.com"}})
	res = get(t, ts2, "/errores/buzon-lleno")
	if !strings.Contains(res.header.Get("Content-Security-Policy"), "frame-ancestors 'self' https://soporte.example.com") ||
		!strings.HasPrefix(res.header.Get("Strict-Transport-Security"), "max-age=") || res.header.Get("X-Frame-Options") != "" {
		t.Errorf("configured headers: %v", res.header)
	}
}

func TestDemoTicketPage(t *testing.T) {
	ts := newServer(t)
	res := get(t, ts, "/demo/ticket")
	if res.status != http.StatusOK || len(find(res.doc, byTestID("demo-textarea"))) != 1 {
		t.Fatalf("demo: %d", res.status)
	}
	scripts := find(res.doc, byTag("script"))
	found := false
	for _, s := range scripts {
		if strings.HasPrefix(attr(s, "src"), "/static/rebote-widget.js") && attr(s, "data-rebote-textarea") == "#descripcion" {
			found = true
		}
	}
	if !found {
		t.Error("demo page does not load the widget on its textarea")
	}
	if res := get(t, ts, "/static/rebote-widget.js"); res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Type"), "javascript") {
		t.Errorf("widget script: %d %s", res.status, res.header.Get("Content-Type"))
	}
}

// Behind a proxy, the limit counts the address the proxy appended: a
// client cannot dodge it by sending its own X-Forwarded-For.
func TestRateLimitBehindProxyCannotBeDodged(t *testing.T) {
	ts, _ := newServerWithConfig(t, handlers.Config{RateLimit: 2, BehindProxy: true})
	status := 0
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/diagnostico", strings.NewReader("texto=550+5.1.1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// The client forges a new address each time; the proxy appends the real one.
		req.Header.Set("X-Forwarded-For", "10.0.0."+string(rune('1'+i))+", 198.51.100.7")
		status = do(t, req).status
	}
	if status != http.StatusTooManyRequests {
		t.Errorf("third post from the same client behind the proxy: %d, want 429", status)
	}
	// Another real client is not affected.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/diagnostico", strings.NewReader("texto=550+5.1.1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "198.51.100.8")
	if res := do(t, req); res.status != http.StatusOK {
		t.Errorf("another client: %d", res.status)
	}
}

// Link checkers and monitors send HEAD: it answers like GET, without a body.
func TestHeadRequests(t *testing.T) {
	ts, d := newServerWithDB(t)
	for _, p := range []string{"/", "/errores/buzon-lleno", "/buscar?q=550", "/healthz"} {
		req, _ := http.NewRequest(http.MethodHead, ts.URL+p, nil)
		res := do(t, req)
		if res.status != http.StatusOK || res.body != "" {
			t.Errorf("HEAD %s: %d with %d bytes", p, res.status, len(res.body))
		}
	}
	// A monitor is not a visitor: nothing is counted.
	d.flush(t)
	if n, _ := d.db.CountEvents(context.Background(), ""); n != 0 {
		t.Errorf("%d events recorded for HEAD requests", n)
	}
}
