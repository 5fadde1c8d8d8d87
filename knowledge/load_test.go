package knowledge

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// embeddedCopy returns the embedded knowledge base as a MapFS that a test
// may break.
func embeddedCopy(tb testing.TB) fstest.MapFS {
	tb.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(files, path)
		m[path] = &fstest.MapFile{Data: raw}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// editFile replaces old with new in one file of m, failing if old is not
// there (so the case still breaks what it says it breaks).
func editFile(tb testing.TB, m fstest.MapFS, path, old, new string) {
	tb.Helper()
	f, ok := m[path]
	if !ok || !strings.Contains(string(f.Data), old) {
		tb.Fatalf("%s has no %q to replace", path, old)
	}
	m[path] = &fstest.MapFile{Data: []byte(strings.Replace(string(f.Data), old, new, 1))}
}

// LoadFS refuses a broken knowledge base and says which file and what is
// wrong, so whoever edited it can fix it without reading Go.
func TestLoadFSRejectsBrokenData(t *testing.T) {
	if _, err := LoadFS(embeddedCopy(t), DefaultPolicy()); err != nil {
		t.Fatalf("the embedded copy itself does not load: %v", err)
	}
	const article = "articles/buzon-lleno.md"
	tests := []struct {
		name    string
		breakIt func(m fstest.MapFS)
		want    []string // every one must be in the error
	}{
		{"no categories file", func(m fstest.MapFS) { delete(m, "categories.toml") }, []string{"categories.toml"}},
		{"categories not TOML", func(m fstest.MapFS) { editFile(t, m, "categories.toml", "popular = [", "popular = [[") },
			[]string{"categories.toml"}},
		{"popular article missing", func(m fstest.MapFS) { editFile(t, m, "categories.toml", `"buzon-lleno",`, `"buzon-repleto",`) },
			[]string{"categories.toml", "buzon-repleto"}},
		{"no articles", func(m fstest.MapFS) {
			for p := range m {
				if strings.HasPrefix(p, "articles/") {
					delete(m, p)
				}
			}
		}, []string{"no articles"}},
		{"no front matter", func(m fstest.MapFS) { editFile(t, m, article, "+++\n", "") }, []string{article, "+++"}},
		{"unknown field", func(m fstest.MapFS) {
			editFile(t, m, article, `reason = "mailboxfull"`, "reason = \"mailboxfull\"\ncolour = \"red\"")
		},
			[]string{article, "colour"}},
		{"slug not the file name", func(m fstest.MapFS) { editFile(t, m, article, `slug = "buzon-lleno"`, `slug = "buzon-repleto"`) },
			[]string{article, "buzon-repleto"}},
		{"unknown reason", func(m fstest.MapFS) { editFile(t, m, article, `reason = "mailboxfull"`, `reason = "fullmailbox"`) },
			[]string{"buzon-lleno.md", "fullmailbox"}},
		{"unknown category", func(m fstest.MapFS) { editFile(t, m, article, `category = "buzon"`, `category = "cajon"`) },
			[]string{"buzon-lleno.md", "cajon"}},
		{"bad persistence", func(m fstest.MapFS) { editFile(t, m, article, `persistence = "either"`, `persistence = "sometimes"`) },
			[]string{"buzon-lleno.md", "sometimes"}},
		{"bad reply code", func(m fstest.MapFS) {
			editFile(t, m, article, `reply_codes = ["452", "552"]`, `reply_codes = ["452", "55"]`)
		},
			[]string{"buzon-lleno.md", `"55"`}},
		{"canonical code not listed", func(m fstest.MapFS) { editFile(t, m, article, `canonical = ["552",`, `canonical = ["553",`) },
			[]string{"buzon-lleno.md", "553"}},
		{"unknown placeholder", func(m fstest.MapFS) {
			editFile(t, m, article, "## Qué significa\n", "## Qué significa\n\nEscribe a {{soporte_tecnico}}.\n")
		},
			[]string{article, "{{soporte_tecnico}}"}},
		{"section missing", func(m fstest.MapFS) { editFile(t, m, article, "## Por qué ocurre", "## Por qué pasa") },
			[]string{"buzon-lleno.md", "Por qué pasa"}},
		{"link to a missing article", func(m fstest.MapFS) {
			editFile(t, m, article, "## Qué significa\n", "## Qué significa\n\nLee [esto](/errores/no-existe-este).\n")
		}, []string{"buzon-lleno.md", "/errores/no-existe-este"}},
		{"one alias in two articles", func(m fstest.MapFS) {
			// The same words, folded: case, accents and punctuation do not
			// make a second alias.
			editFile(t, m, article, `  "mailbox full",`, "  \"mailbox full\",\n  \"RELAY access, denied\",")
		}, []string{"buzon-lleno", "RELAY access, denied", "relay-no-permitido"}},
		{"a short link's code claimed by two articles", func(m fstest.MapFS) {
			editFile(t, m, article, `status_codes = ["4.2.2", "5.2.2"]`, `status_codes = ["4.2.2", "5.2.2", "5.1.1"]`)
			editFile(t, m, article, `canonical = ["552",`, `canonical = ["5.1.1", "552",`)
		}, []string{"buzon-lleno", `canonical code "5.1.1"`, "direccion-no-existe"}},
		{"permanent but lists 4xx codes", func(m fstest.MapFS) {
			editFile(t, m, article, `persistence = "either"`, `persistence = "permanent"`)
		}, []string{"buzon-lleno.md", "4xx", "persistence_note"}},
		{"temporary but lists 5xx codes", func(m fstest.MapFS) {
			editFile(t, m, article, `persistence = "either"`, `persistence = "temporary"`)
		}, []string{"buzon-lleno.md", "5xx"}},
		{"link text that is not the title", func(m fstest.MapFS) {
			editFile(t, m, article, "## Qué significa\n", "## Qué significa\n\nLee [otro](/errores/mensaje-demasiado-grande).\n")
		}, []string{"buzon-lleno.md", `"otro"`, "Tu mensaje es demasiado grande para el servidor de destino"}},
		{"no topics file", func(m fstest.MapFS) { delete(m, "topics.toml") }, []string{"topics.toml"}},
		{"topic with an unknown placeholder", func(m fstest.MapFS) {
			editFile(t, m, "topics.toml", `url = "{{url_facturas}}"`, `url = "{{url_factura}}"`)
		}, []string{"topics.toml", "{{url_factura}}"}},
		{"code block never closed", func(m fstest.MapFS) {
			editFile(t, m, article, "## Ejemplos de mensajes reales\n", "## Ejemplos de mensajes reales\n\n```\n552 x\n")
		},
			[]string{article, "never closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := embeddedCopy(t)
			tt.breakIt(m)
			_, err := LoadFS(m, DefaultPolicy())
			if err == nil {
				t.Fatal("LoadFS accepted it")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// An article may depart from its codes' classes when it says why: the
// note is what the page shows beside the line.
func TestPersistenceNoteExplainsAMismatch(t *testing.T) {
	m := embeddedCopy(t)
	editFile(t, m, "articles/buzon-lleno.md", `persistence = "either"`,
		"persistence = \"permanent\"\npersistence_note = \"Con 452 el servidor lo sigue intentando, pero un buzón abandonado no se vacía solo.\"")
	kb, err := LoadFS(m, DefaultPolicy())
	if err != nil {
		t.Fatalf("LoadFS refused a permanent article with 4xx codes and a note: %v", err)
	}
	a, _ := kb.Article("buzon-lleno")
	if a.Persistence != Permanent || !strings.Contains(a.PersistenceNote, "452") {
		t.Errorf("persistence %q, note %q", a.Persistence, a.PersistenceNote)
	}
}
