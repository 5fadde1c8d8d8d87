package handlers

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/a-h/templ"

	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/web"
)

// handle adapts an appHandler: a *userError becomes its page and status,
// any other error a 500 page, logged once here.
func (s *Server) handle(h appHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var ue *userError
		if !errors.As(err, &ue) {
			s.log.ErrorContext(r.Context(), "handler failed", slog.String("route", routePattern(r)), slog.Any("error", err))
			ue = newUserError(http.StatusInternalServerError, "ServerErrorTitle", "ServerErrorText")
		}
		s.renderError(w, r, ue)
	}
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, ue *userError) {
	ctx := r.Context()
	title := locales.T(ctx, ue.title)
	page := s.page(r, title)
	c := web.ErrorPage(page, title, locales.T(ctx, ue.message, ue.data...), s.kb.Popular())
	s.render(w, r, ue.status, c)
}

// render writes a component with a status. templ.Handler renders into a
// buffer first, so a failing component never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	templ.Handler(c, templ.WithStatus(status), templ.WithErrorHandler(func(r *http.Request, err error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.log.ErrorContext(r.Context(), "render failed", slog.Any("error", err))
			http.Error(w, "Error interno", http.StatusInternalServerError)
		})
	})).ServeHTTP(w, r)
}

// page fills the layout data common to every page.
func (s *Server) page(r *http.Request, title string) web.Page {
	p := s.kb.Policy()
	return web.Page{
		Title:        title,
		Path:         r.URL.RequestURI(),
		ProviderName: p.ProviderName,
		SupportURL:   p.SupportURL,
		AssetVersion: s.assetVersion,
		BaseURL:      s.absURL(r, ""),
	}
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

// apiError is the JSON body of a failed API call.
type apiError struct {
	Error string `json:"error"`
}
