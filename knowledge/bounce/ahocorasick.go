package bounce

// phraseMatcher finds every rule phrase in a text in one pass (Aho-Corasick
// over bytes). With hundreds of phrases, checking them one by one with
// strings.Index cost more than everything else the classifier does.
type phraseMatcher struct {
	class   [256]uint8 // byte -> column; 0 is "a byte no phrase uses"
	columns int
	next    []int32 // state*columns + column -> state
	out     [][]int32
	phrases []phrase
	rule    []int32 // phrase index -> rule index (-1 for other lists)
	longest int     // length of the longest phrase
}

func newPhraseMatcher(phrases []phrase, rule []int32) *phraseMatcher {
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
	states := 1 // at most one per phrase byte, and the root
	for _, p := range phrases {
		states += len(p.text)
	}
	next := make([]int32, cols, cols*states)
	outs := make([][]int32, 1, states)
	for id, p := range phrases {
		s := int32(0)
		for i := 0; i < len(p.text); i++ {
			c := int(m.class[p.text[i]])
			t := next[int(s)*cols+c]
			if t == 0 {
				t = int32(len(outs))
				outs = append(outs, nil)
				next = append(next, make([]int32, cols)...)
				next[int(s)*cols+c] = t
			}
			s = t
		}
		outs[s] = append(outs[s], int32(id))
	}
	// Failure links breadth first, so a state's failure state (shallower)
	// is complete before it: its missing transitions and its outputs are
	// then taken from there.
	fail := make([]int32, len(outs))
	queue := make([]int32, 0, len(outs))
	for c := 1; c < cols; c++ {
		if t := next[c]; t != 0 {
			queue = append(queue, t)
		}
	}
	for i := 0; i < len(queue); i++ {
		s := queue[i]
		outs[s] = append(outs[s], outs[fail[s]]...)
		for c := 1; c < cols; c++ {
			if t := next[int(s)*cols+c]; t != 0 {
				fail[t] = next[int(fail[s])*cols+c]
				queue = append(queue, t)
			} else {
				next[int(s)*cols+c] = next[int(fail[s])*cols+c]
			}
		}
	}
	m.next, m.out = next, outs
	return m
}

// each calls fn with every phrase occurrence (phrase id, start offset) that
// sits on word boundaries. fn returns false to stop.
func (m *phraseMatcher) each(text string, fn func(id int32, start int) bool) {
	s := int32(0)
	for i := 0; i < len(text); i++ {
		s = m.next[int(s)*m.columns+int(m.class[text[i]])]
		for _, id := range m.out[s] {
			p := m.phrases[id]
			start := i + 1 - len(p.text)
			startOK := start == 0 || !isWordChar(text[start-1]) || !isWordChar(p.text[0])
			endOK := p.prefix || i+1 == len(text) || !isWordChar(text[i+1]) || !isWordChar(p.text[len(p.text)-1])
			if startOK && endOK && !fn(id, start) {
				return
			}
		}
	}
}

// leftmost returns the phrase that starts first in text as a plain
// substring, word boundaries or not, and where; on a tie, the phrase
// listed first. It returns -1 when none is in text.
func (m *phraseMatcher) leftmost(text string) (id int32, start int) {
	id, start = -1, len(text)
	s := int32(0)
	for i := 0; i < len(text); i++ {
		if id >= 0 && i+1-m.longest > start {
			break // every phrase ending from here on starts later
		}
		s = m.next[int(s)*m.columns+int(m.class[text[i]])]
		for _, p := range m.out[s] {
			if at := i + 1 - len(m.phrases[p].text); at < start || at == start && p < id {
				id, start = p, at
			}
		}
	}
	return id, start
}
