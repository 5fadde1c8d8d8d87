package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/web"
)

// Error codes name what went wrong in JSON answers. They are part of the
// API: clients may act on them, so a code never changes meaning.
const (
	codeBadRequest           = "bad_request"
	codeUnauthorized         = "unauthorized"
	codeForbidden            = "forbidden"
	codeNotFound             = "not_found"
	codeMethodNotAllowed     = "method_not_allowed"
	codeTooLarge             = "too_large"
	codeUnsupportedMediaType = "unsupported_media_type"
	codeEmptyText            = "empty_text"
	codeNotAText             = "not_a_text"
	codeRateLimited          = "rate_limited"
	codeInternal             = "internal"
	codeUnavailable          = "unavailable"
)

// userError is a failure the client should see explained: a code, which
// fixes the status, and the message IDs that explain it. Any other error a
// handler returns is internal: logged, and answered with errInternal.
type userError struct {
	code    string
	title   string // message ID of the error page's heading
	message string // message ID of the explanation, on the page and in JSON
	data    []any  // template data for message
	// apiMessage, when set, is the message ID JSON answers use instead of
	// message, for errors whose explanation speaks of pages and forms.
	apiMessage string
}

func newUserError(code, title, message string, data ...any) *userError {
	return &userError{code: code, title: title, message: message, data: data}
}

// withAPIMessage returns a copy of e that JSON answers explain with the
// message id.
func (e *userError) withAPIMessage(id string) *userError {
	c := *e
	c.apiMessage = id
	return &c
}

func (e *userError) Error() string { return e.code + ": " + e.message }

// status is the HTTP status of the error's code.
func (e *userError) status() int {
	switch e.code {
	case codeBadRequest:
		return http.StatusBadRequest
	case codeUnauthorized:
		return http.StatusUnauthorized
	case codeForbidden:
		return http.StatusForbidden
	case codeNotFound:
		return http.StatusNotFound
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case codeEmptyText, codeNotAText:
		return http.StatusUnprocessableEntity
	case codeRateLimited:
		return http.StatusTooManyRequests
	case codeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// The errors every route may answer with.
var (
	errNotFound         = newUserError(codeNotFound, "NotFoundTitle", "NotFoundText").withAPIMessage("NotFoundTitle")
	errMethodNotAllowed = newUserError(codeMethodNotAllowed, "MethodNotAllowedTitle", "MethodNotAllowedText").withAPIMessage("MethodNotAllowedTitle")
	errRateLimited      = newUserError(codeRateLimited, "TooManyRequestsTitle", "TooManyRequestsText")
	errUnauthorized     = newUserError(codeUnauthorized, "UnauthorizedTitle", "APIUnauthorized")
	errUnavailable      = newUserError(codeUnavailable, "ServerErrorTitle", "ServerErrorText").withAPIMessage("ServerErrorTitle")
	errInternal         = newUserError(codeInternal, "ServerErrorTitle", "ServerErrorText").withAPIMessage("ServerErrorTitle")
	errTooManySignIns   = newUserError(codeRateLimited, "TooManyRequestsTitle", "TooManySignInsText")
	errSignInBusy       = newUserError(codeUnavailable, "TooManyRequestsTitle", "SignInBusyText")
)

// unavailable answers 503 for a failure the client cannot fix and that
// should pass (a database that cannot be written, a damaged one), keeping
// the cause for the log.
func unavailable(cause error) error {
	return fmt.Errorf("%w: %w", errUnavailable, cause)
}

// errClientGone is returned by handlers when the client stopped sending
// its request (an aborted body): there is no one to answer.
var errClientGone = errors.New("client closed the connection")

// readAborted reports whether a request body could not be read because
// the client stopped sending it (it went away), and returns errClientGone
// wrapping err if so, nil otherwise.
func readAborted(r *http.Request, err error) error {
	var netErr net.Error
	if r.Context().Err() != nil || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &netErr) {
		return fmt.Errorf("%w: %w", errClientGone, err)
	}
	return nil
}

// appHandler is a handler that may fail; handle adapts it.
type appHandler func(w http.ResponseWriter, r *http.Request) error

// handle adapts an appHandler: its error goes to serveError.
func (s *Server) handle(h appHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	}
}

// serveError is the one place a failed request is answered and logged. A
// *userError keeps its status and message; anything else is a 500 whose
// text never reaches the client. 5xx are logged at Error, 4xx at Info,
// with the request ID and the route pattern (never the URL, which may hold
// personal data). API routes and clients that ask for JSON get
// {"error": {"code", "message"}}; everyone else the error page.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	// A client that left is no failure of ours, and there is no one to
	// answer: its context ends when the connection closes, and reading
	// its body fails when it stops sending one.
	if errors.Is(err, errClientGone) || ctx.Err() != nil && errors.Is(err, context.Canceled) {
		markClientGone(r)
		s.log.LogAttrs(ctx, slog.LevelInfo, "client gone",
			slog.String("request_id", requestID(ctx)),
			slog.String("route", routePattern(r)),
			slog.String("error", err.Error()),
		)
		return
	}
	var ue *userError
	if !errors.As(err, &ue) {
		ue = errInternal
	}
	status := ue.status()
	level, msg := slog.LevelInfo, "request refused"
	if status >= 500 {
		level, msg = slog.LevelError, "request failed"
	}
	s.log.LogAttrs(ctx, level, msg,
		slog.String("request_id", requestID(ctx)),
		slog.String("route", routePattern(r)),
		slog.Int("status", status),
		slog.String("code", ue.code),
		slog.Any("error", err),
	)
	if ue.code == codeUnavailable {
		w.Header().Set("Retry-After", "10")
	}

	if wantsJSON(r) {
		id := ue.message
		if ue.apiMessage != "" {
			id = ue.apiMessage
		}
		var body errorBody
		body.Error.Code = ue.code
		body.Error.Message = locales.T(ctx, id, ue.data...)
		s.writeJSON(w, r, status, body)
		return
	}
	title := locales.T(ctx, ue.title)
	c := web.ErrorPage(s.noIndexPage(r, title), title, locales.T(ctx, ue.message, ue.data...), s.kb.Popular())
	// Not s.render: if the error page itself fails, there is nothing
	// better to show than the status.
	templ.Handler(c, templ.WithStatus(status), templ.WithErrorHandler(func(r *http.Request, err error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Context().Err() != nil { // the client left while it rendered
				markClientGone(r)
				return
			}
			s.log.ErrorContext(r.Context(), "error page failed", slog.String("request_id", requestID(r.Context())),
				slog.Any("error", err))
			http.Error(w, http.StatusText(status), status)
		})
	})).ServeHTTP(w, r)
}

// errorBody is the JSON answer of a failed request.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// wantsJSON reports whether a failure is answered in JSON: on the API's
// routes, and wherever the client lists application/json before text/html
// in Accept.
func wantsJSON(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mediaType, _, _ := strings.Cut(part, ";")
		switch strings.TrimSpace(mediaType) {
		case "application/json":
			return true
		case "text/html":
			return false
		}
	}
	return false
}
