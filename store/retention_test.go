package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/store"
)

// rawRows reads every row of a query over the database's file directly.
func rawRows(t *testing.T, db *store.DB, query string) []string {
	t.Helper()
	driver, dsn := "sqlite", "file:"+db.Path()
	if store.IsPostgres(db.Path()) { // a test URL has no password to hide
		driver, dsn = "pgx", db.Path()
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// Issue 13 item 5: what was kept under older masking rules (IPv6 in
// searches, comments as typed) is masked again, in the events and in the
// rollups' keys, once.
func TestRemask(t *testing.T) {
	eachBackend(t, func(t *testing.T, openTemp func(*testing.T) *store.DB) {
		ctx := context.Background()
		db := openTemp(t)
		now := time.Now().UTC()
		// Saved straight to the store, as older versions kept them.
		events := []analytics.Event{
			{At: now, Kind: analytics.KindSearch, Source: analytics.SourceDirect, Query: "fallo desde 2001:db8::7", Results: 0},
			{At: now, Kind: analytics.KindSearch, Source: analytics.SourceDirect, Query: "fallo desde fe80::1%eth0", Results: 0},
			{At: now, Kind: analytics.KindSearch, Source: analytics.SourceDirect, Query: "fallo desde ***", Results: 0},
			{At: now, Kind: analytics.KindVote, Source: analytics.SourceDirect, Article: "buzon-lleno",
				Comment: "soy ana(at)example.com desde ::1 en mail.empresa.es"},
			{At: now, Kind: analytics.KindDiagnosis, Source: analytics.SourceDirect, Line: "421 [2001:db8::25] try later"},
		}
		if err := db.SaveEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		n, err := db.Remask(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("Remask changed nothing")
		}
		leaks := []string{"2001:db8", "fe80", "::1", "ana", "example.com", "empresa"}
		for _, q := range []string{
			"SELECT query || ' ' || line || ' ' || comment FROM event",
			"SELECT key FROM daily", "SELECT key FROM monthly",
		} {
			for _, v := range rawRows(t, db, q) {
				for _, leak := range leaks {
					if strings.Contains(v, leak) {
						t.Errorf("%s: %q still holds %q", q, v, leak)
					}
				}
			}
		}
		// The three searches are now one key, counted three times.
		failed, err := db.FailedSearches(ctx, store.LastDays(now, 1, "all"), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(failed) != 1 || failed[0] != (store.KeyCount{Key: "fallo desde ***", Count: 3}) {
			t.Errorf("failed searches after Remask = %v, want one key counted 3 times", failed)
		}
		if n, err := db.Remask(ctx); err != nil || n != 0 {
			t.Errorf("second Remask changed %d (%v), want nothing: it runs once per version", n, err)
		}
	})
}

// Issue 13 item 6: retention trims the rollups too: searches and lines
// seen once are dropped from the days and months past the retention;
// totals, repeated searches and recent days stay.
func TestPurgeRollups(t *testing.T) {
	eachBackend(t, func(t *testing.T, openTemp func(*testing.T) *store.DB) {
		ctx := context.Background()
		db := openTemp(t)
		now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
		old := now.AddDate(0, 0, -500)
		search := func(at time.Time, q string) analytics.Event {
			return analytics.Event{At: at, Kind: analytics.KindSearch, Source: analytics.SourceDirect, Query: q}
		}
		var events []analytics.Event
		for i := range 200 {
			events = append(events, search(old, "basura "+strings.Repeat("x", i%50)+string(rune('a'+i%26))+string(rune('a'+i/26))))
		}
		events = append(events, search(old, "buzón lleno"), search(old, "buzón lleno"),
			search(now, "una sola vez reciente"),
			analytics.Event{At: old, Kind: analytics.KindDiagnosis, Source: analytics.SourceDirect, Line: "550 rara vez"})
		if err := db.SaveEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		oldPeriod := store.Filter{From: old, To: old, Source: "all"}
		before, err := db.Totals(ctx, oldPeriod)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.PurgeRollups(ctx, now.AddDate(0, 0, -400))
		if err != nil {
			t.Fatal(err)
		}
		// 201 once-seen keys (200 searches and the line) in daily and in
		// monthly, each also a failed search.
		if n != 2*(2*200+1) {
			t.Errorf("PurgeRollups deleted %d rows, want %d", n, 2*(2*200+1))
		}
		after, err := db.Totals(ctx, oldPeriod)
		if err != nil || after != before {
			t.Errorf("totals of the old day changed: %+v, want %+v (%v)", after, before, err)
		}
		for _, table := range []string{"daily", "monthly"} {
			keys := strings.Join(rawRows(t, db, "SELECT key FROM "+table+" WHERE metric IN ('search', 'failed_search', 'unclassified')"), "|")
			if strings.Contains(keys, "basura") || strings.Contains(keys, "rara vez") {
				t.Errorf("%s keeps once-seen keys past the retention", table)
			}
			if !strings.Contains(keys, "buzón lleno") || !strings.Contains(keys, "una sola vez reciente") {
				t.Errorf("%s lost a repeated or a recent search: %s", table, keys)
			}
		}
	})
}
