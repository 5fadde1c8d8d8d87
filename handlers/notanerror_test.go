package handlers_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/knowledge"
)

// A question that is not a delivery error (an invoice, the webmail
// password, a domain to renew) gets the provider's page for it; a search
// that finds nothing says what this help covers and offers support and
// the paste box.
func TestSearchForWhatIsNotAnError(t *testing.T) {
	ts := newServer(t)
	p := knowledge.DefaultPolicy()
	tests := []struct{ q, topic, href string }{
		{"dónde están mis facturas", "facturas", p.BillingURL},
		{"he olvidado la contraseña del webmail", "contrasena-del-correo", p.MailAccountsURL},
		{"renovar el dominio", "renovar-dominio", p.DomainsURL},
	}
	for _, tt := range tests {
		res := get(t, ts, "/buscar?q="+url.QueryEscape(tt.q))
		topics := find(res.doc, byTestID("topic"))
		if res.status != 200 || len(topics) != 1 || attr(topics[0], "data-topic") != tt.topic {
			t.Errorf("/buscar?q=%q: status %d, topics %d, want %s", tt.q, res.status, len(topics), tt.topic)
			continue
		}
		var linked bool
		for _, a := range find(topics[0], byTag("a")) {
			linked = linked || attr(a, "href") == tt.href
		}
		if !linked {
			t.Errorf("/buscar?q=%q: the %s box does not link to %s", tt.q, tt.topic, tt.href)
		}
	}

	res := get(t, ts, "/buscar?q="+url.QueryEscape("dónde están mis facturas"))
	if len(find(res.doc, byTestID("no-results"))) != 1 {
		t.Fatal("an invoice question lists delivery errors")
	}
	scope := find(res.doc, byTestID("no-results-scope"))
	if len(scope) != 1 || !strings.Contains(text(scope[0]), "errores del correo") {
		t.Errorf("the no-results page does not say what this help covers")
	}
	support := find(res.doc, byTestID("support-link"))
	if len(support) != 1 || !strings.HasPrefix(attr(support[0], "href"), "/soporte") {
		t.Errorf("the no-results page offers no support link")
	}
	if len(find(res.doc, byTestID("paste-input"))) != 1 {
		t.Errorf("the no-results page offers no paste box")
	}

	// The search API carries the same answers.
	var api struct {
		Results []struct{ Slug string }
		Topics  []struct{ Slug, URL string }
	}
	res = get(t, ts, "/api/v1/search?q="+url.QueryEscape("renovar el dominio"))
	if err := json.Unmarshal([]byte(res.body), &api); err != nil || len(api.Topics) != 1 ||
		api.Topics[0].Slug != "renovar-dominio" || api.Topics[0].URL != p.DomainsURL {
		t.Errorf("/api/v1/search for a domain renewal: %v %+v", err, api)
	}

	if res := get(t, ts, "/buscar?q="+url.QueryEscape("550 5.1.1 user unknown")); len(find(res.doc, byTestID("topic"))) != 0 {
		t.Errorf("a delivery error gets a not-an-error box")
	}
}
