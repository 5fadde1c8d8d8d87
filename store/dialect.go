package store

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsPostgres reports whether target, a --db value, names a PostgreSQL
// database (a postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// conn is the connection pool with the dialect's placeholders: the
// queries are written once, with SQLite's '?', and conn rewrites them to
// PostgreSQL's $1, $2… when the database is PostgreSQL. No query of this
// package has a '?' inside a string literal.
type conn struct {
	*sql.DB
	pg bool
}

// txn is a transaction of a conn, with the same rewriting.
type txn struct {
	*sql.Tx
	pg bool
}

var rebound sync.Map // query → PostgreSQL query

// rebind rewrites the '?' placeholders of query as $1, $2… for PostgreSQL.
func rebind(pg bool, query string) string {
	if !pg || !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}

func (c conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.DB.ExecContext(ctx, rebind(c.pg, query), args...)
}

func (c conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.DB.QueryContext(ctx, rebind(c.pg, query), args...)
}

func (c conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.DB.QueryRowContext(ctx, rebind(c.pg, query), args...)
}

func (c conn) BeginTx(ctx context.Context, opts *sql.TxOptions) (*txn, error) {
	tx, err := c.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &txn{tx, c.pg}, nil
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, rebind(t.pg, query), args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, rebind(t.pg, query), args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, rebind(t.pg, query), args...)
}

func (t *txn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, rebind(t.pg, query))
}

// tryLock takes, for the rest of tx, PostgreSQL's advisory lock called
// name, and reports whether it did: false when another instance holds it.
// Work that one instance at a time should do (the retention purge, the
// rollups' maintenance) runs only when it gets the lock. With SQLite, one
// file for one instance, it always gets it.
func (t *txn) tryLock(ctx context.Context, name string) (bool, error) {
	if !t.pg {
		return true, nil
	}
	var ok bool
	err := t.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(?)", lockKey(name)).Scan(&ok)
	return ok, err
}

// lock waits for PostgreSQL's advisory lock called name, held for the rest
// of tx; with SQLite it does nothing.
func (t *txn) lock(ctx context.Context, name string) error {
	if !t.pg {
		return nil
	}
	_, err := t.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", lockKey(name))
	return err
}

// lockKey is the 64-bit key of an advisory lock, from its name.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("rebote:" + name))
	return int64(h.Sum64())
}

// limit is a LIMIT's argument: NoLimit means all rows, which SQLite says
// with -1 and PostgreSQL with NULL.
func (db *DB) limit(n int) any {
	if n < 0 && db.db.pg {
		return nil
	}
	return n
}

// pgCode is the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// retryable reports a PostgreSQL error after which the same transaction,
// run again, may well succeed: a deadlock or a serialization failure.
func retryable(err error) bool {
	switch pgCode(err) {
	case "40001", "40P01":
		return true
	}
	return false
}

// Redact is a --db value fit for logs: a PostgreSQL URL without its
// password; a SQLite path as it is.
func Redact(target string) string {
	if !IsPostgres(target) {
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
