package handlers

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Routes returns the application's router with every route in one place.
func (s *Server) Routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.GetHead) // HEAD works wherever GET does
	r.Use(s.logRequests)      // also gives each request its ID
	r.Use(s.recoverPanics)
	r.Use(s.securityHeaders)
	r.Use(s.withLocale)
	r.Use(s.crossOriginProtection().Handler)

	// Under /api/ these answer in JSON, like every failure (serveError).
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { s.serveError(w, r, errNotFound) })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { s.serveError(w, r, errMethodNotAllowed) })

	// Cached pages are gzipped once, with the page (pagecache.go), and
	// static files once at start-up (static.go); what is rendered per
	// request is compressed as it is written, at the fastest level (see
	// gzipLevel).
	compress := middleware.Compress(gzipLevel, "text/html", "text/csv", "application/json")

	r.Get("/", s.handle(s.handleHome))
	r.Get("/errores", s.handle(s.handleArticleIndex))
	r.Get("/errores/{slug}", s.handle(s.handleArticle))
	r.Get("/e/{code}", s.handle(s.handleShortLink))
	r.With(s.rateLimit(10*s.cfg.RateLimit)).Get("/buscar", s.handle(s.handleSearch))
	r.With(compress).Get("/diagnostico", s.handle(s.handleDiagnosisForm))
	r.With(compress, s.rateLimit(s.cfg.RateLimit)).Post("/diagnostico", s.handle(s.handleDiagnosis))
	r.With(compress).Get("/privacidad", s.handle(s.handlePrivacy))
	r.Post("/valorar", s.handle(s.handleVote))
	r.With(compress).Get("/valorar/gracias", s.handle(s.handleVoteThanks))
	r.Get("/soporte", s.handle(s.handleSupport))
	r.With(compress).Get("/demo/ticket", s.handle(s.handleDemoTicket))
	r.With(compress, s.rateLimit(s.cfg.RateLimit)).Get("/comprobar", s.handle(s.handleCheckPage))

	r.Route("/staff", func(r chi.Router) {
		r.Use(compress)
		r.Get("/entrar", s.handle(s.handleSignInForm))
		// Sign-in attempts are limited per client, keyed like the other
		// limits (behind a proxy, by the address it gives), counted in
		// memory for a minute and never stored.
		r.With(s.limit(signInsPerMinute, errTooManySignIns)).Post("/entrar", s.handle(s.handleSignIn))
		r.Group(func(r chi.Router) {
			r.Use(s.requireStaff)
			r.Get("/", s.handle(s.handleDashboard))
			r.Post("/salir", s.handle(s.handleSignOut))
			r.Get("/csv/{table}", s.handle(s.handleDashboardCSV))
		})
	})
	r.With(compress, s.requireStaffAPI).Get("/api/v1/stats/{name}", s.handle(s.handleStats))

	r.Group(func(r chi.Router) {
		r.Use(s.cors)
		// Search and suggest answer a few KB on every keystroke: not worth
		// a compressor each.
		r.With(s.rateLimit(10*s.cfg.RateLimit)).Get("/api/v1/search", s.handle(s.handleAPISearch))
		r.With(compress).Get("/api/v1/articles", s.handle(s.handleAPIArticles))
		r.With(s.rateLimit(10*s.cfg.RateLimit)).Get("/api/v1/suggest", s.handle(s.handleAPISuggest))
		r.With(compress, s.rateLimit(s.cfg.RateLimit)).Post("/api/v1/classify", s.handle(s.handleAPIClassify))
		// Live DNS checks: the classify API's limit, as each costs queries.
		r.With(compress, s.rateLimit(s.cfg.RateLimit)).Get("/api/v1/check/domain", s.handle(s.handleAPICheckDomain))
		r.With(compress, s.rateLimit(s.cfg.RateLimit)).Get("/api/v1/check/ip", s.handle(s.handleAPICheckIP))
		// Preflight requests of the routes above (cors answers them); not
		// a catch-all, so unknown API paths are 404, not 405.
		r.Options("/api/v1/{endpoint:search|articles|suggest|classify}", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		})
		r.Options("/api/v1/check/{what:domain|ip}", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		})
	})

	r.Get("/healthz", s.handleHealth)
	r.Get("/readyz", s.handleReady)
	r.Handle("/static/*", s.staticFiles())
	r.Get("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	return r
}
