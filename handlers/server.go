// Package handlers is Rebote's HTTP layer: the chi routes (all in
// routes.go), middleware and one handler per page or API. Handlers parse the
// request, ask the articles (knowledge), their search (knowledge/search), the
// bounce reader (knowledge/bounce) or the store, and render a web component
// or JSON; every failure goes through one error path (errors.go). They hold
// no domain logic.
package handlers

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/dnscheck"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
	"github.com/servinetwork/rebote/store"
)

// Config is what the handlers need to know about the deployment.
type Config struct {
	// PublicURL is the site's external base URL ("https://ayuda.example.com"),
	// used for absolute links in the JSON API. Empty means derive it from
	// the request.
	PublicURL string
	// OriginParam is the query parameter the ticket form's links use to say
	// where visitors come from (origen=ticket by default).
	OriginParam string
	// CORSOrigins may call the JSON API from their pages (the ticket form's
	// site, for the widget). Empty allows none.
	CORSOrigins []string
	// FrameAncestors are the sites allowed to show Rebote in a frame
	// (CSP frame-ancestors); empty means only Rebote itself.
	FrameAncestors []string
	// HSTS sends Strict-Transport-Security: set when Rebote is served over
	// TLS (directly or behind a proxy).
	HSTS bool
	// RateLimit is how many diagnoses, classify calls and live DNS checks
	// (each route counted apart) one client may make per minute (search
	// pages and the suggest and search APIs allow ten times as many, as
	// they run while typing). Zero means no limit, and then no bound on
	// what one client adds to the analytics either (the load test sends
	// everything from one address).
	RateLimit int
	// BehindProxy takes the client address of the rate limits from
	// ProxyHeader, which only a trusted proxy may set.
	BehindProxy bool
	// ProxyHeader is the header the proxy puts the client's address in:
	// "X-Forwarded-For" (the default; its last entry) or one holding a
	// single address, such as "X-Real-IP". Only this header is read: one
	// the proxy does not set is the client's to forge.
	ProxyHeader string
	// WriteTimeout is the HTTP server's write timeout, so the request log
	// can say when an answer came too late to be delivered.
	WriteTimeout time.Duration
	// RetentionDays is how long raw analytics events are kept, as the
	// privacy page says. Zero means the default, 400.
	RetentionDays int
	// PopularRefresh is how often Run recounts the home page's most
	// consulted errors. Zero means every 10 minutes.
	PopularRefresh time.Duration
	// Ready reports whether the service can answer (the database is
	// reachable). Nil means always ready.
	Ready func() error
	// Version is the running build, shown by GET /healthz.
	Version string
}

func (c Config) retentionDays() int {
	if c.RetentionDays <= 0 {
		return 400
	}
	return c.RetentionDays
}

func (c Config) proxyHeader() string {
	if c.ProxyHeader == "" {
		return "X-Forwarded-For"
	}
	return c.ProxyHeader
}

func (c Config) popularRefresh() time.Duration {
	if c.PopularRefresh <= 0 {
		return 10 * time.Minute
	}
	return c.PopularRefresh
}

// Server holds the dependencies of every handler.
type Server struct {
	kb           *knowledge.KB
	index        *search.Index  // the articles' search
	reader       *bounce.Reader // reads pasted bounces
	bundle       *i18n.Bundle
	log          *slog.Logger
	cfg          Config
	assetVersion string
	// events receives what visitors do; nil records nothing.
	events *analytics.Recorder
	stats  *store.DB         // the dashboard's figures
	staff  StaffAccounts     // staff sign-in and API tokens
	checks *dnscheck.Checker // live DNS checks; nil: /comprobar answers 503

	popularList atomic.Pointer[[]*knowledge.Article] // set by Run
	pages       pageCache
	staticGzip  map[string][]byte // the text static files, gzipped

	// What one client may add to the analytics in an hour: distinct
	// searches, and events that rank the home page's popular errors. Nil
	// (no bound) when rate limits are off.
	searchBudget  *hourlyBudget
	popularBudget *hourlyBudget

	localizersOnce sync.Once
	localizers     map[string]*i18n.Localizer
	findingsOnce   sync.Once
	findings       map[string][]analytics.Finding // per article slug
}

// Deps are the Server's dependencies. KB, Search, Bounces, Bundle and Log
// are required; without Events nothing is recorded, without Stats and
// Staff the staff pages answer 503, without Checks the live DNS checks.
type Deps struct {
	KB      *knowledge.KB
	Search  *search.Index
	Bounces *bounce.Reader
	Bundle  *i18n.Bundle
	Log     *slog.Logger
	Events  *analytics.Recorder
	Stats   *store.DB
	Staff   StaffAccounts
	Checks  *dnscheck.Checker
}

// New returns a Server.
func New(d Deps, cfg Config) (*Server, error) {
	kb, bundle, log := d.KB, d.Bundle, d.Log
	if kb == nil || d.Search == nil || d.Bounces == nil || bundle == nil || log == nil {
		return nil, errors.New("handlers: knowledge base, search index, bounce reader, locale bundle and logger are required")
	}
	v, err := assetVersion()
	if err != nil {
		return nil, err
	}
	gz, err := gzipStatic()
	if err != nil {
		return nil, err
	}
	srv := &Server{kb: kb, index: d.Search, reader: d.Bounces, bundle: bundle, log: log, cfg: cfg, assetVersion: v,
		events: d.Events, stats: d.Stats, staff: d.Staff, checks: d.Checks, staticGzip: gz}
	if cfg.RateLimit > 0 {
		srv.searchBudget = newHourlyBudget(searchesPerClientHour, budgetEntries)
		srv.popularBudget = newHourlyBudget(popularPerClientHour, budgetEntries)
	}
	return srv, nil
}

// Bounds on what one client adds to the analytics in an hour (counted in
// memory, by clientKey, never stored): a distinct search counts once and
// at most searchesPerClientHour of them; at most popularPerClientHour
// diagnoses or articles opened from a search rank the home page's list.
// budgetEntries bounds the memory this takes (a few MB).
const (
	searchesPerClientHour = 30
	popularPerClientHour  = 10
	budgetEntries         = 100_000
)
