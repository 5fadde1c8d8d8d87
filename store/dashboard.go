package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
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
// rows long. Its queries do not depend on each other (but for the trends,
// which need the top errors), so it runs up to dashboardQueries of them at
// once on the pool's connections: on PostgreSQL each is a server process
// of its own, on SQLite (WAL) readers do not wait for each other. Each
// query sees the data as it was when it ran, as when they ran in turn.
func (db *DB) Dashboard(ctx context.Context, f Filter, limit int) (Dashboard, error) {
	var d Dashboard
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(dashboardQueries)
	ticketOnly := f
	ticketOnly.Source = "ticket"
	var previous []ErrorCount
	// The longest chain first: the top errors, then their trends.
	g.Go(func() error {
		top, err := db.TopErrors(ctx, f, limit)
		if err != nil {
			return err
		}
		d.TopErrors = make([]TopError, len(top))
		for i, e := range top {
			d.TopErrors[i].ErrorCount = e
		}
		return db.addTrends(ctx, f, d.TopErrors)
	})
	g.Go(func() (err error) { previous, err = db.TopErrors(ctx, f.Previous(), previousLimit(limit)); return err })
	g.Go(func() (err error) { d.FailedSearches, err = db.FailedSearches(ctx, f, limit); return err })
	g.Go(func() (err error) { d.Unclassified, err = db.Unclassified(ctx, f, limit); return err })
	g.Go(func() (err error) { d.TicketClicks, err = db.TicketClicks(ctx, f, limit); return err })
	g.Go(func() (err error) { d.Feedback, err = db.Feedback(ctx, f, limit); return err })
	g.Go(func() (err error) { d.Totals, err = db.Totals(ctx, f); return err })
	g.Go(func() (err error) { d.Previous, err = db.Totals(ctx, f.Previous()); return err })
	g.Go(func() (err error) { d.FromTicket, err = db.Totals(ctx, ticketOnly); return err })
	g.Go(func() (err error) { d.Comments, err = db.Comments(ctx, f, limit); return err })
	if err := g.Wait(); err != nil {
		return Dashboard{}, err
	}
	comparePrevious(d.TopErrors, previous)
	return d, nil
}

// dashboardQueries bounds the queries one dashboard page runs at once:
// enough to overlap the slow ones, few enough that a handful of staff
// loading the page together leave connections for the writer and the
// other pages (PostgreSQL's pool holds pgMaxConns).
const dashboardQueries = 4

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
	prev, err := db.TopErrors(ctx, f.Previous(), previousLimit(limit))
	if err != nil {
		return nil, err
	}
	out := make([]TopError, len(top))
	for i, e := range top {
		out[i].ErrorCount = e
	}
	comparePrevious(out, prev)
	return out, nil
}

// previousLimit is how many of the previous period's errors to read to
// compare a list of limit rows with.
func previousLimit(limit int) int {
	if limit == NoLimit {
		return NoLimit
	}
	return previousErrorRows
}

// comparePrevious sets each top error's count in the period before from
// that period's list.
func comparePrevious(top []TopError, prev []ErrorCount) {
	prevCount := make(map[[2]string]int64, len(prev))
	for _, e := range prev {
		prevCount[[2]string{e.Reason, e.Article}] = e.Count
	}
	for i, e := range top {
		top[i].Previous = prevCount[[2]string{e.Reason, e.Article}]
	}
}

// addTrends gives the first trendRows top errors their daily trend.
func (db *DB) addTrends(ctx context.Context, f Filter, top []TopError) error {
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
		return err
	}
	for i := range top {
		if i < trendRows {
			top[i].Trend = trends[top[i].Reason]
		}
	}
	return nil
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
