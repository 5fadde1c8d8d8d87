// Package handlers is Rebote's HTTP layer: the chi routes, middleware and
// one handler per page or API. Handlers parse the request, ask package
// knowledge, and render a web component or JSON; they hold no domain logic.
package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/servinetwork/rebote/analytics"
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
	// RateLimit is how many diagnoses and classify calls one client may make
	// per minute (the suggest and search APIs allow ten times as many, as
	// they run while typing). Zero means no limit.
	RateLimit int
	// BehindProxy takes the client address from X-Forwarded-For or
	// X-Real-IP, which only a trusted proxy may set.
	BehindProxy bool
	// RetentionDays is how long raw analytics events are kept, as the
	// privacy page says. Zero means the default, 400.
	RetentionDays int
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
	stats  *store.DB     // the dashboard's figures
	staff  StaffAccounts // staff sign-in and API tokens

	popularCache popularCache
	pages        pageCache

	localizersOnce sync.Once
	localizers     map[string]*i18n.Localizer
	findingsOnce   sync.Once
	findings       map[string][]analytics.Finding // per article slug
}

// Deps are the Server's dependencies. KB, Search, Bounces, Bundle and Log
// are required; without Events nothing is recorded, without Stats and
// Staff the staff pages answer 503.
type Deps struct {
	KB      *knowledge.KB
	Search  *search.Index
	Bounces *bounce.Reader
	Bundle  *i18n.Bundle
	Log     *slog.Logger
	Events  *analytics.Recorder
	Stats   *store.DB
	Staff   StaffAccounts
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
	return &Server{kb: kb, index: d.Search, reader: d.Bounces, bundle: bundle, log: log, cfg: cfg, assetVersion: v,
		events: d.Events, stats: d.Stats, staff: d.Staff}, nil
}

// appHandler is a handler that may fail; handle turns its error into the
// right page and status.
type appHandler func(w http.ResponseWriter, r *http.Request) error

// userError is a failure the visitor should see explained: a status code
// and the message IDs of the page's heading and text.
type userError struct {
	status  int
	title   string
	message string
	data    []any // template data for message
}

func (e *userError) Error() string { return e.message }

func newUserError(status int, title, message string, data ...any) *userError {
	return &userError{status: status, title: title, message: message, data: data}
}

var errNotFound = newUserError(http.StatusNotFound, "NotFoundTitle", "NotFoundText")
