package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/a-h/templ"

	"github.com/servinetwork/rebote/locales"
)

// pageCache keeps rendered public pages that depend only on their URL and
// language (articles, searches, the index, the home page), so a page read
// a thousand times is rendered once. It is bounded in bytes: when full it
// starts again empty, so a flood of distinct URLs costs renders, never
// memory. Entries expire, which keeps the home page's figures fresh.
type pageCache struct {
	mu      sync.Mutex
	entries map[pageKey]cachedPage
	size    int
}

type cachedPage struct {
	body    []byte
	meta    int // what the handler needs besides the body (a result count)
	expires time.Time
}

const (
	pageCacheBytes = 8 << 20
	pageCacheTTL   = 5 * time.Minute
)

func (c *pageCache) get(key pageKey, now time.Time) ([]byte, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.entries[key]
	if !ok || now.After(p.expires) {
		return nil, 0, false
	}
	return p.body, p.meta, true
}

func (c *pageCache) put(key pageKey, body []byte, meta int, now time.Time) {
	if len(body) > pageCacheBytes/64 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || c.size+len(body) > pageCacheBytes {
		c.entries = make(map[pageKey]cachedPage)
		c.size = 0
	}
	if old, ok := c.entries[key]; ok {
		c.size -= len(old.body)
	}
	c.entries[key] = cachedPage{body: body, meta: meta, expires: now.Add(pageCacheTTL)}
	c.size += len(body)
}

// pageKey identifies a page in the cache: its URL, the language, and
// variant, what else the page depends on. Its parts are kept apart rather
// than joined, which would cost an allocation per request.
type pageKey struct {
	lang, variant, path, query string
}

func (s *Server) pageKey(r *http.Request, variant string) pageKey {
	return pageKey{locales.Lang(r.Context()), variant, r.URL.EscapedPath(), r.URL.RawQuery}
}

// renderCached writes a 200 page from the cache, rendering it on a miss.
// variant names what, besides the URL and the language, the page depends
// on (the visitor's origin, carried in its forms and links).
func (s *Server) renderCached(w http.ResponseWriter, r *http.Request, variant string, page func() templ.Component) {
	key := s.pageKey(r, variant)
	body, _, ok := s.pages.get(key, time.Now())
	if !ok {
		var err error
		if body, err = renderBytes(r.Context(), page()); err != nil {
			s.serveError(w, r, fmt.Errorf("render: %w", err))
			return
		}
		s.pages.put(key, body, 0, time.Now())
	}
	writeHTML(w, body)
}

func renderBytes(ctx context.Context, c templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	err := c.Render(ctx, &buf)
	return buf.Bytes(), err
}

func writeHTML(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
