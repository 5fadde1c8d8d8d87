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
	// Build the trie with sparse children, then the failure links, then
	// flatten into a dense table.
	type node struct {
		children map[uint8]int32
		fail     int32
		out      []int32
	}
	nodes := []node{{children: map[uint8]int32{}}}
	for id, p := range phrases {
		s := int32(0)
		for i := 0; i < len(p.text); i++ {
			c := m.class[p.text[i]]
			nx, ok := nodes[s].children[c]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{children: map[uint8]int32{}})
				nodes[s].children[c] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	queue := make([]int32, 0, len(nodes))
	for _, child := range nodes[0].children {
		queue = append(queue, child)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c, child := range nodes[s].children {
			f := nodes[s].fail
			for f != 0 {
				if _, ok := nodes[f].children[c]; ok {
					break
				}
				f = nodes[f].fail
			}
			if t, ok := nodes[f].children[c]; ok && t != child {
				nodes[child].fail = t
			}
			nodes[child].out = append(nodes[child].out, nodes[nodes[child].fail].out...)
			queue = append(queue, child)
		}
	}
	m.next = make([]int32, len(nodes)*m.columns)
	m.out = make([][]int32, len(nodes))
	// Dense transitions in breadth-first order, so a state's failure
	// state is complete before it.
	order := []int32{0}
	for i := 0; i < len(order); i++ {
		s := order[i]
		m.out[s] = nodes[s].out
		for c := 0; c < m.columns; c++ {
			if t, ok := nodes[s].children[uint8(c)]; ok && c != 0 {
				m.next[int(s)*m.columns+c] = t
				order = append(order, t)
			} else if s != 0 {
				m.next[int(s)*m.columns+c] = m.next[int(nodes[s].fail)*m.columns+c]
			}
		}
	}
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
