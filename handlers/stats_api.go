package handlers

import (
	"net/http"
	"strconv"
	"time"

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

// itemsOf converts a query's rows into an API answer.
func itemsOf[R, T any](rows []R, convert func(R) T) itemsResponse[T] {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = convert(r)
	}
	return itemsResponse[T]{out}
}

// handleStats serves "GET /api/v1/stats/{name}" for staff scripts.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) error {
	f, ok := statsFilter(r)
	if !ok {
		return newUserError(codeBadRequest, "BadRequestTitle", "StatsBadParams")
	}
	if s.stats == nil {
		return errUnavailable
	}
	ctx := r.Context()
	var (
		body any
		err  error
	)
	switch r.PathValue("name") {
	case "top-errors":
		rows, e := s.stats.TopErrors(ctx, f, statsLimit)
		body, err = itemsOf(rows, func(c store.ErrorCount) topErrorItem { return topErrorItem{c.Reason, c.Article, c.Count} }), e
	case "failed-searches":
		rows, e := s.stats.FailedSearches(ctx, f, statsLimit)
		body, err = itemsOf(rows, func(c store.KeyCount) queryItem { return queryItem{c.Key, c.Count} }), e
	case "unclassified":
		rows, e := s.stats.Unclassified(ctx, f, statsLimit)
		body, err = itemsOf(rows, func(c store.KeyCount) lineItem { return lineItem{c.Key, c.Count} }), e
	case "feedback":
		rows, e := s.stats.Feedback(ctx, f, statsLimit)
		body, err = itemsOf(rows, func(v store.Votes) feedbackItem { return feedbackItem{v.Subject, v.Yes, v.No} }), e
	default:
		return errNotFound
	}
	if err != nil {
		return storeFailure(err)
	}
	s.writeJSON(w, r, http.StatusOK, body)
	return nil
}
