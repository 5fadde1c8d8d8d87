package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/servinetwork/rebote/analytics"
)

// dayKey identifies one row of the daily table.
type dayKey struct {
	day, metric, source, key string
}

type dayCount struct {
	n, yes, no int64
}

// SaveEvents stores a batch of events and adds them to the daily counts,
// in one transaction: either the whole batch is counted or none of it.
// With PostgreSQL, a batch that lost a deadlock or a serialization check
// against another instance's is saved again, a few times at most.
func (db *DB) SaveEvents(ctx context.Context, events []analytics.Event) (err error) {
	if len(events) == 0 {
		return nil
	}
	defer func() { err = db.writeFailed(err) }()
	for try := 1; ; try++ {
		err = db.saveEvents(ctx, events)
		if err == nil || !retryable(err) || try == saveTries || ctx.Err() != nil {
			return err
		}
	}
}

// saveTries bounds the attempts at one batch.
const saveTries = 3

func (db *DB) saveEvents(ctx context.Context, events []analytics.Event) (err error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: save events: %w", err)
	}
	defer tx.Rollback()

	// Rows go in many to a statement: with a pure-Go SQLite the cost is
	// mostly per statement, not per row.
	rows := make([]any, 0, eventColumns*rowsPerInsert)
	full, err := tx.PrepareContext(ctx, insertEvents(rowsPerInsert)) // parsed once per batch
	if err != nil {
		return fmt.Errorf("store: save events: %w", err)
	}
	defer full.Close()
	flush := func() error {
		var err error
		switch n := len(rows) / eventColumns; n {
		case 0:
			return nil
		case rowsPerInsert:
			_, err = full.ExecContext(ctx, rows...)
		default:
			_, err = tx.ExecContext(ctx, insertEvents(n), rows...)
		}
		if err != nil {
			return fmt.Errorf("store: save events: %w", err)
		}
		rows = rows[:0]
		return nil
	}

	counts := make(map[dayKey]*dayCount)
	add := func(day, metric string, src analytics.Source, key string, n, yes, no int64) {
		k := dayKey{day, metric, string(src), key}
		c := counts[k]
		if c == nil {
			c = &dayCount{}
			counts[k] = c
		}
		c.n += n
		c.yes += yes
		c.no += no
	}

	// Identical events of the same second become one row with a count.
	same := make(map[eventRow]int64, len(events))
	var order []eventRow
	for _, e := range events {
		reasons, articles := joinFindings(e.Findings)
		article := e.Article
		if e.Kind == analytics.KindCheck {
			// Only what kind of check ran and its outcome classes.
			article, reasons = e.Check, strings.Join(e.Outcomes, " ")
		}
		row := eventRow{e.At.Unix(), e.Kind, e.Source, article, reasons, articles, e.Query, e.Results,
			boolInt(e.Bounce), e.Recipients, e.Confidence, e.Line, -1, e.Comment}
		if e.Kind == analytics.KindVote {
			row.helpful = boolInt(e.Helpful)
		}
		if row.confidence != row.confidence { // NaN would never equal itself as a key
			row.confidence = 0
		}
		if same[row] == 0 {
			order = append(order, row)
		}
		same[row]++

		day := e.At.UTC().Format(time.DateOnly)
		if e.Popular {
			for _, f := range e.Findings {
				if f.Article != "" {
					add(day, "popular", e.Source, f.Article, 1, 0, 0)
				}
			}
		}
		switch e.Kind {
		case analytics.KindView:
			add(day, "view", e.Source, e.Article, 1, 0, 0)
			for _, f := range e.Findings {
				add(day, "error", e.Source, f.Reason+"\t"+f.Article, 1, 0, 0)
			}
		case analytics.KindSearch:
			add(day, "search", e.Source, e.Query, 1, 0, 0)
			if e.Results == 0 {
				add(day, "failed_search", e.Source, e.Query, 1, 0, 0)
			}
		case analytics.KindDiagnosis:
			add(day, "diagnosis", e.Source, "", 1, boolInt(e.Bounce), 0)
			for _, f := range e.Findings {
				add(day, "error", e.Source, f.Reason+"\t"+f.Article, 1, 0, 0)
			}
			if e.Line != "" {
				add(day, "unclassified", e.Source, e.Line, 1, 0, 0)
			}
		case analytics.KindVote:
			yes := boolInt(e.Helpful)
			add(day, "vote", e.Source, subject(e), 1, yes, 1-yes)
		case analytics.KindTicket:
			add(day, "ticket", e.Source, subject(e), 1, 0, 0)
		case analytics.KindCheck:
			add(day, "check", e.Source, e.Check, 1, 0, 0)
			for _, o := range e.Outcomes {
				add(day, "check_outcome", e.Source, o, 1, 0, 0)
			}
		}
	}

	for _, r := range order {
		var helpful any
		if r.helpful >= 0 {
			helpful = r.helpful
		}
		rows = append(rows, r.at, string(r.kind), string(r.source), r.article, r.reasons, r.articles, r.query,
			r.results, r.bounce, r.recipients, r.confidence, r.line, helpful, r.comment, same[r])
		if len(rows) == cap(rows) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}

	// The same counts go to the three rollups: per day and key, per day
	// (totals), per month and key.
	totals := make(map[dayKey]*dayCount)
	months := make(map[dayKey]*dayCount)
	merge := func(m map[dayKey]*dayCount, k dayKey, c *dayCount) {
		t := m[k]
		if t == nil {
			t = &dayCount{}
			m[k] = t
		}
		t.n += c.n
		t.yes += c.yes
		t.no += c.no
	}
	for k, c := range counts {
		merge(totals, dayKey{day: k.day, metric: k.metric, source: k.source}, c)
		merge(months, dayKey{day: k.day[:7], metric: k.metric, source: k.source, key: k.key}, c)
	}
	for _, r := range []struct {
		table, period string
		counts        map[dayKey]*dayCount
	}{
		{"daily", "day", counts},
		{"daily_total", "day", totals},
		{"monthly", "month", months},
	} {
		if err := upsert(ctx, tx, r.table, r.period, r.counts); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: save events: %w", err)
	}
	return nil
}

// eventRow is one row of the event table, n aside: events with equal rows
// are stored once with their count.
type eventRow struct {
	at                int64
	kind              analytics.Kind
	source            analytics.Source
	article           string
	reasons, articles string
	query             string
	results           int
	bounce            int64
	recipients        int
	confidence        float64
	line              string
	helpful           int64 // -1 when not a vote
	comment           string
}

// joinFindings lists the reasons and the articles of findings, space
// separated; one finding, the usual case, costs nothing.
func joinFindings(fs []analytics.Finding) (reasons, articles string) {
	switch len(fs) {
	case 0:
		return "", ""
	case 1:
		return fs[0].Reason, fs[0].Article
	}
	var r, a strings.Builder
	for i, f := range fs {
		if i > 0 {
			r.WriteByte(' ')
			a.WriteByte(' ')
		}
		r.WriteString(f.Reason)
		a.WriteString(f.Article)
	}
	return r.String(), a.String()
}

// eventColumns is the number of values per event row; rowsPerInsert
// keeps a statement's parameters well under SQLite's limit.
const (
	eventColumns  = 15
	rowsPerInsert = 64
)

var insertEventsSQL sync.Map // rows → statement

// insertEvents returns the INSERT statement for n event rows.
func insertEvents(n int) string {
	if q, ok := insertEventsSQL.Load(n); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO event (at, kind, source, article, reasons, articles, query, results, bounce, recipients, confidence, line, helpful, comment, n) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	insertEventsSQL.Store(n, b.String())
	return b.String()
}

// upsert adds counts to a rollup table, many rows to a statement, in the
// order of their keys: two instances adding to the same rows then take
// their locks in the same order, and wait for each other rather than
// deadlock. daily_total has no key column.
func upsert(ctx context.Context, tx *txn, table, period string, counts map[dayKey]*dayCount) error {
	keys := make([]dayKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b dayKey) int {
		return cmp.Or(cmp.Compare(a.metric, b.metric), cmp.Compare(a.day, b.day), cmp.Compare(a.source, b.source), cmp.Compare(a.key, b.key))
	})
	keyed := table != "daily_total"
	cols, conflict, row := period+", metric, source, key, n, yes, no", "metric, "+period+", source, key", "(?, ?, ?, ?, ?, ?, ?)"
	if !keyed {
		cols, conflict, row = period+", metric, source, n, yes, no", period+", metric, source", "(?, ?, ?, ?, ?, ?)"
	}
	args := make([]any, 0, 7*rowsPerUpsert)
	for start := 0; start < len(keys); start += rowsPerUpsert {
		chunk := keys[start:min(start+rowsPerUpsert, len(keys))]
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		args = args[:0]
		for i, k := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			c := counts[k]
			if keyed {
				args = append(args, k.day, k.metric, k.source, k.key, c.n, c.yes, c.no)
			} else {
				args = append(args, k.day, k.metric, k.source, c.n, c.yes, c.no)
			}
		}
		q.WriteString(" ON CONFLICT (" + conflict + ") DO UPDATE SET n = " + table + ".n + excluded.n, yes = " +
			table + ".yes + excluded.yes, no = " + table + ".no + excluded.no")
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("store: save events: %w", err)
		}
	}
	return nil
}

// rowsPerUpsert is how many rollup rows one statement adds to.
const rowsPerUpsert = 100

// subject names what a vote or ticket click is about: an article, or a
// diagnosis by its first reason.
func subject(e analytics.Event) string {
	if e.Article != "" {
		return e.Article
	}
	if len(e.Findings) > 0 {
		return "diagnostico:" + e.Findings[0].Reason
	}
	return "diagnostico:"
}

// PurgeEvents deletes events older than the cutoff and reports how many;
// the daily counts stay (PurgeRollups trims them).
//
// With PostgreSQL, one instance at a time purges: while another holds the
// advisory lock "retention", PurgeEvents deletes nothing and reports 0.
func (db *DB) PurgeEvents(ctx context.Context, before time.Time) (n int64, err error) {
	defer func() { err = db.writeFailed(err) }() // after the Rollback below
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: purge events: %w", err)
	}
	defer tx.Rollback()
	if ok, err := tx.tryLock(ctx, "retention"); err != nil || !ok {
		return 0, err
	}
	// Listing the kinds lets SQLite walk event_kind_at instead of the table.
	res, err := tx.ExecContext(ctx, `DELETE FROM event
		WHERE kind IN ('view', 'search', 'diagnosis', 'vote', 'ticket', 'check') AND at < ?`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("store: purge events: %w", err)
	}
	if n, err = res.RowsAffected(); err != nil {
		return 0, fmt.Errorf("store: purge events: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: purge events: %w", err)
	}
	return n, nil
}

// tailMetrics are the rollup metrics keyed by what visitors typed or
// pasted: their keys grow without bound, unlike articles and reasons.
const tailMetrics = "'search', 'failed_search', 'unclassified'"

// PurgeRollups deletes, from the days and whole months before the cutoff,
// the rollup rows of searches and unread lines seen only once: the long
// tail that would otherwise grow forever (one client typing 20,000
// distinct searches left 80,000 rows). Totals (daily_total) and the
// other metrics stay. It reports how many rows went. As PurgeEvents, it
// runs on one instance at a time (the advisory lock "rollups").
func (db *DB) PurgeRollups(ctx context.Context, before time.Time) (n int64, err error) {
	defer func() { err = db.writeFailed(err) }() // after the Rollback below
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: purge rollups: %w", err)
	}
	defer tx.Rollback()
	if ok, err := tx.tryLock(ctx, "rollups"); err != nil || !ok {
		return 0, err
	}
	day := before.UTC().Format(time.DateOnly)
	for _, q := range []struct{ sql, until string }{
		{"DELETE FROM daily WHERE metric IN (" + tailMetrics + ") AND day < ? AND n < 2", day},
		{"DELETE FROM monthly WHERE metric IN (" + tailMetrics + ") AND month < ? AND n < 2", day[:7]},
	} {
		res, err := tx.ExecContext(ctx, q.sql, q.until)
		if err != nil {
			return 0, fmt.Errorf("store: purge rollups: %w", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("store: purge rollups: %w", err)
		}
		n += k
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: purge rollups: %w", err)
	}
	return n, nil
}

// CountEvents returns the number of stored events of a kind ("" for all),
// counting each row's n.
func (db *DB) CountEvents(ctx context.Context, kind analytics.Kind) (int64, error) {
	var n int64
	err := db.db.QueryRowContext(ctx, "SELECT COALESCE(SUM(n), 0) FROM event WHERE ? = '' OR kind = ?", string(kind), string(kind)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count events: %w", err)
	}
	return n, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
