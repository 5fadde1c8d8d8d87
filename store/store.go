// Package store is Rebote's SQLite database (modernc.org/sqlite, pure Go):
// opening it with the right pragmas, migrating it, and the queries. It is
// the only package that speaks SQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/servinetwork/rebote/migrations"
)

// DB is the application's database.
type DB struct {
	db   *sql.DB
	path string
	dsn  string
	// file is the database file as opened: Check compares it with what is
	// at path now, to notice a file deleted or replaced underneath.
	file os.FileInfo
	// Now returns the current time; tests replace it.
	Now func() time.Time

	checkMu   sync.Mutex
	lastCheck error // the last QuickCheck's verdict
}

// Open opens (creating if needed) the SQLite file at path, sets the
// pragmas every connection needs, and applies pending migrations. A new
// file is created readable by its owner only (0600); SQLite gives its -wal
// and -shm files the same mode. When opening or migrating fails, Open
// runs QuickCheck to tell a damaged file (ErrCorrupt, with the way to
// recover) from other causes: goose's own words about a damaged page
// would mislead. Open does not read the whole file otherwise; the server
// calls QuickCheck itself before it starts.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: database path is empty")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create directory for %s: %w", path, err)
		}
	}
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("store: create %s: %w", path, err)
	}
	dsn, err := dataSource(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{db: sqlDB, path: path, dsn: dsn, Now: time.Now}
	if db.file, err = os.Stat(path); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return nil, db.openFailed(ctx, fmt.Errorf("store: open %s: %w", path, err))
	}
	if err := db.migrate(ctx); err != nil {
		return nil, db.openFailed(ctx, err)
	}
	return db, nil
}

// openFailed closes db and explains why it could not be opened: damage
// when QuickCheck finds some, else err.
func (db *DB) openFailed(ctx context.Context, err error) error {
	if damage := db.QuickCheck(ctx); errors.Is(damage, ErrCorrupt) {
		err = damage
	}
	db.db.Close()
	return err
}

// dataSource is the SQLite URI of the file at path with the pragmas every
// connection needs. The path is made absolute and percent-escaped, so a
// name with '?', '#' or '%' opens that very file.
func dataSource(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	// Pragmas go in the DSN so every pooled connection gets them, not just
	// the one that happens to run a PRAGMA statement.
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "busy_timeout(5000)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?" + q.Encode(), nil
}

func (db *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations.Files, ".")
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.db, sub)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate %s: %w", db.path, err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// SchemaVersion returns the highest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }
