package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/servinetwork/rebote/store"
)

func TestOpenCreatesAndMigrates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "rebote.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Opening again applies nothing new and keeps the version.
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v2, _ := db.SchemaVersion(ctx); v2 != v {
		t.Errorf("version changed from %d to %d on reopen", v, v2)
	}
}

func TestOpenRefusesBadPaths(t *testing.T) {
	ctx := context.Background()
	if _, err := store.Open(ctx, ""); err == nil {
		t.Error("empty path accepted")
	}
	notADB := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(notADB, []byte("this is not a database, just text that is long enough to have a header"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, notADB); err == nil {
		t.Error("a text file was accepted as a database")
	}
}
