package knowledge_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// glossary lists the variants the articles must not use, each with the
// word to use instead (see FORMATO.md, "Palabras"): one term for each
// thing, one kind of quotation marks, the provider in the third person,
// the site not called by the name that means "bounce", and "reenviar"
// only for forwarding.
var glossary = []struct {
	re   *regexp.Regexp
	want string
}{
	{regexp.MustCompile(`["“”]`), `comillas « »`},
	{regexp.MustCompile(`\b[Oo]peradoras?\b`), "operador de Internet"},
	{regexp.MustCompile(`\b[Cc]ompañías? (de Internet|telefónicas?)`), "operador de Internet"},
	{regexp.MustCompile(`\binternet\b`), "Internet, con mayúscula"},
	{regexp.MustCompile(`\b(relay|reenvío) SMTP\b|servicio de reenvío`), "retransmisión SMTP"},
	{regexp.MustCompile(`\bcorreo web\b`), "webmail"},
	{regexp.MustCompile(`\bbandeja de salida\b`), "Bandeja de salida, como la llama Outlook"},
	{regexp.MustCompile(`[\p{Ll},] Rebote\b`), `"esta página de ayuda", no el nombre del sitio`},
	{regexp.MustCompile(`(?i)\b(nosotros|nuestr[oa]s?|explicamos|pedimos|gestionamos|corregimos|hacemos|ayudamos|indicamos|podemos|tenemos|recomendamos|revisamos|cuéntanos|avísanos|escríbenos|llámanos)\b`),
		"{{proveedor}} en tercera persona"},
	{regexp.MustCompile(`(?i)\b(vuelv[ae]s?|volver) a reenviar`), `"volver a enviar"`},
	{regexp.MustCompile(`(?i)\breenv\pL*\s+(el|los)\s+mism[oa]s?\s+mensajes?`), `"volver a enviar" (reenviar es solo Reenviar, forward)`},
	{regexp.MustCompile(`(?i)\breenv\pL*[^.]{0,40}bandeja de salida|bandeja de salida[^.]{0,40}\breenv`), `"volver a enviar" (reenviar es solo Reenviar, forward)`},
	{regexp.MustCompile(`(?i)\breenv\pL*[^.]{0,30}\b(una y otra vez|otra vez|de nuevo|a mano)\b`), `"volver a enviar" (reenviar es solo Reenviar, forward)`},
	{regexp.MustCompile(`(?i)\b(reenviarlo|reenviarla|reenvíalo|reenvíala)\s+(cuando|más tarde|luego|igual|tal cual)`), `"volver a enviar" (reenviar es solo Reenviar, forward)`},
}

var (
	inlineCode = regexp.MustCompile("`[^`]*`")
	linkURL    = regexp.MustCompile(`\]\([^)]*\)`)
)

// TestGlossary reads every article's text (not its front matter, where
// aliases keep the customers' own words, nor its code) and fails with
// file:line for each banned variant.
func TestGlossary(t *testing.T) {
	files, err := filepath.Glob("articles/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no articles found: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fences, inCode := 0, false
		for i, line := range strings.Split(string(raw), "\n") {
			if fences < 2 {
				if strings.TrimSpace(line) == "+++" {
					fences++
				}
				continue
			}
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				inCode = !inCode
				continue
			}
			if inCode {
				continue
			}
			text := linkURL.ReplaceAllString(inlineCode.ReplaceAllString(line, ""), "]")
			for _, g := range glossary {
				if m := g.re.FindString(text); m != "" {
					t.Errorf("%s:%d: %q: use %s", f, i+1, m, g.want)
				}
			}
		}
	}
}
