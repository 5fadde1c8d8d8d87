package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/servinetwork/rebote/store"
)

// BenchmarkDashboardQueries measures the queries one dashboard page load
// runs, against a large database: one op is a whole page. It proves the
// floor "pages answer in under 200 ms with 10 million events":
//
//	go run ./cmd/rebote-bench gen-events --db /tmp/bench.db --events 10000000 --days 400
//	REBOTE_BENCH_DB=/tmp/bench.db go test ./store -run '^$' -bench DashboardQueries -benchtime 20x
//
// REBOTE_BENCH_DB may be a postgres:// URL as well (gen-events --db URL
// fills it the same way).
func BenchmarkDashboardQueries(b *testing.B) {
	db := openBenchDB(b)
	ctx := context.Background()
	if n, err := db.CountEvents(ctx, ""); err != nil {
		b.Fatal(err)
	} else {
		b.Logf("%d events", n)
	}

	now := time.Now()
	for _, days := range []int{30, 400} {
		for _, source := range []string{"all", "ticket"} {
			f := store.LastDays(now, days, source)
			b.Run(fmt.Sprintf("days=%d/source=%s", days, source), func(b *testing.B) {
				var took []time.Duration
				for b.Loop() {
					start := time.Now()
					if err := dashboardPage(ctx, db, f); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(start))
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
				reportSpread(b, took)
			})
		}
	}
}

// BenchmarkDashboardQuery measures each query of a page on its own, to
// find the one to fix when BenchmarkDashboardQueries is over the floor.
func BenchmarkDashboardQuery(b *testing.B) {
	db := openBenchDB(b)
	ctx := context.Background()
	queries := []struct {
		name string
		run  func(f store.Filter) error
	}{
		{"Totals", func(f store.Filter) error { _, err := db.Totals(ctx, f); return err }},
		{"TopErrors", func(f store.Filter) error { _, err := db.TopErrors(ctx, f, 20); return err }},
		{"FailedSearches", func(f store.Filter) error { _, err := db.FailedSearches(ctx, f, 20); return err }},
		{"Unclassified", func(f store.Filter) error { _, err := db.Unclassified(ctx, f, 20); return err }},
		{"Feedback", func(f store.Filter) error { _, err := db.Feedback(ctx, f, 20); return err }},
		{"ErrorTrend", func(f store.Filter) error { _, err := db.ErrorTrend(ctx, f, "userunknown"); return err }},
		{"Comments", func(f store.Filter) error { _, err := db.Comments(ctx, f, 20); return err }},
	}
	now := time.Now()
	for _, days := range []int{30, 400} {
		f := store.LastDays(now, days, "all")
		for _, q := range queries {
			b.Run(fmt.Sprintf("days=%d/%s", days, q.name), func(b *testing.B) {
				for b.Loop() {
					if err := q.run(f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// reportSpread reports the fastest and the median of the pages' times: on
// a machine shared with other work the mean says more about the others
// than about the page, and the fastest is what the page costs alone.
func reportSpread(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[0].Microseconds())/1000, "min-ms")
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
}

// openBenchDB opens the database named by REBOTE_BENCH_DB, or skips.
func openBenchDB(b *testing.B) *store.DB {
	b.Helper()
	path := os.Getenv("REBOTE_BENCH_DB")
	if path == "" {
		b.Skip("REBOTE_BENCH_DB is not set; create a database with: go run ./cmd/rebote-bench gen-events --db PATH, then set REBOTE_BENCH_DB=PATH")
	}
	if _, err := os.Stat(path); err != nil && !store.IsPostgres(path) {
		b.Skipf("REBOTE_BENCH_DB: %v; create it with: go run ./cmd/rebote-bench gen-events --db %s", err, path)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// dashboardPage runs the queries of one dashboard page for f.
func dashboardPage(ctx context.Context, db *store.DB, f store.Filter) error {
	_, err := db.Dashboard(ctx, f, 25)
	return err
}
