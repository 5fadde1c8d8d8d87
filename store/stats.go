package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Filter selects the days and the visitors a statistic covers.
type Filter struct {
	From, To time.Time // days, inclusive, compared in UTC
	// Source is "ticket" (came from the ticket form), "direct" (everyone
	// else) or "" / "all".
	Source string
}

// LastDays is the filter for the n days ending today.
func LastDays(now time.Time, n int, source string) Filter {
	return Filter{From: now.AddDate(0, 0, -(n - 1)), To: now, Source: source}
}

// Previous is the period of the same length just before f, to compare with.
func (f Filter) Previous() Filter {
	days := int(f.To.Sub(f.From).Hours()/24) + 1
	return Filter{From: f.From.AddDate(0, 0, -days), To: f.From.AddDate(0, 0, -1), Source: f.Source}
}

// sourceCond is the SQL condition for the filter's source.
func (f Filter) sourceCond() string {
	switch f.Source {
	case "ticket":
		return " AND source = 'ticket'"
	case "direct":
		return " AND source <> 'ticket'"
	}
	return ""
}

func (f Filter) days() (from, to string) {
	return f.From.UTC().Format(time.DateOnly), f.To.UTC().Format(time.DateOnly)
}

// keyRows returns a subquery with the key, n, yes and no rows of a metric
// over the filter's period: whole months from the monthly rollup, the
// partial months at either end from daily, so a year-long period reads a
// few thousand rows rather than hundreds of thousands.
func (f Filter) keyRows(metric string) (string, []any) {
	from, to := dayStart(f.From), dayStart(f.To)
	src := f.sourceCond()
	var parts []string
	var args []any
	days := func(a, b time.Time) {
		parts = append(parts, "SELECT key, n, yes, no FROM daily WHERE metric = ? AND day BETWEEN ? AND ?"+src)
		args = append(args, metric, a.Format(time.DateOnly), b.Format(time.DateOnly))
	}
	// First and last whole months inside the period.
	firstMonth := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !firstMonth.Equal(from) {
		firstMonth = firstMonth.AddDate(0, 1, 0)
	}
	afterLast := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	if to.AddDate(0, 0, 1).Month() != to.Month() { // to is a month's last day
		afterLast = afterLast.AddDate(0, 1, 0)
	}
	if !firstMonth.Before(afterLast) {
		days(from, to)
		return strings.Join(parts, " UNION ALL "), args
	}
	if from.Before(firstMonth) {
		days(from, firstMonth.AddDate(0, 0, -1))
	}
	parts = append(parts, "SELECT key, n, yes, no FROM monthly WHERE metric = ? AND month BETWEEN ? AND ?"+src)
	args = append(args, metric, firstMonth.Format("2006-01"), afterLast.AddDate(0, -1, 0).Format("2006-01"))
	if !afterLast.After(to) {
		days(afterLast, to)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// NoLimit, given as a limit, asks a list for all its rows (the CSV
// downloads); the dashboard shows the first few.
const NoLimit = -1

// ErrorCount is how often customers met an error.
type ErrorCount struct {
	Reason  string
	Article string
	Count   int64
}

// TopErrors counts diagnosed recipients and article views per reason and
// article, most frequent first. Lists take a limit: at most that many
// rows, or all with NoLimit.
func (db *DB) TopErrors(ctx context.Context, f Filter, limit int) ([]ErrorCount, error) {
	rows, err := db.topKeys(ctx, "error", f, limit)
	if err != nil {
		return nil, err
	}
	out := make([]ErrorCount, len(rows))
	for i, r := range rows {
		reason, article, _ := strings.Cut(r.Key, "\t")
		out[i] = ErrorCount{Reason: reason, Article: article, Count: r.Count}
	}
	return out, nil
}

// KeyCount is a count per key of a metric: a query, a masked line.
type KeyCount struct {
	Key   string
	Count int64
}

// FailedSearches lists searches that found nothing, most frequent first.
func (db *DB) FailedSearches(ctx context.Context, f Filter, limit int) ([]KeyCount, error) {
	return db.topKeys(ctx, "failed_search", f, limit)
}

// Unclassified lists the masked SMTP lines of diagnoses that failed or had
// low confidence, most frequent first.
func (db *DB) Unclassified(ctx context.Context, f Filter, limit int) ([]KeyCount, error) {
	return db.topKeys(ctx, "unclassified", f, limit)
}

// Views counts article views per article, most read first.
func (db *DB) Views(ctx context.Context, f Filter, limit int) ([]KeyCount, error) {
	return db.topKeys(ctx, "view", f, limit)
}

// Searches counts searches per normalised query, most frequent first.
func (db *DB) Searches(ctx context.Context, f Filter, limit int) ([]KeyCount, error) {
	return db.topKeys(ctx, "search", f, limit)
}

// CheckOutcomes counts the outcome classes of live DNS checks
// ("spf:fallo", "dnsbl:ok"), most frequent first.
func (db *DB) CheckOutcomes(ctx context.Context, f Filter, limit int) ([]KeyCount, error) {
	return db.topKeys(ctx, "check_outcome", f, limit)
}

// TicketClicks counts "Sigo necesitando ayuda" clicks per article or
// diagnosed reason ("diagnostico:REASON").
func (db *DB) TicketClicks(ctx context.Context, f Filter, limit int) ([]KeyCount, error) {
	return db.topKeys(ctx, "ticket", f, limit)
}

func (db *DB) topKeys(ctx context.Context, metric string, f Filter, limit int) ([]KeyCount, error) {
	sub, args := f.keyRows(metric)
	args = append(args, db.limit(limit))
	rows, err := db.db.QueryContext(ctx, `SELECT key, SUM(n) AS total FROM (`+sub+`) AS r
		GROUP BY key ORDER BY total DESC, key LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", metric, db.classify(err))
	}
	defer rows.Close()
	var out []KeyCount
	for rows.Next() {
		var k KeyCount
		if err := rows.Scan(&k.Key, &k.Count); err != nil {
			return nil, fmt.Errorf("store: %s: %w", metric, db.classify(err))
		}
		out = append(out, k)
	}
	return out, db.classify(rows.Err())
}

// Votes are the "¿Te ha ayudado?" answers about one article or diagnosed
// reason ("diagnostico:REASON").
type Votes struct {
	Subject string
	Yes, No int64
}

// Feedback lists votes per subject, most voted first.
func (db *DB) Feedback(ctx context.Context, f Filter, limit int) ([]Votes, error) {
	sub, args := f.keyRows("vote")
	args = append(args, db.limit(limit))
	rows, err := db.db.QueryContext(ctx, `SELECT key, SUM(yes), SUM(no) FROM (`+sub+`) AS r
		GROUP BY key ORDER BY SUM(n) DESC, key LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: feedback: %w", db.classify(err))
	}
	defer rows.Close()
	var out []Votes
	for rows.Next() {
		var v Votes
		if err := rows.Scan(&v.Subject, &v.Yes, &v.No); err != nil {
			return nil, fmt.Errorf("store: feedback: %w", db.classify(err))
		}
		out = append(out, v)
	}
	return out, db.classify(rows.Err())
}

// Totals are a period's headline figures.
type Totals struct {
	Views, Searches, FailedSearches, Diagnoses, Bounces, Unclassified int64
	VotesYes, VotesNo, TicketClicks                                   int64
}

// Totals sums a period's figures.
func (db *DB) Totals(ctx context.Context, f Filter) (Totals, error) {
	var t Totals
	from, to := f.days()
	rows, err := db.db.QueryContext(ctx, `SELECT metric, SUM(n), SUM(yes), SUM(no) FROM daily_total
		WHERE day BETWEEN ? AND ?`+f.sourceCond()+` GROUP BY metric`, from, to)
	if err != nil {
		return t, fmt.Errorf("store: totals: %w", db.classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var metric string
		var n, yes, no int64
		if err := rows.Scan(&metric, &n, &yes, &no); err != nil {
			return t, fmt.Errorf("store: totals: %w", db.classify(err))
		}
		switch metric {
		case "view":
			t.Views = n
		case "search":
			t.Searches = n
		case "failed_search":
			t.FailedSearches = n
		case "diagnosis":
			t.Diagnoses, t.Bounces = n, yes
		case "unclassified":
			t.Unclassified = n
		case "vote":
			t.VotesYes, t.VotesNo = yes, no
		case "ticket":
			t.TicketClicks = n
		}
	}
	return t, db.classify(rows.Err())
}

// DayCount is one day of a trend.
type DayCount struct {
	Day   time.Time
	Count int64
}

// Comment is a vote's comment, kept with the raw events.
type Comment struct {
	At      time.Time
	Subject string
	Helpful bool
	Text    string
}

// Comments lists the latest vote comments in the period, newest first.
func (db *DB) Comments(ctx context.Context, f Filter, limit int) ([]Comment, error) {
	q := `SELECT at, article, reasons, helpful, comment FROM event
		WHERE kind = 'vote' AND comment <> '' AND at >= ? AND at < ?` + f.sourceCond() + " ORDER BY at DESC LIMIT ?"
	args := []any{dayStart(f.From).Unix(), dayStart(f.To).AddDate(0, 0, 1).Unix()}
	args = append(args, db.limit(limit))
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: comments: %w", db.classify(err))
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		var at int64
		var article, reasons string
		if err := rows.Scan(&at, &article, &reasons, &c.Helpful, &c.Text); err != nil {
			return nil, fmt.Errorf("store: comments: %w", db.classify(err))
		}
		c.At = time.Unix(at, 0).UTC()
		c.Subject = article
		if c.Subject == "" {
			c.Subject = "diagnostico:" + reasons
		}
		out = append(out, c)
	}
	return out, db.classify(rows.Err())
}

func dayStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
