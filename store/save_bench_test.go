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
// batches of 1000 as the Recorder sends them.
func BenchmarkSaveEvents(b *testing.B) {
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
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := db.SaveEvents(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
}
