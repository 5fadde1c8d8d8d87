package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/store"
)

func benchRouter(b *testing.B) http.Handler {
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		b.Fatal(err)
	}
	// Analytics go to a real SQLite file, as in production: recording is
	// part of a page's cost.
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := analytics.NewRecorder(db, log, analytics.Options{})
	b.Cleanup(func() {
		rec.Close(context.Background())
		db.Close()
	})
	srv, err := handlers.New(handlers.Deps{KB: kb, Bundle: bundle, Log: log, Events: rec, Stats: db}, handlers.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Routes()
}

// BenchmarkPages measures the pages customers hit most, through the whole
// router and middleware (without the network).
func BenchmarkPages(b *testing.B) {
	h := benchRouter(b)
	for _, path := range []string{"/", "/errores/buzon-lleno", "/buscar?q=buzon+lleno", "/api/v1/search?q=550+5.1.1", "/e/550-5.7.26"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code >= 400 {
					b.Fatalf("%s: %d", path, w.Code)
				}
			}
		})
	}
}
