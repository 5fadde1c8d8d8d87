package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound reports that the requested row does not exist (or, for
// sessions and tokens, no longer counts: expired or revoked).
var ErrNotFound = errors.New("store: not found")

// ErrExists reports that a row with the same unique key is already there.
var ErrExists = errors.New("store: already exists")

// StaffMember is a staff account.
type StaffMember struct {
	ID           int64
	Name         string
	PasswordHash string
	Disabled     bool // may not sign in (rebote staff disable)
}

// AccessEnded counts what ending an account's access closed.
type AccessEnded struct {
	Sessions int64 // sign-in sessions deleted
	Tokens   int64 // API tokens revoked
}

// APIToken describes an API token without its secret, which is never
// stored.
type APIToken struct {
	ID        int64
	StaffName string
	CreatedAt time.Time
	Revoked   bool
}

// AddStaff creates a staff account. It returns ErrExists when the name is
// taken.
func (db *DB) AddStaff(ctx context.Context, name, passwordHash string, now time.Time) (_ StaffMember, err error) {
	defer func() { err = db.writeFailed(err) }()
	// ON CONFLICT DO NOTHING returns no row for a taken name, which tells
	// the two cases apart without depending on the driver's error codes.
	m := StaffMember{Name: name, PasswordHash: passwordHash}
	err = db.db.QueryRowContext(ctx, `INSERT INTO staff (name, password_hash, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING RETURNING id`, name, passwordHash, now.Unix()).Scan(&m.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return StaffMember{}, fmt.Errorf("store: add staff %q: %w", name, ErrExists)
	}
	if err != nil {
		return StaffMember{}, fmt.Errorf("store: add staff %q: %w", name, err)
	}
	return m, nil
}

// SetStaffPassword replaces a staff member's password hash and ends the
// account's access: its sessions and API tokens stop working, so whoever
// knew the old password is out. It returns ErrNotFound when there is no
// such account.
func (db *DB) SetStaffPassword(ctx context.Context, name, passwordHash string, now time.Time) (AccessEnded, error) {
	return db.changeStaff(ctx, "set password of", name, now, "UPDATE staff SET password_hash = ? WHERE name = ?", passwordHash, name)
}

// DisableStaff stops an account from signing in and ends its sessions
// and API tokens. Disabling a disabled account ends nothing more and is
// not an error. It returns ErrNotFound when there is no such account.
func (db *DB) DisableStaff(ctx context.Context, name string, now time.Time) (AccessEnded, error) {
	return db.changeStaff(ctx, "disable", name, now,
		"UPDATE staff SET disabled_at = COALESCE(disabled_at, ?) WHERE name = ?", now.Unix(), name)
}

// EnableStaff lets a disabled account sign in again (with its password;
// its old sessions and tokens stay ended). It returns ErrNotFound when
// there is no such account.
func (db *DB) EnableStaff(ctx context.Context, name string) (err error) {
	defer func() { err = db.writeFailed(err) }()
	res, err := db.db.ExecContext(ctx, "UPDATE staff SET disabled_at = NULL WHERE name = ?", name)
	if err != nil {
		return fmt.Errorf("store: enable %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: enable %q: %w", name, err)
	} else if n == 0 {
		return fmt.Errorf("store: enable %q: %w", name, ErrNotFound)
	}
	return nil
}

// changeStaff runs update on the account called name and ends its
// sessions and API tokens, in one transaction.
func (db *DB) changeStaff(ctx context.Context, what, name string, now time.Time, update string, args ...any) (ended AccessEnded, err error) {
	defer func() { err = db.writeFailed(err) }() // after the Rollback below
	fail := func(err error) (AccessEnded, error) {
		return AccessEnded{}, fmt.Errorf("store: %s %q: %w", what, name, err)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	var id int64
	if err := tx.QueryRowContext(ctx, "SELECT id FROM staff WHERE name = ?", name).Scan(&id); errors.Is(err, sql.ErrNoRows) {
		return fail(ErrNotFound)
	} else if err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, update, args...); err != nil {
		return fail(err)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM staff_session WHERE staff_id = ?", id)
	if err != nil {
		return fail(err)
	}
	if ended.Sessions, err = res.RowsAffected(); err != nil {
		return fail(err)
	}
	res, err = tx.ExecContext(ctx, "UPDATE api_token SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL", now.Unix(), id)
	if err != nil {
		return fail(err)
	}
	if ended.Tokens, err = res.RowsAffected(); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return ended, nil
}

// StaffByName returns the account called name, or ErrNotFound.
func (db *DB) StaffByName(ctx context.Context, name string) (StaffMember, error) {
	var m StaffMember
	err := db.db.QueryRowContext(ctx, "SELECT id, name, password_hash, disabled_at IS NOT NULL FROM staff WHERE name = ?", name).
		Scan(&m.ID, &m.Name, &m.PasswordHash, &m.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return StaffMember{}, fmt.Errorf("store: staff %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return StaffMember{}, fmt.Errorf("store: staff %q: %w", name, db.classify(err))
	}
	return m, nil
}

// CreateSession records a sign-in that lasts until expires. It also
// deletes sessions that have expired, so the table does not grow with
// people who never sign out.
func (db *DB) CreateSession(ctx context.Context, staffID int64, tokenHash []byte, now, expires time.Time) (err error) {
	defer func() { err = db.writeFailed(err) }() // after the Rollback below
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM staff_session WHERE expires_at <= ?", now.Unix()); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO staff_session (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
		tokenHash, staffID, now.Unix(), expires.Unix()); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionStaff returns who a session belongs to. It returns ErrNotFound
// when the session does not exist, has expired at now, or its account is
// disabled.
func (db *DB) SessionStaff(ctx context.Context, tokenHash []byte, now time.Time) (StaffMember, error) {
	var m StaffMember
	err := db.db.QueryRowContext(ctx, `SELECT s.id, s.name, s.password_hash
		FROM staff_session ss JOIN staff s ON s.id = ss.staff_id
		WHERE ss.token_hash = ? AND ss.expires_at > ? AND s.disabled_at IS NULL`, tokenHash, now.Unix()).
		Scan(&m.ID, &m.Name, &m.PasswordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return StaffMember{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return StaffMember{}, fmt.Errorf("store: session: %w", db.classify(err))
	}
	return m, nil
}

// DeleteSession ends a session. Ending one that does not exist is not an
// error: the outcome, no session, is the same.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := db.db.ExecContext(ctx, "DELETE FROM staff_session WHERE token_hash = ?", tokenHash); err != nil {
		return fmt.Errorf("store: delete session: %w", db.writeFailed(err))
	}
	return nil
}

// CreateAPIToken records a new API token for a staff member and returns
// its id.
func (db *DB) CreateAPIToken(ctx context.Context, staffID int64, tokenHash []byte, now time.Time) (_ int64, err error) {
	defer func() { err = db.writeFailed(err) }()
	var id int64
	err = db.db.QueryRowContext(ctx, "INSERT INTO api_token (staff_id, token_hash, created_at) VALUES (?, ?, ?) RETURNING id",
		staffID, tokenHash, now.Unix()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create API token: %w", err)
	}
	return id, nil
}

// APITokenStaff returns who an API token belongs to. It returns ErrNotFound
// when the token does not exist, has been revoked, or its account is
// disabled.
func (db *DB) APITokenStaff(ctx context.Context, tokenHash []byte) (StaffMember, error) {
	var m StaffMember
	err := db.db.QueryRowContext(ctx, `SELECT s.id, s.name, s.password_hash
		FROM api_token t JOIN staff s ON s.id = t.staff_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND s.disabled_at IS NULL`, tokenHash).
		Scan(&m.ID, &m.Name, &m.PasswordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return StaffMember{}, fmt.Errorf("store: API token: %w", ErrNotFound)
	}
	if err != nil {
		return StaffMember{}, fmt.Errorf("store: API token: %w", db.classify(err))
	}
	return m, nil
}

// RevokeAPIToken stops an API token from working. It returns ErrNotFound
// when there is no token with that id that still works.
func (db *DB) RevokeAPIToken(ctx context.Context, id int64, now time.Time) (err error) {
	defer func() { err = db.writeFailed(err) }()
	res, err := db.db.ExecContext(ctx, "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now.Unix(), id)
	if err != nil {
		return fmt.Errorf("store: revoke API token %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: revoke API token %d: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("store: revoke API token %d: %w", id, ErrNotFound)
	}
	return nil
}

// ListAPITokens returns every API token, revoked ones included, oldest
// first.
func (db *DB) ListAPITokens(ctx context.Context) ([]APIToken, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT t.id, s.name, t.created_at, t.revoked_at IS NOT NULL
		FROM api_token t JOIN staff s ON s.id = t.staff_id
		ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("store: list API tokens: %w", err)
	}
	defer rows.Close()
	var tokens []APIToken
	for rows.Next() {
		var t APIToken
		var created int64
		if err := rows.Scan(&t.ID, &t.StaffName, &created, &t.Revoked); err != nil {
			return nil, fmt.Errorf("store: list API tokens: %w", err)
		}
		t.CreatedAt = time.Unix(created, 0).UTC()
		tokens = append(tokens, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list API tokens: %w", err)
	}
	return tokens, nil
}
