package bounce

import (
	"fmt"
	"slices"
)

// phraseMatcher finds every rule phrase in a text in one pass (Aho-Corasick
// over bytes). With hundreds of phrases, checking them one by one with
// strings.Index cost more than everything else the classifier does.
type phraseMatcher struct {
	class   [256]uint8 // byte -> column; 0 is "a byte no phrase uses"
	columns int
	next    []state // state*columns + column -> state
	// The phrases that end at a state are those of the states on its
	// failure chain. Rather than a copy of that list per state (most of
	// them empty), each state keeps only its own phrases, own[ownAt[s]:
	// ownAt[s+1]], and hit[s] is the first state of its chain, itself
	// included, that has some (0, the root, for none); fail leads on.
	own     []int32
	ownAt   []int32
	hit     []state
	fail    []state
	phrases []phrase
	rule    []int32 // phrase index -> rule index (-1 for other lists)
	longest int     // length of the longest phrase
}

// state is a state of a phraseMatcher. Two bytes keep the table of the
// rules' phrases (some 11,500 states of 52 columns) at 1.2 MB, in a
// core's cache with the rest of a classification; at 2.4 MB it was not.
type state uint16

// maxStates is the most states a phraseMatcher can have.
const maxStates = 1 << 16

func newPhraseMatcher(phrases []phrase, rule []int32) (*phraseMatcher, error) {
	m := &phraseMatcher{phrases: phrases, rule: rule}
	for _, p := range phrases {
		m.longest = max(m.longest, len(p.text))
		for i := 0; i < len(p.text); i++ {
			if m.class[p.text[i]] == 0 {
				m.columns++
				m.class[p.text[i]] = uint8(m.columns)
			}
		}
	}
	m.columns++
	cols := m.columns
	// The trie goes straight into the dense table, one row per state; 0
	// stands for "no child" while it is built, as the root is nobody's
	// child. Column 0 (bytes no phrase uses) always leads back to the root.
	n := trieStates(phrases)
	if n > maxStates {
		return nil, fmt.Errorf("the phrases need %d automaton states, more than the %d it can have", n, maxStates)
	}
	next := make([]state, cols, cols*n)
	// The trie is built one depth at a time, so states are numbered
	// breadth first: the shallow states, where a scan spends most of its
	// steps, share the first rows of the table and stay in cache, and a
	// state's failure state (shallower) always comes before it.
	end := make([]state, len(phrases)) // the state of each phrase's prefix so far, then its last
	for depth := 0; ; depth++ {
		grew := false
		for id, p := range phrases {
			if depth >= len(p.text) {
				continue
			}
			grew = true
			s := end[id]
			c := int(m.class[p.text[depth]])
			t := next[int(s)*cols+c]
			if t == 0 {
				t = state(len(next) / cols)
				next = append(next, make([]state, cols)...)
				next[int(s)*cols+c] = t
			}
			end[id] = t
		}
		if !grew {
			break
		}
	}
	// Each state's own phrases, in phrase order, laid out by state.
	m.ownAt = make([]int32, n+1)
	for _, s := range end {
		m.ownAt[int(s)+1]++
	}
	for s := 1; s <= n; s++ {
		m.ownAt[s] += m.ownAt[s-1]
	}
	m.own = make([]int32, len(phrases))
	filled := make([]int32, n)
	for id, s := range end {
		m.own[m.ownAt[s]+filled[s]] = int32(id)
		filled[s]++
	}
	// Failure links in state order, which is breadth first: a state's
	// failure state is complete before it, and its missing transitions
	// and its hit are taken from there.
	fail := make([]state, n)
	hit := make([]state, n)
	for s := 1; s < n; s++ {
		f := fail[s]
		if m.ownAt[s+1] > m.ownAt[s] {
			hit[s] = state(s)
		} else {
			hit[s] = hit[f]
		}
		row := next[s*cols : (s+1)*cols]
		frow := next[int(f)*cols : (int(f)+1)*cols]
		for c := 1; c < len(row); c++ {
			if t := row[c]; t != 0 {
				fail[t] = frow[c] // a child: where the failure state goes on c
			} else {
				row[c] = frow[c]
			}
		}
	}
	m.next, m.fail, m.hit = next, fail, hit
	return m, nil
}

// trieStates counts the states of the phrases' trie, the root and one
// per distinct prefix, so that the table is made at its size: in sorted
// order, a phrase adds the prefixes it does not share with the one before.
func trieStates(phrases []phrase) int {
	texts := make([]string, len(phrases))
	for i, p := range phrases {
		texts[i] = p.text
	}
	slices.Sort(texts)
	n, prev := 1, ""
	for _, t := range texts {
		common := 0
		for common < len(t) && common < len(prev) && t[common] == prev[common] {
			common++
		}
		n += len(t) - common
		prev = t
	}
	return n
}

// each calls fn with every phrase occurrence (phrase id, start offset) that
// sits on word boundaries, and every occurrence of an anywhere phrase. fn
// returns false to stop.
func (m *phraseMatcher) each(text string, fn func(id int32, start int) bool) {
	s := state(0)
	for i := 0; i < len(text); i++ {
		s = m.next[int(s)*m.columns+int(m.class[text[i]])]
		for t := m.hit[s]; t != 0; t = m.hit[m.fail[t]] {
			for _, id := range m.own[m.ownAt[t]:m.ownAt[int(t)+1]] {
				p := m.phrases[id]
				start := i + 1 - len(p.text)
				startOK := start == 0 || !isWordChar(text[start-1]) || !isWordChar(p.text[0])
				endOK := p.prefix || i+1 == len(text) || !isWordChar(text[i+1]) || !isWordChar(p.text[len(p.text)-1])
				if (p.anywhere || startOK && endOK) && !fn(id, start) {
					return
				}
			}
		}
	}
}

// leftmost returns the phrase that starts first in text as a plain
// substring, word boundaries or not, and where; on a tie, the phrase
// listed first. It returns -1 when none is in text.
func (m *phraseMatcher) leftmost(text string) (id int32, start int) {
	id, start = -1, len(text)
	s := state(0)
	for i := 0; i < len(text); i++ {
		if id >= 0 && i+1-m.longest > start {
			break // every phrase ending from here on starts later
		}
		s = m.next[int(s)*m.columns+int(m.class[text[i]])]
		for t := m.hit[s]; t != 0; t = m.hit[m.fail[t]] {
			for _, p := range m.own[m.ownAt[t]:m.ownAt[int(t)+1]] {
				if at := i + 1 - len(m.phrases[p].text); at < start || at == start && p < id {
					id, start = p, at
				}
			}
		}
	}
	return id, start
}
