package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// CopyCount is one table's rows in the source and in the target after
// Copy; for events, also the events they stand for (the sum of n).
type CopyCount struct {
	Table          string
	Source, Target int64
}

// copyTables are the tables Copy moves, parents first (staff before its
// sessions and tokens), with their columns.
var copyTables = []struct{ name, cols, order string }{
	{"instance", "key, value", "key"},
	{"staff", "id, name, password_hash, created_at, disabled_at", "id"},
	{"staff_session", "token_hash, staff_id, created_at, expires_at", "token_hash"},
	{"api_token", "id, staff_id, token_hash, created_at, revoked_at", "id"},
	{"event", "id, at, kind, source, article, reasons, articles, query, results, bounce, recipients, confidence, line, helpful, comment, n", "id"},
	{"daily", "day, metric, source, key, n, yes, no", "metric, day, source, key"},
	{"daily_total", "day, metric, source, n, yes, no", "day, metric, source"},
	{"monthly", "month, metric, source, key, n, yes, no", "metric, month, source, key"},
}

// ErrTargetNotEmpty reports a Copy into a database that already holds
// events or staff accounts: adding a history to another would count it
// twice.
var ErrTargetNotEmpty = errors.New("store: the target database already holds events or staff accounts")

// Copy moves everything src holds (events, rollups, staff accounts,
// sessions, API tokens, per-installation values) into dst, an empty
// database of the same schema version, typically a SQLite history into
// PostgreSQL. It writes in one transaction, so a failed copy leaves dst
// empty, then counts every table on both sides and fails when they
// differ. The ids of accounts and tokens are kept; dst's id sequences
// then continue after them.
func Copy(ctx context.Context, src, dst *DB) ([]CopyCount, error) {
	sv, err := src.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if dv, err := dst.SchemaVersion(ctx); err != nil {
		return nil, err
	} else if dv != sv {
		return nil, fmt.Errorf("store: copy: schema versions differ (source %d, target %d): start the newer Rebote on both first", sv, dv)
	}
	var busy int64
	if err := dst.db.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM event) + (SELECT COUNT(*) FROM staff)").Scan(&busy); err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	if busy > 0 {
		return nil, ErrTargetNotEmpty
	}
	tx, err := dst.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	defer tx.Rollback()
	// The target's own values (the write check's row, a mask version)
	// give way to the source's.
	if _, err := tx.ExecContext(ctx, "DELETE FROM instance"); err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	for _, t := range copyTables {
		if err := copyTable(ctx, src, tx, t.name, t.cols, t.order); err != nil {
			return nil, fmt.Errorf("store: copy %s: %w", t.name, err)
		}
	}
	if dst.db.pg {
		for _, table := range []string{"staff", "api_token", "event"} {
			if _, err := tx.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('"+table+"', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM "+table); err != nil {
				return nil, fmt.Errorf("store: copy: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}

	var counts []CopyCount
	var mismatch []string
	count := func(table, expr string) error {
		c := CopyCount{Table: table}
		q := "SELECT CAST(COALESCE(" + expr + ", 0) AS BIGINT) FROM " + strings.Fields(table)[0]
		if err := src.db.QueryRowContext(ctx, q).Scan(&c.Source); err != nil {
			return fmt.Errorf("store: copy: count %s: %w", table, err)
		}
		if err := dst.db.QueryRowContext(ctx, q).Scan(&c.Target); err != nil {
			return fmt.Errorf("store: copy: count %s: %w", table, err)
		}
		if c.Source != c.Target {
			mismatch = append(mismatch, fmt.Sprintf("%s %d in the source, %d in the target", table, c.Source, c.Target))
		}
		counts = append(counts, c)
		return nil
	}
	for _, t := range copyTables {
		if err := count(t.name, "COUNT(*)"); err != nil {
			return counts, err
		}
	}
	if err := count("event (sum of n)", "SUM(n)"); err != nil {
		return counts, err
	}
	if err := count("daily_total (sum of n)", "SUM(n)"); err != nil {
		return counts, err
	}
	if len(mismatch) > 0 {
		return counts, fmt.Errorf("store: copy: counts differ: %s", strings.Join(mismatch, "; "))
	}
	return counts, nil
}

// copyRows is how many rows one INSERT of Copy carries.
const copyRows = 200

// copyTable reads table from src in order and inserts its rows in tx,
// many to a statement.
func copyTable(ctx context.Context, src *DB, tx *txn, table, cols, order string) error {
	rows, err := src.db.QueryContext(ctx, "SELECT "+cols+" FROM "+table+" ORDER BY "+order)
	if err != nil {
		return err
	}
	defer rows.Close()
	ncols := len(strings.Split(cols, ","))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncols), ", ") + ")"
	args := make([]any, 0, ncols*copyRows)
	flush := func() error {
		n := len(args) / ncols
		if n == 0 {
			return nil
		}
		q := "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		args = args[:0]
		return nil
	}
	vals := make([]any, ncols)
	ptrs := make([]any, ncols)
	for rows.Next() {
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		args = append(args, vals...)
		if len(args) == cap(args) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}
