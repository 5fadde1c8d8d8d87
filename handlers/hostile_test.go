package handlers_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/staff"
	"github.com/servinetwork/rebote/store"
	"github.com/servinetwork/rebote/store/storetest"
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

// --- Issue 13: what an attacker and a failing disk found ---

// from sends a request as a client behind the proxy, at address ip.
func from(t *testing.T, ts *httptest.Server, method, path, ip string, form url.Values, header ...string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

const staffPassword = "una clave bastante larga"

// Item 1: password checks are bounded (each holds 19 MiB of argon2): a
// burst of sign-ins from many addresses gets 503 "try again" for those
// that find no free slot, never piles up, and never a 500.
func TestSignInHashingIsBounded(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "rebote.db"))
	if err != nil {
		t.Fatal(err)
	}
	accounts := staff.New(db)
	if err := accounts.Add(context.Background(), "ana", staffPassword); err != nil {
		t.Fatal(err)
	}
	accounts.LimitHashing(1, 0)
	ts, _ := serverOn(t, db, handlers.Config{BehindProxy: true}, io.Discard, accounts)

	const attempts = 16
	statuses := make(chan response, attempts)
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Go(func() {
			statuses <- from(t, ts, http.MethodPost, "/staff/entrar", fmt.Sprintf("198.51.100.%d", i+1),
				url.Values{"nombre": {"ana"}, "clave": {"contraseña equivocada"}})
		})
	}
	wg.Wait()
	close(statuses)
	busy := 0
	for res := range statuses {
		switch res.status {
		case http.StatusUnauthorized:
		case http.StatusServiceUnavailable:
			busy++
			if res.header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
		default:
			t.Errorf("sign-in during a burst: %d", res.status)
		}
	}
	if busy == 0 {
		t.Errorf("%d simultaneous sign-ins with room for one password check: none was told to try again", attempts)
	}
}

// Item 2: behind a proxy the sign-in limit counts each client by the
// address the proxy gives, like the other limits: one client guessing
// passwords does not lock every staff member out.
func TestSignInLimitIsPerClientBehindProxy(t *testing.T) {
	ts, d := newServerWithConfig(t, handlers.Config{BehindProxy: true})
	if err := staff.New(d.db).Add(context.Background(), "ana", staffPassword); err != nil {
		t.Fatal(err)
	}
	attacker := "203.0.113.66"
	limited := false
	for range 15 {
		if res := from(t, ts, http.MethodPost, "/staff/entrar", attacker, url.Values{"nombre": {"ana"}, "clave": {"adivinanza"}}); res.status == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("15 wrong passwords from one client were never limited")
	}
	res := from(t, ts, http.MethodPost, "/staff/entrar", "198.51.100.7", url.Values{"nombre": {"ana"}, "clave": {staffPassword}})
	if res.status != http.StatusSeeOther {
		t.Errorf("the right password from another client after an attack: %d, want 303 (signed in)", res.status)
	}
	// A client that writes its own X-Forwarded-For entries first is still
	// counted by the last one, the proxy's.
	res = from(t, ts, http.MethodPost, "/staff/entrar", "10.9.9.9, "+attacker, url.Values{"nombre": {"ana"}, "clave": {"x"}})
	if res.status != http.StatusTooManyRequests {
		t.Errorf("attacker with a forged first X-Forwarded-For entry: %d, want 429", res.status)
	}
}

// Item 2: the proxy header is a setting; only it is read. A proxy that sets
// X-Real-IP leaves X-Forwarded-For to the client, who must not use it to
// escape the diagnosis limit; without --behind-proxy neither is read.
func TestProxyHeaderIsExplicit(t *testing.T) {
	paste := url.Values{"texto": {"550 5.1.1 <ana@example.com>: Recipient address rejected: User unknown"}}
	for _, tt := range []struct {
		name string
		cfg  handlers.Config
		// header sets the client's true address (as the proxy does) and
		// a forged one that changes on every request.
		header func(i int) []string
	}{
		{"X-Real-IP proxy", handlers.Config{RateLimit: 3, BehindProxy: true, ProxyHeader: "X-Real-IP"},
			func(i int) []string {
				return []string{"X-Real-IP", "203.0.113.9", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i)}
			}},
		{"no proxy", handlers.Config{RateLimit: 3},
			func(i int) []string {
				return []string{"X-Real-IP", fmt.Sprintf("198.51.100.%d", i), "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i)}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts, _ := newServerWithConfig(t, tt.cfg)
			limited := false
			for i := range 6 {
				if res := from(t, ts, http.MethodPost, "/diagnostico", "", paste, tt.header(i)...); res.status == http.StatusTooManyRequests {
					limited = true
					break
				}
			}
			if !limited {
				t.Error("6 diagnoses with a limit of 3 a minute were never limited: forged headers escape it")
			}
		})
	}
}

// cells splits a CSV text into its cells as a spreadsheet reading it with
// sep would: a cell that starts with a quote runs to its closing quote;
// any other runs to the next sep or line end. It returns each cell's text
// with the quoting removed.
func cells(text string, sep byte) []string {
	var out []string
	for line := range strings.SplitSeq(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		for i := 0; i <= len(line); {
			var cell strings.Builder
			if i < len(line) && line[i] == '"' {
				i++
				for i < len(line) {
					if line[i] == '"' {
						if i+1 < len(line) && line[i+1] == '"' {
							cell.WriteByte('"')
							i += 2
							continue
						}
						i++
						break
					}
					cell.WriteByte(line[i])
					i++
				}
			}
			for i < len(line) && line[i] != sep {
				cell.WriteByte(line[i])
				i++
			}
			out = append(out, cell.String())
			i++
		}
	}
	return out
}

// Item 3: nothing anyone types becomes a formula in a spreadsheet, read
// with ";" (Spanish Excel) or ","; no control character reaches a CSV raw.
func TestCSVDefusesFormulasForEverySeparator(t *testing.T) {
	ts, d := newServerWithDB(t)
	if err := staff.New(d.db).Add(context.Background(), "ana", staffPassword); err != nil {
		t.Fatal(err)
	}
	hostile := []string{
		`;=cmd|' /C calc'!A0`, `,=1+1`, `x;=HYPERLINK("http://evil.example")`, `x,@SUM(A1)`,
		"=2+5", "+3", "-2+3", "@A1", "\t=1+1", "\r=1+1", " =1+1", "＝1+1",
		"a\x00b\x1b[31mc\r\nd", `"=cuoted";=1`,
	}
	for _, h := range hostile {
		postForm(t, ts, "/valorar", url.Values{"articulo": {"buzon-lleno"}, "util": {"no"}, "comentario": {h}})
		get(t, ts, "/buscar?q="+url.QueryEscape("zzq "+h))
		get(t, ts, "/buscar?q="+url.QueryEscape(h))
	}
	d.flush(t)
	c := staffClient(t)
	signIn(t, c, ts.URL, "ana", staffPassword)
	for _, table := range []string{"comentarios", "busquedas-fallidas"} {
		for _, param := range []string{"", "&separador=coma"} {
			res, body := getWith(t, c, ts.URL+"/staff/csv/"+table+"?dias=7"+param)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("CSV %s%s: %d", table, param, res.StatusCode)
			}
			if i := strings.IndexFunc(strings.ReplaceAll(body, "\r\n", ""), func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
				t.Errorf("CSV %s%s holds a raw control character", table, param)
			}
			for _, sep := range []byte{';', ','} {
				for _, cell := range cells(strings.TrimPrefix(body, "\uFEFF"), sep) {
					if v := strings.TrimLeft(cell, " "); v != "" && strings.ContainsRune("=+-@＝", []rune(v)[0]) {
						t.Errorf("CSV %s%s read with %q: cell %q would run as a formula", table, param, sep, cell)
					}
				}
			}
		}
	}
}

// Issue 12 items 17 and 21: the CSV files are for Spanish offices (Spanish
// headers, titles beside the keys, "sí"/"no", UTF-8 with a byte order
// mark, ";" or "," on request) and hold every row, not the dashboard's 25.
func TestCSVForSpanishOfficesWithEveryRow(t *testing.T) {
	ts, d := newServerWithDB(t)
	if err := staff.New(d.db).Add(context.Background(), "ana", staffPassword); err != nil {
		t.Fatal(err)
	}
	const n = 40
	for i := range n {
		get(t, ts, fmt.Sprintf("/buscar?q=zzq%03d+qwv", i))
		postForm(t, ts, "/valorar", url.Values{"articulo": {"buzon-lleno"}, "util": {[]string{"si", "no"}[i%2]},
			"comentario": {fmt.Sprintf("comentario número %d", i)}})
		get(t, ts, "/soporte?motivo=userunknown")
	}
	postForm(t, ts, "/diagnostico", url.Values{"texto": {"550 5.1.1 <pepe@example.com>: Recipient address rejected: User unknown"}})
	d.flush(t)
	c := staffClient(t)
	signIn(t, c, ts.URL, "ana", staffPassword)

	_, page := getWith(t, c, ts.URL+"/staff?dias=7")
	if shown := strings.Count(page, "zzq0"); shown >= n {
		t.Fatalf("the dashboard shows all %d failed searches; the test needs more rows than it shows", shown)
	}
	for _, tt := range []struct {
		table  string
		header []string
		rows   int
		want   []string // a row, in part
	}{
		{"busquedas-fallidas", []string{"Búsqueda", "Veces"}, n, []string{"zzq000 qwv", "1"}},
		{"comentarios", []string{"Día", "Asunto", "Título", "¿Le ayudó?", "Comentario"}, n, []string{"", "buzon-lleno", "El buzón del destinatario está lleno", "sí", "comentario número"}},
		{"valoraciones", []string{"Asunto", "Título", "Sí", "No"}, 1, []string{"buzon-lleno", "El buzón del destinatario está lleno", "20", "20"}},
		{"soporte", []string{"Asunto", "Título", "Clics"}, 1, []string{"diagnostico:userunknown", "", "40"}},
		{"errores", []string{"Motivo", "Artículo", "Título", "Veces", "Periodo anterior"}, 1, []string{"userunknown", "direccion-no-existe", "", "1", "0"}},
	} {
		for _, sep := range []rune{';', ','} {
			u := ts.URL + "/staff/csv/" + tt.table + "?dias=7"
			if sep == ',' {
				u += "&separador=coma"
			}
			res, body := getWith(t, c, u)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8; header=present" {
				t.Fatalf("%s: %d %s", u, res.StatusCode, res.Header.Get("Content-Type"))
			}
			records := readCSV(t, body, sep)
			if !slices.Equal(records[0], tt.header) {
				t.Errorf("%s: header %q, want %q", u, records[0], tt.header)
			}
			if len(records)-1 != tt.rows {
				t.Errorf("%s: %d rows, want %d (every row)", u, len(records)-1, tt.rows)
			}
			found := false
			for _, rec := range records[1:] {
				match := len(rec) >= len(tt.want)
				for i, w := range tt.want {
					if match && w != "" && !strings.Contains(rec[i], w) {
						match = false
					}
				}
				found = found || match
			}
			if !found {
				t.Errorf("%s: no row like %q in %q", u, tt.want, records[1:min(len(records), 4)])
			}
			if strings.Contains(body, "true") || strings.Contains(body, "false") {
				t.Errorf("%s says true/false, not sí/no", u)
			}
		}
	}
	if res, _ := getWith(t, c, ts.URL+"/staff/csv/comentarios?separador=tab"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown separator: %d, want 400", res.StatusCode)
	}
}

// Item 5: what visitors type is masked before it is kept: comments lose
// addresses (written-out ones too), IPv4 and IPv6 addresses and host names;
// searches lose addresses and IPs, whatever their form. Nothing of it
// reaches the database, the dashboard, the CSV or the stats API.
func TestPersonalDataIsMaskedBeforeItIsKept(t *testing.T) {
	ts, d := newServerWithDB(t)
	accounts := staff.New(d.db)
	if err := accounts.Add(context.Background(), "ana", staffPassword); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"ana.lopez@example.com", "pepe(at)empresa.es", "pepe arroba empresa punto es", "203.0.113.77",
		"2001:db8:1::77", "fe80::77%eth0", "::ffff:192.0.2.77", "mail.miempresa.es"}
	for _, secret := range secrets {
		postForm(t, ts, "/valorar", url.Values{"articulo": {"buzon-lleno"}, "util": {"no"}, "comentario": {"no llega a " + secret}})
		if !strings.Contains(secret, "miempresa") { // host names stay in searches: "gmial.com" is what staff need
			get(t, ts, "/buscar?q="+url.QueryEscape("zzq no llega "+secret))
		}
	}
	d.flush(t)
	c := staffClient(t)
	signIn(t, c, ts.URL, "ana", staffPassword)
	_, token, err := accounts.NewAPIToken(context.Background(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	_, dashboard := getWith(t, c, ts.URL+"/staff?dias=7")
	_, comments := getWith(t, c, ts.URL+"/staff/csv/comentarios?dias=7")
	_, searches := getWith(t, c, ts.URL+"/staff/csv/busquedas-fallidas?dias=7")
	_, api := getWith(t, http.DefaultClient, ts.URL+"/api/v1/stats/failed-searches?days=7", "Authorization", "Bearer "+token)
	if !strings.Contains(comments, "no llega a ***") || !strings.Contains(searches, "zzq no llega ***") {
		t.Fatalf("the masked texts are missing:\n%s\n%s", comments, searches)
	}
	// /privacidad says so (it must stay true).
	if res := get(t, ts, "/privacidad"); !strings.Contains(res.body, "comentario opcional (con las direcciones de correo, las IP y los nombres de servidor tachados)") {
		t.Error("the privacy page does not say comments are masked")
	}
	raw, err := os.ReadFile(d.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(d.db.Path() + "-wal")
	for _, secret := range secrets {
		for _, part := range []string{secret, strings.Fields(secret)[0]} {
			part = strings.SplitN(part, "(", 2)[0]
			if len(part) < 6 {
				continue
			}
			for what, text := range map[string]string{"dashboard": dashboard, "comments CSV": comments, "searches CSV": searches,
				"stats API": api, "database file": string(raw), "WAL": string(wal)} {
				if strings.Contains(text, part) {
					t.Errorf("%s keeps %q", what, part)
				}
			}
		}
	}
}

// Item 6: one client cannot fill the database through searches: search
// pages are rate-limited like the APIs, a client's repeated search counts
// once an hour, and its distinct searches stop counting after a bound.
func TestSearchesOfOneClientAreBounded(t *testing.T) {
	ts, d := newServerWithConfig(t, handlers.Config{RateLimit: 100})
	for range 5 {
		get(t, ts, "/buscar?q=buzon+lleno")
	}
	for i := range 200 {
		if res := get(t, ts, fmt.Sprintf("/buscar?q=%s%d", strings.Repeat("x", 150), i)); res.status != http.StatusOK {
			t.Fatalf("search %d: %d", i, res.status)
		}
	}
	d.flush(t)
	n, err := d.db.CountEvents(context.Background(), analytics.KindSearch)
	if err != nil {
		t.Fatal(err)
	}
	if n > 40 {
		t.Errorf("one client stored %d searches in a moment; a bound of a few dozen an hour is expected", n)
	}
	top, err := d.db.Searches(context.Background(), store.LastDays(time.Now(), 1, "all"), 1)
	if err != nil || len(top) == 0 || top[0] != (store.KeyCount{Key: "buzon lleno", Count: 1}) {
		t.Errorf("a search repeated 5 times by one client: %v (%v), want counted once", top, err)
	}

	limited, _ := newServerWithConfig(t, handlers.Config{RateLimit: 1})
	for i := range 11 {
		res := get(t, limited, fmt.Sprintf("/buscar?q=q%d", i))
		if i == 10 && res.status != http.StatusTooManyRequests {
			t.Errorf("11th search a minute with a limit of 10: %d, want 429", res.status)
		}
	}
}

// Item 10: the language switch of any page, a 404 for a path that looks
// like another host included, links to this host.
func TestLanguageLinksStayOnThisHost(t *testing.T) {
	ts := newServer(t)
	for _, target := range []string{"//evil.example/x", "///evil.example/x", "/\\evil.example/x", "/%5Cevil.example",
		"/%2F%2Fevil.example/x", "//evil.example/x?lang=es", "//evil.example"} {
		// Sent as written: Go's client would turn "//host/path" into an
		// absolute URL.
		res := rawGet(t, ts, target)
		if res.doc == nil {
			t.Fatalf("GET %s: %d, not a page", target, res.status)
		}
		links := find(res.doc, byTestID("lang-switch"))
		if len(links) == 0 {
			t.Fatalf("GET %s: no language link", target)
		}
		for _, a := range links {
			href := attr(a, "href")
			if !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") || strings.HasPrefix(href, "/\\") {
				t.Errorf("GET %s: language link %q leaves the site", target, href)
			}
			if u, err := url.Parse(href); err != nil || u.Host != "" {
				t.Errorf("GET %s: language link %q names a host", target, href)
			}
		}
	}
}

// rawGet sends "GET target" exactly as written and reads the answer.
func rawGet(t *testing.T, ts *httptest.Server, target string) response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, strings.TrimPrefix(ts.URL, "http://"))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if r.doc, err = html.Parse(strings.NewReader(r.body)); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// rawRequest sends text over a new connection and closes it after wait.
func rawRequest(t *testing.T, ts *httptest.Server, text string, wait time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, text); err != nil {
		t.Fatal(err)
	}
	time.Sleep(wait)
	conn.Close()
}

// logLine returns the log line with all the given fragments, or "".
func logLine(logs string, fragments ...string) string {
	for line := range strings.Lines(logs) {
		all := true
		for _, f := range fragments {
			all = all && strings.Contains(line, f)
		}
		if all {
			return line
		}
	}
	return ""
}

// Item 11: a client that stops sending its body is logged as a client
// that left (499), not as an ERROR with status 500 or 400.
func TestClientAbortIsNotAnError(t *testing.T) {
	var logs syncBuffer
	ts, _ := newServerWithLog(t, handlers.Config{}, &logs)
	for _, path := range []string{"/diagnostico", "/valorar", "/staff/entrar", "/api/v1/classify"} {
		rawRequest(t, ts, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
			"Content-Length: 100000\r\n\r\ntexto=550+5.1.1+user+unknown", 30*time.Millisecond)
	}
	deadline := time.Now().Add(3 * time.Second)
	for strings.Count(logs.String(), "msg=request ") < 4 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := logs.String()
	if strings.Contains(out, "level=ERROR") {
		t.Errorf("aborted bodies logged as errors:\n%s", out)
	}
	if n := strings.Count(out, "status=499"); n != 4 {
		t.Errorf("%d of 4 aborted requests logged with status 499 (client gone):\n%s", n, out)
	}
}

// Item 11: the request ID in the logs is the client's X-Request-Id only
// when it is a short token; anything else is replaced, never logged.
func TestRequestIDIsASafeToken(t *testing.T) {
	var logs syncBuffer
	ts, _ := newServerWithLog(t, handlers.Config{}, &logs)
	long := strings.Repeat("A", 60<<10)
	for _, id := range []string{long, "a b\x1b[31mrojo", `x" level=ERROR msg="forged`, "abc\u00e9"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET /errores HTTP/1.1\r\nHost: x\r\nX-Request-Id: %s\r\nConnection: close\r\n\r\n", id)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		conn.Close()
		if res.StatusCode == http.StatusBadRequest && res.Header.Get("X-Request-Id") == "" {
			continue // refused by net/http itself: a control character in a header
		}
		if got := res.Header.Get("X-Request-Id"); got == "" || got == id {
			t.Errorf("X-Request-Id %.20q answered %d with %q, want a new ID", id, res.StatusCode, got)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/errores", nil)
	req.Header.Set("X-Request-Id", "proxy-7f3a.b_2")
	if res := do(t, req); res.header.Get("X-Request-Id") != "proxy-7f3a.b_2" {
		t.Errorf("a short token is not kept: %q", res.header.Get("X-Request-Id"))
	}
	out := logs.String()
	if len(out) > 10000 || strings.Contains(out, "rojo") || strings.Contains(out, "forged") {
		t.Errorf("a client's X-Request-Id reached the log (%d bytes)", len(out))
	}
	if !strings.Contains(out, "request_id=proxy-7f3a.b_2") {
		t.Error("the short token is not in the log")
	}
}

// Item 11: an answer that comes after the write timeout, which the server
// then drops, is not logged as delivered.
func TestWriteTimeoutIsLoggedAsSuch(t *testing.T) {
	var logs syncBuffer
	const timeout = 100 * time.Millisecond
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "rebote.db"))
	if err != nil {
		t.Fatal(err)
	}
	ts, _ := serverOn(t, db, handlers.Config{WriteTimeout: timeout}, &logs, nil, func(s *http.Server) { s.WriteTimeout = timeout })
	// A vote whose body trickles in for longer than the write timeout.
	pr, pw := io.Pipe()
	go func() {
		body := url.Values{"articulo": {"buzon-lleno"}, "util": {"si"}}.Encode()
		for i := range len(body) {
			pw.Write([]byte{body[i]})
			time.Sleep(3 * timeout / time.Duration(len(body)))
		}
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/valorar", pr)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, err := noRedirects.Do(req); err == nil {
		res.Body.Close()
	}
	deadline := time.Now().Add(3 * time.Second)
	for logLine(logs.String(), "msg=request ", "route=/valorar") == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	line := logLine(logs.String(), "msg=request ", "route=/valorar")
	if line == "" || strings.Contains(line, "status=303") || !strings.Contains(line, "status=504") {
		t.Errorf("a request past the write timeout is logged as %q, want status 504 and what happened", line)
	}
}

// Item 12: the language cookie is Secure whenever the site is served over
// TLS, also when TLS ends at a proxy (an https public URL, or HSTS).
func TestLanguageCookieIsSecureOverTLS(t *testing.T) {
	for _, cfg := range []handlers.Config{{PublicURL: "https://ayuda.example.com"}, {HSTS: true}} {
		ts, _ := newServerWithConfig(t, cfg)
		res := get(t, ts, "/?lang=en")
		var lang *http.Cookie
		for _, c := range (&http.Response{Header: res.header}).Cookies() {
			if c.Name == "lang" {
				lang = c
			}
		}
		if lang == nil || !lang.Secure {
			t.Errorf("with %+v the language cookie is %+v, want Secure", cfg, lang)
		}
	}
}

// Item 12: the Authorization scheme is case-insensitive.
func TestBearerSchemeIgnoresCase(t *testing.T) {
	ts, d := newServerWithDB(t)
	accounts := staff.New(d.db)
	if err := accounts.Add(context.Background(), "ana", staffPassword); err != nil {
		t.Fatal(err)
	}
	_, token, err := accounts.NewAPIToken(context.Background(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		res := from(t, ts, http.MethodGet, "/api/v1/stats/top-errors", "", nil, "Authorization", scheme+" "+token)
		if res.status != http.StatusOK {
			t.Errorf("Authorization: %s TOKEN: %d, want 200", scheme, res.status)
		}
	}
	if res := from(t, ts, http.MethodGet, "/api/v1/stats/top-errors", "", nil, "Authorization", "bearer rbt_forged"); res.status != http.StatusUnauthorized {
		t.Errorf("a forged token in lower case: %d, want 401", res.status)
	}
}

// Item 12: a wrong method anywhere under the API answers JSON, not a page.
func TestAPIMethodNotAllowedIsJSON(t *testing.T) {
	ts := newServer(t)
	for _, m := range []string{"PUT /api/v1/classify", "DELETE /api/v1/search", "POST /api/v1/articles", "PATCH /api/v1/suggest",
		"GET /api/v1/classify", "POST /api/v1/stats/top-errors"} {
		method, path, _ := strings.Cut(m, " ")
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		res := do(t, req)
		if res.status != http.StatusMethodNotAllowed || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") ||
			!strings.Contains(res.body, `"code":"method_not_allowed"`) {
			t.Errorf("%s: %d %s %.60s, want a JSON 405", m, res.status, res.header.Get("Content-Type"), res.body)
		}
	}
}

// Item 12: page views alone, however many, do not decide the home page's
// "most common errors", and one client's diagnoses count once an hour.
func TestPageViewsDoNotRankTheHomePage(t *testing.T) {
	ts, d := newServerWithConfig(t, handlers.Config{PopularRefresh: 20 * time.Millisecond, RateLimit: 1000})
	const slug = "codigos-de-exito"
	for range 500 {
		get(t, ts, "/errores/"+slug)
	}
	for range 20 { // one client, from a search, many times
		get(t, ts, "/errores/"+slug+"?origen=buscar&q=250")
	}
	d.flush(t)
	time.Sleep(200 * time.Millisecond) // several refreshes
	if res := get(t, ts, "/"); strings.Contains(res.body, `href="/errores/`+slug+`"`) {
		t.Errorf("500 page views and one client's 20 visits from a search put %s among the most common errors", slug)
	}
}

// Item 4: with a database the server may not write, the right password
// gets "service unavailable" (logged with the cause), never "wrong
// password"; once the file is writable again, signing in works without a
// restart.
func TestSignInWithReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := staff.New(db).Add(ctx, "ana", staffPassword); err != nil {
		t.Fatal(err)
	}
	db.Close()
	restore := storetest.ReadOnly(t, path)
	if db, err = store.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	ts, _ := serverOn(t, db, handlers.Config{}, &logs, nil)

	res := postForm(t, ts, "/staff/entrar", url.Values{"nombre": {"ana"}, "clave": {staffPassword}})
	if res.status != http.StatusServiceUnavailable || strings.Contains(res.body, "no son correctos") {
		t.Errorf("right password on a read-only database: %d, want 503 and no \"wrong password\"", res.status)
	}
	if line := logLine(logs.String(), "level=ERROR", "cannot be written"); line == "" {
		t.Errorf("the cause is not logged:\n%s", logs.String())
	}
	restore()
	if res := postForm(t, ts, "/staff/entrar", url.Values{"nombre": {"ana"}, "clave": {staffPassword}}); res.status != http.StatusSeeOther {
		t.Errorf("right password once the file is writable again: %d, want 303 without a restart", res.status)
	}
}
