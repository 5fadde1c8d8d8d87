package spanish

import "strings"

// Stems returns the stems of the tokens that are not stop words.
func Stems(toks []Token) []string {
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if stopWords[t.Word] {
			continue
		}
		out = append(out, Stem(t.Word))
	}
	return out
}

// Phrase returns the folded words of a text separated and surrounded by
// single spaces, so containment tests respect word boundaries.
func Phrase(toks []Token) string {
	n := 1
	for _, t := range toks {
		n += len(t.Word) + 1
	}
	var b strings.Builder
	b.Grow(n) // one allocation: phrases are made for every run of words
	b.WriteByte(' ')
	for _, t := range toks {
		b.WriteString(t.Word)
		b.WriteByte(' ')
	}
	return b.String()
}

// Lexicon is a set of words, matched by stem, and phrases, matched by their
// folded words: the search's lists of hosting topics that are not mail
// errors and of words that say a query is about mail.
type Lexicon struct {
	stems   map[string]bool
	phrases []string
}

// NewLexicon builds a lexicon from entries of one word or several.
func NewLexicon(entries []string) Lexicon {
	l := Lexicon{stems: make(map[string]bool)}
	for _, e := range entries {
		toks := Tokenize(e)
		switch len(toks) {
		case 0:
		case 1:
			l.stems[Stem(toks[0].Word)] = true
		default:
			l.phrases = append(l.phrases, Phrase(toks))
		}
	}
	return l
}

// Matches reports whether a text, given as its stems and its Phrase,
// contains an entry of the lexicon.
func (l Lexicon) Matches(stems []string, phrase string) bool {
	for _, s := range stems {
		if l.stems[s] {
			return true
		}
	}
	for _, p := range l.phrases {
		if strings.Contains(phrase, p) {
			return true
		}
	}
	return false
}
