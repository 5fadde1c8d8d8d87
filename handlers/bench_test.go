package handlers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/locales"
	"github.com/servinetwork/rebote/staff"
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
	srv, err := handlers.New(handlers.Deps{KB: kb, Search: mustSearch(b, kb), Bounces: mustReader(b, kb), Bundle: bundle, Log: log, Events: rec, Stats: db}, handlers.Config{})
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

// BenchmarkPagesGzip is BenchmarkPages for a browser, which accepts gzip:
// cached pages are compressed once and kept, so this should cost about
// the same.
func BenchmarkPagesGzip(b *testing.B) {
	h := benchRouter(b)
	for _, path := range []string{"/", "/errores/buzon-lleno", "/buscar?q=buzon+lleno"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code >= 400 || w.Header().Get("Content-Encoding") != "gzip" {
					b.Fatalf("%s: %d %q", path, w.Code, w.Header().Get("Content-Encoding"))
				}
			}
		})
	}
}

// BenchmarkDashboardPage measures the whole staff dashboard, through the
// router with a signed-in session, on a large database made by gen-events
// (the floor is 200 ms with 10 million events):
//
//	go run ./cmd/rebote-bench gen-events --db /tmp/bench.db --events 10000000 --days 400
//	REBOTE_BENCH_DB=/tmp/bench.db go test ./handlers -run '^$' -bench DashboardPage -benchtime 10x
//
// REBOTE_BENCH_DB may be a postgres:// URL as well.
func BenchmarkDashboardPage(b *testing.B) {
	path := os.Getenv("REBOTE_BENCH_DB")
	if path == "" {
		b.Skip("set REBOTE_BENCH_DB to a database made by rebote-bench gen-events")
	}
	if _, err := os.Stat(path); err != nil && !store.IsPostgres(path) {
		b.Skipf("REBOTE_BENCH_DB: %v", err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	kb, err := knowledge.Load(knowledge.DefaultPolicy())
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		b.Fatal(err)
	}
	accounts := staff.New(db)
	if err := accounts.Add(ctx, "bench", "benchmark password"); err != nil && !errors.Is(err, store.ErrExists) {
		b.Fatal(err)
	}
	token, err := accounts.SignIn(ctx, "bench", "benchmark password")
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := handlers.New(handlers.Deps{KB: kb, Search: mustSearch(b, kb), Bounces: mustReader(b, kb), Bundle: bundle, Log: log, Stats: db, Staff: accounts}, handlers.Config{})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Routes()
	for _, q := range []string{"dias=30&origen=all", "dias=90&origen=ticket", "dias=0&desde=" + time.Now().AddDate(0, 0, -399).Format(time.DateOnly) + "&hasta=" + time.Now().Format(time.DateOnly) + "&origen=all"} {
		b.Run(q, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				req := httptest.NewRequest(http.MethodGet, "/staff?"+q, nil)
				req.AddCookie(&http.Cookie{Name: "rebote_staff", Value: token})
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
				took = append(took, time.Since(start))
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
			// The fastest and the median: on a shared machine the mean
			// says more about the other work than about the page.
			slices.Sort(took)
			b.ReportMetric(float64(took[0].Microseconds())/1000, "min-ms")
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
		})
	}
}
