package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Dashboard is every figure the staff dashboard shows for a period.
type Dashboard struct {
	Totals   Totals // the period's headline figures
	Previous Totals // the same for the period just before, to compare with
	// FromTicket are the period's figures for visitors who came from the
	// ticket form: their votes estimate the tickets avoided.
	FromTicket     Totals
	TopErrors      []TopError
	FailedSearches []KeyCount
	Unclassified   []KeyCount
	TicketClicks   []KeyCount
	Feedback       []Votes
	Comments       []Comment
}

// TopError is one row of the dashboard's most frequent errors.
type TopError struct {
	ErrorCount
	Previous int64 // the count in the period just before
	// Trend counts the reason per day over the period, oldest first. Only
	// the first trendRows rows have one.
	Trend []DayCount
}

// trendRows is how many of the top errors get a daily trend: the ones
// that matter most.
const trendRows = 10

// Dashboard returns the dashboard's figures for f, each list at most limit
// rows long.
func (db *DB) Dashboard(ctx context.Context, f Filter, limit int) (Dashboard, error) {
	var d Dashboard
	var err error
	if d.Totals, err = db.Totals(ctx, f); err != nil {
		return d, err
	}
	if d.Previous, err = db.Totals(ctx, f.Previous()); err != nil {
		return d, err
	}
	ticketOnly := f
	ticketOnly.Source = "ticket"
	if d.FromTicket, err = db.Totals(ctx, ticketOnly); err != nil {
		return d, err
	}
	if d.TopErrors, err = db.topErrorsWithTrends(ctx, f, limit); err != nil {
		return d, err
	}
	if d.FailedSearches, err = db.FailedSearches(ctx, f, limit); err != nil {
		return d, err
	}
	if d.Unclassified, err = db.Unclassified(ctx, f, limit); err != nil {
		return d, err
	}
	if d.TicketClicks, err = db.TicketClicks(ctx, f, limit); err != nil {
		return d, err
	}
	if d.Feedback, err = db.Feedback(ctx, f, limit); err != nil {
		return d, err
	}
	if d.Comments, err = db.Comments(ctx, f, limit); err != nil {
		return d, err
	}
	return d, nil
}

// previousErrorRows bounds the previous period's rows read to compare the
// top errors with; an error further down had a count too small to matter.
const previousErrorRows = 1000

// TopErrorsCompared is TopErrors with each error's count in the period
// just before. With limit NoLimit it lists every error and compares each.
func (db *DB) TopErrorsCompared(ctx context.Context, f Filter, limit int) ([]TopError, error) {
	top, err := db.TopErrors(ctx, f, limit)
	if err != nil {
		return nil, err
	}
	prevLimit := previousErrorRows
	if limit == NoLimit {
		prevLimit = NoLimit
	}
	prev, err := db.TopErrors(ctx, f.Previous(), prevLimit)
	if err != nil {
		return nil, err
	}
	prevCount := make(map[[2]string]int64, len(prev))
	for _, e := range prev {
		prevCount[[2]string{e.Reason, e.Article}] = e.Count
	}
	out := make([]TopError, len(top))
	for i, e := range top {
		out[i] = TopError{ErrorCount: e, Previous: prevCount[[2]string{e.Reason, e.Article}]}
	}
	return out, nil
}

func (db *DB) topErrorsWithTrends(ctx context.Context, f Filter, limit int) ([]TopError, error) {
	top, err := db.TopErrorsCompared(ctx, f, limit)
	if err != nil {
		return nil, err
	}
	var reasons []string
	seen := make(map[string]bool)
	for i, e := range top {
		if i < trendRows && !seen[e.Reason] {
			seen[e.Reason] = true
			reasons = append(reasons, e.Reason)
		}
	}
	trends, err := db.errorTrends(ctx, f, reasons)
	if err != nil {
		return nil, err
	}
	for i := range top {
		if i < trendRows {
			top[i].Trend = trends[top[i].Reason]
		}
	}
	return top, nil
}

// ErrorTrend counts one reason per day over the period, with zero days
// filled in so a chart has every day.
func (db *DB) ErrorTrend(ctx context.Context, f Filter, reason string) ([]DayCount, error) {
	trends, err := db.errorTrends(ctx, f, []string{reason})
	if err != nil {
		return nil, err
	}
	return trends[reason], nil
}

// errorTrends counts each reason per day over the period, in one query,
// with zero days filled in.
func (db *DB) errorTrends(ctx context.Context, f Filter, reasons []string) (map[string][]DayCount, error) {
	if len(reasons) == 0 {
		return nil, nil
	}
	// One SELECT per reason, joined with UNION ALL: each keeps the plan of
	// a single reason's query. Keys are "reason TAB article": the range
	// [reason TAB, reason LF) holds exactly this reason's keys and can use
	// daily_metric_key. The + on day stops the planner preferring the
	// primary key's day range.
	first, last := f.days()
	day := "+day" // SQLite's way; PostgreSQL has no unary + on text
	if db.db.pg {
		day = "day"
	}
	parts := make([]string, len(reasons))
	args := make([]any, 0, 4*len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf(`SELECT %d, day, SUM(n) FROM daily
			WHERE metric = 'error' AND key >= ? AND key < ? AND %s BETWEEN ? AND ?%s GROUP BY day`, i, day, f.sourceCond())
		args = append(args, r+"\t", r+"\n", first, last)
	}
	rows, err := db.db.QueryContext(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, fmt.Errorf("store: trend: %w", db.classify(err))
	}
	defer rows.Close()
	byDay := make([]map[string]int64, len(reasons))
	for i := range byDay {
		byDay[i] = make(map[string]int64)
	}
	for rows.Next() {
		var i int
		var day string
		var n int64
		if err := rows.Scan(&i, &day, &n); err != nil {
			return nil, fmt.Errorf("store: trend: %w", db.classify(err))
		}
		byDay[i][day] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: trend: %w", db.classify(err))
	}
	out := make(map[string][]DayCount, len(reasons))
	for i, r := range reasons {
		var days []DayCount
		for d := dayStart(f.From); !d.After(f.To.UTC()); d = d.AddDate(0, 0, 1) {
			days = append(days, DayCount{Day: d, Count: byDay[i][d.Format(time.DateOnly)]})
		}
		out[r] = days
	}
	return out, nil
}
