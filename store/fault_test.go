package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/store"
	"github.com/servinetwork/rebote/store/storetest"
)

// someEvents are n distinct events, enough to fill pages of every table.
func someEvents(n int) []analytics.Event {
	now := time.Now()
	events := make([]analytics.Event, n)
	for i := range events {
		events[i] = analytics.Event{At: now.Add(-time.Duration(i) * time.Minute), Kind: analytics.KindSearch,
			Source: analytics.SourceDirect, Query: fmt.Sprintf("búsqueda número %d sin resultado", i)}
	}
	return events
}

// Issue 13 item 12: the database holds what customers did; other users of
// the machine must not read it.
func TestNewDatabaseIsPrivate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SaveEvents(ctx, someEvents(10)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group and others", filepath.Base(p), perm)
		}
	}
}

// Issue 13 item 12: a path with characters that mean something in a URI
// opens that very file, not a shorter name.
func TestOpenPathWithURICharacters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"a#b.db", "c?mode=memory.db", "d%41.db", "e f.db"} {
		path := filepath.Join(dir, name)
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatalf("Open(%q): %v", name, err)
		}
		if err := db.SaveEvents(ctx, someEvents(1)); err != nil {
			t.Fatal(err)
		}
		db.Close()
		// Reopened, the file at that path has the event: it is the one used.
		db, err = store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.CountEvents(ctx, ""); err != nil || n != 1 {
			t.Errorf("%q reopened holds %d events (%v), want 1", name, n, err)
		}
		db.Close()
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); !strings.HasPrefix(n, "a#b.db") && !strings.HasPrefix(n, "c?mode=memory.db") &&
			!strings.HasPrefix(n, "d%41.db") && !strings.HasPrefix(n, "e f.db") {
			t.Errorf("stray file %q: a path was cut or decoded", n)
		}
	}
}

// Issue 13 item 4: a database the process may not write is reported by
// Check and by every write as ErrUnwritable, and once writing is possible
// again it works without reopening.
func TestReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	restore := storetest.ReadOnly(t, path)

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("a read-only database that needs no migration should open (to report, and recover): %v", err)
	}
	defer db.Close()
	if err := db.Check(ctx); !errors.Is(err, store.ErrUnwritable) {
		t.Errorf("Check on a read-only database = %v, want ErrUnwritable", err)
	}
	if err := db.SaveEvents(ctx, someEvents(5)); !errors.Is(err, store.ErrUnwritable) {
		t.Errorf("SaveEvents on a read-only database = %v, want ErrUnwritable", err)
	}
	if _, err := db.AddStaff(ctx, "ana", "hash", time.Now()); !errors.Is(err, store.ErrUnwritable) {
		t.Errorf("AddStaff on a read-only database = %v, want ErrUnwritable", err)
	}

	restore()
	if err := db.SaveEvents(ctx, someEvents(5)); err != nil {
		t.Errorf("SaveEvents after the file became writable again: %v", err)
	}
	if err := db.Check(ctx); err != nil {
		t.Errorf("Check after the file became writable again: %v", err)
	}
}

// Issue 13 item 4: Check itself notices a fixed permission, without
// waiting for a write to fail first.
func TestCheckRecoversOnItsOwn(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	restore := storetest.ReadOnly(t, path)
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 3 { // every pooled connection is read-only now
		if err := db.Check(ctx); !errors.Is(err, store.ErrUnwritable) {
			t.Fatalf("Check = %v, want ErrUnwritable", err)
		}
	}
	restore()
	if err := db.Check(ctx); err != nil {
		t.Errorf("Check once writable again = %v, want nil", err)
	}
}

// Issue 13 item 7: a damaged file is reported, by Open when opening
// trips on the damage (page 2, which goose reads first), else by the
// QuickCheck the server runs before it starts, with a message that says
// so and how to recover, never as a migration problem.
func TestDamagedDatabaseIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db, err := store.Open(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveEvents(ctx, someEvents(3000)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	pages := storetest.Pages(t, good)
	if pages < 20 {
		t.Fatalf("only %d pages", pages)
	}
	original, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []int{2, 3, pages / 2, pages - 1} {
		t.Run(fmt.Sprintf("page %d of %d", page, pages), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rebote.db")
			if err := os.WriteFile(path, original, 0o600); err != nil {
				t.Fatal(err)
			}
			storetest.Corrupt(t, path, page)
			db, err := store.Open(ctx, path)
			if err == nil {
				if page == 2 {
					t.Error("Open migrated a database whose page 2, goose's table, is damaged")
				}
				err = db.QuickCheck(ctx)
				db.Close()
			}
			if err == nil {
				t.Fatal("a damaged database was opened and checked without a word")
			}
			if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), ".recover") || !strings.Contains(err.Error(), path) {
				t.Errorf("Open of a damaged database: %v\nwant ErrCorrupt naming the file and the recovery", err)
			}
			if strings.Contains(err.Error(), "goose") || strings.Contains(err.Error(), "migrat") {
				t.Errorf("the damage is reported as a migration problem: %v", err)
			}
		})
	}
}

// Issue 13 item 7: damage that appears while the server runs is found by
// QuickCheck, and Check reports it from then on.
func TestDamageWhileRunning(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveEvents(ctx, someEvents(3000)); err != nil {
		t.Fatal(err)
	}
	db.Close() // checkpoint, so the pages are in the main file
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.Corrupt(t, path, storetest.Pages(t, path)/2)
	if err := db.QuickCheck(ctx); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("QuickCheck after damage = %v, want ErrCorrupt", err)
	}
	if err := db.Check(ctx); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Check after QuickCheck found damage = %v, want ErrCorrupt", err)
	}
}

// Issue 13 item 8: a database file deleted or replaced while in use is
// noticed: what would be written goes to a file nobody can reach.
func TestDeletedDatabaseIsNoticed(t *testing.T) {
	ctx := context.Background()
	for _, how := range []string{"deleted", "replaced"} {
		t.Run(how, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rebote.db")
			db, err := store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Check(ctx); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if how == "replaced" {
				if err := os.WriteFile(path, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Check(ctx); !errors.Is(err, store.ErrFileGone) {
				t.Errorf("Check after the file was %s = %v, want ErrFileGone", how, err)
			}
		})
	}
}

// Issue 13 item 4: a full disk makes writes fail as ErrUnwritable; when
// space is freed, writing works again without reopening.
func TestFullDisk(t *testing.T) {
	ctx := context.Background()
	disk := storetest.SmallDisk(t, "4m")
	path := filepath.Join(disk, "rebote.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	free := storetest.Fill(t, disk)
	err = db.SaveEvents(ctx, someEvents(5000))
	if !errors.Is(err, store.ErrUnwritable) {
		t.Errorf("SaveEvents on a full disk = %v, want ErrUnwritable", err)
	}
	free()
	if err := db.SaveEvents(ctx, someEvents(5000)); err != nil {
		t.Errorf("SaveEvents after space was freed: %v", err)
	}
	if n, err := db.CountEvents(ctx, ""); err != nil || n != 5000 {
		t.Errorf("%d events stored (%v), want 5000: the failed batch must leave nothing", n, err)
	}
}

// Issue 13 item 7: reading damaged pages is reported as ErrCorrupt (the
// handlers answer 503 and log it), not as an unexplained failure.
func TestReadingDamageIsErrCorrupt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveEvents(ctx, someEvents(3000)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	pages := storetest.Pages(t, path)
	for page := pages / 3; page < pages; page++ {
		storetest.Corrupt(t, path, page)
	}
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open reads only the first pages: %v", err)
	}
	defer db.Close()
	week := store.LastDays(time.Now(), 7, "all")
	_, err1 := db.FailedSearches(ctx, week, store.NoLimit)
	_, err2 := db.Searches(ctx, week, store.NoLimit)
	if err := errors.Join(err1, err2); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("reading damaged pages = %v, want ErrCorrupt", err)
	}
}
