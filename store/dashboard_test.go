package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/servinetwork/rebote/analytics"
	"github.com/servinetwork/rebote/store"
)

// Dashboard returns in one call what the single queries return, trends
// included, for the first ten errors only.
func TestDashboardMatchesItsQueries(t *testing.T) {
	eachBackend(t, func(t *testing.T, openTemp func(*testing.T) *store.DB) {
		ctx := context.Background()
		db := openTemp(t)
		now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
		var events []analytics.Event
		// 12 reasons: reason i is met i+1 times in the last three days, and
		// once 12 days ago, in the period before the 10 days shown.
		for i := range 12 {
			f := []analytics.Finding{{Reason: fmt.Sprintf("reason%02d", i), Article: fmt.Sprintf("article%02d", i)}}
			for j := range i + 1 {
				events = append(events, analytics.Event{At: now.AddDate(0, 0, -(j % 3)), Kind: analytics.KindDiagnosis,
					Source: analytics.SourceTicket, Bounce: true, Recipients: 1, Findings: f})
			}
			events = append(events, analytics.Event{At: now.AddDate(0, 0, -12), Kind: analytics.KindView,
				Source: analytics.SourceDirect, Article: f[0].Article, Findings: f})
		}
		events = append(events,
			analytics.Event{At: now, Kind: analytics.KindSearch, Source: analytics.SourceDirect, Query: "nada", Results: 0},
			analytics.Event{At: now, Kind: analytics.KindDiagnosis, Source: analytics.SourceDirect, Line: "550 <***@***> odd"},
			analytics.Event{At: now, Kind: analytics.KindVote, Source: analytics.SourceTicket, Article: "article03", Helpful: true, Comment: "bien"},
			analytics.Event{At: now, Kind: analytics.KindTicket, Source: analytics.SourceDirect, Article: "article03"},
		)
		if err := db.SaveEvents(ctx, events); err != nil {
			t.Fatal(err)
		}

		f := store.LastDays(now, 10, "all")
		got, err := db.Dashboard(ctx, f, 25)
		if err != nil {
			t.Fatal(err)
		}

		totals, _ := db.Totals(ctx, f)
		previous, _ := db.Totals(ctx, f.Previous())
		fromTicket, _ := db.Totals(ctx, store.LastDays(now, 10, "ticket"))
		if got.Totals != totals || got.Previous != previous || got.FromTicket != fromTicket {
			t.Errorf("totals = %+v / %+v / %+v, want %+v / %+v / %+v", got.Totals, got.Previous, got.FromTicket, totals, previous, fromTicket)
		}
		if got.FromTicket.VotesYes != 1 || got.Previous.Views != 12 {
			t.Errorf("from ticket %+v, previous %+v: want one vote yes and 12 earlier views", got.FromTicket, got.Previous)
		}

		top, _ := db.TopErrors(ctx, f, 25)
		if len(got.TopErrors) != len(top) || len(top) != 12 {
			t.Fatalf("%d top errors, want %d", len(got.TopErrors), len(top))
		}
		for i, e := range got.TopErrors {
			if e.ErrorCount != top[i] {
				t.Errorf("top error %d = %+v, want %+v", i, e.ErrorCount, top[i])
			}
			if e.Previous != 1 {
				t.Errorf("top error %d: previous %d, want 1", i, e.Previous)
			}
			if i >= 10 {
				if e.Trend != nil {
					t.Errorf("top error %d has a trend; only the first 10 do", i)
				}
				continue
			}
			want, _ := db.ErrorTrend(ctx, f, e.Reason)
			if !slices.Equal(e.Trend, want) || len(want) != 10 {
				t.Errorf("trend of %s = %v, want %v", e.Reason, e.Trend, want)
			}
		}
		if e := got.TopErrors[0]; e.Reason != "reason11" || e.Trend[9].Count+e.Trend[8].Count+e.Trend[7].Count != 12 {
			t.Errorf("first top error %+v, want reason11 met 12 times in the last 3 days", e)
		}

		failed, _ := db.FailedSearches(ctx, f, 25)
		unread, _ := db.Unclassified(ctx, f, 25)
		tickets, _ := db.TicketClicks(ctx, f, 25)
		votes, _ := db.Feedback(ctx, f, 25)
		comments, _ := db.Comments(ctx, f, 25)
		if !slices.Equal(got.FailedSearches, failed) || !slices.Equal(got.Unclassified, unread) || !slices.Equal(got.TicketClicks, tickets) ||
			!slices.Equal(got.Feedback, votes) || !slices.Equal(got.Comments, comments) || len(got.Comments) != 1 {
			t.Errorf("lists = %+v, want the single queries' answers", got)
		}
	})
}

// The popular list ranks the last 30 days' errors first, skips articles
// that no longer exist and tops up with the editors' list. Only events
// marked Popular (diagnoses, articles opened from a search) rank, and an
// article needs a few of them: issue 13 item 12, where 500 page views
// pushed "códigos de éxito" to the top.
func TestPopular(t *testing.T) {
	eachBackend(t, func(t *testing.T, openTemp func(*testing.T) *store.DB) {
		ctx := context.Background()
		db := openTemp(t)
		now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
		ranked := func(at time.Time, article string) analytics.Event {
			return analytics.Event{At: at, Kind: analytics.KindDiagnosis, Source: analytics.SourceDirect, Popular: true,
				Findings: []analytics.Finding{{Reason: "r-" + article, Article: article}}}
		}
		var events []analytics.Event
		for range 4 {
			events = append(events, ranked(now, "borrado"), ranked(now.AddDate(0, 0, -40), "antiguo"))
		}
		for range 3 {
			events = append(events, ranked(now, "bucle"), ranked(now, "editor-b"))
		}
		events = append(events, ranked(now, "poco"), ranked(now, "poco")) // too few to rank
		// Page views alone rank nothing.
		for range 500 {
			events = append(events, analytics.Event{At: now, Kind: analytics.KindView, Source: analytics.SourceDirect,
				Article: "codigos-de-exito", Findings: []analytics.Finding{{Reason: "delivered", Article: "codigos-de-exito"}}})
		}
		if err := db.SaveEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		editors := []string{"editor-a", "editor-b", "editor-c"}
		known := func(slug string) bool { return slug != "borrado" }

		tests := []struct {
			name    string
			editors []string
			known   func(string) bool
			want    []string
		}{
			{"ranked then editors", editors, known, []string{"bucle", "editor-b", "editor-a"}},
			{"every slug known", editors, nil, []string{"borrado", "bucle", "editor-b"}},
			{"no editors, no list", nil, known, []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.Popular(ctx, now, tt.editors, tt.known)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("Popular = %v, want %v", got, tt.want)
				}
			})
		}

		// A fresh installation shows the editors' list as it is.
		empty := openTemp(t)
		if got, err := empty.Popular(ctx, now, editors, known); err != nil || !slices.Equal(got, editors) {
			t.Errorf("Popular on an empty database = %v, %v, want %v", got, err, editors)
		}
	})
}
