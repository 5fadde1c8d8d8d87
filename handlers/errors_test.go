package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/staff"
)

// errorAnswer is a failed request's JSON answer as a client reads it.
type errorAnswer struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// jsonError decodes a JSON error answer strictly: nothing but
// {"error": {"code", "message"}}.
func jsonError(tb testing.TB, res response) errorAnswer {
	tb.Helper()
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("Content-Type = %q, want JSON; body %.200s", ct, res.body)
	}
	dec := json.NewDecoder(strings.NewReader(res.body))
	dec.DisallowUnknownFields()
	var a errorAnswer
	if err := dec.Decode(&a); err != nil {
		tb.Fatalf("error body %s: %v", res.body, err)
	}
	if a.Error.Code == "" || a.Error.Message == "" {
		tb.Fatalf("error body %s lacks a code or a message", res.body)
	}
	return a
}

func request(tb testing.TB, method, u string, header ...string) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// Every failure goes through one path: JSON under /api/ or when the client
// asks for it, a page otherwise.
func TestErrorAnswers(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		name, method, path, accept string
		wantStatus                 int
		wantCode                   string // "" for an HTML page
		want                       string // in the page, or the JSON message
	}{
		{"API 404", "GET", "/api/v1/nope", "", 404, "not_found", "No encontramos esta página"},
		{"API 404 in English", "GET", "/api/v1/nope?lang=en", "", 404, "not_found", "We cannot find this page"},
		{"API 404 outside v1", "GET", "/api/", "", 404, "not_found", "No encontramos esta página"},
		{"API 405", "POST", "/api/v1/search?q=550", "", 405, "method_not_allowed", "no admite esa operación"},
		{"API 405 on articles", "DELETE", "/api/v1/articles", "", 405, "method_not_allowed", "no admite esa operación"},
		{"API 401", "GET", "/api/v1/stats/top-errors", "", 401, "unauthorized", "token de API"},
		{"page 404", "GET", "/no-hay-tal-pagina", "", 404, "", "No encontramos esta página"},
		{"page 404 for a browser", "GET", "/no-hay-tal-pagina", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 404, "", "Errores más consultados"},
		{"page 405", "POST", "/errores", "", 405, "", "no admite esa operación"},
		{"page 404 asked as JSON", "GET", "/errores/no-existe", "application/json", 404, "not_found", "No tenemos ningún artículo"},
		{"page 413 asked as JSON", "GET", "/diagnostico?texto=" + strings.Repeat("a", 1<<20+1), "application/json", 413, "too_large", "demasiado largo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, request(t, tt.method, ts.URL+tt.path, "Accept", tt.accept))
			if res.status != tt.wantStatus {
				t.Fatalf("%s %s = %d, want %d", tt.method, tt.path, res.status, tt.wantStatus)
			}
			if tt.wantCode == "" {
				if res.doc == nil || len(find(res.doc, byTestID("error-page"))) != 1 {
					t.Fatalf("%s %s: not the error page: %.200s", tt.method, tt.path, res.body)
				}
				if page := text(res.doc); !strings.Contains(page, tt.want) {
					t.Errorf("%s %s: page lacks %q", tt.method, tt.path, tt.want)
				}
				return
			}
			got := jsonError(t, res)
			if got.Error.Code != tt.wantCode || !strings.Contains(got.Error.Message, tt.want) {
				t.Errorf("%s %s = %+v, want code %q and a message with %q", tt.method, tt.path, got.Error, tt.wantCode, tt.want)
			}
		})
	}
}

// The API's rate limit answers in JSON, the pages' with a page.
func TestRateLimitAnswers(t *testing.T) {
	ts, _ := newServerWithConfig(t, handlers.Config{RateLimit: 1}) // 10 a minute for search
	var res response
	for range 11 {
		res = get(t, ts, "/api/v1/search?q=550")
	}
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("11th search: %d, want 429", res.status)
	}
	if got := jsonError(t, res); got.Error.Code != "rate_limited" || !strings.Contains(got.Error.Message, "Espera un minuto") {
		t.Errorf("429 = %+v", got.Error)
	}

	for range 2 {
		res = postForm(t, ts, "/diagnostico", url.Values{"texto": {"550 5.1.1 User unknown"}})
	}
	if res.status != http.StatusTooManyRequests || res.doc == nil || len(find(res.doc, byTestID("error-page"))) != 1 {
		t.Errorf("2nd diagnosis with a limit of 1: %d, want the 429 page", res.status)
	}
}

// syncBuffer is a log destination tests can read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A database that fails is a server error, logged with the request ID:
// never "wrong name or password", never a 401 or a trip to the sign-in
// form, and the database's own words never reach the client.
func TestBrokenDatabaseIsAServerError(t *testing.T) {
	var logs syncBuffer
	ts, d := newServerWithLog(t, handlers.Config{}, &logs)
	ctx := context.Background()
	accounts := staff.New(d.db)
	if err := accounts.Add(ctx, "ana", "una clave bastante larga"); err != nil {
		t.Fatal(err)
	}
	session, err := accounts.SignIn(ctx, "ana", "una clave bastante larga")
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := accounts.NewAPIToken(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	d.db.Close()

	signIn, err := http.NewRequest("POST", ts.URL+"/staff/entrar",
		strings.NewReader(url.Values{"nombre": {"ana"}, "clave": {"una clave bastante larga"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	signIn.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tests := []struct {
		name     string
		req      *http.Request
		wantJSON bool
	}{
		{"sign-in", signIn, false},
		{"dashboard", request(t, "GET", ts.URL+"/staff", "Cookie", "rebote_staff="+session), false},
		{"sign-in form", request(t, "GET", ts.URL+"/staff/entrar", "Cookie", "rebote_staff="+session), false},
		{"stats API with a token", request(t, "GET", ts.URL+"/api/v1/stats/top-errors", "Authorization", "Bearer "+token), true},
		{"stats API with a session", request(t, "GET", ts.URL+"/api/v1/stats/top-errors", "Cookie", "rebote_staff="+session), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("broken-db-%d", i)
			tt.req.Header.Set("X-Request-Id", id)
			res := do(t, tt.req)
			if res.status != http.StatusInternalServerError {
				t.Fatalf("%s = %d, want 500", tt.name, res.status)
			}
			if strings.Contains(res.body, "closed") || strings.Contains(res.body, "sql") {
				t.Errorf("%s: the answer shows the internal error: %.300s", tt.name, res.body)
			}
			if tt.wantJSON {
				if got := jsonError(t, res); got.Error.Code != "internal" {
					t.Errorf("%s = %+v, want code internal", tt.name, got.Error)
				}
			} else {
				page := text(res.doc)
				if !strings.Contains(page, "Algo ha fallado de nuestra parte") || strings.Contains(page, "no son correctos") {
					t.Errorf("%s: page %.300q, want the server error page", tt.name, page)
				}
			}
			var line string
			for l := range strings.Lines(logs.String()) {
				if strings.Contains(l, "request_id="+id) && strings.Contains(l, "level=ERROR") {
					line = l
				}
			}
			if line == "" || !strings.Contains(line, "database is closed") || !strings.Contains(line, "route=") {
				t.Errorf("%s: no error log line with the request ID, the route and the cause; logs:\n%s", tt.name, logs.String())
			}
		})
	}
}
