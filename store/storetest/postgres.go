package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// PostgresEnv names the variable with the URL of a PostgreSQL server the
// tests may use (its database is the one they create schemas in); .ci/run
// starts a throw-away cluster and sets it. RequirePostgresEnv, set to 1,
// makes a test that needs PostgreSQL fail instead of skip when there is
// none (CI sets it).
const (
	PostgresEnv        = "REBOTE_TEST_POSTGRES"
	RequirePostgresEnv = "REBOTE_REQUIRE_POSTGRES"
)

// Backend is one kind of database the store's tests run against.
type Backend struct {
	Name string
	// New returns the --db value of a new, empty database of this kind:
	// a file in a temporary directory, or a PostgreSQL schema of its own,
	// dropped when the test ends.
	New func(tb testing.TB) string
}

// Backends are SQLite and PostgreSQL. A test runs itself once per backend
// with t.Run; PostgreSQL's New skips (or fails under CI) when no server is
// configured.
var Backends = []Backend{
	{Name: "sqlite", New: func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "rebote.db") }},
	{Name: "postgres", New: Postgres},
}

// Postgres returns the URL of an empty schema of its own on the server of
// REBOTE_TEST_POSTGRES (through search_path), dropped when the test ends.
// Without the variable the test is skipped, or fails when
// REBOTE_REQUIRE_POSTGRES=1.
func Postgres(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv(RequirePostgresEnv) == "1" {
			tb.Fatalf("%s=1 but %s is not set: no PostgreSQL to test against", RequirePostgresEnv, PostgresEnv)
		}
		tb.Skipf("no PostgreSQL: set %s to a server's URL (bash .ci/postgres start DIR PORT starts one) to run this test", PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("PostgreSQL at %s: %v", PostgresEnv, err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			tb.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("dropping the test schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Raw opens the database at target (a SQLite path or a PostgreSQL URL, as
// db.Path() gives it for a test database, which has no password) with the
// plain driver, for tests that look at the rows themselves. It is closed
// when the test ends.
func Raw(tb testing.TB, target string) *sql.DB {
	tb.Helper()
	driver, dsn := "sqlite", "file:"+target
	if strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://") {
		driver, dsn = "pgx", target
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}
