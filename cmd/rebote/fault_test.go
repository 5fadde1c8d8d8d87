package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/staff"
	"github.com/servinetwork/rebote/store"
	"github.com/servinetwork/rebote/store/storetest"
)

// logBuffer is a log the server writes while the test reads it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// status GETs base+path and returns the status code.
func status(t *testing.T, base, path string) int {
	t.Helper()
	res, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// eventually polls cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %s", what)
		}
	}
}

// checkDatabaseEvery makes servers started afterwards check their
// database every d, until the test ends and they have stopped.
func checkDatabaseEvery(t *testing.T, d time.Duration) {
	every, spacing := databaseCheckEvery, databaseCheckSpacing
	databaseCheckEvery, databaseCheckSpacing = d, 1
	t.Cleanup(func() { databaseCheckEvery, databaseCheckSpacing = every, spacing }) // after the servers' cleanups
}

// newDatabase creates a database at a new path with a staff account and
// some events, and closes it (so everything is in the main file).
func newDatabase(t *testing.T, events int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rebote.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := staff.New(db).Add(ctx, "ana", testPassword); err != nil {
		t.Fatal(err)
	}
	batch := make([]analytics.Event, events)
	for i := range batch {
		batch[i] = analytics.Event{At: time.Now().Add(-time.Duration(i) * time.Second), Kind: analytics.KindSearch,
			Source: analytics.SourceDirect, Query: fmt.Sprintf("búsqueda %d", i)}
	}
	if err := db.SaveEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	return path
}

// Issue 13 item 4: on a database it may not write the server starts (and
// says so), /readyz reports it, the right password gets 503, not "wrong
// password", and once the file is writable again everything recovers
// without a restart: readiness, sign-in, and the events recorded meanwhile.
func TestServeWithReadOnlyDatabase(t *testing.T) {
	cfg := defaultConfig()
	cfg.DB = newDatabase(t, 10)
	restore := storetest.ReadOnly(t, cfg.DB)
	var logs logBuffer
	base, stop := startAppLogging(t, cfg, &logs)

	if got := status(t, base, "/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a read-only database: %d, want 503", got)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "cannot be written") {
		t.Errorf("the read-only database is not logged as an error:\n%s", logs.String())
	}
	signIn := func() int {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.PostForm(base+"/staff/entrar", url.Values{"nombre": {"ana"}, "clave": {testPassword}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := signIn(); got != http.StatusServiceUnavailable {
		t.Errorf("right password on a read-only database: %d, want 503", got)
	}
	const visits = 20
	for range visits {
		status(t, base, "/errores/buzon-lleno")
	}

	restore()
	eventually(t, "/readyz answers 200 once the file is writable", func() bool { return status(t, base, "/readyz") == http.StatusOK })
	if got := signIn(); got != http.StatusSeeOther {
		t.Errorf("right password once the file is writable: %d, want 303", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, _ := db.CountEvents(context.Background(), analytics.KindView); n != visits {
		t.Errorf("%d of the %d views made while the database was read-only were saved", n, visits)
	}
}

// Issue 13 item 7: a damaged database is refused at start with a message
// that says so and how to recover.
func TestServeRefusesDamagedDatabase(t *testing.T) {
	cfg := defaultConfig()
	cfg.DB = newDatabase(t, 3000)
	storetest.Corrupt(t, cfg.DB, storetest.Pages(t, cfg.DB)/2)
	cfg.Addr = "127.0.0.1:0"
	err := serve(context.Background(), cfg, io.Discard, func(string) { t.Error("the server listened on a damaged database") })
	if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), ".recover") {
		t.Errorf("serve on a damaged database = %v, want ErrCorrupt with the recovery", err)
	}
}

// Issue 13 item 7: damage appearing under a running server is found by
// its periodic check: /readyz says not ready and the log says why.
func TestServeNoticesDamageWhileRunning(t *testing.T) {
	checkDatabaseEvery(t, 50*time.Millisecond)
	cfg := defaultConfig()
	cfg.DB = newDatabase(t, 3000)
	var logs logBuffer
	base, _ := startAppLogging(t, cfg, &logs)
	if got := status(t, base, "/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz before the damage: %d", got)
	}
	storetest.Corrupt(t, cfg.DB, storetest.Pages(t, cfg.DB)/2)
	eventually(t, "/readyz reports the damage", func() bool { return status(t, base, "/readyz") == http.StatusServiceUnavailable })
	eventually(t, "the damage is logged", func() bool {
		return strings.Contains(logs.String(), "level=ERROR") && strings.Contains(logs.String(), "damaged")
	})
}

// Issue 13 item 8: a database file deleted under a running server is
// noticed, by /readyz and by the server's own check, and logged loudly.
func TestServeNoticesDeletedDatabase(t *testing.T) {
	checkDatabaseEvery(t, 50*time.Millisecond)
	cfg := defaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "rebote.db")
	var logs logBuffer
	base, _ := startAppLogging(t, cfg, &logs)
	if got := status(t, base, "/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz before: %d", got)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(cfg.DB + suffix)
	}
	eventually(t, "the deletion is logged as an error", func() bool {
		return strings.Contains(logs.String(), "level=ERROR") && strings.Contains(logs.String(), "deleted or replaced")
	})
	if got := status(t, base, "/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz after the file was deleted: %d, want 503", got)
	}
}
