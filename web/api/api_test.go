package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/web/api"
)

// Clients iterate the lists without checking for null, and follow the
// article link they are given.
func TestClassifyResponse(t *testing.T) {
	a := &knowledge.Article{Slug: "buzon-lleno"}
	d := bounce.Diagnosis{Kind: bounce.KindBounce, Recipients: []bounce.Verdict{{Address: "ana@example.org", Reason: "mailboxfull", Article: a}}}
	got, err := json.Marshal(api.NewClassifyResponse(d, func(slug string) string { return "https://ayuda.example/errores/" + slug }))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"is_bounce":true`, `"article":"https://ayuda.example/errores/buzon-lleno"`, `"evidence":[]`, `"advice":[]`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("%s lacks %s", got, want)
		}
	}
	none, _ := json.Marshal(api.NewClassifyResponse(bounce.Diagnosis{Kind: bounce.KindNone}, nil))
	if !strings.Contains(string(none), `"recipients":[]`) || !strings.Contains(string(none), `"kind":"none"`) {
		t.Errorf("not a bounce: %s", none)
	}
}
