package analytics_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/store"
)

func openStore(t *testing.T) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rebote.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func count(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, err := db.CountEvents(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecorderSavesEveryAcceptedEvent(t *testing.T) {
	db, _ := openStore(t)
	rec := analytics.NewRecorder(db, quiet, analytics.Options{BatchSize: 50, FlushEvery: time.Hour})
	var wg sync.WaitGroup
	const writers, each = 8, 500
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if !rec.Record(analytics.Event{Kind: analytics.KindSearch, Query: "550 5.1.1", Results: i % 2}) {
					t.Error("event refused with an empty queue")
				}
			}
		}()
	}
	wg.Wait()
	// FlushEvery is an hour: only Close can have written the last batch.
	if err := rec.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != writers*each {
		t.Errorf("%d events stored, want %d", n, writers*each)
	}
	if saved, dropped := rec.Stats(); saved != writers*each || dropped != 0 {
		t.Errorf("stats saved=%d dropped=%d", saved, dropped)
	}
	// After Close, events are refused, not lost silently or panicking.
	if rec.Record(analytics.Event{Kind: analytics.KindView}) {
		t.Error("event accepted after Close")
	}
}

// A locked database makes the writer wait; pages must not, and what was
// queued meanwhile is saved when the lock goes.
func TestRecorderLockedDatabase(t *testing.T) {
	db, path := openStore(t)
	locker, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1000)")
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	conn, err := locker.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}

	rec := analytics.NewRecorder(db, quiet, analytics.Options{FlushEvery: 10 * time.Millisecond})
	start := time.Now()
	for i := 0; i < 1000; i++ {
		rec.Record(analytics.Event{Kind: analytics.KindView, Article: "buzon-lleno"})
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("recording 1000 events took %v while the database was locked", d)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := rec.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != 1000 {
		t.Errorf("%d events stored after the lock was released, want 1000", n)
	}
}

// When the database is gone, events are dropped and counted; nothing blocks.
func TestRecorderDatabaseGone(t *testing.T) {
	db, _ := openStore(t)
	db.Close()
	rec := analytics.NewRecorder(db, quiet, analytics.Options{QueueSize: 100, FlushEvery: time.Millisecond})
	for i := 0; i < 300; i++ {
		rec.Record(analytics.Event{Kind: analytics.KindView})
	}
	if err := rec.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	saved, dropped := rec.Stats()
	if saved != 0 || dropped != 300 {
		t.Errorf("saved=%d dropped=%d, want 0 and 300", saved, dropped)
	}
}

func TestRecorderBoundsFields(t *testing.T) {
	db, _ := openStore(t)
	rec := analytics.NewRecorder(db, quiet, analytics.Options{})
	long := make([]byte, 10000)
	for i := range long {
		long[i] = 'a'
	}
	rec.Record(analytics.Event{Kind: analytics.KindVote, Article: "buzon-lleno", Comment: string(long), Query: string(long)})
	if err := rec.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	var c, q int
	// Read back through SQLite to check what was really stored.
	raw, err := sql.Open("sqlite", "file:"+dbPath(t, db))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.QueryRow("SELECT length(comment), length(query) FROM event").Scan(&c, &q); err != nil {
		t.Fatal(err)
	}
	if c != analytics.MaxCommentLen || q != analytics.MaxQueryLen {
		t.Errorf("stored comment %d and query %d bytes, want %d and %d", c, q, analytics.MaxCommentLen, analytics.MaxQueryLen)
	}
}

func dbPath(t *testing.T, db *store.DB) string {
	t.Helper()
	return db.Path()
}
