package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/servinetwork/rebote/staff"
)

// dashboardFor signs a staff member in on a server that has seen some
// traffic and returns a client with the session.
func dashboardFor(t *testing.T) (*http.Client, string) {
	t.Helper()
	ts, d := newStaffServer(t)
	if err := staff.New(d.db).Add(context.Background(), "ana", "una clave bastante larga"); err != nil {
		t.Fatal(err)
	}
	for i := range 27 {
		get(t, ts, fmt.Sprintf("/buscar?q=zzqx%02d", i))
	}
	for _, text := range []string{
		"550 5.1.1 <pepe@example.com>: Recipient address rejected: User unknown",
		"552 5.2.2 <ana@example.es>: Mailbox full",
		"554 algo raro ha pasado con el servidor remoto xq-17",
		"Hola, ¿quedamos el martes?",
	} {
		postForm(t, ts, "/diagnostico", url.Values{"texto": {text}, "origen": {"ticket"}})
	}
	postForm(t, ts, "/valorar", url.Values{"motivo": {"userunknown"}, "util": {"no"}, "comentario": {"no lo entiendo"}})
	postForm(t, ts, "/valorar", url.Values{"motivo": {"none"}, "util": {"si"}})
	get(t, ts, "/soporte?motivo=mailboxfull")
	d.flush(t)
	c := staffClient(t)
	if res := signIn(t, c, ts.URL, "ana", "una clave bastante larga"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	return c, ts.URL
}

func parse(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The dashboard names errors and subjects by their titles, never by the
// classifier's internal names, which stay in the CSV and the API.
func TestDashboardShowsTitlesNotKeys(t *testing.T) {
	c, base := dashboardFor(t)
	res, body := getWith(t, c, base+"/staff?dias=7")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := parse(t, body)
	page := visibleText(doc)
	if m := internalReasons.FindString(page); m != "" {
		t.Errorf("the dashboard shows the internal name %q", m)
	}
	for _, bad := range []string{"diagnostico:", "(sin artículo)", "rules.toml", "Diagnóstico: userunknown"} {
		if strings.Contains(page, bad) {
			t.Errorf("the dashboard shows %q", bad)
		}
	}
	for _, want := range []string{"Diagnóstico: La dirección no existe", "Diagnóstico: Buzón lleno", "Diagnóstico: No era un rebote"} {
		if !strings.Contains(page, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	// The CSV keeps the keys.
	if _, csv := getWith(t, c, base+"/staff/csv/valoraciones?dias=7"); !strings.Contains(csv, "diagnostico:userunknown") {
		t.Errorf("the CSV lost the keys: %s", csv)
	}
}

// Tables that stop at 25 rows say so; every error has a trend on one
// shared scale; figures say against what they changed.
func TestDashboardReadsAtAGlance(t *testing.T) {
	c, base := dashboardFor(t)
	_, body := getWith(t, c, base+"/staff?dias=7")
	doc := parse(t, body)
	failed := find(doc, func(n *html.Node) bool {
		return n.Data == "section" && len(find(n, func(h *html.Node) bool { return attr(h, "id") == "busquedas-fallidas" })) == 1
	})
	if len(failed) != 1 || len(find(failed[0], byTestID("top-note"))) != 1 || !strings.Contains(text(failed[0]), "25 primeros") {
		t.Errorf("the failed searches table stops at 25 rows without saying so")
	}
	rows := find(find(doc, byTestID("top-errors"))[0], byTag("tr"))[1:]
	for _, tr := range rows {
		lines := find(tr, byTag("polyline"))
		if len(lines) == 0 || attr(lines[0], "points") == "" {
			t.Errorf("row %q has no trend", text(tr))
		}
	}
	if scale := find(doc, byTestID("trend-scale")); len(scale) != 1 || !strings.Contains(text(scale[0]), "misma escala") {
		t.Errorf("the trends do not say they share a scale")
	}
	if fig := text(find(doc, byTestID("figures"))[0]); !strings.Contains(fig, "los 7 días anteriores") {
		t.Errorf("figures do not say what they compare with: %s", fig)
	}
	for _, wrap := range find(doc, func(n *html.Node) bool { return attr(n, "class") == "table-wrap" }) {
		if attr(wrap, "tabindex") != "0" || attr(wrap, "aria-labelledby") == "" {
			t.Errorf("a table's scroll box is out of the keyboard's reach or unnamed")
		}
	}
	// The usual periods are links, the current one marked.
	var current []string
	for _, a := range find(find(doc, byTestID("period-form"))[0], byTag("a")) {
		if attr(a, "aria-current") == "true" {
			current = append(current, text(a))
		}
	}
	if strings.Join(current, "|") != "Últimos 7 días|Todos" {
		t.Errorf("current choices %v", current)
	}
}

// A period that cannot be shown keeps the staff member on the dashboard,
// saying why, with what they typed.
func TestDashboardBadPeriodStays(t *testing.T) {
	c, base := dashboardFor(t)
	for _, tt := range []struct{ query, want string }{
		{"dias=0&desde=2026-05-10&hasta=2026-05-01&origen=ticket", "posterior"},
		{"dias=0&desde=&hasta=", "Indica la fecha"},
		{"dias=abc", "no es válido"},
	} {
		res, body := getWith(t, c, base+"/staff?"+tt.query)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tt.query, res.StatusCode)
		}
		doc := parse(t, body)
		msg := find(doc, byTestID("period-error"))
		if len(msg) != 1 || !strings.Contains(text(msg[0]), tt.want) || len(find(doc, byTestID("figures"))) != 1 {
			t.Errorf("%s: want the dashboard with the reason %q", tt.query, tt.want)
		}
	}
	_, body := getWith(t, c, base+"/staff?dias=0&desde=2026-05-10&hasta=2026-05-01&origen=ticket")
	if !strings.Contains(body, `value="2026-05-10"`) || !strings.Contains(body, `name="origen" value="ticket"`) {
		t.Errorf("the range form lost what was typed")
	}
}
