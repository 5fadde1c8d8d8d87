package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// persistence returns the article page's "¿Se arregla solo?" answer: its
// state and its text.
func persistence(tb testing.TB, res response) (state, says string) {
	tb.Helper()
	dd := find(res.doc, byTestID("persistence"))
	if len(dd) != 1 {
		tb.Fatalf("the page has %d persistence lines, want 1", len(dd))
	}
	return attr(dd[0], "data-persistence"), text(dd[0])
}

// The line that says whether the message will be retried follows the code
// the visitor came with: a short link's, a searched code's, a diagnosis's.
// Without a code an article that covers both classes says it depends and
// how to tell; what the customer's own program shows when sending was
// never queued.
func TestPersistenceFollowsTheCode(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		name, path string
		state      string
		says       []string
	}{
		{"short link, 4xx", "/e/4.7.25", "temporary", []string{"4.7.25", "lo seguirá intentando"}},
		{"short link, 5xx, same article", "/e/5.7.25", "permanent", []string{"5.7.25", "definitivo"}},
		{"short link, reply and status", "/e/421-4.7.27", "temporary", []string{"421 4.7.27"}},
		{"Microsoft's final 550 4.4.7", "/e/550%204.4.7", "permanent", []string{"definitivo"}},
		{"no code, both classes", "/errores/requiere-ptr", "either", []string{"Depende del código", "empieza por 4", "empieza por 5"}},
		{"no code, only 5xx", "/errores/cuenta-bloqueada-por-spam", "permanent", nil},
		{"search for a code", "/errores/spf-fallido?origen=buscar&q=" + url.QueryEscape("421-4.7.27 rate limited"), "temporary", []string{"421 4.7.27"}},
		{"search without a code", "/errores/spf-fallido?origen=buscar&q=spf", "either", nil},
		{"hourly limit shown by the mail program", "/e/E451", "outbox", []string{"Bandeja de salida", "Message discarded"}},
		{"454 at send time, even with its 4xx code", "/e/454", "outbox", []string{"Bandeja de salida"}},
		{"host not found", "/errores/no-se-encuentra-el-host", "outbox", nil},
		{"success codes are not errors", "/e/334", "none", []string{"No es un error"}},
		{"a permanent block Yahoo sends as 421", "/e/TS03", "permanent", []string{"[TS03]"}},
		{"a code in the link that is not a code", "/errores/requiere-ptr?codigo=hola", "either", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, ts, tt.path)
			if res.status == http.StatusFound {
				res = get(t, ts, res.header.Get("Location"))
			}
			if res.status != 200 {
				t.Fatalf("GET %s = %d", tt.path, res.status)
			}
			state, says := persistence(t, res)
			if state != tt.state {
				t.Errorf("GET %s: persistence %q (%q), want %s", tt.path, state, says, tt.state)
			}
			for _, w := range tt.says {
				if !strings.Contains(says, w) {
					t.Errorf("GET %s: persistence %q does not say %q", tt.path, says, w)
				}
			}
		})
	}
}

// A diagnosis card says the same, and its link carries the code to the
// article.
func TestDiagnosisCardPersistence(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		paste, class, link string
	}{
		{"E451 Rate limit has been exceeded. Try again later", "outbox", "/errores/limite-de-envio-por-hora?codigo=451"},
		{"421-4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message. gsmtp", "temporary", "?codigo=4.7.27"},
		{"550 5.1.1 <ana@example.com>: Recipient address rejected: User unknown", "permanent", "/errores/direccion-no-existe?codigo=5.1.1"},
	}
	for _, tt := range tests {
		res := postForm(t, ts, "/diagnostico", url.Values{"texto": {tt.paste}})
		cards := find(res.doc, byTestID("verdict"))
		if res.status != 200 || len(cards) != 1 {
			t.Fatalf("%q: status %d, %d cards", tt.paste, res.status, len(cards))
		}
		dd := find(cards[0], func(n *html.Node) bool { return n.Data == "dd" && strings.Contains(attr(n, "class"), "persistence") })
		if len(dd) != 1 || !strings.Contains(attr(dd[0], "class"), tt.class) {
			t.Errorf("%q: card persistence %v, want %s", tt.paste, dd, tt.class)
		}
		var linked bool
		for _, a := range find(cards[0], byTag("a")) {
			linked = linked || strings.Contains(attr(a, "href"), tt.link)
		}
		if !linked {
			t.Errorf("%q: no link to the article with %q", tt.paste, tt.link)
		}
	}
}
