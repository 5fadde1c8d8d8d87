// Package store is Rebote's database: a SQLite file (modernc.org/sqlite,
// pure Go), the default, or a PostgreSQL database shared by several
// instances (github.com/jackc/pgx/v5), chosen by Open from --db. It opens
// and migrates the database and holds the queries; the differences of the
// two dialects (placeholders, advisory locks, file checks) stay inside it,
// so the rest of the code does not know which one it has. It is the only
// package that speaks SQL.
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

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/servinetwork/rebote/migrations"
)

// DB is the application's database.
type DB struct {
	db   conn
	path string // the SQLite file, or the PostgreSQL URL without password
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
//
// A path that is a postgres:// or postgresql:// URL opens that PostgreSQL
// database instead (see openPostgres).
func Open(ctx context.Context, path string) (*DB, error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path)
	}
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
	db := &DB{db: conn{DB: sqlDB}, path: path, dsn: dsn, Now: time.Now}
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

// openPostgres connects to the PostgreSQL database at url and applies
// pending migrations under goose's session lock (an advisory lock), so
// instances starting together migrate one after the other.
func openPostgres(ctx context.Context, target string) (*DB, error) {
	shown := Redact(target)
	cfg, err := pgx.ParseConfig(target)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", shown, err)
	}
	// pgx prepares and caches statements, and after a few runs PostgreSQL
	// may plan one once for any parameters: the dashboard's key ranges and
	// periods then read far more rows than they need (an 800 ms page at
	// 10 M events instead of tens). Each run gets a plan for its values.
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	sqlDB := stdlib.OpenDB(*cfg)
	// Each instance keeps a small pool: one writer, the pages' readers.
	sqlDB.SetMaxOpenConns(pgMaxConns)
	sqlDB.SetMaxIdleConns(pgMaxConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{db: conn{DB: sqlDB, pg: true}, path: shown, Now: time.Now}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: open %s: %w", shown, err)
	}
	if err := db.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// pgMaxConns bounds each instance's connections to PostgreSQL.
const pgMaxConns = 16

// Postgres reports whether the database is PostgreSQL.
func (db *DB) Postgres() bool { return db.db.pg }

func (db *DB) migrate(ctx context.Context) error {
	files, dir, dialect := fs.FS(migrations.Files), ".", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.db.pg {
		files, dir, dialect = migrations.Postgres, "postgres", goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("store: migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(files, dir)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db.db.DB, sub, opts...)
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

// Path returns the database file's path, or the PostgreSQL URL without
// its password.
func (db *DB) Path() string { return db.path }
