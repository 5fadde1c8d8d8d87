package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"

	"github.com/servinetwork/rebote/locales"
)

// pageCache keeps rendered public pages that depend only on their URL and
// language (articles, searches, the index, the home page), so a page read
// a thousand times is rendered once, and gzipped once. It is bounded in
// bytes: when full it starts again empty, so a flood of distinct URLs
// costs renders, never memory. Entries expire, which keeps the home page's
// figures fresh.
type pageCache struct {
	mu      sync.Mutex
	entries map[pageKey]cachedPage
	size    int
}

type cachedPage struct {
	body    []byte
	gz      []byte // body gzipped, made for the first client that accepts it
	meta    int    // what the handler needs besides the body (a result count)
	expires time.Time
}

const (
	pageCacheBytes = 8 << 20
	pageCacheTTL   = 5 * time.Minute
)

func (c *pageCache) get(key pageKey, now time.Time) (cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.entries[key]
	if !ok || now.After(p.expires) {
		return cachedPage{}, false
	}
	return p, true
}

func (c *pageCache) put(key pageKey, body []byte, meta int, now time.Time) cachedPage {
	p := cachedPage{body: body, meta: meta, expires: now.Add(pageCacheTTL)}
	if len(body) > pageCacheBytes/64 {
		return p
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || c.size+len(body) > pageCacheBytes {
		c.entries = make(map[pageKey]cachedPage)
		c.size = 0
	}
	if old, ok := c.entries[key]; ok {
		c.size -= len(old.body) + len(old.gz)
	}
	c.entries[key] = p
	c.size += len(body)
	return p
}

// putGzip keeps the gzipped body of an entry, if the entry still holds
// that body (it may have been replaced or dropped meanwhile).
func (c *pageCache) putGzip(key pageKey, body, gz []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.entries[key]
	if !ok || len(p.body) == 0 || len(body) == 0 || &p.body[0] != &body[0] || p.gz != nil || c.size+len(gz) > pageCacheBytes {
		return
	}
	p.gz = gz
	c.entries[key] = p
	c.size += len(gz)
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
	p, ok := s.pages.get(key, time.Now())
	if !ok {
		body, err := renderBytes(r.Context(), page())
		if err != nil {
			s.serveError(w, r, fmt.Errorf("render: %w", err))
			return
		}
		p = s.pages.put(key, body, 0, time.Now())
	}
	s.writeCached(w, r, key, p)
}

func renderBytes(ctx context.Context, c templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	err := c.Render(ctx, &buf)
	return buf.Bytes(), err
}

// writeCached writes a cached page: gzipped for clients that accept it
// (compressed once, on the first such request, then kept with the page).
func (s *Server) writeCached(w http.ResponseWriter, r *http.Request, key pageKey, p cachedPage) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Encoding")
	body := p.body
	if acceptsGzip(r) {
		if p.gz == nil {
			p.gz = gzipBytes(p.body)
			s.pages.putGzip(key, p.body, p.gz)
		}
		h.Set("Content-Encoding", "gzip")
		body = p.gz
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// gzipLevel is the fastest: a search's page is often read only once, so
// it is compressed about as often as it is sent; the best level made
// pages 8% smaller (3.1 KB against 3.3 KB for an article) for about a
// sixth more of the server's time on the customer mix.
const gzipLevel = gzip.BestSpeed

// gzipWriters keeps compressors for reuse: a new one allocates and clears
// about 800 KB, which cost more than compressing a page (a profile of the
// customer mix had a tenth of the server's time in flate.NewWriter, and
// more in the garbage collector).
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzipLevel) // the level is valid
	return zw
}}

// gzipBytes compresses a page.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b) / 4)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	zw.Reset(nil) // the pool must not keep the page alive
	gzipWriters.Put(zw)
	return buf.Bytes()
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip
// (and not with q=0). It reads the header without allocating.
func acceptsGzip(r *http.Request) bool {
	ae := r.Header.Get("Accept-Encoding")
	for ae != "" {
		var part string
		part, ae, _ = strings.Cut(ae, ",")
		name, params, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			_, q, found := strings.Cut(params, "q=")
			if !found {
				return true
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
			return err != nil || v > 0
		}
	}
	return false
}
