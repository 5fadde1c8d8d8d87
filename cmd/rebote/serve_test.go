package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/store"
)

// purgeEvents deletes old events at once and returns when its context
// ends.
func TestPurgeEventsStopsWithItsContext(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rebote.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	old := analytics.Event{At: time.Now().AddDate(0, 0, -40), Kind: analytics.KindView, Source: analytics.SourceDirect, Article: "buzon-lleno"}
	if err := db.SaveEvents(ctx, []analytics.Event{old}); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		purgeEvents(runCtx, db, 30, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n, err := db.CountEvents(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events older than the retention still there", n)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("purgeEvents still running 5 s after its context ended")
	}
}

// serve returns only once its background work has stopped: none of it
// outlives the server or touches the database after it is closed.
func TestServeWaitsForItsBackgroundWork(t *testing.T) {
	cfg := defaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "rebote.db")
	_, stop := startAppWith(t, cfg)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, fn := range []string{"main.purgeEvents", "handlers.(*Server).Run"} {
		if strings.Contains(stacks, fn) {
			t.Errorf("%s still running after serve returned", fn)
		}
	}
}
