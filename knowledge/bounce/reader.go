// Package bounce reads a pasted bounce: a whole message, the visible part of
// a non-delivery report, a mail client's error dialog or one SMTP line, in
// any language. It takes the paste apart (MIME, transfer encodings and
// charsets in message.go; RFC 3464 delivery reports in dsn.go; Amazon SES
// notifications in ses.go), finds each failed recipient and the lines that
// explain it (extract.go), decides the reason with the rules of rules.toml
// (rules.go, matched in one pass by ahocorasick.go) and writes advice from
// advice.toml (advice.go). The wordings that tell the parts of a paste
// apart (a bounce from an automatic reply, a recipient from the sender,
// the remote server, the blocklist named) are in phrases.toml
// (phrases.go). The format of the three files is in ../FORMATO.md.
//
// The articles come from package knowledge through the Articles interface;
// the reader does no I/O, no HTTP, no SQL and no logging.
package bounce

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/search"
)

// Articles is what the reader needs of the knowledge base: an article by
// slug, all of them, the article whose short link a code is, the article a
// code-like text leads to, and the provider's values for the advice.
// *knowledge.KB is one.
type Articles interface {
	Article(slug string) (*knowledge.Article, bool)
	Articles() []*knowledge.Article
	Canonical(code string) (*knowledge.Article, bool)
	Resolve(code string) (*knowledge.Article, bool)
	Policy() knowledge.Policy
}

// Searcher is the knowledge base's search: the articles that answer a
// text, best first. *search.Index is one; search.Lazy builds one on first
// use.
type Searcher interface {
	Search(q string, limit int) []search.Result
}

// Reader classifies pasted bounces with the compiled rules and advice. It
// is immutable and safe for concurrent use.
type Reader struct {
	kb     Articles
	search Searcher // nil: no search to fall back on
	// quoted returns every run of quotedWords words of the articles'
	// titles, aliases and examples: a reply that has none of them cannot
	// quote an article, and the search is not asked. Built on first use.
	quoted     func() map[string]bool
	rules      *rules
	words      *wording
	advice     map[string]template
	policyVars map[string]string
	domains    []string
	// domainCounts are the letterCounts of domains, for a cheap first test
	// of how far a mistyped domain is from each.
	domainCounts [][27]uint8
}

// data holds the rules, phrases and advice compiled into the binary.
//
//go:embed rules.toml phrases.toml advice.toml
var data embed.FS

// New returns a Reader with the embedded rules.toml, phrases.toml and
// advice.toml. A reply that no rule and no code explains is "unclear"
// (onhold); NewWithSearch asks the knowledge base's search instead.
func New(kb Articles) (*Reader, error) { return NewFS(kb, data) }

// NewWithSearch is New with the knowledge base's search as the last step of
// the diagnosis: when the rules and the codes leave a recipient's reason
// unclear, the article the search finds first for the server's reply
// decides it. The search is asked only then; pass search.Lazy to build its
// index only if some paste needs it.
func NewWithSearch(kb Articles, s Searcher) (*Reader, error) {
	r, err := NewFS(kb, data)
	if err != nil {
		return nil, err
	}
	r.search = s
	return r, nil
}

// NewFS is New with rules.toml, phrases.toml and advice.toml read from
// fsys. It reports the first problem it finds, naming the file and the
// entry.
func NewFS(kb Articles, fsys fs.FS) (*Reader, error) {
	// The files are read in order (an fs.FS need not be safe for
	// concurrent use); phrases.toml and advice.toml are decoded while
	// rules.toml, the largest, is, on another core if there is one.
	var raw [3][]byte
	var readErr [3]error
	for i, name := range []string{"rules.toml", "phrases.toml", "advice.toml"} {
		raw[i], readErr[i] = fs.ReadFile(fsys, name)
	}
	var words *wording
	var wordsErr, adviceErr error
	var md toml.MetaData
	texts := make(map[string]string)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if readErr[1] == nil {
			words, wordsErr = loadWording(string(raw[1]))
		}
		if readErr[2] == nil {
			md, adviceErr = toml.Decode(string(raw[2]), &texts)
		}
	}()
	var rs *rules
	var err error
	if readErr[0] == nil {
		rs, err = loadRules(string(raw[0]), kb)
	}
	<-done
	// Problems are reported in the order the files are read.
	switch {
	case readErr[0] != nil:
		return nil, fmt.Errorf("bounce: %w", readErr[0])
	case err != nil:
		return nil, fmt.Errorf("bounce: %w", err)
	case readErr[1] != nil:
		return nil, fmt.Errorf("bounce: %w", readErr[1])
	case wordsErr != nil:
		return nil, fmt.Errorf("bounce: %w", wordsErr)
	case readErr[2] != nil:
		return nil, fmt.Errorf("bounce: %w", readErr[2])
	case adviceErr != nil:
		return nil, fmt.Errorf("bounce: advice.toml: %w", adviceErr)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return nil, fmt.Errorf("bounce: advice.toml: unknown key %q", extra[0].String())
	}
	policyVars := kb.Policy().Vars()
	advice := make(map[string]template, len(texts))
	compile := func(key, usedBy string) error {
		if _, done := advice[key]; done {
			return nil
		}
		if strings.TrimSpace(texts[key]) == "" {
			return fmt.Errorf("bounce: advice.toml: %q is missing%s", key, usedBy)
		}
		t, err := parseTemplate(texts[key], policyVars)
		if err != nil {
			return fmt.Errorf("bounce: advice.toml: %s: %w", key, err)
		}
		advice[key] = t
		return nil
	}
	for _, key := range adviceKeys {
		if err := compile(key, ""); err != nil {
			return nil, err
		}
	}
	for i, a := range rs.advice {
		if err := compile(a.sentence, fmt.Sprintf(" (rules.toml [[advice]] %d uses it)", i+1)); err != nil {
			return nil, err
		}
	}
	var unused []string
	for key := range texts {
		if _, ok := advice[key]; !ok {
			unused = append(unused, key)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		return nil, fmt.Errorf("bounce: advice.toml: %q is not a sentence the reader uses", unused[0])
	}
	rd := &Reader{kb: kb, rules: rs, words: words, advice: advice, policyVars: policyVars, domains: rs.domains,
		quoted: sync.OnceValue(func() map[string]bool { return quotedRuns(kb.Articles()) })}
	for _, d := range rd.domains {
		rd.domainCounts = append(rd.domainCounts, letterCounts(d))
	}
	return rd, nil
}
