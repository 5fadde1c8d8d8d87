package knowledge

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestParseInline(t *testing.T) {
	tests := []struct {
		in   string
		want []Inline
	}{
		{"plain", []Inline{{Kind: InlineText, Text: "plain"}}},
		{"a **b** `c` [d](/errores/x)", []Inline{
			{Kind: InlineText, Text: "a "}, {Kind: InlineStrong, Text: "b"}, {Kind: InlineText, Text: " "},
			{Kind: InlineCode, Text: "c"}, {Kind: InlineText, Text: " "}, {Kind: InlineLink, Text: "d", URL: "/errores/x"},
		}},
		{"ve a https://example.com/soporte.", []Inline{
			{Kind: InlineText, Text: "ve a "}, {Kind: InlineLink, Text: "https://example.com/soporte", URL: "https://example.com/soporte"}, {Kind: InlineText, Text: "."},
		}},
		{"<script>x</script> **sin cerrar", []Inline{{Kind: InlineText, Text: "<script>x</script> **sin cerrar"}}},
	}
	for _, tt := range tests {
		if got := parseInline(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseInline(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseBodyErrors(t *testing.T) {
	for _, body := range []string{
		"resumen\n\n```\nnunca se cierra",
		"resumen\n\notro párrafo antes de las secciones",
		"resumen\n\n# título de nivel 1\n",
	} {
		if _, _, err := parseBody(body, 1); err == nil {
			t.Errorf("parseBody(%q) accepted", body)
		}
	}
}

// FuzzParseArticle feeds arbitrary files to the article parser: it must
// return an error or an article, never panic or hang.
func FuzzParseArticle(f *testing.F) {
	raw, err := Files.ReadFile("articles/buzon-lleno.md")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(raw))
	f.Add("+++\nslug = \"x\"\n+++\n")
	f.Add("+++\n+++\n## Qué significa\n- a\n  b\n1. c\n```\nd")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseArticle("x.md", s, DefaultPolicy())
	})
}

// FuzzSearch feeds arbitrary queries to search and code parsing.
func FuzzSearch(f *testing.F) {
	kb, err := Load(DefaultPolicy())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"buzon lleno", "550-5.7.26", "E451", "#5.7.1", "\xff", "relai"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, r := range kb.Search(q, 10) {
			if r.Article == nil || r.Score <= 0 {
				t.Fatalf("Search(%q) returned %+v", q, r)
			}
		}
		kb.Resolve(q)
	})
}

// FuzzClassify feeds arbitrary pastes to the classifier: any text must give
// a diagnosis without panicking, with an article and valid UTF-8 evidence
// for every failed recipient.
func FuzzClassify(f *testing.F) {
	kb, err := Load(DefaultPolicy())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"550 5.1.1 <a@example.com>: User unknown",
		"From: MAILER-DAEMON@example.com\nSubject: Undelivered\nContent-Type: multipart/report; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n\n--x--",
		"Content-Type: multipart/mixed; boundary=\"\"\nFrom: a\nTo: b\n\n--\n--",
		"=?utf-8?B?w6k=?= =?iso-8859-1?Q?=E9?=",
		"{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":\"x@example.com\"}]}}",
		"<html><body><p>550 5.7.1 blocked using zen.spamhaus.org</p></body></html>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := kb.Classify(s)
		for _, v := range d.Recipients {
			if v.Article == nil || v.Reason == "" {
				t.Fatalf("verdict without article or reason: %+v", v)
			}
			for _, e := range v.Evidence {
				if !utf8.ValidString(e) {
					t.Fatalf("invalid UTF-8 evidence %q", e)
				}
			}
		}
		if d.IsBounce() != (len(d.Recipients) > 0) {
			t.Fatalf("kind %s with %d recipients", d.Kind, len(d.Recipients))
		}
	})
}

// FuzzParseMessage checks the MIME parser alone.
func FuzzParseMessage(f *testing.F) {
	f.Add("From: a@example.com\nTo: b@example.com\nContent-Type: multipart/report; boundary=b\n\n--b\n\ntext\n--b--\n")
	f.Add("Content-Transfer-Encoding: base64\nContent-Type: text/plain\nFrom: x\nTo: y\n\n====")
	f.Fuzz(func(t *testing.T, s string) {
		m := parseMessage(s)
		_ = m.body()
		_ = m.deliveryStatus(m.body())
	})
}
