package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// layoutWidths are the screens every page is checked at: a small phone,
// a common phone and a desktop.
var layoutWidths = []int{320, 390, 1280}

// reasonNames are the classifier's internal reason names that read as no
// word a customer knows: none may appear in what a page shows. They stay
// in the JSON API and the CSV downloads.
var reasonNames = []string{"userunknown", "mailboxfull", "hostunknown", "spamdetected", "norelaying",
	"securityerror", "authfailure", "requireptr", "ratelimited", "toomanyconn", "exceedlimit", "mesgtoobig",
	"networkerror", "systemerror", "systemfull", "syntaxerror", "policyviolation", "virusdetected",
	"contenterror", "notaccept", "onhold", "badreputation", "failedstarttls", "hasmoved", "undefined"}

// reasonWords are reason names that are also English words ("blocked"):
// a bounce's own text may say them, so they fail only when shown alone as
// a label (an element whose whole text is the name).
var reasonWords = []string{"blocked", "speeding", "expired", "rejected", "filtered", "suspend", "vacation", "delivered"}

// layoutPage is one page the layout test visits.
type layoutPage struct {
	name  string
	path  string
	paste string // when set, the page's paste box is filled with it and sent
	wait  string // a selector that is visible once the page is ready
	shots bool   // screenshot at every width
}

// TestEndToEndLayout checks, in a real browser at 320, 390 and 1,280 px,
// every article and the home, search, diagnosis (one and several
// recipients), privacy, demo and dashboard pages: nothing scrolls
// sideways, no element id appears twice, no internal reason name is shown,
// and axe-core finds no accessibility violation. Screenshots go to
// $REBOTE_ARTIFACTS.
func TestEndToEndLayout(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("layout at three widths over every page: not in -short, nor again under the race detector")
	}
	cfg := defaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "rebote.db")
	base, _ := startAppWith(t, cfg)
	if err := run(context.Background(), []string{"staff", "add", "--db", cfg.DB, "ana"}, noEnv,
		strings.NewReader("una clave bastante larga\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	seedTraffic(t, base)
	axeJS := axeSource(t)
	ctx := browserFor(t, 10*time.Minute)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// Spanish (headless Chromium asks for English), and a staff session
	// for the dashboard.
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/staff/entrar?lang=es"),
		chromedp.WaitVisible(css(`#nombre`)),
		chromedp.SendKeys(css(`#nombre`), "ana"),
		chromedp.SendKeys(css(`#clave`), "una clave bastante larga"),
		chromedp.Click(css(`[data-testid=signin-submit]`)),
		chromedp.WaitVisible(css(`[data-testid=figures]`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	waitForDashboard(ctx, t, base)

	single := "550 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org"
	multi := "<ana@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <ana@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n" +
		"<luis.garcia.fernandez.de.la.torre@departamento-de-administracion.example.net>: host mx.example.net[192.0.2.2] said: 552 5.2.2 <luis.garcia.fernandez.de.la.torre@departamento-de-administracion.example.net>: Mailbox full (in reply to RCPT TO command)\n\n" +
		"<pepe@example.org>: host mx.example.org[192.0.2.3] said: 421 4.7.0 Too many messages from your IP, slow down (in reply to end of DATA command)\n"
	pages := []layoutPage{
		{name: "home", path: "/", wait: "main", shots: true},
		{name: "search", path: "/buscar?q=" + url.QueryEscape("buzon lleno"), wait: "[data-testid=results]", shots: true},
		{name: "search-nothing", path: "/buscar?q=" + url.QueryEscape("precio dominio .es"), wait: "[data-testid=no-results]", shots: true},
		{name: "index", path: "/errores", wait: "main", shots: true},
		{name: "diagnosis-form", path: "/diagnostico", wait: "[data-testid=paste-input]"},
		{name: "diagnosis-single", path: "/diagnostico", paste: single, wait: "[data-testid=verdict]", shots: true},
		{name: "diagnosis-multi", path: "/diagnostico", paste: multi, wait: "[data-testid=verdict]", shots: true},
		{name: "diagnosis-none", path: "/diagnostico", paste: "Hola Marta, te confirmo el pedido de 550 unidades para el martes.", wait: "[data-testid=kind-notice]"},
		{name: "privacy", path: "/privacidad", wait: "main", shots: true},
		{name: "demo", path: "/demo/ticket", wait: "[data-testid=demo-textarea]", shots: true},
		{name: "dashboard", path: "/staff?dias=30", wait: "[data-testid=top-errors]", shots: true},
		{name: "not-found", path: "/errores/no-existe", wait: "[data-testid=error-page]"},
	}
	slugs := articleSlugs(t, base)
	// REBOTE_E2E_ARTICLES=N checks only the first N articles, for quick
	// runs while working on the layout; CI checks them all.
	if n, err := strconv.Atoi(os.Getenv("REBOTE_E2E_ARTICLES")); err == nil && n < len(slugs) {
		slugs = slugs[:n]
	}
	for _, slug := range slugs {
		pages = append(pages, layoutPage{name: "article-" + slug, path: "/errores/" + slug, wait: "[data-testid=article]",
			shots: slug == "ip-bloqueada-por-el-destinatario" || slug == "buzon-lleno"})
	}

	var spent struct{ load, check, axe time.Duration }
	defer func() { t.Logf("time spent: loading %v, checking %v, axe %v", spent.load, spent.check, spent.axe) }()
	for _, width := range layoutWidths {
		viewport := chromedp.EmulateViewport(int64(width), 900)
		if width < 1000 {
			viewport = chromedp.EmulateViewport(int64(width), 800, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, viewport); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			name := fmt.Sprintf("%s at %dpx", p.name, width)
			start := time.Now()
			if err := loadPage(ctx, base, p); err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			spent.load += time.Since(start)
			start = time.Now()
			checkPage(ctx, t, name)
			spent.check += time.Since(start)
			if axeJS != "" {
				start = time.Now()
				runAxe(ctx, t, name, axeJS)
				spent.axe += time.Since(start)
			}
			if p.shots {
				screenshot(ctx, t, fmt.Sprintf("layout-%s-%d", p.name, width))
			}
		}
	}

	// The English interface, whose strings differ in length, at the
	// narrowest and the widest screens: every page but the articles,
	// which are in Spanish either way, and two of them.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/?lang=en")); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int{320, 1280} {
		viewport := chromedp.EmulateViewport(int64(width), 900)
		if width < 1000 {
			viewport = chromedp.EmulateViewport(int64(width), 800, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, viewport); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			if strings.HasPrefix(p.name, "article-") && !p.shots {
				continue
			}
			name := fmt.Sprintf("%s in English at %dpx", p.name, width)
			if err := loadPage(ctx, base, p); err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			checkPage(ctx, t, name)
			if axeJS != "" {
				runAxe(ctx, t, name, axeJS)
			}
			if p.name == "diagnosis-multi" || p.name == "dashboard" {
				screenshot(ctx, t, fmt.Sprintf("layout-%s-en-%d", p.name, width))
			}
		}
	}
}

// TestEndToEndLiveSearch types on the pages with live search and in the
// widget: a live search never brings a second copy of anything with an
// id, "nothing found" does not flash up while a code is being typed, and
// the widget's box shows titles, never reason names.
func TestEndToEndLiveSearch(t *testing.T) {
	base := startApp(t)
	axeJS := axeSource(t)
	ctx := browserFor(t, 3*time.Minute)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/?lang=es")); err != nil {
		t.Fatal(err)
	}
	for _, start := range []string{"/", "/buscar"} {
		checkLiveSearch(ctx, t, base+start)
	}
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 800, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/demo/ticket"),
		chromedp.WaitVisible(css(`[data-testid=demo-textarea]`)),
		chromedp.SendKeys(css(`[data-testid=demo-textarea]`), "me devuelve 550 5.1.1 user unknown al escribir a un cliente"),
		chromedp.WaitVisible(css(`[data-rebote-widget] a`)),
	)
	if err != nil {
		t.Fatalf("widget: %v", err)
	}
	checkPage(ctx, t, "demo with the widget open at 390px")
	if axeJS != "" {
		runAxe(ctx, t, "demo with the widget open at 390px", axeJS)
	}
	screenshot(ctx, t, "layout-widget-390")

	// The × shows where the focus is; links say they open a new tab;
	// Escape closes the box and gives the focus back to the field.
	var outline, name, focused string
	var shown bool
	err = chromedp.Do(ctx,
		chromedp.Focus(css(`[data-rebote-close]`)),
		into(&outline, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("[data-rebote-close]")).outlineStyle`)),
		into(&name, chromedp.Evaluate[string](`document.querySelector("[data-rebote-widget] a").getAttribute("aria-label") || ""`)),
		chromedp.KeyEvent(kb.Escape),
		into(&shown, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("[data-rebote-widget]")).display !== "none"`)),
		into(&focused, chromedp.Evaluate[string](`document.activeElement.id`)),
	)
	if err != nil {
		t.Fatalf("widget keyboard: %v", err)
	}
	if outline == "none" || outline == "" {
		t.Errorf("the widget's × shows no focus ring")
	}
	if !strings.Contains(name, "pestaña nueva") {
		t.Errorf("widget link name %q does not say it opens a new tab", name)
	}
	if shown || focused != "descripcion" {
		t.Errorf("Escape: box shown %v, focus on %q; want it closed and the focus back in the field", shown, focused)
	}

	// A question that is not a delivery error: the answer and its button
	// fit the phone's width and pass axe too.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/demo/ticket"),
		chromedp.WaitVisible(css(`[data-testid=demo-textarea]`)),
		chromedp.SendKeys(css(`[data-testid=demo-textarea]`), "no encuentro la factura de este mes"),
		chromedp.WaitVisible(css(`[data-rebote-topic] a`)),
	)
	if err != nil {
		t.Fatalf("widget with a question that is not an error: %v", err)
	}
	checkPage(ctx, t, "demo with the widget's not-an-error answer at 390px")
	if axeJS != "" {
		runAxe(ctx, t, "demo with the widget's not-an-error answer at 390px", axeJS)
	}
	screenshot(ctx, t, "layout-widget-topic-390")
}

// loadPage opens a page; for a paste, it fills the paste box and sends it.
func loadPage(ctx context.Context, base string, p layoutPage) error {
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if p.paste == "" {
		return chromedp.Do(ctx, chromedp.Navigate(base+p.path), chromedp.WaitVisible(css(p.wait)))
	}
	return chromedp.Do(ctx,
		chromedp.Navigate(base+p.path+"?texto="+url.QueryEscape(p.paste)),
		chromedp.WaitVisible(css(`[data-testid=paste-input]`)),
		chromedp.Submit(css(`[data-testid=paste-input]`)),
		chromedp.WaitVisible(css(p.wait)),
	)
}

// checkPage fails the test when the page is wider than the screen, when
// an id appears twice or when an internal reason name is shown.
func checkPage(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	var widths struct{ Scroll, Inner, Client int }
	var dups, reasons []string
	err := chromedp.Do(ctx,
		into(&widths, chromedp.Evaluate[struct{ Scroll, Inner, Client int }](`({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth, Client: document.documentElement.clientWidth})`)),
		into(&dups, chromedp.Evaluate[[]string](duplicateIDsJS)),
		into(&reasons, chromedp.Evaluate[[]string](reasonNamesJS())),
	)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if widths.Scroll > min(widths.Inner, widths.Client) {
		var culprits []string
		_ = chromedp.Do(ctx, into(&culprits, chromedp.Evaluate[[]string](widestJS)))
		t.Errorf("%s: the page is %dpx wide on a %dpx screen; widest: %v", name, widths.Scroll, min(widths.Inner, widths.Client), culprits)
	}
	if len(dups) > 0 {
		t.Errorf("%s: duplicate ids %v", name, dups)
	}
	if len(reasons) > 0 {
		t.Errorf("%s: internal reason names shown: %v", name, reasons)
	}
}

const duplicateIDsJS = `(() => {
	const seen = new Set(), dups = [];
	for (const el of document.querySelectorAll("[id]")) {
		if (seen.has(el.id)) dups.push(el.id);
		seen.add(el.id);
	}
	return dups;
})()`

// widestJS names the elements that stick out of the screen, to say what
// to fix.
const widestJS = `(() => {
	const w = document.documentElement.clientWidth, out = [];
	for (const el of document.querySelectorAll("body *")) {
		const r = el.getBoundingClientRect();
		if (r.right > w + 1 && getComputedStyle(el).position !== "absolute") {
			out.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ")[0] : "") + " " + Math.round(r.right) + "px");
		}
		if (out.length >= 5) break;
	}
	return out;
})()`

// reasonNamesJS finds reason names in the text a visitor sees (or hears:
// visually hidden text counts), outside <pre> blocks, which quote the
// bounce or a real server's words.
func reasonNamesJS() string {
	names, _ := json.Marshal(reasonNames)
	words, _ := json.Marshal(reasonWords)
	return `(() => {
	const names = ` + string(names) + `, words = new Set(` + string(words) + `);
	const re = new RegExp("\\b(" + names.join("|") + ")\\b");
	const found = [];
	const shown = el => !el.closest("pre, script, style, template, noscript") && el.getClientRects().length > 0;
	// An article may quote a word a bounce says ("Action: delivered").
	const quoted = el => el.closest("[data-testid=article] section, .summary");
	let m = document.title.match(re);
	if (m) found.push(m[1] + " in the title");
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n; (n = walk.nextNode());) {
		const el = n.parentElement;
		if (!el || !shown(el)) continue;
		if ((m = n.data.match(re))) found.push(m[1] + " in <" + el.tagName.toLowerCase() + ">: " + n.data.trim().slice(0, 80));
		if (words.has(n.data.trim()) && el.textContent.trim() === n.data.trim() && !quoted(el)) found.push(n.data.trim() + " as a label in <" + el.tagName.toLowerCase() + ">");
	}
	return found;
})()`
}

// checkLiveSearch types on a page with live search: a code typed one
// digit at a time never shows "nothing found", a query that finds nothing
// brings no second paste box, and only the count is announced.
func checkLiveSearch(ctx context.Context, t *testing.T, u string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	var flashed bool
	var dups []string
	var status string
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 800, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(u),
		chromedp.WaitVisible(css(`[data-testid=search-input]`)),
		chromedp.Evaluate[chromedp.Void](`window.__flashed = false; new MutationObserver(() => {
			if (document.querySelector("#resultados [data-testid=no-results]")) window.__flashed = true;
		}).observe(document.getElementById("resultados"), {childList: true, subtree: true})`),
		chromedp.SendKeys(css(`[data-testid=search-input]`), "5"),
		chromedp.WaitReady(css(`#resultados[data-query="5"]`)),
		chromedp.SendKeys(css(`[data-testid=search-input]`), "5"),
		chromedp.WaitReady(css(`#resultados[data-query="55"]`)),
		chromedp.SendKeys(css(`[data-testid=search-input]`), "0"),
		chromedp.WaitVisible(css(`#resultados [data-testid=results]`)),
		into(&flashed, chromedp.Evaluate[bool](`window.__flashed`)),
		into(&status, chromedp.Text(css(`#resultados-estado`))),
	)
	if err != nil {
		t.Errorf("live search on %s: %v", u, err)
		return
	}
	if flashed {
		t.Errorf("live search on %s: typing 550 showed \"nothing found\" on the way", u)
	}
	if !strings.Contains(status, "resultado") {
		t.Errorf("live search on %s: announced %q, want the number of results", u, status)
	}
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-testid=search-input]").value = ""`),
		chromedp.SendKeys(css(`[data-testid=search-input]`), "zzqxw"),
		chromedp.WaitVisible(css(`#resultados [data-testid=no-results]`)),
		into(&dups, chromedp.Evaluate[[]string](duplicateIDsJS)),
		into(&status, chromedp.Text(css(`#resultados-estado`))),
	)
	if err != nil {
		t.Errorf("live search with no results on %s: %v", u, err)
		return
	}
	if len(dups) > 0 {
		t.Errorf("live search with no results on %s: duplicate ids %v", u, dups)
	}
	if !strings.Contains(status, "zzqxw") {
		t.Errorf("live search with no results on %s: announced %q", u, status)
	}
	checkPage(ctx, t, "live search on "+u)
}

// axeSource returns axe-core's script: $REBOTE_AXE, or the copy .ci/run
// installs from the npm registry. Without it axe is skipped, except under
// CI (REBOTE_E2E=1), where that is a failure.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("REBOTE_AXE")
	if path == "" {
		path = filepath.Join("..", "..", ".ci", "node", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("REBOTE_E2E") == "1" {
			t.Fatalf("axe-core not found (%v): .ci/run installs it with npm install --prefix .ci/node axe-core@4", err)
		}
		t.Logf("axe-core not found (%v): accessibility checks skipped; npm install --prefix .ci/node axe-core@4 to run them", err)
		return ""
	}
	return string(b)
}

// axeViolation is what the test reports of an axe-core violation.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// runAxe injects axe-core into the page and fails on any violation of
// WCAG 2.2 A/AA or axe's best practices.
func runAxe(ctx context.Context, t *testing.T, name, axeJS string) {
	t.Helper()
	var vs []axeViolation
	err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.axe || (function(){`+axeJS+`
})()`),
		into(&vs, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
			ID: v.id, Impact: v.impact || "", Help: v.help,
			Nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ") + " " + (n.failureSummary || "").split("\n").slice(1, 2).join(""))
		})))`, chromedp.EvalAwaitPromise)),
	)
	if err != nil {
		t.Errorf("%s: axe: %v", name, err)
		return
	}
	for _, v := range vs {
		t.Errorf("%s: axe %s (%s): %s: %v", name, v.ID, v.Impact, v.Help, v.Nodes)
	}
}

// articleSlugs lists every article, as the JSON API gives them.
func articleSlugs(t *testing.T, base string) []string {
	t.Helper()
	res, err := http.Get(base + "/api/v1/articles")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Articles []struct{ Slug string } `json:"articles"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || len(body.Articles) == 0 {
		t.Fatalf("articles: %v (%d)", err, len(body.Articles))
	}
	slugs := make([]string, len(body.Articles))
	for i, a := range body.Articles {
		slugs[i] = a.Slug
	}
	return slugs
}

// seedTraffic gives the dashboard something in every table: diagnoses
// (clear, unclear and not bounces), votes with comments about articles
// and diagnoses, ticket clicks and failed searches, one of them a long
// unbroken string.
func seedTraffic(t *testing.T, base string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) {
		res, err := client.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	get := func(path string) {
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	for i, text := range []string{
		"550 5.1.1 <pepe@example.com>: Recipient address rejected: User unknown",
		"552 5.2.2 <ana@example.es>: Mailbox full",
		"550 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org",
		"421 4.7.0 Too many messages, slow down",
		"554 algo raro ha pasado con el servidor remoto xq-17",
		"Hola, ¿quedamos el martes?",
	} {
		for range i + 1 {
			post("/diagnostico", url.Values{"texto": {text}, "origen": {"ticket"}})
		}
	}
	post("/valorar", url.Values{"motivo": {"userunknown"}, "util": {"no"}, "comentario": {"No sé cómo saber si la dirección está bien escrita"}, "origen": {"ticket"}})
	post("/valorar", url.Values{"motivo": {"none"}, "util": {"si"}})
	post("/valorar", url.Values{"articulo": {"buzon-lleno"}, "util": {"si"}, "comentario": {"Muy claro, gracias"}})
	get("/soporte?motivo=mailboxfull&origen=ticket")
	get("/soporte?articulo=direccion-no-existe")
	get("/buscar?q=zzqx+qwvv")
	get("/buscar?q=" + strings.Repeat("sinespaciosniresultados", 8))
	for range 3 {
		get("/errores/lista-gris")
	}
}

// waitForDashboard reloads the dashboard until the seeded events are
// saved (within a second, longer on a loaded machine).
func waitForDashboard(ctx context.Context, t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/staff?dias=30"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=figures]`)),
			into(&n, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=comments] li").length`)),
		)
		if err != nil {
			t.Fatalf("dashboard: %v", err)
		}
		if n >= 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(errors.New("the seeded traffic never reached the dashboard"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
