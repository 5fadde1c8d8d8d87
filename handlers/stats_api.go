package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/store"
)

// statsFilter reads days=N (default 30) and source=ticket|direct|all
// (default all) of a stats API call.
func statsFilter(r *http.Request) (store.Filter, bool) {
	q := r.URL.Query()
	days := 30
	if d := q.Get("days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 3660 {
			return store.Filter{}, false
		}
		days = n
	}
	source := q.Get("source")
	switch source {
	case "":
		source = "all"
	case "ticket", "direct", "all":
	default:
		return store.Filter{}, false
	}
	return store.LastDays(time.Now(), days, source), true
}

// statsLimit is the number of items a stats call returns.
const statsLimit = 100

type topErrorItem struct {
	Reason  string `json:"reason"`
	Article string `json:"article"`
	Count   int64  `json:"count"`
}

type queryItem struct {
	Query string `json:"query"`
	Count int64  `json:"count"`
}

type lineItem struct {
	Line  string `json:"line"`
	Count int64  `json:"count"`
}

type feedbackItem struct {
	Article string `json:"article"`
	Yes     int64  `json:"yes"`
	No      int64  `json:"no"`
}

type itemsResponse[T any] struct {
	Items []T `json:"items"`
}

// handleStats serves "GET /api/v1/stats/{name}" for staff scripts.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	f, ok := statsFilter(r)
	if !ok {
		s.writeJSON(w, r, http.StatusBadRequest, apiError{Error: locales.T(r.Context(), "StatsBadParams")})
		return
	}
	ctx := r.Context()
	var (
		body any
		err  error
	)
	switch r.PathValue("name") {
	case "top-errors":
		var rows []store.ErrorCount
		rows, err = s.stats.TopErrors(ctx, f, statsLimit)
		items := make([]topErrorItem, len(rows))
		for i, e := range rows {
			items[i] = topErrorItem{e.Reason, e.Article, e.Count}
		}
		body = itemsResponse[topErrorItem]{items}
	case "failed-searches":
		var rows []store.KeyCount
		rows, err = s.stats.FailedSearches(ctx, f, statsLimit)
		items := make([]queryItem, len(rows))
		for i, e := range rows {
			items[i] = queryItem{e.Key, e.Count}
		}
		body = itemsResponse[queryItem]{items}
	case "unclassified":
		var rows []store.KeyCount
		rows, err = s.stats.Unclassified(ctx, f, statsLimit)
		items := make([]lineItem, len(rows))
		for i, e := range rows {
			items[i] = lineItem{e.Key, e.Count}
		}
		body = itemsResponse[lineItem]{items}
	case "feedback":
		var rows []store.Votes
		rows, err = s.stats.Feedback(ctx, f, statsLimit)
		items := make([]feedbackItem, len(rows))
		for i, e := range rows {
			items[i] = feedbackItem{e.Subject, e.Yes, e.No}
		}
		body = itemsResponse[feedbackItem]{items}
	default:
		s.writeJSON(w, r, http.StatusNotFound, apiError{Error: locales.T(r.Context(), "NotFoundTitle")})
		return
	}
	if err != nil {
		s.log.ErrorContext(ctx, "stats query failed", "error", err)
		s.writeJSON(w, r, http.StatusInternalServerError, apiError{Error: locales.T(r.Context(), "ServerErrorTitle")})
		return
	}
	s.writeJSON(w, r, http.StatusOK, body)
}
