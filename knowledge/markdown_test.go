package knowledge

import (
	"reflect"
	"testing"
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
	raw, err := files.ReadFile("articles/buzon-lleno.md")
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
