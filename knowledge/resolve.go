package knowledge

import "strings"

// codeIndex maps codes to articles for the short links /e/{code}.
type codeIndex struct {
	canonical map[string]*Article   // exact code -> its one canonical article
	ranges    []rangeEntry          // canonical status ranges
	listed    map[string][]*Article // exact code -> every article listing it
}

type rangeEntry struct {
	r       statusRange
	article *Article
}

func buildCodeIndex(articles []*Article) codeIndex {
	idx := codeIndex{canonical: make(map[string]*Article), listed: make(map[string][]*Article)}
	for _, a := range articles {
		for _, c := range a.Canonical {
			c = strings.ToUpper(c)
			if strings.Contains(c, "-") && strings.Count(c, ".") == 4 {
				if r, ok := parseStatus(c); ok {
					idx.ranges = append(idx.ranges, rangeEntry{r, a})
				}
			}
			idx.canonical[c] = a
		}
		for _, c := range a.Codes() {
			idx.listed[c] = append(idx.listed[c], a)
		}
	}
	return idx
}

// Canonical returns the article whose short link /e/{code} is exactly code
// (a reply code, an enhanced status code within a canonical range, or a
// provider tag), and false when no article claims it.
func (kb *KB) Canonical(code string) (*Article, bool) {
	a := kb.codes.canonicalFor(strings.ToUpper(code))
	return a, a != nil
}

// canonicalFor returns the canonical article for one exact code.
func (idx codeIndex) canonicalFor(code string) *Article {
	if a, ok := idx.canonical[code]; ok {
		return a
	}
	for _, e := range idx.ranges {
		if e.r.contains(code) {
			return e.article
		}
	}
	return nil
}

// Resolve returns the article a code-like text leads to: the target of the
// short links /e/550, /e/5.7.1, /e/550-5.7.26 and /e/E451. A provider tag
// wins, then an article listing both the reply and the status code (the
// canonical one for the status code first), then the status code's canonical
// article, then the reply code's. A status code nobody lists falls back to
// its subject's generic article (5.7.999 -> 5.7.0), and a reply code to its
// class (559 -> 5.0.0), so every well-formed code lands somewhere useful.
func (kb *KB) Resolve(s string) (*Article, bool) {
	// A code some article claims as it is ("334", which ParseCode leaves
	// out because 3xx replies are not errors) leads there.
	if a, ok := kb.codes.canonical[strings.ToUpper(strings.TrimSpace(s))]; ok {
		return a, true
	}
	q := ParseCode(s)
	if q.IsZero() {
		return nil, false
	}
	idx := kb.codes
	if q.Provider != "" {
		if a := idx.canonicalFor(q.Provider); a != nil {
			return a, true
		}
	}
	if q.Status != "" && q.Reply != "" {
		if a := idx.canonicalFor(q.Status); a != nil && a.Covers(q.Reply) {
			return a, true
		}
		for _, a := range idx.listed[q.Status] {
			if a.Covers(q.Reply) {
				return a, true
			}
		}
	}
	if q.Status != "" {
		if a := idx.canonicalFor(q.Status); a != nil {
			return a, true
		}
		if l := idx.listed[q.Status]; len(l) > 0 {
			return l[0], true
		}
	}
	if q.Reply != "" {
		if a := idx.canonicalFor(q.Reply); a != nil {
			return a, true
		}
	}
	if q.Status != "" {
		parts := strings.Split(q.Status, ".")
		if a := idx.canonicalFor(parts[0] + "." + parts[1] + ".0"); a != nil {
			return a, true
		}
		if a := idx.canonicalFor(parts[0] + ".0.0"); a != nil {
			return a, true
		}
	}
	if q.Reply != "" && (q.Reply[0] == '4' || q.Reply[0] == '5') {
		if a := idx.canonicalFor(q.Reply[:1] + ".0.0"); a != nil {
			return a, true
		}
	}
	return nil, false
}
