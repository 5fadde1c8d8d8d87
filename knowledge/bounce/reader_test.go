package bounce_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
)

// dataFiles are the files New embeds; the tests read them from the package
// directory, which is what gets embedded.
var dataFiles = []string{"rules.toml", "phrases.toml", "advice.toml"}

// dataFS returns a copy of the embedded data that a test may break.
func dataFS(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range dataFiles {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func articles(t *testing.T) *knowledge.KB {
	t.Helper()
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// TestNewFSAcceptsTheEmbeddedData is the baseline of TestNewFSRejects: the
// unbroken copy loads, so each failure there is the one thing broken.
func TestNewFSAcceptsTheEmbeddedData(t *testing.T) {
	if _, err := bounce.NewFS(articles(t), dataFS(t)); err != nil {
		t.Fatal(err)
	}
}

// TestNewFSRejects breaks one thing per case in a copy of the data and
// checks that loading fails with an error naming the file and the problem.
func TestNewFSRejects(t *testing.T) {
	kb := articles(t)
	tests := []struct {
		name     string
		file     string
		old, new string   // the first old in file becomes new
		want     []string // what the error must say
	}{
		{
			name: "unknown key in a rule",
			file: "rules.toml",
			old:  "reason = \"speeding\"\narticle = \"limite-de-envio-por-hora\"\n",
			new:  "reason = \"speeding\"\narticle = \"limite-de-envio-por-hora\"\nweight = 2\n",
			want: []string{"rules.toml", `unknown field "rule.weight"`},
		},
		{
			name: "unknown top-level section",
			file: "rules.toml",
			old:  "[typos]\n",
			new:  "[typo]\nx = 1\n\n[typos]\n",
			want: []string{"rules.toml", "unknown field", "typo"},
		},
		{
			name: "unknown article in a rule",
			file: "rules.toml",
			old:  `article = "limite-de-envio-por-hora"`,
			new:  `article = "limite-de-envio-por-hora-y-dia"`,
			want: []string{"rules.toml", `article "limite-de-envio-por-hora-y-dia" does not exist`},
		},
		{
			name: "unknown article in [reasons]",
			file: "rules.toml",
			old:  `mailboxfull = "buzon-lleno"`,
			new:  `mailboxfull = "buzon-llenisimo"`,
			want: []string{"rules.toml", "[reasons] mailboxfull", `article "buzon-llenisimo" does not exist`},
		},
		{
			name: "unknown reason in [reasons]",
			file: "rules.toml",
			old:  `mailboxfull = "buzon-lleno"`,
			new:  `mailboxfull = "buzon-lleno"` + "\nmailboxfool = \"buzon-lleno\"",
			want: []string{"rules.toml", `"mailboxfool" is not a Sisimai reason`},
		},
		{
			name: "by_status with a reason that does not exist",
			file: "rules.toml",
			old:  `by_status = { "2.3" = "exceedlimit" }`,
			new:  `by_status = { "2.3" = "exceedlimits" }`,
			want: []string{"rules.toml", `by_status "2.3" = "exceedlimits"`},
		},
		{
			name: "by_status with a whole code",
			file: "rules.toml",
			old:  `by_status = { "2.3" = "exceedlimit" }`,
			new:  `by_status = { "5.2.3" = "exceedlimit" }`,
			want: []string{"rules.toml", `by_status "5.2.3"`, "subject and detail"},
		},
		{
			name: "when_expired with a reason that does not exist",
			file: "rules.toml",
			old:  `when_expired = "expired"`,
			new:  `when_expired = "expird"`,
			want: []string{"rules.toml", `when_expired reason "expird" has no article in [reasons]`},
		},
		{
			name: "in_dialog_article that does not exist",
			file: "rules.toml",
			old:  `in_dialog_article = "cifrado-requerido"`,
			new:  `in_dialog_article = "cifrado-requerid"`,
			want: []string{"rules.toml", `in_dialog_article "cifrado-requerid"`},
		},
		{
			name: "rule reason without an article",
			file: "rules.toml",
			old:  "reason = \"speeding\"\narticle = \"limite-de-envio-por-hora\"",
			new:  "reason = \"speedy\"\narticle = \"limite-de-envio-por-hora\"",
			want: []string{"rules.toml", `reason "speedy" has no article in [reasons]`},
		},
		{
			name: "generic reply code that is not one",
			file: "rules.toml",
			old:  "generic = [\n  \"421\",",
			new:  "generic = [\n  \"5.7.1\",",
			want: []string{"rules.toml", "[reply] generic", `"5.7.1" is not a reply code`},
		},
		{
			name: "phrase twice in one rule",
			file: "rules.toml",
			old:  "  \"e451 rate limit\",\n",
			new:  "  \"e451 rate limit\",\n  \"E451 Rate Limit\",\n",
			want: []string{"rules.toml", "rule", "(speeding)", `phrase "e451 rate limit" appears twice`},
		},
		{
			name: "phrase in two rules, equal once folded",
			file: "rules.toml",
			old:  "  \"e451 rate limit\",\n",
			new:  "  \"e451 rate limit\",\n  \"Usuario desconocido\",\n",
			want: []string{"rules.toml", "(userunknown)", `phrase "usuario desconocido" is already in rule`, "(speeding)"},
		},
		{
			name: "phrase twice in a list",
			file: "rules.toml",
			old:  "[ignore]\nmatch = [\n",
			new:  "[ignore]\nmatch = [\n  \"carpeta de spam\",\n",
			want: []string{"rules.toml", "[ignore]", `phrase "carpeta de spam" appears twice`},
		},
		{
			name: "reason where a stage takes none",
			file: "rules.toml",
			old:  "[stage.rcpt]\n",
			new:  "[stage.rcpt]\nreason = \"userunknown\"\n",
			want: []string{"rules.toml", `unknown field "stage.rcpt.reason"`},
		},
		{
			name: "stage reason unknown",
			file: "rules.toml",
			old:  "[stage.mail]\nreason = \"rejected\"",
			new:  "[stage.mail]\nreason = \"rejectd\"",
			want: []string{"rules.toml", "[stage.mail] reason", `reason "rejectd" has no article in [reasons]`},
		},
		{
			name: "stage reason missing",
			file: "rules.toml",
			old:  "[stage.connect]\nreason = \"blocked\"\n",
			new:  "[stage.connect]\n",
			want: []string{"rules.toml", "[stage.connect] reason is missing"},
		},
		{
			name: "phrase in two stages",
			file: "rules.toml",
			old:  "  \"after mail from\",\n",
			new:  "  \"after mail from\",\n  \"After Data\",\n",
			want: []string{"rules.toml", `[stage.data]: phrase "after data" is already in [stage.mail]`},
		},
		{
			name: "DSN reason missing",
			file: "rules.toml",
			old:  "local_program = \"mailererror\"\n",
			new:  "",
			want: []string{"rules.toml", "[dsn] local_program is missing"},
		},
		{
			name: "generic status that is not a code",
			file: "rules.toml",
			old:  "  \"5.1.0\",\n  \"4.4.7\",",
			new:  "  \"5.1.0\",\n  \"4.4.7\",\n  \"5.1\",",
			want: []string{"rules.toml", "[dsn] generic_status", `"5.1" is not a status code`},
		},
		{
			name: "unknown article in [[advice]]",
			file: "rules.toml",
			old:  "reason = \"toomanyconn\"\narticle = \"demasiados-destinatarios\"\nsentence",
			new:  "reason = \"toomanyconn\"\narticle = \"demasiados-destinatario\"\nsentence",
			want: []string{"rules.toml", "[[advice]]", "(toomanyconn)", `article "demasiados-destinatario" does not exist`},
		},
		{
			name: "unknown reason in [[advice]]",
			file: "rules.toml",
			old:  "reason = \"requireptr\"\nsentence",
			new:  "reason = \"requiresptr\"\nsentence",
			want: []string{"rules.toml", "[[advice]]", `reason "requiresptr" has no article in [reasons]`},
		},
		{
			name: "[[advice]] sentence not in advice.toml",
			file: "rules.toml",
			old:  `sentence = "relay"`,
			new:  `sentence = "relai"`,
			want: []string{"advice.toml", `"relai" is missing`, "rules.toml [[advice]]"},
		},
		{
			name: "[[advice]] needing an unknown value",
			file: "rules.toml",
			old:  `needs = "limite"`,
			new:  `needs = "tamano"`,
			want: []string{"rules.toml", "[[advice]]", "(mesgtoobig)", `needs "tamano"`},
		},
		{
			name: "[[advice]] entry that is never used",
			file: "rules.toml",
			old:  "[[advice]]\nreason = \"mesgtoobig\"\nneeds",
			new:  "[[advice]]\nreason = \"mesgtoobig\"\nsentence = \"size_generic\"\n\n[[advice]]\nreason = \"mesgtoobig\"\nneeds",
			want: []string{"rules.toml", "(mesgtoobig) is never used", "comes first"},
		},
		{
			name: "client_error that is not true or false",
			file: "rules.toml",
			old:  "client_error = true",
			new:  `client_error = "yes"`,
			want: []string{"rules.toml", "client_error"},
		},
		{
			name: "popular domain twice",
			file: "rules.toml",
			old:  "  \"gmail.com\",\n",
			new:  "  \"gmail.com\",\n  \"Gmail.com\",\n",
			want: []string{"rules.toml", `[typos] domain "gmail.com" appears twice`},
		},
		{
			name: "expression in two rules",
			file: "rules.toml",
			old:  `  'aup#[a-z-]*1090\b',` + "\n",
			new:  `  'aup#[a-z-]*1090\b',` + "\n" + `  'aup#[a-z-]*1260\b',` + "\n",
			want: []string{"rules.toml", "(systemerror)", `expression "aup#[a-z-]*1260\\b" is already in rule`, "(networkerror)"},
		},
		{
			name: "bad regular expression",
			file: "rules.toml",
			old:  `'aup#[a-z-]*1090\b'`,
			new:  `'aup#(?:[a-z-]*1090\b'`,
			want: []string{"rules.toml", "(systemerror)", "missing closing )"},
		},
		{
			name: "TOML syntax error",
			file: "rules.toml",
			old:  "[typos]\n",
			new:  "[typos\n",
			want: []string{"rules.toml", "line"},
		},
		{
			name: "unknown key in phrases.toml",
			file: "phrases.toml",
			old:  "[remote]\nmarkers = [\n",
			new:  "[remote]\nmarker = [\"host\"]\nmarkers = [\n",
			want: []string{"phrases.toml", `unknown field "remote.marker"`},
		},
		{
			name: "phrase twice in a folded list",
			file: "phrases.toml",
			old:  "  \"buzon\",\n",
			new:  "  \"buzon\",\n  \"Buzón\",\n",
			want: []string{"phrases.toml", "[bounce] signals", `phrase "buzon" appears twice`},
		},
		{
			name: "phrase twice in a lower-cased list",
			file: "phrases.toml",
			old:  "  \"respuesta automática\",\n",
			new:  "  \"respuesta automática\",\n  \"Respuesta Automática\",\n",
			want: []string{"phrases.toml", "[auto_reply] subjects", `phrase "respuesta automática" appears twice`},
		},
		{
			name: "empty list",
			file: "phrases.toml",
			old:  "subjects = [\n  \"complaint about message from\",\n]",
			new:  "subjects = []",
			want: []string{"phrases.toml", "[feedback] subjects", "empty"},
		},
		{
			name: "straight quote in a sender context",
			file: "phrases.toml",
			old:  "  \"cuenta “\",\n",
			new:  "  \"cuenta “\",\n  'cuenta \"',\n",
			want: []string{"phrases.toml", "[senders] contexts", "straight quote"},
		},
		{
			name: "blocklist key after a key inside it",
			file: "phrases.toml",
			old:  "  { key = \"zen.spamhaus.org\", name = \"Spamhaus ZEN\" },\n",
			new:  "  { key = \"spamhaus.org\", name = \"Spamhaus\" },\n  { key = \"zen.spamhaus.org\", name = \"Spamhaus ZEN\" },\n",
			want: []string{"phrases.toml", `key "zen.spamhaus.org" is never used`, `"spamhaus.org"`},
		},
		{
			name: "blocklist without a name",
			file: "phrases.toml",
			old:  `name = "SORBS"`,
			new:  `name = " "`,
			want: []string{"phrases.toml", "[blocklists]", "needs a key and a name"},
		},
		{
			name: "advice sentence missing",
			file: "advice.toml",
			old:  "mailbox_full = ",
			new:  "# mailbox_full = ",
			want: []string{"advice.toml", `"mailbox_full" is missing`},
		},
		{
			name: "advice sentence nobody uses",
			file: "advice.toml",
			old:  "temporary = ",
			new:  "temporal = \"Es temporal.\"\ntemporary = ",
			want: []string{"advice.toml", `"temporal" is not a sentence the reader uses`},
		},
		{
			name: "unknown placeholder in advice",
			file: "advice.toml",
			old:  "a {{sugerencia}}?",
			new:  "a {{sugerencias}}?",
			want: []string{"advice.toml", "typo", "unknown placeholder {{sugerencias}}"},
		},
		{
			name: "unclosed placeholder in advice",
			file: "advice.toml",
			old:  "mucho {{limite}}.",
			new:  "mucho {{limite.",
			want: []string{"advice.toml", "size", "unclosed {{"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := dataFS(t)
			data := string(fsys[tt.file].Data)
			if !strings.Contains(data, tt.old) {
				t.Fatalf("%s no longer contains %q: update the test", tt.file, tt.old)
			}
			fsys[tt.file].Data = []byte(strings.Replace(data, tt.old, tt.new, 1))
			_, err := bounce.NewFS(kb, fsys)
			if err == nil {
				t.Fatal("NewFS accepted the broken data")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestNewFSNeedsEveryFile removes each data file in turn.
func TestNewFSNeedsEveryFile(t *testing.T) {
	kb := articles(t)
	for _, name := range dataFiles {
		t.Run(name, func(t *testing.T) {
			fsys := dataFS(t)
			delete(fsys, name)
			_, err := bounce.NewFS(kb, fsys)
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "file does not exist") {
				t.Fatalf("NewFS without %s: error %v, want one naming the file as missing", name, err)
			}
		})
	}
}
