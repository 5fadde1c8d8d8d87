package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/store"
)

// Live DNS checks are counted by outcome class; the migration that allows
// their kind keeps the events already stored.
func TestCheckEvents(t *testing.T) {
	eachBackend(t, func(t *testing.T, openTemp func(*testing.T) *store.DB) {
		ctx := context.Background()
		db := openTemp(t)
		var err error
		now := time.Now()
		err = db.SaveEvents(ctx, []analytics.Event{
			{At: now, Kind: analytics.KindView, Source: analytics.SourceDirect, Article: "spf-fallido"},
			{At: now, Kind: analytics.KindCheck, Source: analytics.SourceDirect, Check: "domain", Outcomes: []string{"mx:ok", "spf:fallo", "dkim:ok", "dmarc:fallo"}},
			{At: now, Kind: analytics.KindCheck, Source: analytics.SourceDirect, Check: "ip", Outcomes: []string{"ptr:ok", "dnsbl:fallo"}},
			{At: now, Kind: analytics.KindCheck, Source: analytics.SourceDirect, Check: "domain", Outcomes: []string{"mx:ok", "spf:ok", "dkim:ok", "dmarc:ok"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountEvents(ctx, analytics.KindCheck); n != 3 {
			t.Errorf("%d check events, want 3", n)
		}
		got, err := db.CheckOutcomes(ctx, store.LastDays(now, 1, ""), 20)
		if err != nil {
			t.Fatal(err)
		}
		counts := make(map[string]int64)
		for _, k := range got {
			counts[k.Key] = k.Count
		}
		if counts["mx:ok"] != 2 || counts["spf:fallo"] != 1 || counts["dnsbl:fallo"] != 1 {
			t.Errorf("outcomes %v", counts)
		}
		if n, _ := db.PurgeEvents(ctx, now.Add(time.Hour)); n != 4 {
			t.Errorf("purged %d events, want 4 (checks too)", n)
		}
	})
}
