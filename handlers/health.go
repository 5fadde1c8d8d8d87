package handlers

import (
	"log/slog"
	"net/http"
)

// handleHealth handles the "GET /healthz" route: the process is up, and
// which build it runs ("ok v1.2.0").
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	body := "ok"
	if s.cfg.Version != "" {
		body += " " + s.cfg.Version
	}
	if replayClock {
		// A test build: say so wherever it runs.
		body += " replay-clock"
	}
	body += "\n"
	_, _ = w.Write([]byte(body))
}

// handleReady handles the "GET /readyz" route: the process can serve,
// its database included (Config.Ready: reachable, writable, undamaged,
// still the file at its path). A failure is logged as an ERROR with its
// cause, for the operator who must act; the answer says only "not ready".
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(); err != nil {
			s.log.ErrorContext(r.Context(), "not ready", slog.String("request_id", requestID(r.Context())), slog.Any("error", err))
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ready\n"))
}
