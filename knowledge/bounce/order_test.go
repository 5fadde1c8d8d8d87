package bounce_test

import (
	"testing"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
)

// TestTextDecides checks the order the reason is decided in (rules.toml's
// header): the wording of the cause, the status code and then the reply
// code through their articles, the stage only to break ties; and the kinds
// of mistakes of issue 10, one case each.
func TestTextDecides(t *testing.T) {
	rd := mustReader(t)
	tests := []struct {
		name, paste     string
		reason, article string // article "" is not checked
	}{
		{"unknown user said late", "<ana@example.org>: host mx.example.org[192.0.2.1] said: 550 Unknown user ana@example.org (in reply to end of DATA command)",
			"userunknown", "direccion-no-existe"},
		{"unknown user with a suspend-like code", "550 5.2.1 <ana@example.org>... User Unknown", "userunknown", "direccion-no-existe"},
		{"unknown user at MAIL FROM is the sender", "<ana@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <me@example.com>: User unknown (in reply to MAIL FROM command)",
			"rejected", "remitente-rechazado"},
		{"a domain that does not exist", "550 5.4.1 Recipient address rejected: example.invalid does not exist", "hostunknown", "dominio-no-existe"},
		{"NXDOMAIN", "DNS Error: DNS type 'mx' lookup of example.invalid responded with code NXDOMAIN", "hostunknown", ""},
		{"no mail box", "550 ** No mail box available for this user **", "userunknown", ""},
		{"status code through its article", "550 5.2.2 over the limit", "mailboxfull", "buzon-lleno"},
		{"5.7.1 is a refusal, not the customer's login", "550 5.7.1 Access denied", "rejected", "entrega-no-autorizada"},
		{"specific reply code through its article", "551 User not local; please try <b@example.net>", "hasmoved", "usuario-no-local"},
		{"bare RFC text of 504", "504 Command parameter not implemented", "syntaxerror", "parametro-no-implementado"},
		{"bare RFC text of 553", "553 Requested action not taken: mailbox name not allowed", "userunknown", "direccion-no-valida"},
		{"a catch-all reply code says nothing by itself", "550 Requested action not taken: mailbox unavailable", "userunknown", ""},
		{"a listed link is content", "550 5.7.1 Message rejected: body contains a URL listed in the Spamhaus DBL", "spamdetected", "dominio-en-lista-negra"},
		{"SpamAssassin", "550 5.7.1 Blocked by SpamAssassin", "spamdetected", "correo-considerado-spam"},
		{"Sender ID", "550 5.7.1 Sender ID (PRA) Not Permitted", "authfailure", "spf-fallido"},
		{"the receiving server's rate limit", "451 4.7.1 Too many messages from 203.0.113.40 in the last hour, please try again later",
			"ratelimited", "limite-de-mensajes-del-destino"},
		{"the customer's own limit", "E451 Rate limit has been exceeded. Try again later", "speeding", "limite-de-envio-por-hora"},
		{"a Spanish client dialog", "Falló el envío del mensaje\nEl mensaje no pudo enviarse porque falló la conexión con el servidor SMTP smtp.example.com.",
			"networkerror", ""},
		{"STARTTLS asked of the customer's program", "530 5.7.0 Must issue a STARTTLS command first", "securityerror", "cifrado-requerido"},
		{"STARTTLS asked by the receiving server", "<ana@example.org>: host mx.example.org[192.0.2.1] said: 530 5.7.0 Must issue a STARTTLS command first (in reply to MAIL FROM command)",
			"failedstarttls", "tls-requerido"},
		{"a Spanish delay notice", "Tu mensaje a pedro@example.org no se ha podido entregar: el servidor de destino no responde. Se seguirá intentando durante 2 días.",
			"expired", "sin-conexion-con-el-servidor-de-destino"},
		{"a Spanish client timeout", "El mensaje no se ha podido enviar porque se ha superado el tiempo de espera para la conexión con el servidor SMTP.",
			"networkerror", "puerto-25-bloqueado"},
		{"refused on connecting, with a cause", "<ana@example.org>: host mx.example.org[192.0.2.1] refused to talk to me: 554 rejected due to the sending MTA's poor reputation",
			"badreputation", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := rd.Classify(tt.paste)
			if !d.IsBounce() || len(d.Recipients) == 0 {
				t.Fatalf("Classify(%q) is not a bounce (%s)", tt.paste, d.Kind)
			}
			v := d.Recipients[0]
			if v.Reason != tt.reason {
				t.Errorf("Classify(%q) reason = %s, want %s", tt.paste, v.Reason, tt.reason)
			}
			if tt.article != "" && (v.Article == nil || v.Article.Slug != tt.article) {
				t.Errorf("Classify(%q) article = %v, want %s", tt.paste, v.Article, tt.article)
			}
		})
	}
}

// TestNotABounce: a client's generic prefix, an advert with prices and
// product codes and a question that quotes no server reply report no
// failure.
func TestNotABounce(t *testing.T) {
	rd := mustReader(t)
	for _, paste := range []string{
		"Falló el envío del mensaje",
		"Sending of the message failed.",
		"Oferta: router 550 €, firmware 4.2.1, modelo 554-X\nCable de red Cat 6, ref. 5.1.1-CB: 74 €",
		"Un amigo me ha dicho que el \"error 550\" es que te han metido en una lista negra. ¿Es verdad?",
	} {
		if d := rd.Classify(paste); d.IsBounce() {
			t.Errorf("Classify(%q) = a bounce (%+v)", paste, d.Recipients)
		}
	}
	// A notice that says it keeps trying is temporary, code or not.
	if d := rd.Classify("Tu mensaje a pedro@example.org no se ha podido entregar: el servidor de destino no responde. Se seguirá intentando durante 2 días."); !d.IsBounce() || !d.Recipients[0].Temporary {
		t.Errorf("a notice that keeps trying: %+v", d)
	}
	// A delay report is a bounce, even with no cause.
	if d := rd.Classify("Action: delayed\nStatus: 4.4.7\nFinal-Recipient: rfc822; ana@example.org\n"); !d.IsBounce() || d.Recipients[0].Reason != "expired" || !d.Recipients[0].Temporary {
		t.Errorf("a delay report: %+v", d)
	}
}

// fakeSearch answers every query with one article.
type fakeSearch struct {
	article *knowledge.Article
	asked   int
}

func (f *fakeSearch) Search(string, int) []search.Result {
	f.asked++
	return []search.Result{{Article: f.article}}
}

// TestSearchIsTheLastStep: a reply no rule or code explains gets the
// article the search finds, if the reply quotes it; the search is not
// asked when the rules decide.
func TestSearchIsTheLastStep(t *testing.T) {
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	moved, _ := kb.Article("direccion-ha-cambiado")
	s := &fakeSearch{article: moved}
	rd, err := bounce.NewWithSearch(kb, s)
	if err != nil {
		t.Fatal(err)
	}
	// No rule knows this wording; it quotes the article's title.
	d := rd.Classify("550 la dirección del destinatario ha cambiado, escriba a la nueva")
	if !d.IsBounce() || d.Recipients[0].Reason != "hasmoved" || d.Recipients[0].Article.Slug != "direccion-ha-cambiado" || s.asked == 0 {
		t.Errorf("search fallback (asked %d times): %+v", s.asked, d.Recipients)
	}
	// A reply that quotes nothing of the article keeps "onhold".
	if d := rd.Classify("550 zorglub frobnicated the wibble"); !d.IsBounce() || d.Recipients[0].Reason != "onhold" {
		t.Errorf("an unquoted answer decided: %+v", d.Recipients)
	}
	asked := s.asked
	rd.Classify("550 5.1.1 <ana@example.org>: User unknown")
	if s.asked != asked {
		t.Error("the search was asked about a reply the rules explain")
	}
}
