package knowledge_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/knowledge"
)

// sharedDir is where CI puts the provider's material beside the repository.
const sharedDir = "../../shared"

// readShared reads a file of ../shared. Without it the test is skipped on a
// developer's machine, but fails under CI (REBOTE_REQUIRE_SHARED=1), where
// a missing file means the figures were never checked.
func readShared(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(sharedDir, name))
	if err != nil {
		if os.Getenv("REBOTE_REQUIRE_SHARED") != "" {
			tb.Fatalf("%s is required here (REBOTE_REQUIRE_SHARED is set): %v", name, err)
		}
		tb.Skipf("%s not available: %v", name, err)
	}
	return raw
}

func mustLoad(tb testing.TB) *knowledge.KB {
	tb.Helper()
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return kb
}

// TestArticles checks the whole corpus: Load validates every field, section,
// link and canonical code and fails on the first broken article.
func TestArticles(t *testing.T) {
	kb := mustLoad(t)
	if n := len(kb.Articles()); n < 60 {
		t.Errorf("%d articles, want every error of the plan (at least 60)", n)
	}
	for _, a := range kb.Articles() {
		if strings.Contains(a.Title+a.SummaryText(), "{{") {
			t.Errorf("%s: placeholder left unfilled", a.Slug)
		}
		if len(a.Examples()) == 0 {
			t.Errorf("%s: no example lines", a.Slug)
		}
	}
	for _, c := range kb.Categories() {
		if len(kb.InCategory(c.Slug)) == 0 {
			t.Errorf("category %s has no articles", c.Slug)
		}
	}
}

// TestPolicyValuesShow checks that the provider's configured values, not
// the defaults, reach the articles.
func TestPolicyValuesShow(t *testing.T) {
	p := knowledge.DefaultPolicy()
	p.ProviderName = "HostingDePrueba"
	p.MessagesPerHour = 123
	kb, err := knowledge.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := kb.Article("limite-de-envio-por-hora")
	if !ok {
		t.Fatal("limite-de-envio-por-hora missing")
	}
	text := articleText(a)
	if !strings.Contains(text, "123") || !strings.Contains(text, "HostingDePrueba") {
		t.Errorf("limite-de-envio-por-hora does not show the configured policy:\n%s", text)
	}
	if strings.Contains(text, "ServiNetwork") {
		t.Errorf("limite-de-envio-por-hora still names the default provider")
	}
}

func articleText(a *knowledge.Article) string {
	var b strings.Builder
	b.WriteString(a.Title + "\n" + a.SummaryText() + "\n")
	for _, s := range a.Sections {
		for _, bl := range s.Blocks {
			for _, in := range bl.Inlines {
				b.WriteString(in.Text)
			}
			for _, item := range bl.Items {
				for _, in := range item {
					b.WriteString(in.Text)
				}
				b.WriteString("\n")
			}
			b.WriteString(bl.Code + "\n")
		}
	}
	return b.String()
}

var (
	statusInText = regexp.MustCompile(`\b([245X])\.(\d{1,3})\.(\d{1,3})\b`)
	rangeInText  = regexp.MustCompile(`\b([45]\.\d+\.)(\d+) to ([45]\.\d+\.)(\d+)\b`)
	tagInText    = regexp.MustCompile(`\b(RP-00\d|SC-00\d|DY-00\d|OU-00\d|S3150|TSS\d\d|PH01|BL2\d)\b`)
	replyInText  = regexp.MustCompile(`^\s*(\d{3})\b`)
)

// TestCodesResolve checks that every code in ../shared/kb/codes.md leads
// (through the short link /e/CODE) to an article that covers it.
func TestCodesResolve(t *testing.T) {
	raw := readShared(t, "kb/codes.md")
	kb := mustLoad(t)
	codes := codesFromChecklist(string(raw))
	if len(codes) < 150 {
		t.Fatalf("found only %d codes in codes.md; the table parser is broken", len(codes))
	}
	for _, code := range codes {
		a, ok := kb.Resolve(code)
		if !ok {
			t.Errorf("Resolve(%q): no article", code)
			continue
		}
		if !covers(a, code) {
			t.Errorf("Resolve(%q) = %s, which does not list the code", code, a.Slug)
		}
	}
}

func covers(a *knowledge.Article, code string) bool {
	for _, c := range a.Codes() {
		if c == code {
			return true
		}
		if lo, hi, ok := strings.Cut(c, "-"); ok && strings.Count(c, ".") == 4 {
			if inRange(code, lo, hi) {
				return true
			}
		}
	}
	return false
}

func inRange(code, lo, hi string) bool {
	p, l, h := strings.Split(code, "."), strings.Split(lo, "."), strings.Split(hi, ".")
	if len(p) != 3 || p[0] != l[0] || p[1] != l[1] {
		return false
	}
	return atoi(p[2]) >= atoi(l[2]) && atoi(p[2]) <= atoi(h[2])
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// codesFromChecklist extracts the codes of codes.md's tables: the reply
// codes of sections 1.2 and 1.3, every enhanced code of section 2.3 in each
// class the table allows, and the reply codes, enhanced codes, ranges and
// tags of the provider tables in section 3.
func codesFromChecklist(md string) []string {
	seen := make(map[string]bool)
	var out []string
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	section := ""
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "### ") {
			section = strings.Fields(line)[1]
			continue
		}
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := strings.Split(line, "|")[1:]
		if len(cells) < 3 {
			continue
		}
		first := strings.TrimSpace(cells[0])
		switch section {
		case "1.2", "1.3":
			for _, c := range regexp.MustCompile(`\b[245]\d\d\b`).FindAllString(first, -1) {
				add(c)
			}
		case "2.3":
			m := statusInText.FindStringSubmatch(first)
			if m == nil || m[1] != "X" {
				continue
			}
			// The class column reads "5 only", "4 or 5", "any", "2 (success)" or
			// "4 per RFC (5.2.2 is common in practice)": the classes are the
			// digits before any parenthesis, and the Sisimai column names the
			// codes seen in practice.
			class, _, _ := strings.Cut(strings.TrimSpace(cells[4]), "(")
			classes := regexp.MustCompile(`\b[245]\b`).FindAllString(class, -1)
			if strings.TrimSpace(class) == "any" || len(classes) == 0 {
				classes = []string{"4", "5"}
			}
			for _, c := range classes {
				add(c + "." + m[2] + "." + m[3])
			}
			for _, seen := range statusInText.FindAllStringSubmatch(cells[5], -1) {
				add(seen[1] + "." + seen[2] + "." + seen[3])
			}
		case "3.1", "3.2", "3.3", "3.4", "3.5":
			if m := replyInText.FindStringSubmatch(first); m != nil {
				add(m[1])
			}
			head := first + " " + strings.TrimSpace(cells[1])
			if section == "3.5" {
				head = strings.Join(cells, " ")
			} else {
				for _, m := range rangeInText.FindAllStringSubmatch(head, -1) {
					add(m[1] + m[2])
					add(m[3] + m[4])
				}
				for _, m := range statusInText.FindAllStringSubmatch(head, -1) {
					if m[1] != "X" {
						add(m[1] + "." + m[2] + "." + m[3])
					}
				}
			}
			for _, tag := range tagInText.FindAllString(head, -1) {
				add(tag)
			}
		}
	}
	return out
}

// TestResolveForms checks the short-link forms support staff paste.
func TestResolveForms(t *testing.T) {
	kb := mustLoad(t)
	tests := []struct{ code, want string }{
		{"550", "direccion-no-existe"},
		{"5.7.1", "entrega-no-autorizada"},
		{"#5.7.1", "entrega-no-autorizada"},
		{"550-5.7.26", "remitente-no-autenticado"},
		{"550 5.1.1", "direccion-no-existe"},
		{"552-5.2.2", "buzon-lleno"},
		{"E451", "limite-de-envio-por-hora"},
		{"e451", "limite-de-envio-por-hora"},
		{"smtp 554", "transaccion-fallida"},
		{"5.7.620", "ip-bloqueada-por-el-destinatario"},
		{"RP-001", "reputacion-baja"},
		{"5.7.999", "rechazo-de-seguridad"},
		{"421", "servicio-no-disponible"},
		{"4.2.2", "buzon-lleno"},
		// The review of December 2026: codes that led to the wrong article,
		// or nowhere.
		{"5.4.1", "direccion-no-existe"},
		{"550 5.4.1", "direccion-no-existe"},
		{"4.7.23", "requiere-ptr"},
		{"451-4.7.23", "requiere-ptr"},
		{"334", "codigos-de-exito"},
		{"2.7.0", "codigos-de-exito"},
		{"235 2.7.0", "codigos-de-exito"},
		{"5.7.508", "reputacion-baja"},
		{"5.7.515", "requisitos-de-envio-masivo"},
		{"4.7.31", "requisitos-de-envio-masivo"},
		{"5.7.520", "reenvio-a-gmail-u-outlook"},
		{"550 5.7.520", "reenvio-a-gmail-u-outlook"},
		{"S3140", "ip-bloqueada-por-el-destinatario"},
		{"S3114", "ip-bloqueada-por-el-destinatario"},
		{"S775", "ip-bloqueada-por-el-destinatario"},
		{"550 5.7.1 (S3140)", "ip-bloqueada-por-el-destinatario"},
		{"5.7.705", "ip-bloqueada-por-el-destinatario"},
		{"5.7.708", "ip-bloqueada-por-el-destinatario"},
		{"4.7.650", "reputacion-baja"},
		{"4.7.651", "reputacion-baja"},
		{"451 4.7.651", "reputacion-baja"},
		{"5.7.900", "bloqueado-por-politica"},
		{"TS01", "reputacion-baja"},
		{"TS02", "reputacion-baja"},
		{"TS03", "ip-bloqueada-por-el-destinatario"},
		{"421 4.7.1 [TS03]", "ip-bloqueada-por-el-destinatario"},
		{"CS01", "bloqueado-por-politica"},
		{"550 5.7.1 [CS01]", "bloqueado-por-politica"},
		{"#5.1.1", "direccion-no-existe"},
		{"(#5.1.2)", "dominio-no-existe"},
		{"#5.4.6", "bucle-de-correo"},
	}
	for _, tt := range tests {
		a, ok := kb.Resolve(tt.code)
		if !ok || a.Slug != tt.want {
			got := "nothing"
			if ok {
				got = a.Slug
			}
			t.Errorf("Resolve(%q) = %s, want %s", tt.code, got, tt.want)
		}
	}
	for _, bad := range []string{"", "hola", "999", "12.34", "../../etc/passwd"} {
		if a, ok := kb.Resolve(bad); ok {
			t.Errorf("Resolve(%q) = %s, want nothing", bad, a.Slug)
		}
	}
}

// The line "¿Se arregla solo?" follows the code the visitor came with.
func TestPersistenceFor(t *testing.T) {
	kb := mustLoad(t)
	tests := []struct {
		slug, code string
		want       knowledge.Persistence
		shown      string
	}{
		{"requiere-ptr", "", knowledge.Either, ""},
		{"requiere-ptr", "4.7.25", knowledge.Temporary, "4.7.25"},
		{"requiere-ptr", "550-5.7.25", knowledge.Permanent, "550 5.7.25"},
		{"tiempo-de-entrega-agotado", "550 4.4.7", knowledge.Permanent, "550 4.4.7"}, // Microsoft's final notice
		{"tiempo-de-entrega-agotado", "4.4.7", knowledge.Temporary, "4.4.7"},
		{"limite-de-envio-por-hora", "451 E451", knowledge.Outbox, ""},
		{"autenticacion-no-disponible-temporalmente", "454 4.7.0", knowledge.Outbox, ""},
		{"codigos-de-exito", "250", knowledge.NotAnError, ""},
		{"ip-bloqueada-por-el-destinatario", "421 4.7.1 [TS03]", knowledge.Permanent, "421 4.7.1 TS03"},
		{"direccion-no-existe", "", knowledge.Permanent, ""},
		{"direccion-no-existe", "hola", knowledge.Permanent, ""},
	}
	for _, tt := range tests {
		a, ok := kb.Article(tt.slug)
		if !ok {
			t.Fatalf("no article %s", tt.slug)
		}
		got, shown := a.PersistenceFor(tt.code)
		if got != tt.want || shown != tt.shown {
			t.Errorf("%s.PersistenceFor(%q) = %s, %q; want %s, %q", tt.slug, tt.code, got, shown, tt.want, tt.shown)
		}
	}
}

// No article tells a visitor with a 4xx code that nothing will be retried,
// or one with a 5xx code that it will, unless it says why.
func TestPersistenceMatchesCodes(t *testing.T) {
	for _, a := range mustLoad(t).Articles() {
		if a.PersistenceNote != "" {
			continue
		}
		for _, c := range append(append([]string{}, a.ReplyCodes...), a.StatusCodes...) {
			if (c[0] == '4' && a.Persistence == knowledge.Permanent) || (c[0] == '5' && a.Persistence == knowledge.Temporary) {
				t.Errorf("%s is %s but lists %s, and its persistence_note does not say why", a.Slug, a.Persistence, c)
			}
		}
	}
}
