package handlers

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"github.com/servinetwork/rebote/web"
)

// render writes a component with a status. templ.Handler renders into a
// buffer first, so a failing component never sends half a page: the
// failure goes to serveError instead.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	templ.Handler(c, templ.WithStatus(status), templ.WithErrorHandler(func(r *http.Request, err error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.serveError(w, r, fmt.Errorf("render: %w", err))
		})
	})).ServeHTTP(w, r)
}

// page fills the layout data common to every page.
func (s *Server) page(r *http.Request, title string) web.Page {
	p := s.kb.Policy()
	return web.Page{
		Title:        title,
		Path:         localURI(r),
		ProviderName: p.ProviderName,
		SupportURL:   p.SupportURL,
		AssetVersion: s.assetVersion,
		BaseURL:      s.absURL(r, ""),
		Canonical:    r.URL.Path,
		SiteURL:      s.cfg.PublicURL,
	}
}

// noIndexPage is page for what search engines should not index: search
// results, answers to a paste, errors, staff pages.
func (s *Server) noIndexPage(r *http.Request, title string) web.Page {
	p := s.page(r, title)
	p.NoIndex = true
	return p
}

// localURI is the request's path and query as a path-absolute reference on
// this host, for links back to the same page (the language switch): the
// path escaped (a backslash too, which browsers read as a slash) and
// leading slashes folded into one, so "GET //evil.example/x" links to
// "/evil.example/x", not to evil.example.
func localURI(r *http.Request) string {
	p := "/" + strings.TrimLeft(r.URL.EscapedPath(), "/")
	if r.URL.RawQuery != "" {
		p += "?" + r.URL.RawQuery
	}
	return p
}

// writeJSON writes v as JSON with a status.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		s.log.WarnContext(r.Context(), "write json", slog.Any("error", err))
	}
}
