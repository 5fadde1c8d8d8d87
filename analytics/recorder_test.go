package analytics_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/store"
	"github.com/servinetwork/rebote/store/storetest"
)

// eachBackend runs test once per backend (storetest.Backends), each with
// an openStore that opens a new, empty database of that kind.
func eachBackend(t *testing.T, test func(t *testing.T, openStore func(*testing.T) (*store.DB, string))) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			test(t, func(t *testing.T) (*store.DB, string) { return openAt(t, b.New(t)) })
		})
	}
}

func openStore(t *testing.T) (*store.DB, string) {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "rebote.db"))
}

func openAt(t *testing.T, path string) (*store.DB, string) {
	t.Helper()
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
	eachBackend(t, func(t *testing.T, openStore func(*testing.T) (*store.DB, string)) {
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
	})
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
	eachBackend(t, func(t *testing.T, openStore func(*testing.T) (*store.DB, string)) {
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
	})
}

func TestRecorderBoundsFields(t *testing.T) {
	eachBackend(t, func(t *testing.T, openStore func(*testing.T) (*store.DB, string)) {
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
		raw := storetest.Raw(t, dbPath(t, db))
		if err := raw.QueryRow("SELECT length(comment), length(query) FROM event").Scan(&c, &q); err != nil {
			t.Fatal(err)
		}
		if c != analytics.MaxCommentLen || q != analytics.MaxQueryLen {
			t.Errorf("stored comment %d and query %d bytes, want %d and %d", c, q, analytics.MaxCommentLen, analytics.MaxQueryLen)
		}
	})
}

func dbPath(t *testing.T, db *store.DB) string {
	t.Helper()
	return db.Path()
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %s", what)
		}
	}
}

// Issue 13 item 4: with a database it may not write, the writer keeps the
// events (one ERROR line, not one per batch) and reports the failure; once
// the file is writable again it saves them all, without a restart.
func TestRecorderRecoversFromReadOnlyDatabase(t *testing.T) {
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
	t.Cleanup(func() { db.Close() })

	var logs syncBuffer
	rec := analytics.NewRecorder(db, slog.New(slog.NewTextHandler(&logs, nil)),
		analytics.Options{BatchSize: 10, FlushEvery: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond})
	const events = 200
	for range events {
		rec.Record(analytics.Event{Kind: analytics.KindView, Article: "buzon-lleno"})
	}
	waitFor(t, "Err reports the read-only database", func() bool { return errors.Is(rec.Err(), store.ErrUnwritable) })
	time.Sleep(300 * time.Millisecond) // several retries
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 {
		t.Errorf("%d ERROR lines while the database was read-only, want 1:\n%s", n, logs.String())
	}

	restore()
	waitFor(t, "every event saved once the file is writable", func() bool { saved, _ := rec.Stats(); return saved == events })
	if err := rec.Err(); err != nil {
		t.Errorf("Err after recovery = %v", err)
	}
	if err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != events {
		t.Errorf("%d events stored, want %d", n, events)
	}
	if _, dropped := rec.Stats(); dropped != 0 {
		t.Errorf("%d events dropped", dropped)
	}
	if !strings.Contains(logs.String(), "takes events again") {
		t.Errorf("recovery not logged:\n%s", logs.String())
	}
}

// Issue 13 item 4: the same on a real full disk (a small tmpfs).
func TestRecorderRecoversFromFullDisk(t *testing.T) {
	ctx := context.Background()
	disk := storetest.SmallDisk(t, "4m")
	db, err := store.Open(ctx, filepath.Join(disk, "rebote.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	free := storetest.Fill(t, disk)
	rec := analytics.NewRecorder(db, quiet, analytics.Options{BatchSize: 1000, FlushEvery: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond})
	const events = 3000
	for i := range events {
		rec.Record(analytics.Event{Kind: analytics.KindSearch, Query: fmt.Sprintf("búsqueda distinta número %d", i)})
	}
	waitFor(t, "Err reports the full disk", func() bool { return errors.Is(rec.Err(), store.ErrUnwritable) })
	free()
	waitFor(t, "every event saved once there is space", func() bool { saved, _ := rec.Stats(); return saved == events })
	if err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != events {
		t.Errorf("%d events stored, want %d", n, events)
	}
}

// Issue 13 item 5: comments are masked before they are stored.
func TestRecorderMasksComments(t *testing.T) {
	eachBackend(t, func(t *testing.T, openStore func(*testing.T) (*store.DB, string)) {
		db, _ := openStore(t)
		rec := analytics.NewRecorder(db, quiet, analytics.Options{})
		rec.Record(analytics.Event{Kind: analytics.KindVote, Article: "buzon-lleno",
			Comment: "escribid a ana.lopez@example.com o a pepe(at)empresa.es desde 2001:db8::1 o 203.0.113.9, servidor mx1.empresa.es"})
		if err := rec.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		raw := storetest.Raw(t, db.Path())
		var c string
		if err := raw.QueryRow("SELECT comment FROM event").Scan(&c); err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"ana.lopez", "example.com", "pepe", "empresa", "2001:db8", "203.0.113"} {
			if strings.Contains(c, leak) {
				t.Errorf("stored comment %q keeps %q", c, leak)
			}
		}
	})
}

// syncBuffer is a bytes.Buffer safe for a logger and a test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
