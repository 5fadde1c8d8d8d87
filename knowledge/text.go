package knowledge

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold lower-cases s and strips the diacritics Spanish, Portuguese, French
// and Catalan customers type (or forget to type), so "Buzón" and "buzon"
// meet. It works rune by rune with a table because the standard library has
// no Unicode normaliser and knowledge stays dependency-free.
func fold(s string) string {
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

// token is a word of a text with its byte offsets in the original string, so
// snippets can highlight the words the customer typed.
type token struct {
	word       string // folded
	start, end int
}

// tokenize splits s into folded words of letters and digits. Apostrophes
// inside a word ("isn't") are dropped rather than splitting it, so the
// English contractions in bounces stay one token.
func tokenize(s string) []token {
	var toks []token
	start := -1
	var word strings.Builder
	flush := func(end int) {
		if start >= 0 && word.Len() > 0 {
			toks = append(toks, token{word: fold(word.String()), start: start, end: end})
		}
		start = -1
		word.Reset()
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
			word.WriteRune(r)
		case (r == '\'' || r == '’') && start >= 0 && i+size < len(s) && isWordByte(s[i+size]):
			// keep "isn't" whole
		default:
			flush(i)
		}
		i += size
	}
	flush(len(s))
	return toks
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

// stem returns the stem of a folded word. Words with digits (codes, tags) and
// short words are returned unchanged.
func stem(w string) string {
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

func toSet(words string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// blankAddresses returns folded text with the email addresses, and the
// recipient that sendmail echoes before "..." ("|/usr/bin/procmail"...
// Service unavailable), replaced by spaces of the same length. A server
// quotes the address it refused, and words in it ("spam@", "blocked-user@",
// a delivery program's path) are not what the server said about it.
func blankAddresses(folded string) string {
	const maxQuotedRecipient = 256
	quoted := strings.Index(folded, "\"...")
	if strings.IndexByte(folded, '@') < 0 && quoted < 0 {
		return folded
	}
	b := []byte(folded)
	for _, loc := range findEmails(folded) {
		for j := loc[0]; j < loc[1]; j++ {
			b[j] = ' '
		}
	}
	for quoted >= 0 {
		// The closing quote of a quoted recipient: blank back to its
		// opening quote, looked for only as far as a recipient goes (a
		// paste full of quotes must stay linear).
		from := max(0, quoted-maxQuotedRecipient)
		if open := bytes.LastIndexByte(b[from:quoted], '"'); open >= 0 {
			open += from
			for j := open; j <= quoted; j++ {
				b[j] = ' '
			}
		}
		next := strings.Index(folded[quoted+1:], "\"...")
		if next < 0 {
			break
		}
		quoted += 1 + next
	}
	return string(b)
}
