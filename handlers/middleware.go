package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/servinetwork/rebote/locales"
)

// requestState is what the request's log line needs to know: its ID, and,
// from deeper down, whether serveError found the client gone before its
// answer.
type requestState struct {
	id         string
	clientGone bool
}

type requestStateKey struct{}

// requestID returns the ID of the request a context belongs to.
func requestID(ctx context.Context) string {
	if st, ok := ctx.Value(requestStateKey{}).(*requestState); ok {
		return st.id
	}
	return ""
}

// markClientGone records, for the request's log line, that the client
// left before its answer.
func markClientGone(r *http.Request) {
	if st, ok := r.Context().Value(requestStateKey{}).(*requestState); ok {
		st.clientGone = true
	}
}

// statusClientGone is what the log says when the client left before its
// answer (nginx's 499: no status reached anyone); statusTimedOut when the
// answer came after the server's write timeout, which drops it.
const (
	statusClientGone = 499
	statusTimedOut   = http.StatusGatewayTimeout
)

// logRequests gives every request an ID (newRequestID) and writes one
// line per request. It logs the route pattern, not the URL: query strings
// and pasted text may hold other people's addresses, and visitor IPs are
// personal data we do not keep. The status is what really happened: 499
// when the client left before its answer, 504 when the answer came after
// the write timeout (the server then drops it), with an outcome saying
// so.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &requestState{id: newRequestID(r.Header.Get("X-Request-Id"))}
		w.Header().Set("X-Request-Id", st.id)
		r = r.WithContext(context.WithValue(r.Context(), requestStateKey{}, st))
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		elapsed := time.Since(start)
		status, level := ww.Status(), slog.LevelInfo
		if status == 0 {
			status = http.StatusOK // nothing written: net/http sends 200
		}
		attrs := []slog.Attr{
			slog.String("request_id", st.id),
			slog.String("method", r.Method),
			slog.String("route", routePattern(r)),
		}
		switch {
		case s.cfg.WriteTimeout > 0 && elapsed >= s.cfg.WriteTimeout:
			attrs = append(attrs, slog.Int("status", statusTimedOut),
				slog.String("outcome", fmt.Sprintf("answer (%d) not delivered: past the %v write timeout", status, s.cfg.WriteTimeout)))
			level = slog.LevelWarn
		case st.clientGone || r.Context().Err() != nil:
			attrs = append(attrs, slog.Int("status", statusClientGone), slog.String("outcome", "client closed the connection"))
		default:
			attrs = append(attrs, slog.Int("status", status))
		}
		attrs = append(attrs, slog.Int("bytes", ww.BytesWritten()), slog.Duration("duration", elapsed))
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// requestIDPrefix starts the IDs newRequestID makes: random per process,
// so IDs of two runs do not collide in the logs.
var requestIDPrefix = func() string {
	b := make([]byte, 6)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) + "-"
}()

var requestIDs atomic.Uint64

// maxRequestIDLen bounds a client's X-Request-Id.
const maxRequestIDLen = 64

// newRequestID is the ID of a request for its log lines (and its
// X-Request-Id answer header): the client's X-Request-Id when it is a
// short token of letters, digits, '.', '_' and '-' (a proxy's, say), else
// a new one. Anything else a client sends is never logged: a header can
// be 60 KB of anything.
func newRequestID(sent string) string {
	if validRequestID(sent) {
		return sent
	}
	var buf [32]byte
	return string(strconv.AppendUint(append(buf[:0], requestIDPrefix...), requestIDs.Add(1), 10))
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
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
					HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
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

// rateLimit limits a client (by clientKey, counted in memory for a
// minute, never stored) to n requests a minute; n <= 0 means no limit.
// Refusals go through serveError: a page, or JSON on the API.
func (s *Server) rateLimit(n int) func(http.Handler) http.Handler {
	if n <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return s.limit(n, errRateLimited)
}

// limit lets a client (by clientKey) make n requests a minute and answers
// the others with refusal.
func (s *Server) limit(n int, refusal *userError) func(http.Handler) http.Handler {
	return httprate.Limit(n, time.Minute, httprate.WithKeyFuncs(func(r *http.Request) (string, error) { return s.clientKey(r), nil }),
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) { s.serveError(w, r, refusal) }))
}

// clientKey names the client of a request for the limits counted in
// memory (rate limits, what one client may add to the analytics): its
// address, IPv6 addresses by their /64 (what one customer line gets).
// Behind a proxy (Config.BehindProxy) it is the address the proxy gives
// in Config.ProxyHeader, and only there: with X-Forwarded-For, the last
// entry, which the proxy appended (the ones before come from the client
// and could be anything); with any other header (X-Real-IP), its value. A
// request without a valid one counts as the proxy's own address. It is
// never stored or logged.
func (s *Server) clientKey(r *http.Request) string {
	if s.cfg.BehindProxy {
		header := s.cfg.proxyHeader()
		if vs := r.Header.Values(header); len(vs) > 0 {
			v := vs[len(vs)-1]
			if strings.EqualFold(header, "X-Forwarded-For") {
				if i := strings.LastIndexByte(v, ','); i >= 0 {
					v = v[i+1:]
				}
			}
			if key, ok := addressKey(strings.TrimSpace(v)); ok {
				return key
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if key, ok := addressKey(host); ok {
		return key
	}
	return host
}

// addressKey is an IP address as limits count it: IPv4 as it is, IPv6 by
// its /64 prefix.
func addressKey(s string) (string, bool) {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return "", false
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.Addr().String(), true
	}
	return addr.String(), true
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
