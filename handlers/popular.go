package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/servinetwork/rebote/knowledge"
)

// popular returns the home page's "errores más consultados": the errors
// customers met most in the last 30 days, topped up with the editors' list
// while there are too few figures (a new installation). Run recounts them
// in the background, so no page waits for the database; until it has, the
// editors' list is shown.
func (s *Server) popular() []*knowledge.Article {
	if p := s.popularList.Load(); p != nil {
		return *p
	}
	return s.kb.Popular()
}

// Run does the server's background work until ctx ends: it counts the home
// page's most consulted errors at once and then every
// Config.PopularRefresh. The caller runs it beside the HTTP server and
// waits for it to return before closing the database.
func (s *Server) Run(ctx context.Context) {
	if s.stats == nil {
		return
	}
	t := time.NewTicker(s.cfg.popularRefresh())
	defer t.Stop()
	for {
		s.refreshPopular(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) refreshPopular(ctx context.Context) {
	countCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	editors := s.kb.Popular()
	slugs := make([]string, len(editors))
	for i, a := range editors {
		slugs[i] = a.Slug
	}
	known := func(slug string) bool { _, ok := s.kb.Article(slug); return ok }
	ranked, err := s.stats.Popular(countCtx, time.Now(), slugs, known)
	if err != nil {
		if ctx.Err() == nil { // not shutting down
			s.log.Warn("counting the most consulted errors", slog.Any("error", err))
		}
		return
	}
	list := make([]*knowledge.Article, 0, len(ranked))
	for _, slug := range ranked {
		if a, ok := s.kb.Article(slug); ok {
			list = append(list, a)
		}
	}
	s.popularList.Store(&list)
}
