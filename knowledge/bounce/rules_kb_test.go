package bounce

import (
	"testing"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/search/spanish"
)

// TestRulesAgreeWithTheArticles keeps one source per fact: an article's
// example lines are real server replies it explains, so the strong rule
// that reads one must give that article's reason or link that article.
// The exceptions are reviewed like errata: articles whose examples show
// other causes on purpose, and replies whose words name a cause the
// article's code does not.
func TestRulesAgreeWithTheArticles(t *testing.T) {
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	rd, err := New(kb)
	if err != nil {
		t.Fatal(err)
	}
	// Articles that show replies of other causes to tell them apart.
	showsOthers := map[string]bool{
		"transaccion-fallida":           true, // 554, the catch-all: its examples are other articles' refusals
		"configurar-programa-de-correo": true, // the settings guide quotes the errors each setting causes
	}
	// article slug + phrase the rule matched: why the words decide.
	exceptions := map[string]string{
		"dmarc-fallido|policy reasons":                                     "Yahoo's 5.7.9 says only 'policy reasons'; its code, not its words, says DMARC",
		"remitente-rechazado|rfc 5322":                                     "Microsoft's 5.7.512 names RFC 5322 compliance of the message",
		"secuencia-de-comandos-incorrecta|requires authentication":         "the 503 says the server requires authentication",
		"servidor-mal-configurado|is disabled":                             "Microsoft's 5.3.190 about journaling; too rare to give 'is disabled' up",
		"sin-conexion-con-el-servidor-de-destino|wasn't able to establish": "qmail names a connection failure; the article's 4.4.1 is expired",
		"usuario-no-local|we do not relay":                                 "the 551 says the server does not relay",
		"reenvio-a-gmail-u-outlook|dmarc":                                  "forwarded mail fails DMARC: the article shows the refusal forwarding causes, and the line itself is a DMARC failure",
	}
	for _, a := range kb.Articles() {
		if showsOthers[a.Slug] {
			continue
		}
		for _, ex := range a.Examples() {
			said := rd.rules.blankIgnored(blankAddresses(spanish.Fold(ex)))
			m, _ := rd.rules.scan(said, "")
			r, at, end := rd.rules.ruleOf(m)
			if r == nil {
				continue
			}
			article := r.article
			if article == "" {
				article = rd.rules.reasonArticle[r.reason]
			}
			if r.reason == a.Reason || article == a.Slug || exceptions[a.Slug+"|"+said[at:end]] != "" {
				continue
			}
			t.Errorf("article %s (%s) shows %q, which the rule of %q reads as %s (%s)",
				a.Slug, a.Reason, ex, said[at:end], r.reason, article)
		}
	}
}
