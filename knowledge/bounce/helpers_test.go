package bounce_test

import (
	"testing"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
)

// sharedDir is where CI puts the provider's material beside the repository.
const sharedDir = "../../../shared"

func mustReader(tb testing.TB) *bounce.Reader {
	tb.Helper()
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		tb.Fatal(err)
	}
	rd, err := bounce.NewWithSearch(kb, search.Lazy(kb))
	if err != nil {
		tb.Fatal(err)
	}
	return rd
}
