package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/html"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/dnscheck"
	"github.com/servinetwork/rebote/dnscheck/dnstest"
	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/store"
)

// checkConfig is the fixture zone's provider.
func checkConfig(server string) dnscheck.Config {
	return dnscheck.Config{
		Server: server, Zones: dnscheck.DefaultZones(), ProviderName: "ServiNetwork",
		SPFInclude: "_spf.servinetwork.com", DKIMSelectors: []string{"sn1"},
		ProviderMX:  []string{"mx1.servinetwork.com", "mx2.servinetwork.com"},
		OutboundIPs: []netip.Addr{netip.MustParseAddr("45.80.10.1")},
	}
}

// logBuffer collects the server's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type checkServer struct {
	ts      *httptest.Server
	dns     *dnstest.Server
	db      testDB
	dbDir   string
	log     *logBuffer
	handler http.Handler
}

// newCheckServer starts the real router with live checks asking the
// fixture's DNS server.
func newCheckServer(tb testing.TB, cfg handlers.Config, dnsCfg func(*dnscheck.Config)) checkServer {
	tb.Helper()
	srv := dnstest.NewServer(tb, dnstest.Fixture)
	srv.Fail("servfail.es", dns.RcodeServerFailure)
	srv.Drop("lento.es")
	dc := checkConfig(srv.Addr)
	if dnsCfg != nil {
		dnsCfg(&dc)
	}
	checks, err := dnscheck.New(dc)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "rebote.db"))
	if err != nil {
		tb.Fatal(err)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
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
	s, err := handlers.New(handlers.Deps{KB: kb, Search: mustSearch(tb, kb), Bounces: mustReader(tb, kb), Bundle: bundle, Log: log,
		Events: rec, Stats: db, Checks: checks}, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	h := s.Routes()
	ts := httptest.NewServer(h)
	tb.Cleanup(ts.Close)
	return checkServer{ts: ts, dns: srv, db: testDB{db: db, rec: rec}, dbDir: dir, log: logs, handler: h}
}

// checksOf returns the check lines of a page: id → status, and the text.
func checksOf(res response) (map[string]string, string) {
	got := make(map[string]string)
	for _, n := range find(res.doc, byTestID("check")) {
		id := attr(n, "data-check-id")
		if id == "dnsbl" {
			id += ":" + text(find(n, func(n *html.Node) bool { return attr(n, "class") == "check-label" })[0])
		}
		got[id] = attr(n, "data-status")
	}
	return got, text(res.doc)
}

func TestCheckPage(t *testing.T) {
	cs := newCheckServer(t, handlers.Config{}, nil)
	for _, tt := range []struct {
		name, path string
		wantStatus int
		checks     map[string]string
		text       []string
	}{
		{"form only", "/comprobar", 200, map[string]string{}, []string{"Compruébalo ahora", "Tu dominio", "Una IP desde la que envías"}},
		{"domain", "/comprobar?dominio=sin-spf.es", 200,
			map[string]string{"mx": "ok", "spf": "fallo", "dkim": "fallo", "dmarc": "fallo", "ptr": "ok"},
			[]string{"Resultado para sin-spf.es", `sin-spf.es. TXT "v=spf1 include:_spf.servinetwork.com ~all"`, "Los servidores de salida de ServiNetwork", "out1.servinetwork.com"}},
		{"address typed", "/comprobar?dominio=ana%40bien.es", 200, map[string]string{"mx": "ok", "spf": "ok", "dkim": "ok", "dmarc": "ok"}, []string{"Resultado para bien.es"}},
		{"IDN", "/comprobar?dominio=espa%C3%B1a.es", 200, map[string]string{"mx": "ok", "spf": "ok"}, []string{"Resultado para españa.es"}},
		{"recipient", "/comprobar?destino=gmial.com", 200, map[string]string{"mx": "fallo"}, []string{"sigue sin existir"}},
		{"ip", "/comprobar?ip=45.80.20.2", 200,
			map[string]string{"ptr": "ok", "dnsbl:Spamhaus ZEN": "fallo", "dnsbl:SpamCop": "ok", "dnsbl:Barracuda": "ok"},
			[]string{"Listas de bloqueo", "aparece en Spamhaus ZEN"}},
		{"ip, one list", "/comprobar?ip=45.80.20.2&lista=zen.spamhaus.org", 200, map[string]string{"ptr": "ok", "dnsbl:Spamhaus ZEN": "fallo"}, nil},
		{"refusal is not a listing", "/comprobar?ip=45.80.20.3&lista=Spamhaus+ZEN", 200, map[string]string{"dnsbl:Spamhaus ZEN": "error"}, []string{"no ha querido responder"}},
		{"empty domain", "/comprobar?dominio=", 400, map[string]string{}, []string{"Escribe un dominio"}},
		{"internal name", "/comprobar?dominio=intranet.local", 400, map[string]string{}, []string{"uso interno"}},
		{"private IP", "/comprobar?ip=192.168.1.10", 400, map[string]string{}, []string{"privada o reservada"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, cs.ts, tt.path)
			if res.status != tt.wantStatus {
				t.Fatalf("GET %s = %d, want %d", tt.path, res.status, tt.wantStatus)
			}
			got, page := checksOf(res)
			for id, want := range tt.checks {
				if got[id] != want {
					t.Errorf("%s: status %q, want %q (all: %v)", id, got[id], want, got)
				}
			}
			if len(tt.checks) == 0 && len(got) > 0 {
				t.Errorf("checks shown: %v", got)
			}
			for _, w := range tt.text {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

func TestCheckAPI(t *testing.T) {
	cs := newCheckServer(t, handlers.Config{}, nil)
	res := get(t, cs.ts, "/api/v1/check/domain?domain=mx-nulo.es")
	var d struct {
		Domain string `json:"domain"`
		Checks []struct {
			ID, Status, Summary, Detail, Fix string
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(res.body), &d); err != nil || res.status != 200 {
		t.Fatalf("%d %s: %v", res.status, res.body, err)
	}
	if d.Domain != "mx-nulo.es" || len(d.Checks) != 4 || d.Checks[0].ID != "mx" || d.Checks[0].Status != "aviso" || !strings.Contains(d.Checks[0].Fix, "MX  10 mx1.servinetwork.com.") {
		t.Errorf("domain answer %+v", d)
	}
	for _, want := range []string{`"id":"spf"`, `"id":"dkim"`, `"id":"dmarc"`, `"summary":`, `"detail":`, `"fix":`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("answer lacks %s", want)
		}
	}

	res = get(t, cs.ts, "/api/v1/check/ip?ip=45.80.20.3")
	var ip struct {
		IP               string `json:"ip"`
		PTR              string `json:"ptr"`
		ForwardConfirmed bool   `json:"forward_confirmed"`
		Lists            []struct {
			Zone   string   `json:"zone"`
			Listed bool     `json:"listed"`
			Codes  []string `json:"codes"`
			Detail string   `json:"detail"`
		} `json:"lists"`
	}
	if err := json.Unmarshal([]byte(res.body), &ip); err != nil || res.status != 200 {
		t.Fatalf("%d %s: %v", res.status, res.body, err)
	}
	if ip.IP != "45.80.20.3" || ip.PTR != "mail.bien.es" || ip.ForwardConfirmed || len(ip.Lists) != 3 {
		t.Errorf("ip answer %+v", ip)
	}
	for _, l := range ip.Lists {
		if l.Listed {
			t.Errorf("%s: listed; a refusal (%v) is not a listing", l.Zone, l.Codes)
		}
		if l.Zone == "zen.spamhaus.org" && (len(l.Codes) != 1 || l.Codes[0] != "127.255.255.254") {
			t.Errorf("zen codes %v", l.Codes)
		}
	}

	res = get(t, cs.ts, "/api/v1/check/domain?domain=gmial.com&as=recipient")
	if res.status != 200 || !strings.Contains(res.body, `"status":"fallo"`) || !strings.Contains(res.body, "sigue sin existir") {
		t.Errorf("recipient: %d %s", res.status, res.body)
	}

	for _, tt := range []struct{ path, message string }{
		{"/api/v1/check/domain", "Escribe un dominio"},
		{"/api/v1/check/domain?domain=localhost", "terminación"},
		{"/api/v1/check/domain?domain=1.2.3.4", "dirección IP"},
		{"/api/v1/check/ip?ip=10.0.0.1", "privada"},
		{"/api/v1/check/ip?ip=hola", "No es una dirección IP válida"},
	} {
		res := get(t, cs.ts, tt.path)
		a := jsonError(t, res)
		if res.status != 400 || a.Error.Code != "bad_request" || !strings.Contains(a.Error.Message, tt.message) {
			t.Errorf("%s: %d %+v, want 400 bad_request saying %q", tt.path, res.status, a, tt.message)
		}
	}
	if n := cs.dns.Queries(); n == 0 {
		t.Error("no DNS query reached the server")
	}
}

// The check API has the classify API's limit per client.
func TestCheckRateLimit(t *testing.T) {
	cs := newCheckServer(t, handlers.Config{RateLimit: 2}, nil)
	for i := range 3 {
		res := get(t, cs.ts, "/api/v1/check/ip?ip=45.80.20.4")
		if want := map[bool]int{true: 429, false: 200}[i == 2]; res.status != want {
			t.Errorf("call %d: %d, want %d", i+1, res.status, want)
		}
	}
	for i := range 3 {
		res := get(t, cs.ts, "/comprobar?dominio=bien.es")
		if want := map[bool]int{true: 429, false: 200}[i == 2]; res.status != want {
			t.Errorf("page %d: %d, want %d", i+1, res.status, want)
		}
	}
}

// No page waits more than 2 s, whatever the DNS server does.
func TestCheckPageBoundedWhenDNSNeverAnswers(t *testing.T) {
	cs := newCheckServer(t, handlers.Config{}, func(c *dnscheck.Config) {})
	cs.dns.Drop("")
	for _, path := range []string{"/comprobar?dominio=bien.es", "/comprobar?ip=45.80.20.2", "/comprobar?destino=gmail.com", "/api/v1/check/domain?domain=bien.es", "/api/v1/check/ip?ip=45.80.20.2"} {
		start := time.Now()
		res := get(t, cs.ts, path)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s took %v, want under 2 s", path, d)
		}
		if res.status != 200 || !strings.Contains(res.body, "error") {
			t.Errorf("%s: %d, want the checks as errors", path, res.status)
		}
	}
}

// What customers check is never logged or stored; analytics get the kind
// of check and the outcome classes only.
func TestCheckPrivacy(t *testing.T) {
	cs := newCheckServer(t, handlers.Config{}, nil)
	get(t, cs.ts, "/comprobar?dominio=dos-spf.es")
	get(t, cs.ts, "/api/v1/check/ip?ip=45.80.20.7")
	get(t, cs.ts, "/api/v1/check/domain?domain=no-existe.es&as=recipient")
	get(t, cs.ts, "/comprobar?dominio=intranet.local")
	cs.db.flush(t)
	ctx := context.Background()
	if n, _ := cs.db.db.CountEvents(ctx, analytics.KindCheck); n != 3 {
		t.Errorf("%d check events, want 3", n)
	}
	outcomes, err := cs.db.db.CheckOutcomes(ctx, store.LastDays(time.Now(), 1, ""), 50)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]int64)
	for _, o := range outcomes {
		got[o.Key] = o.Count
	}
	if got["spf:fallo"] != 1 || got["dnsbl:fallo"] != 1 || got["mx:fallo"] != 1 {
		t.Errorf("outcomes %v", got)
	}
	cs.db.db.Close()
	secrets := []string{"dos-spf", "45.80.20.7", "no-existe", "intranet"}
	files, _ := filepath.Glob(filepath.Join(cs.dbDir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", filepath.Base(f), s)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(cs.log.String(), s) {
			t.Errorf("log holds %q:\n%s", s, cs.log.String())
		}
	}
}

// A diagnosis never waits on DNS: its cards link to the check of what the
// bounce names, and the page sends no query.
func TestDiagnosisLinksToChecks(t *testing.T) {
	cs := newCheckServer(t, handlers.Config{}, nil)
	for _, tt := range []struct {
		name, bounce             string
		kind, target, zone, href string
	}{
		{"listed IP", "550 5.7.1 Service unavailable; Client host [45.80.20.2] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/45.80.20.2",
			"ip", "45.80.20.2", "zen.spamhaus.org", "/comprobar?ip=45.80.20.2&lista=zen.spamhaus.org"},
		{"recipient domain", "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  maria@gmial.com\n    Unrouteable address\n",
			"recipient", "gmial.com", "", "/comprobar?destino=gmial.com"},
		{"authentication, sender known", "From: MAILER-DAEMON@mx.example.net\nTo: Ana <ana@sin-spf.es>\nSubject: Undelivered Mail Returned to Sender\n\n<luis@example.org>: host mx.example.org said: 550 5.7.26 Unauthenticated email from sin-spf.es is not accepted due to domain's DMARC policy\n",
			"domain", "sin-spf.es", "", "/comprobar?dominio=sin-spf.es"},
		{"PTR required", "554 5.7.1 Client host rejected: cannot find your reverse hostname, [45.80.20.4]",
			"ptr", "45.80.20.4", "", "/comprobar?ip=45.80.20.4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := cs.dns.Queries()
			res := postForm(t, cs.ts, "/diagnostico", url.Values{"texto": {tt.bounce}})
			if res.status != 200 {
				t.Fatalf("status %d", res.status)
			}
			boxes := find(res.doc, byTestID("live-check"))
			if len(boxes) != 1 {
				t.Fatalf("%d live checks, want 1; verdict %s", len(boxes), text(res.doc))
			}
			b := boxes[0]
			if attr(b, "data-live-check") != tt.kind || attr(b, "data-target") != tt.target || attr(b, "data-zone") != tt.zone {
				t.Errorf("live check %s %s %s, want %s %s %s", attr(b, "data-live-check"), attr(b, "data-target"), attr(b, "data-zone"), tt.kind, tt.target, tt.zone)
			}
			links := find(b, byTestID("check-link"))
			if len(links) != 1 || attr(links[0], "href") != tt.href {
				t.Errorf("link %v, want %s", links, tt.href)
			}
			if len(find(res.doc, func(n *html.Node) bool {
				return n.Data == "script" && strings.Contains(attr(n, "src"), "rebote-check.js")
			})) != 1 {
				t.Error("the page does not load rebote-check.js")
			}
			if n := cs.dns.Queries() - before; n != 0 {
				t.Errorf("the diagnosis sent %d DNS queries; it must not wait on DNS", n)
			}
		})
	}
	// A bounce that calls for no check shows none.
	res := postForm(t, cs.ts, "/diagnostico", url.Values{"texto": {"552 5.2.2 Mailbox full"}})
	if len(find(res.doc, byTestID("live-check"))) != 0 {
		t.Error("mailbox full: a live check shown")
	}
}

// The home page and the articles about authentication, blocklists and
// reverse DNS link to the checks.
func TestLinksToChecks(t *testing.T) {
	cs := newCheckServer(t, handlers.Config{}, nil)
	if len(find(get(t, cs.ts, "/").doc, byTestID("home-check"))) != 1 {
		t.Error("home: no link to /comprobar")
	}
	for slug, want := range map[string]bool{
		"spf-fallido": true, "dkim-fallido": true, "dmarc-fallido": true, "remitente-no-autenticado": true,
		"ip-en-lista-negra": true, "requiere-ptr": true, "buzon-lleno": false,
	} {
		links := find(get(t, cs.ts, "/errores/"+slug).doc, byTestID("article-check"))
		if (len(links) == 1) != want {
			t.Errorf("%s: %d links to the checks, want %v", slug, len(links), want)
		}
	}
}

// Without a checker the checks answer 503, and nothing else changes.
func TestChecksUnavailable(t *testing.T) {
	ts := newServer(t)
	if res := get(t, ts, "/comprobar?dominio=bien.es"); res.status != 503 {
		t.Errorf("page: %d, want 503", res.status)
	}
	if res := get(t, ts, "/api/v1/check/domain?domain=bien.es"); res.status != 503 {
		t.Errorf("API: %d, want 503", res.status)
	}
}

// BenchmarkCheckPage measures the domain page through the whole router
// against the local DNS server: cold (a new checker, so every answer is
// asked for) and warm (every answer cached).
func BenchmarkCheckPage(b *testing.B) {
	srv := dnstest.NewServer(b, dnstest.Fixture)
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		b.Fatal(err)
	}
	deps := handlers.Deps{KB: kb, Search: mustSearch(b, kb), Bounces: mustReader(b, kb), Bundle: bundle, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	router := func() http.Handler {
		checks, err := dnscheck.New(checkConfig(srv.Addr))
		if err != nil {
			b.Fatal(err)
		}
		deps.Checks = checks
		s, err := handlers.New(deps, handlers.Config{})
		if err != nil {
			b.Fatal(err)
		}
		return s.Routes()
	}
	req := httptest.NewRequest(http.MethodGet, "/comprobar?dominio=bien.es", nil)
	serve := func(h http.Handler) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `data-check-id="dmarc" data-status="ok"`) {
			b.Fatalf("status %d", w.Code)
		}
	}
	b.Run("cold", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			h := router()
			b.StartTimer()
			serve(h)
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
	})
	b.Run("warm", func(b *testing.B) {
		h := router()
		serve(h)
		for b.Loop() {
			serve(h)
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
	})
}
