// Package search is the knowledge base's full-text search: an in-process
// inverted index over the articles (titles, aliases, examples, summaries and
// bodies weighted apart), BM25 scoring with code-aware bonuses, typo
// correction and completion, off-topic detection and highlighted snippets.
// The language side (folding, tokens, stems, stop words, lexicons) is in
// package spanish below it; the lexicons' words are in search.toml.
package search

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/search/spanish"
)

// Search is an in-process inverted index rather than SQLite FTS5: the corpus
// is a few hundred kilobytes that never changes while the process runs, the
// knowledge packages must stay free of SQL, and FTS5 has neither Spanish
// stemming nor typo tolerance, which we need and do here (folding, a light
// stemmer, SymSpell-style edit-distance lookups, code-aware scoring). A query
// costs tens of microseconds; see BenchmarkSearch.

// Span is a run of snippet text; Match marks the words the query matched.
type Span struct {
	Text  string
	Match bool
}

// Result is one search hit.
type Result struct {
	Article *knowledge.Article
	Score   float64
	Snippet []Span
}

// SnippetText returns the snippet as plain text.
func (r Result) SnippetText() string {
	var b strings.Builder
	for _, s := range r.Snippet {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Field weights: a word in the title or in an alias says much more about an
// article than the same word deep in its advice.
const (
	weightTitle   = 3.0
	weightAlias   = 2.5
	weightExample = 1.5
	weightSummary = 1.5
	weightBody    = 1.0

	bm25K1 = 1.2
	bm25B  = 0.3

	// relativeCutoff drops results far below the best one.
	relativeCutoff = 0.2
	// maxQueryBytes bounds the work a single query can cause.
	maxQueryBytes = 512
)

type posting struct {
	doc    int
	w      float64 // saturated, field-weighted term frequency
	strong bool    // the word is in the title, an alias, an example or the summary
}

// requiredCoverage is the share of the query's weight an article must match
// to be shown at all: it is what keeps "precio dominio .es" from returning
// every article that mentions "dominio". Short queries must be matched
// almost entirely; long ones are sentences full of words ("me equivoqué al
// escribir...") that no article needs to repeat.
func requiredCoverage(words int, hasCode bool) float64 {
	switch {
	case hasCode:
		return 0.3
	case words <= 2:
		return 0.5
	case words == 3:
		return 0.45
	case words == 4:
		return 0.35
	case words == 5:
		return 0.3
	default:
		return 0.2
	}
}

// bodyScoreWeight scales what the body adds to a word's score: the title,
// aliases, examples and summary say what an article is about; the body only
// confirms it.
const bodyScoreWeight = 0.4

// saturate is BM25's term-frequency saturation.
func saturate(tf, norm float64) float64 { return tf * (bm25K1 + 1) / (tf + bm25K1*norm) }

// bodyOnlyCoverage is how much a query word found only in an article's body
// counts towards coverage: "hosting" deep in the advice of an article does
// not make it an answer to "renovar hosting".
const bodyOnlyCoverage = 0.35

type sentence struct {
	text   string
	tokens []spanish.Token
	stems  []string
}

// Index is the search index of a knowledge base. It is immutable and safe
// for concurrent use.
type Index struct {
	kb       *knowledge.KB
	articles []*knowledge.Article
	postings map[string][]posting
	idf      map[string]float64
	maxIDF   float64
	vocab    []string            // sorted stems, for prefix completion
	deletes  map[string][]string // SymSpell delete variant -> stems
	bigrams  []map[string]bool   // per article: "stemA stemB" from title, aliases, summary
	phrases  [][]string          // per article: " folded title ", " folded alias ", ...
	// phrasesWith lists the phrases that hold a word, and phrasesFrom
	// those that start with it: a query is part of a phrase only if the
	// phrase holds the query's first word, and holds a phrase only if it
	// has the phrase's first word, so each query is compared with a few
	// phrases rather than all of them.
	phrasesWith, phrasesFrom map[string][]phraseRef
	sentences                [][]sentence // per article: snippet candidates, summary first
	// sentenceStems is, per article, every stem of its snippet candidates:
	// the query words an article has are found with a few lookups, not
	// one per word of every sentence.
	sentenceStems []map[string]bool
	offtopic      spanish.Lexicon // hosting topics that are not mail errors
	mail          spanish.Lexicon // words that say a query is about mail
	generic       [][]string      // folded words of headings and prefixes that say nothing of the cause
	topics        []topicMatcher  // not-an-error topics and the stems that ask for them
}

type topicMatcher struct {
	topic   knowledge.Topic
	entries [][]string // each entry's stems; all of one entry must be in the query
}

// lexicons holds the words of the off-topic and mail lexicons.
//
//go:embed search.toml
var lexicons string

// New builds the search index of kb, with the lexicons of search.toml.
func New(kb *knowledge.KB) (*Index, error) { return NewWithLexicons(kb, lexicons) }

// NewWithLexicons is New with the lexicons given as the text of a
// search.toml file (see FORMATO.md).
func NewWithLexicons(kb *knowledge.KB, lexiconsTOML string) (*Index, error) {
	var topics struct {
		Offtopic []string `toml:"offtopic"`
		Mail     []string `toml:"mail"`
		Generic  []string `toml:"generic"`
	}
	md, err := toml.Decode(lexiconsTOML, &topics)
	if err != nil {
		return nil, fmt.Errorf("search: search.toml: %w", err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return nil, fmt.Errorf("search: search.toml: unknown key %q", extra[0].String())
	}
	if len(topics.Offtopic) == 0 || len(topics.Mail) == 0 {
		return nil, fmt.Errorf("search: search.toml: offtopic and mail must both list words")
	}
	if len(topics.Generic) == 0 {
		return nil, fmt.Errorf("search: search.toml: generic must list the headings that say nothing of the cause")
	}
	if len(kb.Articles()) == 0 {
		return nil, fmt.Errorf("search: the knowledge base has no articles")
	}
	idx := build(kb.Articles())
	idx.kb = kb
	idx.offtopic = spanish.NewLexicon(topics.Offtopic)
	idx.mail = spanish.NewLexicon(topics.Mail)
	for _, g := range topics.Generic {
		var words []string
		for _, t := range spanish.Tokenize(g) {
			words = append(words, t.Word)
		}
		if len(words) > 0 {
			idx.generic = append(idx.generic, words)
		}
	}
	for _, t := range kb.Topics() {
		m := topicMatcher{topic: t}
		for _, e := range t.Match {
			if stems := spanish.Stems(spanish.Tokenize(e)); len(stems) > 0 {
				m.entries = append(m.entries, stems)
			}
		}
		idx.topics = append(idx.topics, m)
	}
	return idx, nil
}

// Topics returns the not-an-error topics a query asks for (the webmail
// password, invoices, renewing a domain), in their file's order: a query
// asks for a topic when it holds every word of one of its entries.
func (idx *Index) Topics(q string) []knowledge.Topic {
	if len(q) > maxQueryBytes {
		q = strings.ToValidUTF8(q[:maxQueryBytes], "")
	}
	have := make(map[string]bool)
	for _, s := range spanish.Stems(spanish.Tokenize(q)) {
		have[s] = true
	}
	var out []knowledge.Topic
	for _, m := range idx.topics {
		for _, e := range m.entries {
			all := true
			for _, s := range e {
				all = all && have[s]
			}
			if all {
				out = append(out, m.topic)
				break
			}
		}
	}
	return out
}

// withoutGeneric drops from a query the headings and prefixes that every
// bounce of a kind carries ("No se pudo entregar a estos destinatarios o
// grupos", Thunderbird's "An error occurred while sending mail. The mail
// server responded:") when something follows them: the code or text after
// says what happened. A heading alone is kept and searched as it is.
func (idx *Index) withoutGeneric(toks []spanish.Token) []spanish.Token {
	for _, g := range idx.generic {
		for i := 0; i+len(g) <= len(toks); i++ {
			match := true
			for j, w := range g {
				if toks[i+j].Word != w {
					match = false
					break
				}
			}
			if match && len(toks) > len(g) {
				toks = append(toks[:i:i], toks[i+len(g):]...)
				break
			}
		}
	}
	return toks
}

func build(articles []*knowledge.Article) *Index {
	idx := &Index{
		articles:      articles,
		postings:      make(map[string][]posting),
		idf:           make(map[string]float64),
		deletes:       make(map[string][]string),
		bigrams:       make([]map[string]bool, len(articles)),
		phrases:       make([][]string, len(articles)),
		sentences:     make([][]sentence, len(articles)),
		sentenceStems: make([]map[string]bool, len(articles)),
	}
	type fieldText struct {
		weight float64
		texts  []string
	}
	strongTF := make([]map[string]float64, len(articles))
	bodyTF := make([]map[string]float64, len(articles))
	lengths := make([]float64, len(articles))
	var total float64
	for d, a := range articles {
		fields := []fieldText{
			{weightTitle, []string{a.Title}},
			{weightAlias, a.Aliases},
			{weightExample, a.Examples()},
			{weightSummary, []string{a.SummaryText()}},
			{weightBody, bodyTexts(a, true)},
		}
		strongTF[d] = make(map[string]float64)
		bodyTF[d] = make(map[string]float64)
		idx.bigrams[d] = make(map[string]bool)
		for fi, f := range fields {
			for _, text := range f.texts {
				stems := spanish.Stems(spanish.Tokenize(text))
				for _, s := range stems {
					if fi == len(fields)-1 {
						bodyTF[d][s] += f.weight
						lengths[d]++
					} else {
						strongTF[d][s] += f.weight
					}
				}
				if f.weight >= weightSummary {
					for i := 1; i < len(stems); i++ {
						idx.bigrams[d][stems[i-1]+" "+stems[i]] = true
					}
				}
			}
		}
		total += lengths[d]
		for _, t := range append([]string{a.Title}, a.Aliases...) {
			if p := spanish.Phrase(spanish.Tokenize(t)); strings.Count(p, " ") > 3 {
				idx.phrases[d] = append(idx.phrases[d], p)
			}
		}
		idx.sentences[d] = snippetCandidates(a)
		idx.sentenceStems[d] = make(map[string]bool)
		for _, s := range idx.sentences[d] {
			for _, st := range s.stems {
				idx.sentenceStems[d][st] = true
			}
		}
	}
	idx.phrasesWith, idx.phrasesFrom = make(map[string][]phraseRef), make(map[string][]phraseRef)
	for d := range articles {
		for i, p := range idx.phrases[d] {
			ref := phraseRef{doc: d, i: i}
			words := strings.Fields(p)
			idx.phrasesFrom[words[0]] = append(idx.phrasesFrom[words[0]], ref)
			for j, w := range words {
				if !slices.Contains(words[:j], w) {
					idx.phrasesWith[w] = append(idx.phrasesWith[w], ref)
				}
			}
		}
	}
	avg := total / float64(len(articles))
	n := float64(len(articles))
	for d := range articles {
		norm := 1 - bm25B + bm25B*lengths[d]/avg
		for s, w := range strongTF[d] {
			idx.postings[s] = append(idx.postings[s], posting{doc: d, w: saturate(w, norm) + bodyScoreWeight*saturate(bodyTF[d][s], norm), strong: true})
		}
		for s, w := range bodyTF[d] {
			if _, done := strongTF[d][s]; !done {
				idx.postings[s] = append(idx.postings[s], posting{doc: d, w: bodyScoreWeight * saturate(w, norm)})
			}
		}
	}
	for s, ps := range idx.postings {
		df := float64(len(ps))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		idx.idf[s] = idf
		idx.maxIDF = math.Max(idx.maxIDF, idf)
		// Typo correction and completion only aim at words of titles,
		// aliases and summaries: aimed at the whole body, any unknown word
		// finds some neighbour and unrelated queries get answers.
		if !anyStrong(ps) {
			continue
		}
		idx.vocab = append(idx.vocab, s)
		if maxEdits(s) > 0 && !strings.ContainsAny(s, "0123456789") {
			for _, v := range deletesOf(s, maxEdits(s)) {
				idx.deletes[v] = append(idx.deletes[v], s)
			}
		}
	}
	sort.Strings(idx.vocab)
	return idx
}

func anyStrong(ps []posting) bool {
	for _, p := range ps {
		if p.strong {
			return true
		}
	}
	return false
}

// bodyTexts returns the text of every section but the examples, which are
// indexed as their own field. With indexing set, links to other articles
// and bare URLs are left out: a link's text is another article's title, and
// counting it here would make every article that points to "Cómo configurar
// el correo saliente..." an answer about outgoing mail.
func bodyTexts(a *knowledge.Article, indexing bool) []string {
	text := func(ins []knowledge.Inline) string {
		if !indexing {
			return knowledge.PlainText(ins)
		}
		var b strings.Builder
		for _, in := range ins {
			// Links to articles and bare addresses ({{url_soporte}}) say
			// nothing about this article.
			if in.Kind != knowledge.InlineLink || !strings.HasPrefix(in.URL, "/errores/") && in.Text != in.URL {
				b.WriteString(in.Text)
			}
		}
		return b.String()
	}
	var out []string
	for _, s := range a.Sections {
		if s.Title == knowledge.SectionExamples {
			continue
		}
		for _, b := range s.Blocks {
			if b.Kind == knowledge.BlockCode {
				continue
			}
			if len(b.Inlines) > 0 {
				out = append(out, text(b.Inlines))
			}
			for _, item := range b.Items {
				out = append(out, text(item))
			}
		}
	}
	return out
}

// snippetCandidates splits an article into the sentences a snippet may show:
// the summary first, then the aliases, then the body.
func snippetCandidates(a *knowledge.Article) []sentence {
	var texts []string
	texts = append(texts, splitSentences(a.SummaryText())...)
	texts = append(texts, a.Aliases...)
	for _, t := range bodyTexts(a, false) {
		texts = append(texts, splitSentences(t)...)
	}
	out := make([]sentence, 0, len(texts))
	for _, t := range texts {
		toks := spanish.Tokenize(t)
		stems := make([]string, len(toks))
		for i, tk := range toks {
			stems[i] = spanish.Stem(tk.Word)
		}
		out = append(out, sentence{text: t, tokens: toks, stems: stems})
	}
	return out
}

func splitSentences(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.Index(s, ". ")
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = strings.TrimSpace(s[i+2:])
	}
	return out
}

// maxEdits is how many typos a word of that length may carry and still be
// recognised. Short words get none: "spam" must not match "span".
func maxEdits(s string) int {
	switch n := utf8.RuneCountInString(s); {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	default:
		return 0
	}
}

// deletesOf returns every string obtained from s by deleting up to k
// characters (SymSpell): two words within edit distance k share one.
func deletesOf(s string, k int) []string {
	seen := map[string]bool{s: true}
	level := []string{s}
	for ; k > 0; k-- {
		var next []string
		for _, w := range level {
			for i := 0; i < len(w); i++ {
				v := w[:i] + w[i+1:]
				if !seen[v] {
					seen[v] = true
					next = append(next, v)
				}
			}
		}
		level = next
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	return out
}

// expansion is an indexed stem a query word stands for, with how much a
// match on it is worth (1 for the word itself, less for typo corrections
// and completions).
type expansion struct {
	stem   string
	factor float64
}

// expand finds the indexed stems a query stem may mean.
func (idx *Index) expand(s string, last bool) []expansion {
	if _, ok := idx.postings[s]; ok {
		return []expansion{{s, 1}}
	}
	var out []expansion
	if k := maxEdits(s); k > 0 && !strings.ContainsAny(s, "0123456789") {
		best := k + 1
		var cands []string
		seen := make(map[string]bool)
		for _, v := range deletesOf(s, k) {
			for _, c := range idx.deletes[v] {
				if seen[c] {
					continue
				}
				seen[c] = true
				// People rarely mistype the first letter; demanding it keeps
				// "cuesta" from turning into "puesta".
				if c[0] != s[0] {
					continue
				}
				d := spanish.EditDistance(s, c)
				if d > k || d > maxEdits(c) {
					continue
				}
				if d < best {
					best, cands = d, cands[:0]
				}
				if d == best {
					cands = append(cands, c)
				}
			}
		}
		sort.Strings(cands)
		for _, c := range cands {
			out = append(out, expansion{c, 0.75 - 0.25*float64(best-1)})
		}
	}
	if last && len(s) >= 3 {
		// The customer may still be typing the last word.
		i := sort.SearchStrings(idx.vocab, s)
		for n := 0; i < len(idx.vocab) && strings.HasPrefix(idx.vocab[i], s) && n < 8; i, n = i+1, n+1 {
			out = append(out, expansion{idx.vocab[i], 0.7})
		}
	}
	return out
}

// Search returns the articles that answer q, best first, at most limit. It
// returns nothing when no article is relevant enough.
func (idx *Index) Search(q string, limit int) []Result {
	if len(q) > maxQueryBytes {
		q = q[:maxQueryBytes]
		q = strings.ToValidUTF8(q, "")
	}
	code := knowledge.ParseCode(q)
	if t := strings.TrimSpace(q); code.IsZero() && len(t) == 3 {
		// A reply code ParseCode leaves out (3xx replies are not errors)
		// is still a code when an article claims it: "334".
		if _, ok := idx.kb.Canonical(t); ok {
			code.Reply = t
		}
	}
	toks := idx.withoutGeneric(spanish.Tokenize(q))
	trailingSpace := strings.HasSuffix(q, " ")

	type term struct {
		stem string
		exps []expansion
		idf  float64 // weight of the term in the coverage test
	}
	// The words that make up the codes are scored as codes, not as words.
	codeParts := make(map[string]bool)
	for _, p := range strings.FieldsFunc(strings.ToLower(code.String()), func(r rune) bool { return r == '.' || r == '-' || r == ' ' }) {
		codeParts[p] = true
	}
	var terms []term
	seen := make(map[string]bool)
	for i, t := range toks {
		if spanish.IsStopWord(t.Word) || len(t.Word) < 2 || codeParts[t.Word] {
			continue
		}
		s := spanish.Stem(t.Word)
		if seen[s] {
			continue
		}
		seen[s] = true
		exps := idx.expand(s, i == len(toks)-1 && !trailingSpace)
		w := idx.maxIDF * 0.6 // unknown words count, but less than a rare known one
		if len(exps) > 0 {
			w = 0
			for _, e := range exps {
				w = math.Max(w, idx.idf[e.stem])
			}
		}
		terms = append(terms, term{stem: s, exps: exps, idf: w})
	}

	// A question about the hosting that is not about mail gets no answer
	// rather than a wrong one.
	if code.IsZero() {
		all := make([]string, len(toks))
		for i, t := range toks {
			all[i] = spanish.Stem(t.Word)
		}
		phrase := spanish.Phrase(toks)
		if idx.offtopic.Matches(all, phrase) && !idx.mail.Matches(all, phrase) {
			return nil
		}
	}

	n := len(idx.articles)
	scores := make([]float64, n)
	matched := make([]float64, n)
	anchored := make([]bool, n) // matched a word in a strong field, or a code
	var totalWeight float64
	type hit struct{ score, coverage float64 }
	// In a short query every word matters: each must be in the article's
	// title, aliases, examples or summary to count as matched.
	bodyCoverage := bodyOnlyCoverage
	if len(terms) <= 3 {
		bodyCoverage = 0
	}
	for _, t := range terms {
		totalWeight += t.idf
		best := make(map[int]hit)
		for _, e := range t.exps {
			idf := idx.idf[e.stem]
			for _, p := range idx.postings[e.stem] {
				cov := e.factor
				if !p.strong {
					cov *= bodyCoverage
				} else {
					anchored[p.doc] = true
				}
				h := best[p.doc]
				best[p.doc] = hit{max(h.score, idf*p.w*e.factor), max(h.coverage, cov)}
			}
		}
		for d, h := range best {
			scores[d] += h.score
			matched[d] += t.idf * h.coverage
		}
	}

	// Codes weigh like a rare word, and more when the article is the code's
	// canonical one.
	// A number no article knows ("puerto 587") is not a code.
	hasCode := false
	if !code.IsZero() {
		const codeWeight = 3.0
		for d, a := range idx.articles {
			if bonus := codeBonus(idx.kb, a, code); bonus > 0 {
				scores[d] += bonus
				matched[d] += codeWeight
				anchored[d] = true
				hasCode = true
			}
		}
		if hasCode {
			totalWeight += codeWeight
		} else {
			// Weighs like an unknown word: "error 404" is about something else.
			totalWeight += idx.maxIDF * 0.6
		}
	}

	// Exact wording: a help-page entry or a bounce line typed in full.
	if len(terms) >= 2 {
		phrase := spanish.Phrase(toks)
		// Per article, the first of its phrases that holds the query or
		// that the query holds.
		first := make([]int, len(idx.articles))
		for d := range first {
			first[d] = -1
		}
		found := func(ref phraseRef) {
			if first[ref.doc] < 0 || ref.i < first[ref.doc] {
				first[ref.doc] = ref.i
			}
		}
		words := strings.Fields(phrase)
		for _, ref := range idx.phrasesWith[firstOf(words)] {
			if strings.Contains(idx.phrases[ref.doc][ref.i], phrase) {
				found(ref)
			}
		}
		for j, w := range words {
			if slices.Contains(words[:j], w) {
				continue
			}
			for _, ref := range idx.phrasesFrom[w] {
				if p := idx.phrases[ref.doc][ref.i]; len(p) <= len(phrase) && strings.Contains(phrase, p) {
					found(ref)
				}
			}
		}
		for d := range idx.articles {
			if first[d] >= 0 {
				p := idx.phrases[d][first[d]]
				scores[d] += 2 * math.Min(float64(strings.Count(p, " ")-1), 8)
			}
		}
		for i := 1; i < len(terms); i++ {
			bg := terms[i-1].stem + " " + terms[i].stem
			for d := range idx.articles {
				if idx.bigrams[d][bg] {
					scores[d] += 0.5 * (terms[i-1].idf + terms[i].idf)
				}
			}
		}
	}

	if totalWeight == 0 {
		return nil
	}
	need := requiredCoverage(len(terms), hasCode)
	var results []Result
	for d, s := range scores {
		if cov := matched[d] / totalWeight; s > 0 && anchored[d] && cov >= need {
			// Between two articles scoring alike, the one that explains more
			// of what the customer wrote goes first.
			results = append(results, Result{Article: idx.articles[d], Score: s * (0.5 + cov)})
		}
	}
	sort.SliceStable(results, func(i, j int) bool {
		if results[i].Score != results[j].Score {
			return results[i].Score > results[j].Score
		}
		return results[i].Article.Slug < results[j].Article.Slug
	})
	for i, r := range results {
		if r.Score < relativeCutoff*results[0].Score {
			results = results[:i]
			break
		}
	}
	if limit > 0 && len(results) > limit {
		results = results[:limit]
	}
	if len(results) > 0 {
		want := make(map[string]bool)
		for _, t := range terms {
			want[t.stem] = true
			for _, e := range t.exps {
				want[e.stem] = true
			}
		}
		if code.Reply != "" {
			want[code.Reply] = true
		}
		for i := range results {
			results[i].Snippet = idx.snippet(results[i].Article, want)
		}
	}
	return results
}

// codeBonus scores how well an article matches the codes of a query.
func codeBonus(kb *knowledge.KB, a *knowledge.Article, q knowledge.CodeQuery) float64 {
	var bonus float64
	if q.Provider != "" {
		if c, _ := kb.Canonical(q.Provider); c == a {
			bonus += 12
		} else if a.Covers(q.Provider) {
			bonus += 8
		}
	}
	if q.Status != "" {
		if c, _ := kb.Canonical(q.Status); c == a {
			bonus += 10
		} else if a.Covers(q.Status) {
			bonus += 6
		}
	}
	if q.Reply != "" {
		if c, _ := kb.Canonical(q.Reply); c == a {
			bonus += 6
		} else if a.Covers(q.Reply) {
			bonus += 3
		}
	}
	return bonus
}

// firstOf is the first word, or "" when there is none.
func firstOf(words []string) string {
	if len(words) == 0 {
		return ""
	}
	return words[0]
}

// phraseRef names a phrase: its article and its place among the
// article's phrases.
type phraseRef struct{ doc, i int }

// snippetWords bounds the length of a snippet.
const snippetWords = 32

// snippet picks the sentence of the article that matches the most query
// words (the summary when none does) and marks those words.
func (idx *Index) snippet(a *knowledge.Article, want map[string]bool) []Span {
	var sentences []sentence
	var has []string // the query words the article's sentences have: few
	for d, x := range idx.articles {
		if x == a {
			sentences = idx.sentences[d]
			for st := range want {
				if idx.sentenceStems[d][st] {
					has = append(has, st)
				}
			}
			break
		}
	}
	if len(sentences) == 0 {
		return nil
	}
	best, bestHits := 0, 0
	var counted []string // the query words this sentence has
	for i, s := range sentences {
		if len(has) == 0 {
			break // the summary, the first sentence, it is
		}
		counted = counted[:0]
		for _, st := range s.stems {
			if slices.Contains(has, st) && !slices.Contains(counted, st) {
				counted = append(counted, st)
			}
		}
		hits := len(counted)
		if hits > bestHits {
			best, bestHits = i, hits
		}
	}
	s := sentences[best]
	// Window of snippetWords tokens starting a little before the first hit.
	first := 0
	for i, st := range s.stems {
		if want[st] {
			first = i
			break
		}
	}
	from := max(0, first-6)
	to := min(len(s.tokens), from+snippetWords)
	var spans []Span
	pos := 0
	if from > 0 {
		pos = s.tokens[from].Start
		spans = append(spans, Span{Text: "…"})
	}
	for i := from; i < to; i++ {
		t := s.tokens[i]
		if t.Start > pos {
			spans = append(spans, Span{Text: s.text[pos:t.Start]})
		}
		spans = append(spans, Span{Text: s.text[t.Start:t.End], Match: want[s.stems[i]]})
		pos = t.End
	}
	if to < len(s.tokens) {
		spans = append(spans, Span{Text: " …"})
	} else if pos < len(s.text) {
		spans = append(spans, Span{Text: s.text[pos:]})
	}
	return spans
}
