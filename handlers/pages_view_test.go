package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// internalReasons are reason names no page may show; they stay in the
// JSON API and the CSV downloads.
var internalReasons = regexp.MustCompile(`\b(userunknown|mailboxfull|hostunknown|spamdetected|norelaying|securityerror|authfailure|requireptr|ratelimited|toomanyconn|exceedlimit|mesgtoobig|networkerror|systemerror|systemfull|syntaxerror|policyviolation|virusdetected|contenterror|notaccept|onhold|badreputation|failedstarttls|hasmoved|undefined)\b`)

// visibleText is a page's text without <pre> blocks (which quote the
// bounce) and without scripts.
func visibleText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "pre" || n.Data == "script" || n.Data == "style" || n.Data == "head") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// duplicateIDs lists the ids that appear more than once in a document.
func duplicateIDs(doc *html.Node) []string {
	seen := make(map[string]bool)
	var dups []string
	for _, n := range find(doc, func(n *html.Node) bool { return attr(n, "id") != "" }) {
		id := attr(n, "id")
		if seen[id] {
			dups = append(dups, id)
		}
		seen[id] = true
	}
	return dups
}

func TestDiagnosisCards(t *testing.T) {
	ts := newServer(t)
	bounce := "<ana@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <ana@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n" +
		"<luis@example.net>: host mx.example.net[192.0.2.2] said: 552 5.2.2 <luis@example.net>: Mailbox full (in reply to RCPT TO command)\n"
	res := postForm(t, ts, "/diagnostico", url.Values{"texto": {bounce}, "origen": {"ticket"}})
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	cards := find(res.doc, byTestID("verdict"))
	if len(cards) != 2 {
		t.Fatalf("%d cards, want one per recipient", len(cards))
	}
	for i, tt := range []struct{ address, reason, title string }{
		{"ana@example.com", "userunknown", "La dirección del destinatario no existe"},
		{"luis@example.net", "mailboxfull", "El buzón del destinatario está lleno"},
	} {
		c := cards[i]
		h2 := find(c, byTag("h2"))
		if len(h2) != 1 || !strings.Contains(text(h2[0]), tt.address) || !strings.Contains(text(h2[0]), tt.title) {
			t.Errorf("card %d: heading %q, want the address %s and the title", i, text(h2[0]), tt.address)
		}
		votes := find(c, byTag("form"))
		if len(votes) != 1 || attr(votes[0], "action") != "/valorar" {
			t.Fatalf("card %d: %d forms, want its own vote", i, len(votes))
		}
		var motivo, origen string
		for _, in := range find(votes[0], byTag("input")) {
			switch attr(in, "name") {
			case "motivo":
				motivo = attr(in, "value")
			case "origen":
				origen = attr(in, "value")
			}
		}
		if motivo != tt.reason || origen != "ticket" {
			t.Errorf("card %d votes on motivo=%q origen=%q, want %s from the ticket form", i, motivo, origen, tt.reason)
		}
		support := find(c, byTestID("support-link"))
		if len(support) != 1 || !strings.Contains(attr(support[0], "href"), "motivo="+tt.reason) || !strings.Contains(attr(support[0], "href"), "origen=ticket") {
			t.Errorf("card %d: support link %v, want its own with motivo=%s", i, support, tt.reason)
		}
		if m := internalReasons.FindString(visibleText(c)); m != "" {
			t.Errorf("card %d shows the internal name %q", i, m)
		}
	}
	// The links to the articles have distinct names, the page one copy of
	// each id, and the answer's wording cannot read as "security".
	readMore := find(res.doc, byTestID("read-more"))
	if len(readMore) != 2 || text(readMore[0]) == text(readMore[1]) {
		t.Errorf("read-more links %q: want one per card, with distinct names", []string{text(readMore[0]), text(readMore[1])})
	}
	if dups := duplicateIDs(res.doc); len(dups) > 0 {
		t.Errorf("duplicate ids %v", dups)
	}
	page := text(res.doc)
	if strings.Contains(page, "Seguridad del diagnóstico") || !strings.Contains(page, "Fiabilidad del diagnóstico") {
		t.Errorf("confidence still reads as security")
	}
	// "Analizar otro mensaje" starts empty, and is a required field.
	ta := find(res.doc, byTestID("paste-input"))
	if len(ta) != 1 || text(ta[0]) != "" || !hasAttr(ta[0], "required") {
		t.Errorf("the paste box after a result should be empty and required")
	}
	// The vote asks the question before any comment.
	form := find(cards[0], byTag("form"))[0]
	if first := find(form, func(n *html.Node) bool {
		return n.Data == "input" && attr(n, "type") == "radio" || n.Data == "textarea"
	}); len(first) == 0 || first[0].Data != "input" {
		t.Errorf("the vote's comment comes before the answer")
	}
	if strings.Contains(page, "echas en falta") {
		t.Errorf("the comment presumes a negative answer")
	}
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// The evidence shows each line once, in the order of the paste.
func TestDiagnosisEvidenceOnceInOrder(t *testing.T) {
	ts := newServer(t)
	paste := "Delivery has failed to these recipients:\n\npepe@example.com\n" +
		"Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n\n" +
		"Diagnostic information for administrators:\n\n" +
		"Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n" +
		"Final-Recipient: rfc822;pepe@example.com\nAction: failed\nStatus: 5.1.1\n" +
		"Diagnostic-Code: smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found\n"
	res := postForm(t, ts, "/diagnostico", url.Values{"texto": {paste}})
	ev := find(res.doc, byTestID("evidence"))
	if len(ev) != 1 {
		t.Fatalf("%d evidence boxes", len(ev))
	}
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
	walk(ev[0])
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	seen := make(map[string]bool)
	last := -1
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if seen[l] {
			t.Errorf("evidence repeats %q", l)
		}
		seen[l] = true
		if i := strings.Index(paste, l); i >= 0 {
			if i < last {
				t.Errorf("evidence out of order at %q", l)
			}
			last = i
		}
	}
}

// An empty paste brings the paste box back, saying what is wrong.
func TestEmptyPasteKeepsTheForm(t *testing.T) {
	ts := newServer(t)
	res := postForm(t, ts, "/diagnostico", url.Values{"texto": {"  "}, "origen": {"ticket"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	errs := find(res.doc, byTestID("paste-error"))
	ta := find(res.doc, byTestID("paste-input"))
	if len(errs) != 1 || !strings.Contains(text(errs[0]), "No has pegado nada") || len(ta) != 1 ||
		attr(ta[0], "aria-invalid") != "true" || !strings.Contains(attr(ta[0], "aria-describedby"), attr(errs[0], "id")) {
		t.Errorf("want the paste box, marked invalid and described by the message")
	}
	if !strings.Contains(res.body, `name="origen" value="ticket"`) {
		t.Errorf("the form lost where the visitor came from")
	}
	// JSON clients still get the JSON error.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/diagnostico", strings.NewReader("texto="))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if got := jsonError(t, do(t, req)); got.Error.Code != "empty_text" {
		t.Errorf("JSON: code %q", got.Error.Code)
	}
}

// The language switch on a result posts the paste again in the other
// language, instead of linking to an empty form.
func TestLanguageSwitchKeepsTheResult(t *testing.T) {
	ts := newServer(t)
	line := "550 5.1.1 <pepe@example.com>: Recipient address rejected: User unknown"
	res := postForm(t, ts, "/diagnostico", url.Values{"texto": {line}, "origen": {"ticket"}})
	sw := find(res.doc, byTestID("lang-switch"))
	if len(sw) != 1 || sw[0].Data != "button" {
		t.Fatalf("the switch on a result is %v, want a button that posts the paste", sw)
	}
	form := sw[0].Parent
	if form.Data != "form" || attr(form, "method") != "post" || attr(form, "action") != "/diagnostico?lang=en" {
		t.Fatalf("switch form %s %s", attr(form, "method"), attr(form, "action"))
	}
	fields := url.Values{}
	for _, in := range find(form, byTag("input")) {
		fields.Set(attr(in, "name"), attr(in, "value"))
	}
	if fields.Get("texto") != line || fields.Get("origen") != "ticket" {
		t.Fatalf("switch form fields %v", fields)
	}
	en := postForm(t, ts, "/diagnostico?lang=en", fields)
	cards := find(en.doc, byTestID("verdict"))
	if en.status != 200 || len(cards) != 1 || !strings.Contains(text(en.doc), "Analysis of your message") {
		t.Errorf("after switching: status %d, %d cards", en.status, len(cards))
	}
	if lang := attr(find(en.doc, byTag("html"))[0], "lang"); lang != "en" {
		t.Errorf("lang %s", lang)
	}
}

// English pages mark the Spanish content with lang="es".
func TestEnglishPagesMarkSpanishContent(t *testing.T) {
	ts := newServer(t)
	inSpanish := func(n *html.Node) bool {
		for ; n != nil; n = n.Parent {
			if l := attr(n, "lang"); l != "" {
				return l == "es"
			}
		}
		return false
	}
	res := get(t, ts, "/errores/buzon-lleno?lang=en")
	h1 := find(res.doc, byTag("h1"))
	if len(h1) != 1 || !inSpanish(h1[0]) {
		t.Errorf("article title not marked Spanish")
	}
	for _, sec := range find(find(res.doc, byTestID("article"))[0], byTag("section")) {
		if attr(sec, "id") == "" && !inSpanish(sec) && !strings.Contains(attr(sec, "class"), "feedback") {
			t.Errorf("article section %q not marked Spanish", text(sec)[:min(40, len(text(sec)))])
		}
	}
	res = get(t, ts, "/buscar?lang=en&q=buzon+lleno")
	for _, a := range find(res.doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "data-slug") != "" }) {
		if !inSpanish(a) {
			t.Errorf("search result %q not marked Spanish", text(a))
		}
	}
	res = postForm(t, ts, "/diagnostico?lang=en", url.Values{"texto": {"552 5.2.2 <ana@example.es>: Mailbox full"}})
	for _, sel := range []func(*html.Node) bool{
		func(n *html.Node) bool { return attr(n, "class") == "verdict-title" },
		func(n *html.Node) bool { return attr(n, "class") == "advice" },
	} {
		if ns := find(res.doc, sel); len(ns) != 1 || !inSpanish(ns[0]) {
			t.Errorf("diagnosis content not marked Spanish: %d nodes", len(ns))
		}
	}
}

// Each page says what it is to search engines, and which pages they
// should leave out.
func TestPageMetadata(t *testing.T) {
	ts := newServer(t)
	meta := func(doc *html.Node, name string) string {
		for _, m := range find(doc, byTag("meta")) {
			if attr(m, "name") == name {
				return attr(m, "content")
			}
		}
		return ""
	}
	links := func(doc *html.Node, rel string) []*html.Node {
		return find(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == rel })
	}
	for _, tt := range []struct {
		path      string
		noindex   bool
		canonical string
	}{
		{"/", false, "/?lang=es"},
		{"/errores", false, "/errores?lang=es"},
		{"/errores/buzon-lleno?origen=ticket", false, "/errores/buzon-lleno?lang=es"},
		{"/privacidad?lang=en", false, "/privacidad?lang=en"},
		{"/diagnostico", false, "/diagnostico?lang=es"},
		{"/diagnostico?texto=550", true, ""},
		{"/demo/ticket", false, "/demo/ticket?lang=es"},
		{"/buscar?q=buzon", true, ""},
		{"/staff/entrar", true, ""},
		{"/errores/no-existe", true, ""},
	} {
		res := get(t, ts, tt.path)
		if meta(res.doc, "description") == "" && res.status == 200 {
			t.Errorf("%s: no meta description", tt.path)
		}
		if got := meta(res.doc, "robots") == "noindex"; got != tt.noindex {
			t.Errorf("%s: noindex %v, want %v", tt.path, got, tt.noindex)
		}
		can := links(res.doc, "canonical")
		switch {
		case tt.canonical == "" && len(can) > 0:
			t.Errorf("%s: a canonical link on a page not to index", tt.path)
		case tt.canonical != "" && (len(can) != 1 || attr(can[0], "href") != tt.canonical):
			t.Errorf("%s: canonical %v, want %s", tt.path, can, tt.canonical)
		case tt.canonical != "":
			var langs []string
			for _, l := range links(res.doc, "alternate") {
				langs = append(langs, attr(l, "hreflang"))
			}
			if !slices.Equal(langs, []string{"es", "en", "x-default"}) {
				t.Errorf("%s: hreflang %v", tt.path, langs)
			}
		}
		icons := links(res.doc, "apple-touch-icon")
		if len(icons) != 1 {
			t.Errorf("%s: no apple-touch-icon", tt.path)
		} else if r := get(t, ts, attr(icons[0], "href")); r.status != 200 || r.header.Get("Content-Type") != "image/png" {
			t.Errorf("apple-touch-icon: %d %s", r.status, r.header.Get("Content-Type"))
		}
	}
}

// The code index gives each code one link, to its article, and no staff tip.
func TestCodeIndexOneLinkPerCode(t *testing.T) {
	ts := newServer(t)
	res := get(t, ts, "/errores")
	rows := find(find(res.doc, func(n *html.Node) bool { return attr(n, "class") == "codes-table" })[0], byTag("tr"))
	for _, tr := range rows[1:] {
		if n := len(find(tr, byTag("a"))); n != 1 {
			t.Fatalf("row %q has %d links", text(tr), n)
		}
	}
	if strings.Contains(text(res.doc), "/e/") {
		t.Errorf("the customers' index explains short links for staff")
	}
}

// A search that finds nothing puts no form and no id into the block live
// search copies into other pages; the search page itself still offers the
// paste box.
func TestNoResultsBlockIsMovable(t *testing.T) {
	ts := newServer(t)
	res := get(t, ts, "/buscar?q="+url.QueryEscape("precio dominio .es"))
	live := find(res.doc, byTestID("live-results"))
	if len(live) != 1 || len(find(live[0], byTestID("no-results"))) != 1 {
		t.Fatalf("no results block missing")
	}
	if n := find(live[0], func(n *html.Node) bool { return n != live[0] && (attr(n, "id") != "" || n.Data == "form") }); len(n) > 0 {
		t.Errorf("the live results carry ids or forms: %v", attr(n[0], "id"))
	}
	if len(find(res.doc, byTestID("paste-input"))) != 1 {
		t.Errorf("the search page lost its paste box")
	}
	if len(find(live[0], func(n *html.Node) bool { return attr(n, "aria-live") != "" })) > 0 || attr(live[0], "aria-live") != "" {
		t.Errorf("the whole result list is a live region")
	}
	if st := find(res.doc, byTestID("live-status")); len(st) != 1 || attr(st[0], "role") != "status" {
		t.Errorf("no status line to announce the count")
	}
}

// Text is gzipped for clients that accept it: cached pages and static files
// from bytes compressed once, other pages as they are written.
func TestCompression(t *testing.T) {
	ts := newServer(t)
	for _, path := range []string{"/errores", "/errores", "/errores/buzon-lleno", "/buscar?q=buzon", "/", "/privacidad",
		"/static/rebote.css", "/static/rebote.js", "/api/v1/articles"} {
		plain := get(t, ts, path) // the client decompresses transparently
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if vary := strings.Join(res.Header.Values("Vary"), ", "); res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(vary, "Accept-Encoding") {
			t.Errorf("%s: Content-Encoding %q, Vary %q", path, res.Header.Get("Content-Encoding"), vary)
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		body, _ := io.ReadAll(zr)
		if path != "/" && string(body) != plain.body { // the home page's list may change between requests
			t.Errorf("%s: gzipped body differs from the plain one", path)
		}
		if len(raw)*2 > len(body) {
			t.Errorf("%s: %d bytes gzipped from %d", path, len(raw), len(body))
		}
	}
	// Without Accept-Encoding, plain text.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/errores", nil)
	req.Header.Set("Accept-Encoding", "identity")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "" {
		t.Errorf("identity: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}
