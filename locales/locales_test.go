package locales_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/servinetwork/rebote/locales"
)

// TestEveryLanguageHasEveryMessage fails when a message ID is missing or
// empty in one of the languages.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	all := make(map[string]map[string]any)
	ids := make(map[string]bool)
	files, err := filepath.Glob("*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("message files %v, %v", files, err)
	}
	for _, f := range files {
		msgs, err := locales.Messages(f)
		if err != nil {
			t.Fatal(err)
		}
		all[f] = msgs
		for id := range msgs {
			ids[id] = true
		}
	}
	for id := range ids {
		for f, msgs := range all {
			v, ok := msgs[id]
			if !ok {
				t.Errorf("%s: missing %s", f, id)
				continue
			}
			if s, isString := v.(string); isString && strings.TrimSpace(s) == "" {
				t.Errorf("%s: %s is empty", f, id)
			}
		}
	}
}

var idInCode = regexp.MustCompile(`\b(?:t|tn|locales\.T|locales\.TN)\(ctx, "([A-Za-z-]+(?:_[a-z-]+)?)"|newUserError\([^,]+, "([A-Za-z]+)", "([A-Za-z]+)"|withAPIMessage\("([A-Za-z]+)"\)`)

// TestCodeUsesOnlyKnownMessages scans the templates and handlers for message
// IDs and checks that each exists. IDs built at run time (Persistence_*,
// Who_*) are checked by the knowledge values they come from.
func TestCodeUsesOnlyKnownMessages(t *testing.T) {
	es, err := locales.Messages("es.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../web/*.templ")
	more, _ := filepath.Glob("../handlers/*.go")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no source files found")
	}
	found := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range idInCode.FindAllStringSubmatch(string(src), -1) {
			for _, id := range m[1:] {
				if id == "" {
					continue
				}
				found++
				if _, ok := es[id]; !ok {
					t.Errorf("%s uses unknown message %s", f, id)
				}
			}
		}
	}
	for _, id := range []string{"Persistence_temporary", "Persistence_permanent", "Persistence_either", "Persistence_outbox", "Persistence_none", "PersistenceCode_temporary", "PersistenceCode_permanent",
		"Who_tu", "Who_destinatario", "Who_proveedor-destinatario", "Who_tu-proveedor", "Who_nadie",
		"Confidence_High", "Confidence_Medium", "Confidence_Low"} {
		if _, ok := es[id]; !ok {
			t.Errorf("missing %s", id)
		}
	}
	if found < 40 {
		t.Errorf("found only %d message uses; the scanner is broken", found)
	}
}
