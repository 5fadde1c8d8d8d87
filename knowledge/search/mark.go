package search

import "strings"

// Mark splits a line into spans, marking the case-insensitive occurrences
// of the given words (codes, the matched phrase, the address) so a page can
// highlight the evidence.
func Mark(line string, words ...string) []Span {
	type rng struct{ a, b int }
	var rs []rng
	for _, w := range words {
		w = strings.ToLower(strings.TrimSpace(w))
		if len(w) < 3 {
			continue
		}
		for from := 0; from < len(line); {
			i := indexFold(line[from:], w)
			if i < 0 {
				break
			}
			rs = append(rs, rng{from + i, from + i + len(w)})
			from += i + len(w)
		}
	}
	if len(rs) == 0 {
		return []Span{{Text: line}}
	}
	// Merge overlapping ranges in order.
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].a < rs[j-1].a; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
	var out []Span
	pos := 0
	for _, r := range rs {
		if r.a < pos {
			if r.b > pos {
				out[len(out)-1].Text += line[pos:r.b]
				pos = r.b
			}
			continue
		}
		if r.a > pos {
			out = append(out, Span{Text: line[pos:r.a]})
		}
		out = append(out, Span{Text: line[r.a:r.b], Match: true})
		pos = r.b
	}
	if pos < len(line) {
		out = append(out, Span{Text: line[pos:]})
	}
	return out
}

// indexFold is strings.Index ignoring ASCII case; needle is lower-case.
// It jumps between occurrences of the needle's first byte in either case,
// remembering where the next of each is, so it stays linear.
func indexFold(s, needle string) int {
	if needle == "" {
		return 0
	}
	lower, upper := needle[0], needle[0]
	if lower >= 'a' && lower <= 'z' {
		upper = lower - 32
	}
	nextL, nextU := -2, -2 // -2: not searched yet; -1: none left
	for i := 0; i+len(needle) <= len(s); {
		if nextL != -1 && nextL < i {
			if nextL = strings.IndexByte(s[i:], lower); nextL >= 0 {
				nextL += i
			}
		}
		if upper != lower && nextU != -1 && nextU < i {
			if nextU = strings.IndexByte(s[i:], upper); nextU >= 0 {
				nextU += i
			}
		}
		j := nextL
		if upper != lower && nextU >= 0 && (j < 0 || nextU < j) {
			j = nextU
		}
		if j < 0 || j+len(needle) > len(s) {
			return -1
		}
		if strings.EqualFold(s[j:j+len(needle)], needle) {
			return j
		}
		i = j + 1
	}
	return -1
}
