// Package spanish is the text analysis behind Rebote's search, for the
// Spanish and English that customers and bounces write: folding of case and
// accents (and of the typographic quotes and spaces of pasted text),
// tokens with their offsets, a light stemmer, stop words and lexicons of
// words and phrases. It keeps analysis apart from the index, as bleve keeps
// analysis/lang/es apart from its index; the bounce reader uses the same
// folding so that phrases and pastes meet.
package spanish

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold lower-cases s and strips the diacritics Spanish, Portuguese, French
// and Catalan customers type (or forget to type), so "Buzón" and "buzon"
// meet. It works rune by rune with a table because the standard library has
// no Unicode normaliser and the analysis stays dependency-free.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s) // no copy when s has no capitals
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
			continue
		}
		r = unicode.ToLower(r)
		if f, ok := foldTable[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var foldTable = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i",
	'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o", 'õ': "o",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u",
	'ñ': "n", 'ç': "c", 'ý': "y", 'ÿ': "y", 'ß': "ss", 'œ': "oe", 'æ': "ae",
	'’': "'", '‘': "'", '´': "'", '–': "-", '—': "-",
	// Quotes and spaces that word processors and webmail put in pasted
	// text: as plain ones, phrases still start and end on word boundaries.
	'“': `"`, '”': `"`, '„': `"`, '«': `"`, '»': `"`, '\u00a0': " ", '\u202f': " ", '\u2007': " ",
}

// Token is a word of a text with its byte offsets in the original string, so
// snippets can highlight the words the customer typed.
type Token struct {
	Word       string // folded
	Start, End int
}

// Tokenize splits s into folded words of letters and digits. Apostrophes
// inside a word ("isn't") are dropped rather than splitting it, so the
// English contractions in bounces stay one token.
func Tokenize(s string) []Token {
	var toks []Token
	start := -1
	apostrophe := false // the word has one, which its Word leaves out
	flush := func(end int) {
		if start >= 0 {
			// The word is the text itself, folded (no copy when it is in
			// lower case already), unless an apostrophe must go.
			w := s[start:end]
			if apostrophe {
				w = strings.Map(dropApostrophe, w)
			}
			if toks == nil {
				toks = make([]Token, 0, len(s)/6+1) // a word and its space are about 6 bytes
			}
			toks = append(toks, Token{Word: Fold(w), Start: start, End: end})
		}
		start, apostrophe = -1, false
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’') && start >= 0 && i+size < len(s) && isWordByte(s[i+size]):
			apostrophe = true // keep "isn't" whole
		default:
			flush(i)
		}
		i += size
	}
	flush(len(s))
	return toks
}

// dropApostrophe is a strings.Map function that removes the apostrophes
// Tokenize keeps words whole across.
func dropApostrophe(r rune) rune {
	if r == '\'' || r == '’' {
		return -1
	}
	return r
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// suffixes are the inflectional and derivational endings stem removes, longest
// first. It is a light stemmer in the spirit of Savoy's Spanish stemmer, with
// a few English endings because bounces are mostly in English: it conflates
// "rebota", "rebotan", "rebote" and "rebotado", and "listed" with "lista",
// which is all the search needs. A full Snowball stemmer over-stems short
// technical words ("relay", "spam") more than it helps here.
var suffixes = []string{
	"amientos", "imientos", "aciones", "amiento", "imiento", "aremos", "eremos", "iremos",
	"ieron", "acion", "ucion", "mente", "ando", "iendo", "yendo", "aron", "ados", "adas",
	"idos", "idas", "ables", "ibles", "able", "ible", "ores", "ing", "ado", "ada", "ido",
	"ida", "aba", "ian", "ar", "er", "ir", "an", "en", "as", "es", "os", "ed", "ia",
	"a", "e", "o", "s",
}

// Stem returns the stem of a folded word. Words with digits (codes, tags) and
// short words are returned unchanged.
func Stem(w string) string {
	if len(w) <= 3 || noStem[w] {
		return w
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			return w
		}
	}
	for _, suf := range suffixes {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// noStem are words the suffix rules would wreck: "hosting" is not "host".
var noStem = toSet(`hosting posting string ping thing`)

// stopWords are Spanish and English words too common to say anything about
// which error a customer has. They are folded.
var stopWords = toSet(`a al algo alguien como con contra cual cuando de del desde donde durante e el ella ellas ellos en entre era eres es esa ese eso esta estaba estan estar este esto estoy fue ha han has hay he la las le les lo los me mi mis muy nada ni no nos o os otra otro para pero por porque que quien se sea ser si sin sobre soy su sus tambien te tengo tiene tu tus un una uno unos unas y ya yo
about an and are as at be been but by can could did do does for from had has have how i if in into is it its me my not of on or our please so than that the their them then there these they this to too us was we were what when where which while who why will with would you your
hola gracias ayuda dice pone aparece
`)

// IsStopWord reports whether a folded word is too common to tell one error
// from another ("de", "the", "hola").
func IsStopWord(w string) bool { return stopWords[w] }

func toSet(words string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// EditDistance is the optimal string alignment distance between a and b
// (Levenshtein plus adjacent transpositions, "exedida"/"excedida").
func EditDistance(a, b string) int {
	if a == b {
		return 0
	}
	var buf [3][64]int
	var prev2, prev, cur []int
	if len(b)+1 <= 64 {
		prev2, prev, cur = buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	} else {
		prev2, prev, cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
