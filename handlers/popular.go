package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/store"
)

// popularRefresh is how long the home page's most consulted errors are
// reused before they are counted again.
const popularRefresh = 10 * time.Minute

// popularCache holds the home page's "errores más consultados": the errors
// customers met most in the last 30 days (the dashboard's figures),
// recounted in the background so no page waits for the database.
type popularCache struct {
	mu         sync.Mutex
	articles   []*knowledge.Article
	at         time.Time
	refreshing bool
}

// popular returns the most consulted articles, topped up with the
// editors' list while there are too few figures (a new installation).
func (s *Server) popular() []*knowledge.Article {
	c := &s.popularCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.stats != nil && time.Since(c.at) > popularRefresh && !c.refreshing {
		c.refreshing = true
		go s.refreshPopular()
	}
	if c.articles != nil {
		return c.articles
	}
	return s.kb.Popular()
}

func (s *Server) refreshPopular() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	editors := s.kb.Popular()
	top, err := s.stats.TopErrors(ctx, store.LastDays(time.Now(), 30, "all"), 3*len(editors))
	var list []*knowledge.Article
	if err == nil {
		seen := make(map[string]bool)
		for _, e := range top {
			if a, ok := s.kb.Article(e.Article); ok && !seen[a.Slug] && len(list) < len(editors) {
				seen[a.Slug] = true
				list = append(list, a)
			}
		}
		for _, a := range editors {
			if !seen[a.Slug] && len(list) < len(editors) {
				seen[a.Slug] = true
				list = append(list, a)
			}
		}
	} else {
		s.log.Warn("counting the most consulted errors", "error", err)
	}
	c := &s.popularCache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	c.at = time.Now()
	if list != nil {
		c.articles = list
	}
}
