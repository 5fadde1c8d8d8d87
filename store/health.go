package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrUnwritable reports a database that refuses writes: a read-only file
// or directory, a full disk, a failing device. Nothing the client did
// causes it; the service is unavailable until an operator fixes it, and
// the store recovers on its own once writing works again.
var ErrUnwritable = errors.New("store: the database cannot be written (read-only file or directory, full disk or I/O error)")

// ErrCorrupt reports a damaged database file. Open refuses such a file;
// the README's "Recovering a damaged database" says what to do.
var ErrCorrupt = errors.New("store: the database file is damaged")

// ErrFileGone reports that the file at the database's path is no longer
// the one that was opened: deleted or replaced while the server runs.
// What is written from then on goes to a file nobody can reach, and is
// lost at exit.
var ErrFileGone = errors.New("store: the database file was deleted or replaced while in use")

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var one int
	if err := db.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", db.classify(err))
	}
	return nil
}

// Check reports whether the database can do its work: the file at its
// path is the one opened, it answers, it can be written, and the last
// QuickCheck found no damage. It is cheap enough for a readiness probe:
// the write is rolled back, and the damage check is QuickCheck's last
// verdict rather than a new scan. A connection that SQLite opened
// read-only is replaced, so a fixed permission counts at once.
//
// With PostgreSQL there is no file: Check is the answer and the write.
func (db *DB) Check(ctx context.Context) error {
	if db.db.pg {
		if err := db.Ping(ctx); err != nil {
			return err
		}
		return db.probeWrite(ctx)
	}
	if err := db.sameFile(); err != nil {
		return err
	}
	if err := db.Ping(ctx); err != nil {
		return err
	}
	if err := db.probeWrite(ctx); err != nil {
		return err
	}
	db.checkMu.Lock()
	defer db.checkMu.Unlock()
	return db.lastCheck
}

// sameFile reports ErrFileGone when the path names another file, or none,
// than the one opened (compared by device and inode).
func (db *DB) sameFile() error {
	fi, err := os.Stat(db.path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s no longer exists", ErrFileGone, db.path)
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", db.path, err)
	}
	if !os.SameFile(fi, db.file) {
		return fmt.Errorf("%w: %s is now another file", ErrFileGone, db.path)
	}
	return nil
}

// probeWrite writes a row and rolls it back: it fails as a real write
// would (read-only file, locked or damaged database) without changing
// anything.
func (db *DB) probeWrite(ctx context.Context) (err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	defer func() { err = db.writeFailed(err) }()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: write check: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO instance (key, value) VALUES ('write_check', '')
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`); err != nil {
		return fmt.Errorf("store: write check: %w", err)
	}
	return nil
}

// quickCheckRows bounds the problems QuickCheck reports.
const quickCheckRows = 5

// QuickCheck runs SQLite's PRAGMA quick_check on a connection of its own
// (so pages cached by the others cannot hide damage on disk) and
// remembers the verdict for Check. A damaged file gives an error wrapping
// ErrCorrupt that says how to recover. It reads the whole file: run it at
// start-up and then at most every few minutes, not per request.
//
// With PostgreSQL it does nothing: the server checks its own pages.
func (db *DB) QuickCheck(ctx context.Context) error {
	if db.db.pg {
		return nil
	}
	err := db.quickCheck(ctx)
	db.checkMu.Lock()
	db.lastCheck = err
	db.checkMu.Unlock()
	return err
}

func (db *DB) quickCheck(ctx context.Context) error {
	conn, err := sql.Open("sqlite", db.dsn)
	if err != nil {
		return fmt.Errorf("store: check %s: %w", db.path, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, fmt.Sprintf("PRAGMA quick_check(%d)", quickCheckRows))
	if err != nil {
		return db.checkFailed(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return db.checkFailed(err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return db.checkFailed(err)
	}
	if len(problems) > 0 {
		return db.damaged(errors.New(strings.Join(problems, "; ")))
	}
	return nil
}

// checkFailed explains an error of quick_check: damage (a damaged page,
// a file that is not a database or is cut short), or anything else (a
// cancelled context, a locked database), which passes through.
func (db *DB) checkFailed(err error) error {
	switch code := sqliteCode(err); {
	case code&0xff == sqlite3.SQLITE_CORRUPT, code&0xff == sqlite3.SQLITE_NOTADB, code == sqlite3.SQLITE_IOERR_SHORT_READ:
		return db.damaged(err)
	}
	return fmt.Errorf("store: check %s: %w", db.path, db.classify(err))
}

// damaged wraps ErrCorrupt with what was found and how to recover.
func (db *DB) damaged(err error) error {
	return fmt.Errorf("%w: %s: %v\nStop Rebote, keep a copy of the file, then rebuild it with\n"+
		"  sqlite3 %s .recover | sqlite3 %s.recovered\n"+
		"and start Rebote with --db %s.recovered; where sqlite3 lacks .recover, .dump does nearly as well\n"+
		"(see \"Recovering a damaged database\" in the README)",
		ErrCorrupt, db.path, err, db.path, db.path, db.path)
}

// sqliteCode is the SQLite result code of err, or 0 when err does not
// come from SQLite.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// classify marks errors that are about the database file rather than the
// statement: ErrUnwritable or ErrCorrupt.
func (db *DB) classify(err error) error {
	if code := pgCode(err); code != "" {
		switch {
		case code == "25006", code == "53100", strings.HasPrefix(code, "58"):
			// read-only transaction (a standby), disk full, I/O error
			return fmt.Errorf("%w: %w", ErrUnwritable, err)
		case code == "XX001", code == "XX002":
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return err
	}
	switch sqliteCode(err) & 0xff {
	case 0:
		return err
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
		return fmt.Errorf("%w: %w", ErrUnwritable, err)
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

// writeFailed classifies a write's error and, when the database could not
// be written, closes the idle connections: SQLite opens a file it may not
// write read-only and keeps it so for the connection's life, so without
// this a fixed permission would only count after a restart. Methods that
// write call it from a defer placed before the transaction's Rollback, so
// the connection is back in the pool when it runs.
func (db *DB) writeFailed(err error) error {
	if err == nil {
		return nil
	}
	err = db.classify(err)
	if errors.Is(err, ErrUnwritable) && !db.db.pg {
		db.db.SetMaxIdleConns(0) // closes the idle connections
		db.db.SetMaxIdleConns(defaultIdleConns)
	}
	return err
}

// defaultIdleConns is database/sql's default pool of idle connections.
const defaultIdleConns = 2
