package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/migrations"
	"github.com/servinetwork/rebote/store"
	"github.com/servinetwork/rebote/store/storetest"
)

func openAt(t *testing.T, target string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// eachBackend runs test once per backend (storetest.Backends), each with
// an openTemp that opens a new, empty database of that kind.
func eachBackend(t *testing.T, test func(t *testing.T, openTemp func(*testing.T) *store.DB)) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			test(t, func(t *testing.T) *store.DB { return openAt(t, b.New(t)) })
		})
	}
}

func TestStatsCountWhatWasSaved(t *testing.T) {
	eachBackend(t, func(t *testing.T, openTemp func(*testing.T) *store.DB) {
		ctx := context.Background()
		db := openTemp(t)
		now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
		old := now.AddDate(0, 0, -10)
		full := []analytics.Finding{{Reason: "mailboxfull", Article: "buzon-lleno"}}
		unknown := []analytics.Finding{{Reason: "userunknown", Article: "direccion-no-existe"}}
		events := []analytics.Event{
			{At: now, Kind: analytics.KindView, Source: analytics.SourceTicket, Article: "buzon-lleno", Findings: full},
			{At: now, Kind: analytics.KindView, Source: analytics.SourceSearch, Article: "buzon-lleno", Findings: full},
			{At: now, Kind: analytics.KindDiagnosis, Source: analytics.SourceTicket, Bounce: true, Recipients: 2,
				Findings: append(append([]analytics.Finding{}, unknown...), full...)},
			{At: now, Kind: analytics.KindDiagnosis, Source: analytics.SourceDirect, Line: "550 <***@***> odd"},
			{At: now, Kind: analytics.KindSearch, Source: analytics.SourceDirect, Query: "error raro", Results: 0},
			{At: now, Kind: analytics.KindSearch, Source: analytics.SourceDirect, Query: "error raro", Results: 0},
			{At: now, Kind: analytics.KindSearch, Source: analytics.SourceDirect, Query: "buzon lleno", Results: 3},
			{At: now, Kind: analytics.KindVote, Source: analytics.SourceTicket, Article: "buzon-lleno", Helpful: true, Comment: "claro"},
			{At: now, Kind: analytics.KindVote, Source: analytics.SourceDirect, Article: "buzon-lleno", Helpful: false},
			{At: now, Kind: analytics.KindTicket, Source: analytics.SourceDirect, Findings: unknown},
			{At: old, Kind: analytics.KindView, Source: analytics.SourceDirect, Article: "buzon-lleno", Findings: full},
		}
		if err := db.SaveEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		week := store.LastDays(now, 7, "all")

		top, err := db.TopErrors(ctx, week, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.ErrorCount{{"mailboxfull", "buzon-lleno", 3}, {"userunknown", "direccion-no-existe", 1}}
		if len(top) != 2 || top[0] != want[0] || top[1] != want[1] {
			t.Errorf("top errors over 7 days = %v, want %v (the 10-day-old view is outside)", top, want)
		}
		ticket, _ := db.TopErrors(ctx, store.LastDays(now, 7, "ticket"), 10)
		if len(ticket) != 2 || ticket[0].Count != 2 {
			t.Errorf("top errors from the ticket form = %v, want buzon-lleno 2 and direccion-no-existe 1", ticket)
		}
		month, _ := db.TopErrors(ctx, store.LastDays(now, 30, ""), 1)
		if len(month) != 1 || month[0].Count != 4 {
			t.Errorf("top error over 30 days = %v, want mailboxfull 4", month)
		}

		failed, _ := db.FailedSearches(ctx, week, 10)
		if len(failed) != 1 || failed[0] != (store.KeyCount{Key: "error raro", Count: 2}) {
			t.Errorf("failed searches = %v", failed)
		}
		lines, _ := db.Unclassified(ctx, week, 10)
		if len(lines) != 1 || lines[0].Key != "550 <***@***> odd" {
			t.Errorf("unclassified = %v", lines)
		}
		votes, _ := db.Feedback(ctx, week, 10)
		if len(votes) != 1 || votes[0] != (store.Votes{Subject: "buzon-lleno", Yes: 1, No: 1}) {
			t.Errorf("feedback = %v", votes)
		}
		tot, _ := db.Totals(ctx, week)
		if tot.Views != 2 || tot.Diagnoses != 2 || tot.Bounces != 1 || tot.Searches != 3 || tot.FailedSearches != 2 || tot.TicketClicks != 1 || tot.VotesYes != 1 {
			t.Errorf("totals = %+v", tot)
		}
		trend, _ := db.ErrorTrend(ctx, store.LastDays(now, 30, ""), "mailboxfull")
		if len(trend) != 30 || trend[29].Count != 3 || trend[19].Count != 1 || trend[0].Count != 0 {
			t.Errorf("trend = %v", trend)
		}
		comments, _ := db.Comments(ctx, week, 10)
		if len(comments) != 1 || comments[0].Text != "claro" || !comments[0].Helpful {
			t.Errorf("comments = %v", comments)
		}

		// Purging raw events keeps the daily counts.
		n, err := db.PurgeEvents(ctx, now.AddDate(0, 0, -5))
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want the one old event", n, err)
		}
		month, _ = db.TopErrors(ctx, store.LastDays(now, 30, ""), 1)
		if month[0].Count != 4 {
			t.Errorf("purge changed the daily counts: %v", month)
		}
	})
}

// A database made by the first schema version, with data, is migrated on
// open and keeps its data.
func TestOpenMigratesPreviousSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, migrations.Files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("INSERT INTO instance (key, value) VALUES ('session_key', 'abc')"); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.SchemaVersion(ctx); v < 2 {
		t.Fatalf("schema version %d after open, want at least 2", v)
	}
	if err := db.SaveEvents(ctx, []analytics.Event{{At: time.Now(), Kind: analytics.KindView, Source: analytics.SourceDirect, Article: "buzon-lleno"}}); err != nil {
		t.Fatalf("migrated database cannot store events: %v", err)
	}
	check, _ := sql.Open("sqlite", "file:"+path)
	defer check.Close()
	var value string
	if err := check.QueryRow("SELECT value FROM instance WHERE key = 'session_key'").Scan(&value); err != nil || value != "abc" {
		t.Errorf("data of the old schema lost: %q, %v", value, err)
	}
}

// The rollups answer exactly what summing the daily rows would, for
// periods that start and end anywhere in a month.
func TestRollupsMatchDailyCounts(t *testing.T) {
	eachBackend(t, func(t *testing.T, openTemp func(*testing.T) *store.DB) {
		ctx := context.Background()
		db := openTemp(t)
		start := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
		var events []analytics.Event
		sources := []analytics.Source{analytics.SourceTicket, analytics.SourceDirect, analytics.SourceSearch}
		reasons := []string{"userunknown", "mailboxfull", "blocked", "expired"}
		for i := 0; i < 3000; i++ {
			at := start.Add(time.Duration(i*i%500) * 24 * time.Hour)
			src := sources[i%3]
			r := reasons[i*7%4]
			events = append(events,
				analytics.Event{At: at, Kind: analytics.KindView, Source: src, Article: r + "-art", Findings: []analytics.Finding{{Reason: r, Article: r + "-art"}}},
				analytics.Event{At: at, Kind: analytics.KindSearch, Source: src, Query: "q" + r, Results: i % 2},
				analytics.Event{At: at, Kind: analytics.KindVote, Source: src, Article: r + "-art", Helpful: i%3 == 0},
			)
		}
		if err := db.SaveEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		raw := storetest.Raw(t, db.Path())
		sum := func(metric, source, from, to string) map[string][3]int64 {
			q := "SELECT key, CAST(SUM(n) AS BIGINT), CAST(SUM(yes) AS BIGINT), CAST(SUM(no) AS BIGINT) FROM daily WHERE metric = ? AND day BETWEEN ? AND ?"
			if store.IsPostgres(db.Path()) {
				q = strings.Replace(strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1), "?", "$3", 1)
			}
			switch source {
			case "ticket":
				q += " AND source = 'ticket'"
			case "direct":
				q += " AND source <> 'ticket'"
			}
			rows, err := raw.Query(q+" GROUP BY key", metric, from, to)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string][3]int64{}
			for rows.Next() {
				var k string
				var n, y, no int64
				if err := rows.Scan(&k, &n, &y, &no); err != nil {
					t.Fatal(err)
				}
				out[k] = [3]int64{n, y, no}
			}
			return out
		}
		for _, p := range [][2]string{
			{"2025-01-01", "2025-12-31"}, {"2025-01-15", "2025-03-10"}, {"2025-02-01", "2025-02-28"},
			{"2025-02-10", "2025-02-20"}, {"2025-03-31", "2026-05-01"}, {"2024-12-01", "2026-06-30"},
		} {
			from, _ := time.Parse(time.DateOnly, p[0])
			to, _ := time.Parse(time.DateOnly, p[1])
			for _, src := range []string{"all", "ticket", "direct"} {
				f := store.Filter{From: from, To: to, Source: src}
				want := sum("error", src, p[0], p[1])
				top, err := db.TopErrors(ctx, f, 100)
				if err != nil {
					t.Fatal(err)
				}
				if len(top) != len(want) {
					t.Errorf("%v %s: %d errors, want %d", p, src, len(top), len(want))
				}
				for _, e := range top {
					if w := want[e.Reason+"\t"+e.Article]; w[0] != e.Count {
						t.Errorf("%v %s: %s counted %d, daily says %d", p, src, e.Reason, e.Count, w[0])
					}
				}
				wantVotes := sum("vote", src, p[0], p[1])
				votes, _ := db.Feedback(ctx, f, 100)
				for _, v := range votes {
					if w := wantVotes[v.Subject]; w[1] != v.Yes || w[2] != v.No {
						t.Errorf("%v %s: votes for %s %d/%d, daily says %d/%d", p, src, v.Subject, v.Yes, v.No, w[1], w[2])
					}
				}
				tot, _ := db.Totals(ctx, f)
				var views int64
				for _, w := range sum("view", src, p[0], p[1]) {
					views += w[0]
				}
				if tot.Views != views {
					t.Errorf("%v %s: total views %d, daily says %d", p, src, tot.Views, views)
				}
				trend, _ := db.ErrorTrend(ctx, f, "blocked")
				var inTrend int64
				for _, d := range trend {
					inTrend += d.Count
				}
				if w := want["blocked\tblocked-art"]; inTrend != w[0] {
					t.Errorf("%v %s: blocked trend sums to %d, daily says %d", p, src, inTrend, w[0])
				}
			}
		}
	})
}

// Identical events of one second share a row; every one of them counts.
func TestIdenticalEventsShareARow(t *testing.T) {
	eachBackend(t, func(t *testing.T, openTemp func(*testing.T) *store.DB) {
		ctx := context.Background()
		db := openTemp(t)
		at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
		view := analytics.Event{At: at, Kind: analytics.KindView, Source: analytics.SourceTicket, Article: "buzon-lleno",
			Findings: []analytics.Finding{{Reason: "mailboxfull", Article: "buzon-lleno"}}}
		later := view
		later.At = at.Add(time.Second)
		if err := db.SaveEvents(ctx, []analytics.Event{view, view, view, later}); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountEvents(ctx, analytics.KindView); n != 4 {
			t.Errorf("%d views counted, want 4", n)
		}
		raw := storetest.Raw(t, db.Path())
		var rows int
		raw.QueryRow("SELECT COUNT(*) FROM event").Scan(&rows)
		if rows != 2 {
			t.Errorf("%d rows for 3 identical views and a later one, want 2", rows)
		}
		top, _ := db.TopErrors(ctx, store.LastDays(at, 1, "ticket"), 5)
		if len(top) != 1 || top[0].Count != 4 {
			t.Errorf("top errors %v, want mailboxfull 4", top)
		}
	})
}
