package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/servinetwork/rebote/analytics"
)

// Remask applies the current masking rules (analytics.MaskVersion) to what
// was kept under older ones: the searches, SMTP lines and comments of the
// events, and the rollup keys of searches and lines (a key whose masked
// form already exists is merged into it). It runs once per version, which
// the instance table records, in one transaction, and reports how many
// events and rollup rows changed.
func (db *DB) Remask(ctx context.Context) (changed int64, err error) {
	defer func() { err = db.writeFailed(err) }() // after the Rollback below
	fail := func(err error) (int64, error) { return 0, fmt.Errorf("store: remask: %w", err) }
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	// Instances starting together remask one after the other; the later
	// ones then find the version done.
	if err := tx.lock(ctx, "remask"); err != nil {
		return fail(err)
	}
	var version string
	err = tx.QueryRowContext(ctx, "SELECT value FROM instance WHERE key = 'mask_version'").Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fail(err)
	}
	if v, _ := strconv.Atoi(version); v >= analytics.MaskVersion {
		return 0, nil
	}

	n, err := remaskEvents(ctx, tx)
	if err != nil {
		return fail(err)
	}
	changed += n
	for _, table := range []struct{ name, period string }{{"daily", "day"}, {"monthly", "month"}} {
		n, err := remaskRollup(ctx, tx, table.name, table.period)
		if err != nil {
			return fail(err)
		}
		changed += n
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO instance (key, value) VALUES ('mask_version', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.Itoa(analytics.MaskVersion)); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return changed, nil
}

// remaskEvents masks the free text of every event again.
func remaskEvents(ctx context.Context, tx *txn) (int64, error) {
	type fix struct {
		id                   int64
		query, line, comment string
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, query, line, comment FROM event WHERE query <> '' OR line <> '' OR comment <> ''")
	if err != nil {
		return 0, err
	}
	var fixes []fix
	for rows.Next() {
		var f fix
		if err := rows.Scan(&f.id, &f.query, &f.line, &f.comment); err != nil {
			rows.Close()
			return 0, err
		}
		q, l, c := f.query, f.line, f.comment
		if q != "" {
			q = analytics.MaskQuery(q)
		}
		if l != "" {
			l = analytics.MaskLine(l)
		}
		if c != "" {
			c = analytics.MaskComment(c)
		}
		if q != f.query || l != f.line || c != f.comment {
			fixes = append(fixes, fix{f.id, q, l, c})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, f := range fixes {
		if _, err := tx.ExecContext(ctx, "UPDATE event SET query = ?, line = ?, comment = ? WHERE id = ?", f.query, f.line, f.comment, f.id); err != nil {
			return 0, err
		}
	}
	return int64(len(fixes)), nil
}

// remaskRollup masks the keys of the search and line metrics of a rollup
// table again, merging counts when two keys now mask alike.
func remaskRollup(ctx context.Context, tx *txn, table, period string) (int64, error) {
	type row struct {
		period, metric, source, key, masked string
		n, yes, no                          int64
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+period+", metric, source, key, n, yes, no FROM "+table+
		" WHERE metric IN ("+tailMetrics+")")
	if err != nil {
		return 0, err
	}
	var fixes []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.period, &r.metric, &r.source, &r.key, &r.n, &r.yes, &r.no); err != nil {
			rows.Close()
			return 0, err
		}
		if r.metric == "unclassified" {
			r.masked = analytics.MaskLine(r.key)
		} else {
			r.masked = analytics.MaskQuery(r.key)
		}
		if r.masked != r.key {
			fixes = append(fixes, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range fixes {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE metric = ? AND "+period+" = ? AND source = ? AND key = ?",
			r.metric, r.period, r.source, r.key); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+table+" ("+period+", metric, source, key, n, yes, no) VALUES (?, ?, ?, ?, ?, ?, ?)"+
			" ON CONFLICT (metric, "+period+", source, key) DO UPDATE SET n = "+table+".n + excluded.n, yes = "+table+".yes + excluded.yes, no = "+table+".no + excluded.no",
			r.period, r.metric, r.source, r.masked, r.n, r.yes, r.no); err != nil {
			return 0, err
		}
	}
	return int64(len(fixes)), nil
}
