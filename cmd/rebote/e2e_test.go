package main

import (
	"context"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/servinetwork/rebote/dnscheck/dnstest"
	"github.com/servinetwork/rebote/knowledge"
)

// browser starts headless Chromium for an end-to-end test. Without a
// browser the test is skipped, unless REBOTE_E2E=1 (set by .ci/run), where
// a missing browser is a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 90*time.Second)
}

// browserFor is browser with a timeout for the whole test.
func browserFor(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := os.Getenv("REBOTE_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("REBOTE_E2E") == "1" {
			t.Fatal("REBOTE_E2E=1 but no chromium found")
		}
		t.Skip("no chromium: install Debian's chromium or set REBOTE_CHROMIUM")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// The first run starts the browser; it must not carry the timeout,
	// which would stop the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// into runs a and stores its value in dst, so several actions with values
// can run in one chromedp.Do.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

func attrValue(dst *string, sel, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := chromedp.AttributeValue(chromedp.CSS(sel), name)(ctx, t)
		*dst = v.Value
		return chromedp.Void{}, err
	}
}

func scriptsDisabled(disabled bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: disabled})
		return err
	})
}

// artifactDir is where screenshots go: $REBOTE_ARTIFACTS when set (CI keeps
// them), else a temporary directory.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("REBOTE_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func screenshot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(artifactDir(t), name+".png"), img, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEndToEnd walks the "done" path in a real browser: a customer
// opens the home page, types a problem, and lands on the right article;
// then the same without JavaScript, and at phone width.
func TestEndToEnd(t *testing.T) {
	base := startApp(t)
	ctx := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// Live search: typing shows results without submitting. ?lang=es sets
	// the language cookie: headless Chromium asks for English otherwise.
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/?lang=es"),
		chromedp.WaitVisible(css(`[data-testid=search-input]`)),
		chromedp.SendKeys(css(`[data-testid=search-input]`), "buzon lleno"),
		chromedp.WaitVisible(css(`#resultados [data-slug="buzon-lleno"]`)),
	)
	if err != nil {
		t.Fatalf("live search: %v", err)
	}
	screenshot(ctx, t, "home-live-search-desktop")
	var h1, slug string
	err = chromedp.Do(ctx,
		chromedp.Click(css(`#resultados [data-testid=results] li:first-child a`)),
		chromedp.WaitVisible(css(`[data-testid=article]`)),
		into(&h1, chromedp.Text(css(`h1`))),
		attrValue(&slug, `[data-testid=article]`, "data-slug"),
	)
	if err != nil {
		t.Fatalf("open result: %v", err)
	}
	if slug != "buzon-lleno" || !strings.Contains(h1, "buzón") {
		t.Errorf("landed on %s (%q), want buzon-lleno", slug, h1)
	}
	screenshot(ctx, t, "article-desktop")

	// Submitting the form (Enter) goes to the results page.
	for _, tt := range []struct{ q, want string }{
		{"553 relay", "relay-no-permitido"},
		{"554 This server requires PTR for unauthenticated connections", "requiere-ptr"},
	} {
		var first string
		err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(css(`[data-testid=search-input]`)),
			chromedp.SendKeys(css(`[data-testid=search-input]`), tt.q+"\r"),
			chromedp.WaitVisible(css(`[data-testid=result-count]`)),
			attrValue(&first, `[data-testid=results] li:first-child a`, "data-slug"),
		)
		if err != nil {
			t.Fatalf("search %q: %v", tt.q, err)
		}
		if first != tt.want {
			t.Errorf("search %q: first result %s, want %s", tt.q, first, tt.want)
		}
	}
	screenshot(ctx, t, "search-desktop")

	// Paste a bounce: one card per recipient, with the typo spotted.
	bounce := "This message was created automatically by mail delivery software.\n\n" +
		"A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n" +
		"  maria@gmial.com\n    Unrouteable address\n"
	var reason, advice string
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`[data-testid=paste-input]`)),
		chromedp.SendKeys(css(`[data-testid=paste-input]`), bounce),
		chromedp.Submit(css(`[data-testid=paste-input]`)),
		chromedp.WaitVisible(css(`[data-testid=verdict]`)),
		attrValue(&reason, `[data-testid=verdict]`, "data-reason"),
		into(&advice, chromedp.Text(css(`[data-testid=verdict] .advice`))),
	)
	if err != nil {
		t.Fatalf("paste: %v", err)
	}
	if reason != "hostunknown" || !strings.Contains(advice, "maria@gmail.com") {
		t.Errorf("diagnosis %s, advice %q; want hostunknown suggesting maria@gmail.com", reason, advice)
	}
	screenshot(ctx, t, "diagnosis-desktop")

	// Without JavaScript the plain form still works.
	var noJSFirst string
	err = chromedp.Do(ctx,
		scriptsDisabled(true),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`[data-testid=search-input]`)),
		chromedp.SendKeys(css(`[data-testid=search-input]`), "mailbox full\r"),
		chromedp.WaitVisible(css(`[data-testid=results]`)),
		attrValue(&noJSFirst, `[data-testid=results] li:first-child a`, "data-slug"),
		scriptsDisabled(false),
	)
	if err != nil {
		t.Fatalf("search without JavaScript: %v", err)
	}
	if noJSFirst != "buzon-lleno" {
		t.Errorf("no-JS search: first result %s, want buzon-lleno", noJSFirst)
	}

	// Phone width: the pages still lay out (no horizontal scrolling).
	for _, page := range []struct{ name, path string }{
		{"home-phone", "/"},
		{"article-phone", "/errores/relay-no-permitido"},
		{"search-phone", "/buscar?q=lista+negra"},
		{"index-phone", "/errores"},
		{"diagnosis-phone", "/diagnostico?texto=" + url.QueryEscape("550 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org")},
	} {
		var scrollW, clientW int
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
			chromedp.Navigate(base+page.path),
			chromedp.WaitVisible(css(`main`)),
			into(&scrollW, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)),
			into(&clientW, chromedp.Evaluate[int](`document.documentElement.clientWidth`)),
		)
		if err != nil {
			t.Fatalf("%s: %v", page.name, err)
		}
		if scrollW > clientW+1 {
			t.Errorf("%s: page is %dpx wide on a %dpx screen", page.name, scrollW, clientW)
		}
		screenshot(ctx, t, page.name)
	}

	// Keyboard: the first Tab reaches the skip link.
	var focused string
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/errores"),
		chromedp.WaitVisible(css(`main`)),
		chromedp.KeyEvent("\t"),
		into(&focused, chromedp.Evaluate[string](`document.activeElement.className`)),
	)
	if err != nil {
		t.Fatalf("keyboard: %v", err)
	}
	if focused != "skip" {
		t.Errorf("first Tab focused %q, want the skip link", focused)
	}
}

// TestEndToEndStaff follows a customer from the ticket form through a
// diagnosis that did not help, then a staff member who signs in and sees
// it on the dashboard.
func TestEndToEndStaff(t *testing.T) {
	cfg := defaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "rebote.db")
	base, _ := startAppWith(t, cfg)
	if err := run(context.Background(), []string{"staff", "add", "--db", cfg.DB, "ana"}, noEnv,
		strings.NewReader("una clave bastante larga\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// The ticket form links to the diagnosis with the customer's error.
	line := "550 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org"
	var reason, supportHref string
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/diagnostico?lang=es&origen=ticket&texto="+url.QueryEscape(line)),
		chromedp.WaitVisible(css(`[data-testid=paste-input]`)),
		chromedp.Submit(css(`[data-testid=paste-input]`)),
		chromedp.WaitVisible(css(`[data-testid=verdict]`)),
		attrValue(&reason, `[data-testid=verdict]`, "data-reason"),
		chromedp.Click(css(`[data-testid=verdict] [data-testid=vote-no]`)),
		chromedp.Click(css(`[data-testid=verdict] [data-testid=vote-submit]`)),
		chromedp.WaitVisible(css(`[data-testid=thanks]`)),
		attrValue(&supportHref, `[data-testid=support-link]`, "href"),
	)
	if err != nil {
		t.Fatalf("diagnosis and vote: %v", err)
	}
	if reason != "blocked" || !strings.Contains(supportHref, "motivo=blocked") || !strings.Contains(supportHref, "origen=ticket") {
		t.Errorf("reason %q, support link %q: want blocked, carried to the ticket form", reason, supportHref)
	}
	screenshot(ctx, t, "thanks-no-desktop")

	// Staff sign in and find it.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/staff"),
		chromedp.WaitVisible(css(`#nombre`)),
		chromedp.SendKeys(css(`#nombre`), "ana"),
		chromedp.SendKeys(css(`#clave`), "una clave bastante larga"),
		chromedp.Click(css(`[data-testid=signin-submit]`)),
		chromedp.WaitVisible(css(`[data-testid=figures]`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	// Events are saved within a second; reload until they show (a loaded
	// machine may take longer).
	var table string
	const blocked = "Diagnóstico: IP o servidor bloqueado" // the vote on the "blocked" diagnosis
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !strings.Contains(table, blocked); {
		err = chromedp.Do(ctx,
			chromedp.Navigate(base+"/staff?dias=7&origen=ticket"),
			chromedp.WaitVisible(css(`[data-testid=figures]`)),
			into(&table, chromedp.Text(css(`main`))),
		)
		if err != nil {
			t.Fatalf("dashboard: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(table, "lista negra") || !strings.Contains(table, blocked) {
		t.Errorf("dashboard from the ticket form does not show the blocked diagnosis and its vote:\n%s", table)
	}
	screenshot(ctx, t, "dashboard-desktop")
	var scrollW, clientW int
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/staff?dias=30"),
		chromedp.WaitVisible(css(`[data-testid=figures]`)),
		into(&scrollW, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)),
		into(&clientW, chromedp.Evaluate[int](`document.documentElement.clientWidth`)),
	)
	if err != nil {
		t.Fatalf("dashboard on a phone: %v", err)
	}
	if scrollW > clientW+1 {
		t.Errorf("dashboard is %dpx wide on a %dpx screen", scrollW, clientW)
	}
	screenshot(ctx, t, "dashboard-phone")

	// Signing out leads back to the sign-in form.
	err = chromedp.Do(ctx,
		chromedp.Click(css(`[data-testid=signout]`)),
		chromedp.WaitVisible(css(`#nombre`)),
	)
	if err != nil {
		t.Fatalf("sign out: %v", err)
	}
}

// TestEndToEndWidget types an error into the demo ticket form: the widget
// suggests the right article and links to the full diagnosis.
func TestEndToEndWidget(t *testing.T) {
	base := startApp(t)
	ctx := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	var href, diagnosis string
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/demo/ticket?lang=es"),
		chromedp.WaitVisible(css(`[data-testid=demo-textarea]`)),
		chromedp.SendKeys(css(`[data-testid=demo-textarea]`), "Buenas, no me llegan los correos a un cliente, el error es 552 5.2.2 Mailbox full"),
		chromedp.WaitVisible(css(`[data-rebote-widget] a`)),
		attrValue(&href, `[data-rebote-widget] a`, "href"),
		into(&diagnosis, chromedp.Text(css(`[data-rebote-widget]`))),
	)
	if err != nil {
		t.Fatalf("widget: %v", err)
	}
	if !strings.Contains(href, "/errores/buzon-lleno") || !strings.Contains(href, "origen=ticket") {
		t.Errorf("widget's first link %q, want the mailbox-full article from the ticket form", href)
	}
	if !strings.Contains(diagnosis, "¿Es este tu problema?") || !strings.Contains(diagnosis, "diagnóstico completo") {
		t.Errorf("widget text %q", diagnosis)
	}
	screenshot(ctx, t, "widget-desktop")
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/demo/ticket"),
		chromedp.WaitVisible(css(`[data-testid=demo-textarea]`)),
		chromedp.SendKeys(css(`[data-testid=demo-textarea]`), "550 5.7.1 relay access denied"),
		chromedp.WaitVisible(css(`[data-rebote-widget] a`)),
	)
	if err != nil {
		t.Fatalf("widget on a phone: %v", err)
	}
	screenshot(ctx, t, "widget-phone")

	// A question that is not a delivery error gets the provider's page,
	// not a list of bounce articles.
	var topicHref, topicText string
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/demo/ticket"),
		chromedp.WaitVisible(css(`[data-testid=demo-textarea]`)),
		chromedp.SendKeys(css(`[data-testid=demo-textarea]`), "Hola, he olvidado la contraseña del webmail"),
		chromedp.WaitVisible(css(`[data-rebote-topic] a`)),
		attrValue(&topicHref, `[data-rebote-topic] a`, "href"),
		into(&topicText, chromedp.Text(css(`[data-rebote-widget]`))),
	)
	if err != nil {
		t.Fatalf("widget with a question that is not an error: %v", err)
	}
	if topicHref != knowledge.DefaultPolicy().MailAccountsURL || !strings.Contains(topicText, "No es un error de correo") {
		t.Errorf("widget for a forgotten password: link %q, text %q", topicHref, topicText)
	}
	screenshot(ctx, t, "widget-topic-phone")
}

// TestEndToEndCheck follows a customer from a diagnosis that names a
// blocklisted IP to "Compruébalo ahora": the card fills in, after the page
// shows, whether the IP is still on the list; the link opens the full
// check; the domain form fills its results in place, and works without
// JavaScript. DNS answers come from a server on 127.0.0.1.
func TestEndToEndCheck(t *testing.T) {
	srv := dnstest.NewServer(t, dnstest.Fixture)
	cfg := defaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "rebote.db")
	cfg.DNSServer = srv.Addr
	cfg.DKIMSelectors = []string{"sn1"}
	cfg.OutboundIPs = []string{"45.80.10.1"}
	base, _ := startAppWith(t, cfg)
	ctx := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// Still listed: the card says so once the check is back.
	still := "550 5.7.1 Service unavailable; Client host [45.80.20.2] blocked using zen.spamhaus.org"
	var cardText, href string
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/diagnostico?lang=es&texto="+url.QueryEscape(still)),
		chromedp.WaitVisible(css(`[data-testid=paste-input]`)),
		chromedp.Submit(css(`[data-testid=paste-input]`)),
		chromedp.WaitVisible(css(`[data-testid=verdict]`)),
		chromedp.WaitVisible(css(`[data-testid=live-check-result] [data-listed]`)),
		into(&cardText, chromedp.Text(css(`[data-testid=live-check-result]`))),
		attrValue(&href, `[data-testid=check-link]`, "href"),
	)
	if err != nil {
		t.Fatalf("diagnosis with a listed IP: %v", err)
	}
	if !strings.Contains(cardText, "Todavía aparece en Spamhaus ZEN") {
		t.Errorf("card says %q, want «Todavía aparece en Spamhaus ZEN»", cardText)
	}
	if !strings.Contains(href, "/comprobar?ip=45.80.20.2") {
		t.Errorf("check link %q", href)
	}
	screenshot(ctx, t, "diagnosis-check-desktop")

	// The link opens the whole check of the IP.
	var status, page string
	err = chromedp.Do(ctx,
		chromedp.Click(css(`[data-testid=check-link]`)),
		chromedp.WaitVisible(css(`[data-testid=check-results] [data-check-id=dnsbl]`)),
		attrValue(&status, `[data-testid=check-results] [data-check-id=dnsbl]`, "data-status"),
		into(&page, chromedp.Text(css(`[data-testid=check-results]`))),
	)
	if err != nil {
		t.Fatalf("open the check: %v", err)
	}
	if status != "fallo" || !strings.Contains(page, "127.0.0.2") {
		t.Errorf("IP check: status %q, page %q", status, page)
	}

	// No longer listed.
	gone := "554 5.7.1 Service unavailable; Client host [45.80.20.7] blocked using zen.spamhaus.org"
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/diagnostico?texto="+url.QueryEscape(gone)),
		chromedp.WaitVisible(css(`[data-testid=paste-input]`)),
		chromedp.Submit(css(`[data-testid=paste-input]`)),
		chromedp.WaitVisible(css(`[data-testid=live-check-result] [data-listed]`)),
		into(&cardText, chromedp.Text(css(`[data-testid=live-check-result]`))),
	)
	if err != nil {
		t.Fatalf("diagnosis with an IP no longer listed: %v", err)
	}
	if !strings.Contains(cardText, "Ya no aparece en Spamhaus ZEN") {
		t.Errorf("card says %q, want «Ya no aparece en Spamhaus ZEN»", cardText)
	}

	// The domain form fills its results in place.
	var fix, location string
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/comprobar"),
		chromedp.WaitVisible(css(`[data-testid=check-domain-input]`)),
		chromedp.SendKeys(css(`[data-testid=check-domain-input]`), "sin-spf.es\r"),
		chromedp.WaitVisible(css(`[data-check-id=spf][data-status=fallo] [data-testid=check-fix]`)),
		into(&fix, chromedp.Text(css(`[data-check-id=spf] [data-testid=check-fix]`))),
		into(&location, chromedp.Evaluate[string](`location.search`)),
	)
	if err != nil {
		t.Fatalf("domain form: %v", err)
	}
	if !strings.Contains(fix, `"v=spf1 include:_spf.servinetwork.com ~all"`) || location != "?dominio=sin-spf.es" {
		t.Errorf("fix %q, location %q", fix, location)
	}
	screenshot(ctx, t, "check-desktop")

	// Without JavaScript the form posts and the server answers.
	var dmarc string
	err = chromedp.Do(ctx,
		scriptsDisabled(true),
		chromedp.Navigate(base+"/comprobar"),
		chromedp.WaitVisible(css(`[data-testid=check-domain-input]`)),
		chromedp.SendKeys(css(`[data-testid=check-domain-input]`), "dmarc-reject.es\r"),
		chromedp.WaitVisible(css(`[data-check-id=dmarc]`)),
		attrValue(&dmarc, `[data-check-id=dmarc]`, "data-status"),
		scriptsDisabled(false),
	)
	if err != nil {
		t.Fatalf("domain form without JavaScript: %v", err)
	}
	if dmarc != "ok" {
		t.Errorf("dmarc-reject.es: DMARC %q, want ok", dmarc)
	}

	// Phone width: no horizontal scrolling, records included.
	var scrollW, clientW int
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/comprobar?dominio=sin-spf.es"),
		chromedp.WaitVisible(css(`[data-check-id=spf]`)),
		into(&scrollW, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)),
		into(&clientW, chromedp.Evaluate[int](`document.documentElement.clientWidth`)),
	)
	if err != nil {
		t.Fatalf("check page on a phone: %v", err)
	}
	if scrollW > clientW+1 {
		t.Errorf("check page is %dpx wide on a %dpx screen", scrollW, clientW)
	}
	screenshot(ctx, t, "check-phone")
}
