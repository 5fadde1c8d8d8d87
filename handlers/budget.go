package handlers

import (
	"hash/maphash"
	"net/http"
	"sync"
	"time"
)

// hourlyBudget bounds what one client adds to the analytics in an hour:
// each item (a search, an article) counts once per client and hour, and a
// client's distinct items stop counting after limit. It keeps, in memory
// only, hashes of the client key and the item with a seed drawn at start,
// never the address itself, and forgets everything on the hour. Its memory
// is bounded too: when maxEntries items are held it starts over, which at
// worst lets some items count twice.
type hourlyBudget struct {
	limit      int
	maxEntries int

	mu     sync.Mutex
	hour   int64
	seen   map[uint64]struct{} // hash of client and item
	counts map[uint64]int      // hash of client → distinct items
	seed   maphash.Seed
}

// counts reports whether item, from the client of r, counts against b
// (always when b is nil: no bound).
func (s *Server) counts(b *hourlyBudget, r *http.Request, item string) bool {
	return b == nil || b.allow(s.clientKey(r), item, time.Now())
}

func newHourlyBudget(limit, maxEntries int) *hourlyBudget {
	return &hourlyBudget{limit: limit, maxEntries: maxEntries, seed: maphash.MakeSeed()}
}

// allow reports whether item, from client, counts: the first time this
// hour, while the client has counted fewer than limit items. A nil budget
// allows everything.
func (b *hourlyBudget) allow(client, item string, now time.Time) bool {
	if b == nil {
		return true
	}
	var h maphash.Hash
	h.SetSeed(b.seed)
	h.WriteString(client)
	clientHash := h.Sum64()
	h.WriteByte(0)
	h.WriteString(item)
	itemHash := h.Sum64()

	b.mu.Lock()
	defer b.mu.Unlock()
	if hour := now.Unix() / 3600; hour != b.hour || len(b.seen) >= b.maxEntries {
		b.hour = hour
		b.seen = make(map[uint64]struct{})
		b.counts = make(map[uint64]int)
	}
	if _, ok := b.seen[itemHash]; ok || b.counts[clientHash] >= b.limit {
		return false
	}
	b.seen[itemHash] = struct{}{}
	b.counts[clientHash]++
	return true
}
