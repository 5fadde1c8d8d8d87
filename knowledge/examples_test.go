package knowledge_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// exampleLine is one line of an article's "Ejemplos de mensajes reales"
// section, with where it is.
type exampleLine struct {
	file string // articles/<slug>.md
	line int    // 1-based line number in file
	text string // the line, trimmed
}

func (e exampleLine) String() string { return fmt.Sprintf("%s:%d", e.file, e.line) }

// articleExamples reads the example lines of every article from disk, with
// their line numbers, so that a failure can point at them.
func articleExamples(tb testing.TB) map[string][]exampleLine {
	tb.Helper()
	names, err := filepath.Glob("articles/*.md")
	if err != nil || len(names) == 0 {
		tb.Fatalf("no articles: %v", err)
	}
	bySlug := make(map[string][]exampleLine)
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		slug := strings.TrimSuffix(filepath.Base(name), ".md")
		inSection, inCode := false, false
		sc := bufio.NewScanner(bytes.NewReader(raw))
		for n := 1; sc.Scan(); n++ {
			l := sc.Text()
			switch {
			case inCode && strings.HasPrefix(l, "```"):
				inCode = false
			case inCode:
				if t := strings.TrimSpace(l); t != "" && inSection {
					bySlug[slug] = append(bySlug[slug], exampleLine{filepath.ToSlash(name), n, t})
				}
			case strings.HasPrefix(l, "```"):
				inCode = true
			case strings.HasPrefix(l, "## "):
				inSection = strings.TrimSpace(l[3:]) == "Ejemplos de mensajes reales"
			}
		}
	}
	return bySlug
}

// examplesFile is knowledge/examples.toml: where each example line comes from.
type examplesFile struct {
	Sources map[string]struct {
		Title string `toml:"title"`
		URL   string `toml:"url"`
	} `toml:"sources"`
	Example []struct {
		Article string `toml:"article"`
		Line    string `toml:"line"`
		Corpus  string `toml:"corpus"`
		Source  string `toml:"source"`
	} `toml:"example"`
}

const abbreviated = "(abreviado)"

// corpusDir is where the real bounces are, beside the repository (see
// /work/shared/corpus/other-projects/README.md); tests only read them.
var corpusDir = filepath.Join(sharedDir, "corpus")

// TestExampleProvenance checks that every example line is either marked as
// shortened or recorded in examples.toml with its origin: a real bounce of
// the shared corpus, or a public document.
func TestExampleProvenance(t *testing.T) {
	var ef examplesFile
	md, err := toml.DecodeFile("examples.toml", &ef)
	if err != nil {
		t.Fatalf("examples.toml: %v", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Errorf("examples.toml: unknown keys %v", und)
	}
	for id, s := range ef.Sources {
		if strings.TrimSpace(s.Title) == "" || !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("examples.toml: [sources.%s] needs a title and an https:// url", id)
		}
	}

	lines := articleExamples(t)
	kb := mustLoad(t)
	for _, a := range kb.Articles() {
		var got []string
		for _, e := range lines[a.Slug] {
			got = append(got, e.text)
		}
		if !slices.Equal(got, a.Examples()) {
			t.Errorf("articles/%s.md: the example lines read here differ from Article.Examples:\n%q\n%q", a.Slug, got, a.Examples())
		}
	}

	type key struct{ article, line string }
	entries := make(map[key]int)
	for i, e := range ef.Example {
		k := key{e.Article, strings.TrimSpace(e.Line)}
		where := fmt.Sprintf("examples.toml: [[example]] #%d (%s: %q)", i+1, e.Article, e.Line)
		if _, dup := entries[k]; dup {
			t.Errorf("%s: repeated", where)
		}
		entries[k] = i
		switch {
		case (e.Corpus == "") == (e.Source == ""):
			t.Errorf("%s: needs exactly one of corpus or source", where)
		case e.Source != "":
			if _, ok := ef.Sources[e.Source]; !ok {
				t.Errorf("%s: source %q has no [sources.%s]", where, e.Source, e.Source)
			}
		case !strings.HasPrefix(e.Corpus, "sisimai/") && !strings.HasPrefix(e.Corpus, "other-projects/"),
			path.Clean(e.Corpus) != e.Corpus:
			t.Errorf("%s: corpus %q must be sisimai/<file> or other-projects/<file>", where, e.Corpus)
		}
		if strings.HasSuffix(k.line, abbreviated) {
			t.Errorf("%s: a line marked %s needs no entry", where, abbreviated)
		}
	}

	used := make(map[key]bool)
	for _, slug := range sortedKeys(lines) {
		for _, e := range lines[slug] {
			if strings.HasSuffix(e.text, abbreviated) {
				continue
			}
			k := key{slug, e.text}
			if _, ok := entries[k]; !ok {
				t.Errorf("%s: example line with no entry in examples.toml (say where it comes from, or end a shortened real line with %s): %q", e, abbreviated, e.text)
			}
			used[k] = true
		}
	}
	for i, e := range ef.Example {
		if k := (key{e.Article, strings.TrimSpace(e.Line)}); !used[k] {
			t.Errorf("examples.toml: [[example]] #%d: no line %q in articles/%s.md (stale entry?)", i+1, e.Line, e.Article)
		}
	}

	t.Run("corpus", func(t *testing.T) {
		if _, err := os.Stat(corpusDir); err != nil {
			if os.Getenv("REBOTE_REQUIRE_SHARED") != "" {
				t.Fatalf("the corpus is required here (REBOTE_REQUIRE_SHARED is set): %v", err)
			}
			t.Skipf("corpus not available, corpus entries not checked: %v", err)
		}
		cache := make(map[string]string)
		for i, e := range ef.Example {
			if e.Corpus == "" {
				continue
			}
			text, ok := cache[e.Corpus]
			if !ok {
				raw, err := os.ReadFile(filepath.Join(corpusDir, filepath.FromSlash(e.Corpus)))
				if err != nil {
					t.Errorf("examples.toml: [[example]] #%d: %v", i+1, err)
					continue
				}
				text = anonymiseBounce(raw)
				cache[e.Corpus] = text
			}
			if want := anonymise(e.Line); !containsTokens(text, want) {
				t.Errorf("examples.toml: [[example]] #%d (%s): %q is not in %s\n(compared as %q)", i+1, e.Article, e.Line, e.Corpus, want)
			}
		}
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var (
	reEmail = regexp.MustCompile(`[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*`)
	// IPv6 candidates are checked with net.ParseIP, so "12:34:56" stays.
	reIPv6Cand = regexp.MustCompile(`[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*`)
	// An IPv4 address, and the port after it if any.
	reIPv4 = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b(?:\]?:\d+)?`)
	// A host name ends in a top-level label all in lowercase or all in
	// capitals; "RESOLVER.ADR.Ambiguous" and "STOREDRV.Deliver" are wordings.
	reHost = regexp.MustCompile(`\b[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.(?:[a-z]{2,24}|[A-Z]{2,24})\b`)
	// Queue and session IDs: letters and digits mixed, or a long number.
	reToken = regexp.MustCompile(`[A-Za-z0-9]+`)
)

// anonymise replaces addresses, hosts and IDs by placeholders and collapses
// whitespace, so that a line with documentation values (example.com,
// 192.0.2.10) compares equal to the real line it was copied from.
func anonymise(s string) string {
	s = reEmail.ReplaceAllString(s, "\x00a")
	s = reIPv6Cand.ReplaceAllStringFunc(s, func(m string) string {
		if strings.Count(m, ":") >= 2 && net.ParseIP(strings.Trim(m, ".")) != nil {
			return "\x00i"
		}
		return m
	})
	s = reIPv4.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasSuffix(strings.SplitN(m, ":", 2)[0], "]") {
			return "\x00i]"
		}
		return "\x00i"
	})
	s = reHost.ReplaceAllString(s, "\x00h")
	s = reToken.ReplaceAllStringFunc(s, func(m string) string {
		if isID(m) {
			return "\x00d"
		}
		return m
	})
	s = strings.NewReplacer("\x00a", "<addr>", "\x00i", "<ip>", "\x00h", "<host>", "\x00d", "<id>").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// isID says whether a token looks like a queue or session ID: at least six
// letters and digits mixed, or a number of ten digits or more.
func isID(tok string) bool {
	var letters, digits int
	for _, r := range tok {
		if r >= '0' && r <= '9' {
			digits++
		} else {
			letters++
		}
	}
	if letters == 0 {
		return digits >= 10
	}
	return len(tok) >= 6 && digits >= 2 && !strings.HasPrefix(tok, "RFC")
}

// reReplyCode is the code in front of a line of an SMTP reply: "550-5.7.1 "
// on every line of a multiline reply but the last, "550 5.7.1 " on that one.
var reReplyCode = regexp.MustCompile(`\b(\d{3})([- ])(\d\.\d{1,3}\.\d{1,3}\s)?`)

// anonymiseBounce anonymises a whole bounce as one text. Before that it
// undoes quoted-printable soft line breaks and joins the lines of multiline
// SMTP replies: a reply code repeated within a short distance after
// "NNN-" (where the reply or its folded copy continues) is dropped.
func anonymiseBounce(raw []byte) string {
	s := strings.ReplaceAll(string(raw), "\r\n", "\n")
	s = strings.ReplaceAll(s, "=\n", "")
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	last, lastEnd := "", -1
	for _, m := range reReplyCode.FindAllStringSubmatchIndex(s, -1) {
		code := s[m[2]:m[3]] + " " + strings.TrimSpace(s[max(m[6], 0):max(m[7], 0)])
		b.WriteString(s[max(lastEnd, 0):m[0]])
		if lastEnd >= 0 && code == last && m[0]-lastEnd < 120 {
			// a continuation line: drop its code
		} else {
			b.WriteString(s[m[0]:m[1]])
			last = ""
		}
		if s[m[4]:m[5]] == "-" {
			last = code
		}
		lastEnd = m[1]
	}
	b.WriteString(s[max(lastEnd, 0):])
	return " " + anonymise(b.String()) + " "
}

// containsTokens reports whether want occurs in text on whole words.
func containsTokens(text, want string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], want)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(want)
		if (j == 0 || !isWordByte(text[j-1]) || !isWordByte(want[0])) &&
			(end == len(text) || !isWordByte(text[end]) || !isWordByte(want[len(want)-1])) {
			return true
		}
		i = j + 1
	}
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
