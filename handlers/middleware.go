package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/servinetwork/rebote/locales"
)

// logRequests writes one line per request. It logs the route pattern, not
// the URL: query strings and pasted text may hold other people's addresses,
// and visitor IPs are personal data we do not keep.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", middleware.GetReqID(r.Context())),
			slog.String("method", r.Method),
			slog.String("route", routePattern(r)),
			slog.Int("status", ww.Status()),
			slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", time.Since(start)),
		)
	})
}

// routePattern returns the matched chi pattern ("/errores/{slug}"), or
// "unmatched" for 404s, so logs never echo arbitrary paths.
func routePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" {
			return p
		}
	}
	return "unmatched"
}

// recoverPanics turns a panic into a 500 answer, logged with the stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serveError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only our own scripts, styles and images:
// templates never emit inline script, so none is allowed. frame-ancestors
// is added per configuration.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	ancestors := "'self'"
	for _, o := range s.cfg.FrameAncestors {
		ancestors += " " + o
	}
	// The values are built once; each response gets its own slice, as
	// handlers may add to a header.
	fixed := http.Header{}
	fixed.Set("Content-Security-Policy", contentSecurityPolicy+"; frame-ancestors "+ancestors)
	fixed.Set("X-Content-Type-Options", "nosniff")
	fixed.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	if len(s.cfg.FrameAncestors) == 0 {
		// For browsers without CSP frame-ancestors.
		fixed.Set("X-Frame-Options", "SAMEORIGIN")
	}
	if s.cfg.HSTS {
		fixed.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range fixed {
			h[k] = []string{v[0]}
		}
		next.ServeHTTP(w, r)
	})
}

// cors lets the configured origins (the ticket form's site) call the
// public JSON API from their pages: the widget's suggestions, search and
// classification. Other origins get no CORS headers, so browsers refuse
// them the answer.
func (s *Server) cors(next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(s.cfg.CORSOrigins))
	for _, o := range s.cfg.CORSOrigins {
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && allowed[origin] {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions {
				h.Set("Access-Control-Allow-Methods", "GET, POST")
				h.Set("Access-Control-Allow-Headers", "Content-Type")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		} else if origin != "" {
			w.Header().Add("Vary", "Origin")
		}
		next.ServeHTTP(w, r)
	})
}

// langCookie remembers a language the visitor chose explicitly.
const langCookie = "lang"

// languages are the interface languages, in locales' order.
var languages = locales.Languages()

var langMatcher = language.NewMatcher(languages)

// withLocale picks the interface language: ?lang=, then the lang cookie,
// then Accept-Language, then Spanish. An explicit ?lang= is remembered in
// a cookie so the choice survives navigation.
func (s *Server) withLocale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var tags []language.Tag
		if q := queryValue(r, "lang"); q != "" {
			if tag, ok := supported(q); ok {
				tags = []language.Tag{tag}
				http.SetCookie(w, &http.Cookie{
					Name: langCookie, Value: tag.String(), Path: "/", MaxAge: 365 * 24 * 3600,
					HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
				})
			}
		}
		if tags == nil {
			if c, err := r.Cookie(langCookie); err == nil {
				if tag, ok := supported(c.Value); ok {
					tags = []language.Tag{tag}
				}
			}
		}
		if tags == nil {
			tags, _, _ = language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
		}
		lang := "es"
		if _, i, conf := langMatcher.Match(tags...); conf != language.No {
			base, _ := languages[i].Base()
			lang = base.String()
		}
		w.Header().Add("Vary", "Accept-Language, Cookie")
		ctx := locales.WithLocalizer(r.Context(), s.localizer(lang), lang)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// supported parses a language code we offer.
func supported(s string) (language.Tag, bool) {
	tag, err := language.Parse(s)
	if err != nil {
		return language.Und, false
	}
	for _, l := range languages {
		if b1, _ := l.Base(); b1 == mustBase(tag) {
			return l, true
		}
	}
	return language.Und, false
}

func mustBase(t language.Tag) language.Base {
	b, _ := t.Base()
	return b
}

// crossOriginProtection refuses form posts made by another site's page
// (cross-site request forgery), using the browser's Sec-Fetch-Site and
// Origin headers. The JSON API is meant to be called from elsewhere and
// changes nothing a visitor owns, so it is exempt.
func (s *Server) crossOriginProtection() *http.CrossOriginProtection {
	c := http.NewCrossOriginProtection()
	c.AddInsecureBypassPattern("/api/")
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serveError(w, r, newUserError(codeForbidden, "CrossOriginTitle", "CrossOriginText"))
	}))
	return c
}

// rateLimit limits a client (by address, counted in memory for a minute,
// never stored) to n requests a minute; n <= 0 means no limit. Refusals go
// through serveError: a page, or JSON on the API.
func (s *Server) rateLimit(n int) func(http.Handler) http.Handler {
	if n <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	key := httprate.KeyByIP
	if s.cfg.BehindProxy {
		key = keyByProxiedIP
	}
	return httprate.Limit(n, time.Minute, httprate.WithKeyFuncs(key),
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) { s.serveError(w, r, errRateLimited) }))
}

// keyByProxiedIP is the client address as the trusted proxy saw it: the
// last X-Forwarded-For entry, which the proxy appended (the ones before it
// come from the client and could be anything), else X-Real-IP, else the
// connection's address.
func keyByProxiedIP(r *http.Request) (string, error) {
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		last := xff[len(xff)-1]
		if i := strings.LastIndexByte(last, ','); i >= 0 {
			last = last[i+1:]
		}
		if ip := strings.TrimSpace(last); ip != "" {
			return ip, nil
		}
	}
	if ip := strings.TrimSpace(r.Header.Get("X-Real-IP")); ip != "" {
		return ip, nil
	}
	return httprate.KeyByIP(r)
}

// localizer returns the shared localizer of a language: they are built
// once, not per request.
func (s *Server) localizer(lang string) *i18n.Localizer {
	s.localizersOnce.Do(func() {
		s.localizers = make(map[string]*i18n.Localizer, len(languages))
		for _, tag := range languages {
			base, _ := tag.Base()
			s.localizers[base.String()] = i18n.NewLocalizer(s.bundle, base.String())
		}
	})
	if l, ok := s.localizers[lang]; ok {
		return l
	}
	return i18n.NewLocalizer(s.bundle, lang)
}

// queryValue is r.URL.Query().Get(name) without parsing (and allocating)
// when the URL has no query at all, the common case.
func queryValue(r *http.Request, name string) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return r.URL.Query().Get(name)
}
