package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/store"
)

// BenchmarkSaveEvents measures the analytics writer's cost per event, in
// batches of 1000 as the Recorder sends them: "distinct" has no two events
// alike (the worst case), "busy" is four pages read over and over within a
// second, which share rows.
func BenchmarkSaveEvents(b *testing.B) {
	b.Run("distinct", func(b *testing.B) { benchmarkSaveEvents(b, true) })
	b.Run("busy", func(b *testing.B) { benchmarkSaveEvents(b, false) })
}

func benchmarkSaveEvents(b *testing.B, distinct bool) {
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	batch := make([]analytics.Event, 1000)
	slugs := []string{"buzon-lleno", "direccion-no-existe", "ip-en-lista-negra", "relay-no-permitido"}
	for i := range batch {
		s := slugs[i%len(slugs)]
		batch[i] = analytics.Event{At: now, Kind: analytics.KindView, Source: analytics.SourceDirect, Article: s,
			Findings: []analytics.Finding{{Reason: "mailboxfull", Article: s}}}
		if i%5 == 0 {
			batch[i] = analytics.Event{At: now, Kind: analytics.KindSearch, Source: analytics.SourceSearch, Query: "buzon lleno", Results: 3}
		}
		if distinct {
			batch[i].At = now.Add(time.Duration(i) * time.Second)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		// Time moves on between batches, as it does for the Recorder.
		for i := range batch {
			batch[i].At = batch[i].At.Add(1000 * time.Second)
		}
		if err := db.SaveEvents(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
}
