package handlers

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
)

// Routes returns the application's router with every route in one place.
func (s *Server) Routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(middleware.GetHead) // HEAD works wherever GET does
	r.Use(s.logRequests)
	r.Use(s.recoverPanics)
	r.Use(s.securityHeaders)
	r.Use(s.withLocale)
	r.Use(s.crossOriginProtection().Handler)

	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return newUserError(http.StatusMethodNotAllowed, "MethodNotAllowedTitle", "MethodNotAllowedText")
	}))

	r.Get("/", s.handle(s.handleHome))
	r.Get("/errores", s.handle(s.handleArticleIndex))
	r.Get("/errores/{slug}", s.handle(s.handleArticle))
	r.Get("/e/{code}", s.handle(s.handleShortLink))
	r.Get("/buscar", s.handle(s.handleSearch))
	r.Get("/diagnostico", s.handle(s.handleDiagnosisForm))
	r.With(s.rateLimit(s.cfg.RateLimit, false)).Post("/diagnostico", s.handle(s.handleDiagnosis))
	r.Get("/privacidad", s.handle(s.handlePrivacy))
	r.Post("/valorar", s.handle(s.handleVote))
	r.Get("/valorar/gracias", s.handle(s.handleVoteThanks))
	r.Get("/soporte", s.handle(s.handleSupport))
	r.Get("/demo/ticket", s.handle(s.handleDemoTicket))

	r.Route("/staff", func(r chi.Router) {
		r.Get("/entrar", s.handle(s.handleSignInForm))
		// Sign-in attempts are limited per client address, counted in
		// memory for a minute and never stored.
		r.With(httprate.Limit(10, time.Minute, httprate.WithKeyFuncs(httprate.KeyByIP),
			httprate.WithLimitHandler(s.handle(func(w http.ResponseWriter, r *http.Request) error {
				return newUserError(http.StatusTooManyRequests, "TooManyRequestsTitle", "TooManySignInsText")
			})))).Post("/entrar", s.handle(s.handleSignIn))
		r.Group(func(r chi.Router) {
			r.Use(s.requireStaff)
			r.Get("/", s.handle(s.handleDashboard))
			r.Post("/salir", s.handle(s.handleSignOut))
			r.Get("/csv/{table}", s.handle(s.handleDashboardCSV))
		})
	})
	r.With(s.requireStaffAPI).Get("/api/v1/stats/{name}", s.handleStats)

	r.Group(func(r chi.Router) {
		r.Use(s.cors)
		r.With(s.rateLimit(10*s.cfg.RateLimit, true)).Get("/api/v1/search", s.handleAPISearch)
		r.Get("/api/v1/articles", s.handleAPIArticles)
		r.With(s.rateLimit(10*s.cfg.RateLimit, true)).Get("/api/v1/suggest", s.handleAPISuggest)
		r.With(s.rateLimit(s.cfg.RateLimit, true)).Post("/api/v1/classify", s.handleAPIClassify)
		r.Options("/api/v1/*", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	})

	r.Get("/healthz", s.handleHealth)
	r.Get("/readyz", s.handleReady)
	r.Handle("/static/*", s.staticFiles())
	r.Get("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	return r
}
