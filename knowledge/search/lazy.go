package search

import (
	"sync"

	"github.com/servinetwork/rebote/knowledge"
)

// LazyIndex is an Index built the first time it is searched, for a process
// that may never search (a command classifying a few bounces, most of which
// the rules explain). It is safe for concurrent use.
type LazyIndex struct {
	build func() (*Index, error)
}

// Lazy returns an index of kb, with the lexicons of search.toml, that is
// built on its first Search.
func Lazy(kb *knowledge.KB) *LazyIndex {
	return &LazyIndex{build: sync.OnceValues(func() (*Index, error) { return New(kb) })}
}

// Search builds the index if it is not built yet and searches it. An index
// that cannot be built (search.toml or the knowledge base is broken, which
// New reports and the tests check) finds nothing.
func (l *LazyIndex) Search(q string, limit int) []Result {
	idx, err := l.build()
	if err != nil {
		return nil
	}
	return idx.Search(q, limit)
}
